import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether an alert's joint handling, or a key person's care, was ever asked to start: as for cases (migration 0110),
 * only a retry needs to look for an instance the engine may have made already. The look is a search of every
 * instance's variables by value, which grows with the years (340 ms at 100,000 instances).
 */
export class StartAttemptedAlertsPersons1764400000130 implements MigrationInterface {
  name = 'StartAttemptedAlertsPersons1764400000130';

  async up(q: QueryRunner): Promise<void> {
    // Rows from before this column count as attempted: their start is looked up as before.
    for (const table of ['early_warning_alert', 'key_person']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN process_start_attempted boolean NOT NULL DEFAULT true`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN process_start_attempted SET DEFAULT false`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['early_warning_alert', 'key_person'])
      await q.query(`ALTER TABLE ${table} DROP COLUMN process_start_attempted`);
  }
}
