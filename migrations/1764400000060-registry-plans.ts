import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A key person's file holds their plan (一人一策) and why they left the registry. */
export class RegistryPlans1764400000060 implements MigrationInterface {
  name = 'RegistryPlans1764400000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE key_person ADD COLUMN plan text');
    await q.query('ALTER TABLE key_person ADD COLUMN exit_reason text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE key_person DROP COLUMN exit_reason');
    await q.query('ALTER TABLE key_person DROP COLUMN plan');
  }
}
