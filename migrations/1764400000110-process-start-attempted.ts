import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a case's process start was ever attempted. Only a retry (an earlier attempt whose answer was lost, or a
 * crash after it) needs to look for an instance the engine may have made already; the first attempt starts at
 * once, instead of searching every instance's variables for the case id — a search that grows with the years.
 */
export class ProcessStartAttempted1764400000110 implements MigrationInterface {
  name = 'ProcessStartAttempted1764400000110';

  async up(q: QueryRunner): Promise<void> {
    // Cases filed before this column existed count as attempted: their start is looked up as before.
    await q.query('ALTER TABLE petition_case ADD COLUMN process_start_attempted boolean NOT NULL DEFAULT true');
    await q.query('ALTER TABLE petition_case ALTER COLUMN process_start_attempted SET DEFAULT false');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE petition_case DROP COLUMN process_start_attempted');
  }
}
