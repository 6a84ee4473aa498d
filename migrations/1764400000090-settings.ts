import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Settings admins change without a release: targets and thresholds (JSON per key), and the texts of the notices. */
export class Settings1764400000090 implements MigrationInterface {
  name = 'Settings1764400000090';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app_setting (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE notification_template_override (
        template text PRIMARY KEY,
        zh text NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notification_template_override');
    await q.query('DROP TABLE app_setting');
  }
}
