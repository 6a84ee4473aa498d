import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard, its CSV and the reports count the cases closed in a period by the case's own closing instant
 * (`closed_at`, written on the business clock by close-case), no longer by the time the `closed` event's row was
 * written (the database's clock, which differs from the business clock whenever that is pinned). The index moves with
 * the query.
 */
export class ClosedAtIndex1764400000240 implements MigrationInterface {
  name = 'ClosedAtIndex1764400000240';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX petition_case_closed_idx ON petition_case (closed_at) WHERE closed_at IS NOT NULL');
    await q.query('DROP INDEX case_event_closed_idx');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("CREATE INDEX case_event_closed_idx ON case_event (created_at) WHERE kind = 'closed'");
    await q.query('DROP INDEX petition_case_closed_idx');
  }
}
