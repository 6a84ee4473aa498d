import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A petitioner may leave a phone or ID number without a name (a hotline caller who will not say it): what they gave
 * is kept — for the SMS replies, the rating link and the duplicate check — and the resident has no name (shown as
 * 未留姓名). Before, intake dropped the number and filed the case as anonymous.
 */
export class ResidentNameOptional1764400000230 implements MigrationInterface {
  name = 'ResidentNameOptional1764400000230';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE resident ALTER COLUMN name DROP NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("UPDATE resident SET name = '未留姓名' WHERE name IS NULL");
    await q.query('ALTER TABLE resident ALTER COLUMN name SET NOT NULL');
  }
}
