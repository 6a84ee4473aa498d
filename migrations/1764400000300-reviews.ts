import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review (复查, 信访工作条例 Art 35) and re-review (复核, Art 36), each a process of its own started from a case:
 * - `case_review`: one request of each kind per case — when it was asked for, when the petitioner received the opinion
 *   it is against (the 30-day request window runs from that day), when it must be answered (30 days), the answer
 *   (outcome and opinion), and its process instance;
 * - `petition_case.final_of`: a new petition on the same request after the re-review is linked to the final case
 *   (also `duplicate_of`, so it has no process of its own) and is not handled again (Art 36: 不再受理).
 * The timeline's new kinds (`review-requested`, `review-answered`, `re-review-requested`, `re-review-answered`,
 * `linked-as-final`, `final-repeat`) need no schema: case_event.kind is free text.
 */
export class Reviews1764400000300 implements MigrationInterface {
  name = 'Reviews1764400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES petition_case(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('review', 're-review')),
        reasons text NOT NULL,
        requested_at timestamptz NOT NULL,
        requested_by uuid REFERENCES app_user(id),
        opinion_received_at date NOT NULL,
        due_at timestamptz NOT NULL,
        answered_at timestamptz,
        outcome text CHECK (outcome IN ('upheld', 'revised')),
        opinion text,
        process_instance_key text,
        UNIQUE (case_id, kind)
      )`);
    await q.query('CREATE INDEX case_review_requested_idx ON case_review (requested_at)');
    await q.query('CREATE INDEX case_review_answered_idx ON case_review (answered_at) WHERE answered_at IS NOT NULL');
    // Tasklists find a review task's case by its process instance, as they do a case's own process.
    await q.query(
      'CREATE INDEX case_review_process_instance_idx ON case_review (process_instance_key) WHERE process_instance_key IS NOT NULL',
    );
    await q.query('ALTER TABLE petition_case ADD COLUMN final_of uuid REFERENCES petition_case(id)');
    await q.query('CREATE INDEX petition_case_final_of_idx ON petition_case (final_of) WHERE final_of IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX petition_case_final_of_idx');
    await q.query('ALTER TABLE petition_case DROP COLUMN final_of');
    await q.query('DROP TABLE case_review');
  }
}
