import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The working-day calendar. `work_calendar` holds only the days that are not plain Mon–Fri workdays / Sat–Sun rest
 * days, plus holidays falling on a weekend (for their name): a day absent from it follows the week. Only a year in
 * `work_calendar_year` with `complete` is known; a deadline in any other year fails instead of guessing.
 */
export class WorkCalendar1764400000010 implements MigrationInterface {
  name = 'WorkCalendar1764400000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE work_calendar_year (
        year integer PRIMARY KEY CHECK (year BETWEEN 1990 AND 2200),
        source text NOT NULL CHECK (source IN ('chinese-days', 'admin')),
        complete boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE work_calendar (
        day date PRIMARY KEY,
        is_workday boolean NOT NULL,
        name text NOT NULL,
        source text NOT NULL CHECK (source IN ('chinese-days', 'admin'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE work_calendar');
    await q.query('DROP TABLE work_calendar_year');
  }
}
