import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deadline jobs that could not be computed because the working-day calendar lacks a year: one row per job, written by
 * compute-deadlines when it fails for that reason and removed when the job succeeds. Admins see them (settings, case
 * page), and adding the year retries them (their engine incidents are resolved).
 */
export class DeadlineCalendarWaits1764400000231 implements MigrationInterface {
  name = 'DeadlineCalendarWaits1764400000231';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deadline_calendar_wait (
        job_key text PRIMARY KEY,
        case_id uuid REFERENCES petition_case(id) ON DELETE CASCADE,
        process_instance_key text NOT NULL,
        element_id text NOT NULL,
        year integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX deadline_calendar_wait_year_idx ON deadline_calendar_wait (year)');
    await q.query('CREATE INDEX deadline_calendar_wait_case_idx ON deadline_calendar_wait (case_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE deadline_calendar_wait');
  }
}
