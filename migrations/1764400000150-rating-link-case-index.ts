import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every case page, the first responder's "hand out the rating link" and the closing worker look up a case's rating
 * links by case. Without an index each did a scan of all links: one per case rated, ~100,000 at 100,000 cases.
 */
export class RatingLinkCaseIndex1764400000150 implements MigrationInterface {
  name = 'RatingLinkCaseIndex1764400000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX rating_link_case_idx ON rating_link (case_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX rating_link_case_idx');
  }
}
