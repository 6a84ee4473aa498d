import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The law's procedures on the case (信访工作条例, issue 27):
 * - acceptance (Art 22–23): by when the petitioner must hear whether it is accepted (15 days from receipt), the first
 *   responder's decision ('accepted', 'not-accepted', 'passed-on' to the authority that may handle it; null while
 *   pending) and when it was accepted (the 60 days of Art 34 count from then);
 * - return by a wrongly assigned unit (Art 23): the end of the 5 working days within which the unit handling may
 *   object (set when a handling step begins);
 * - extension (Art 34): once, by at most 30 days, with reasons, approved by the leader;
 * - withdrawal by the petitioner before closure, with its reason.
 * The case's status gains 'not-accepted' (not accepted, or passed on) and 'withdrawn'. case_event.kind has no CHECK:
 * the new timeline kinds ('accepted', 'not-accepted', 'passed-on', 'returned', 'extension-requested',
 * 'extension-granted', 'extension-refused', 'withdrawn') need no change there.
 */
export class LegalProcedures1764400000290 implements MigrationInterface {
  name = 'LegalProcedures1764400000290';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE petition_case
      ADD COLUMN acceptance_due_at timestamptz,
      ADD COLUMN acceptance_decision text CHECK (acceptance_decision IN ('accepted', 'not-accepted', 'passed-on')),
      ADD COLUMN accepted_at timestamptz,
      ADD COLUMN return_due_at timestamptz,
      ADD COLUMN extension_days integer CHECK (extension_days BETWEEN 1 AND 30),
      ADD COLUMN extension_reason text,
      ADD COLUMN extended_at timestamptz,
      ADD COLUMN withdrawn_at timestamptz,
      ADD COLUMN withdrawal_reason text`);
    await q.query('ALTER TABLE petition_case DROP CONSTRAINT petition_case_status_check');
    await q.query(`ALTER TABLE petition_case ADD CONSTRAINT petition_case_status_check
      CHECK (status IN ('registered', 'handling', 'feedback', 'rating', 'second-handling', 'escalated', 'closed', 'not-accepted', 'withdrawn'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("UPDATE petition_case SET status = 'closed' WHERE status IN ('not-accepted', 'withdrawn')");
    await q.query('ALTER TABLE petition_case DROP CONSTRAINT petition_case_status_check');
    await q.query(`ALTER TABLE petition_case ADD CONSTRAINT petition_case_status_check
      CHECK (status IN ('registered', 'handling', 'feedback', 'rating', 'second-handling', 'escalated', 'closed'))`);
    await q.query(`ALTER TABLE petition_case
      DROP COLUMN withdrawal_reason, DROP COLUMN withdrawn_at, DROP COLUMN extended_at, DROP COLUMN extension_reason,
      DROP COLUMN extension_days, DROP COLUMN return_due_at, DROP COLUMN accepted_at, DROP COLUMN acceptance_decision,
      DROP COLUMN acceptance_due_at`);
  }
}
