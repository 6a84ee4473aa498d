import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case centre (GET /api/cases): its pages come newest first or soonest due first, a page at a time by keyset
 * (the last row's sort value and case number), so each sort has an index in its order; a petitioner is found by exact name.
 * Phone and ID number are found through their keyed hashes (resident_phone_hash_idx, resident_id_number_hash_idx).
 */
export class CaseSearch1764400000250 implements MigrationInterface {
  name = 'CaseSearch1764400000250';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX petition_case_received_no_idx ON petition_case (received_at, case_no)');
    await q.query('CREATE INDEX petition_case_sla_due_no_idx ON petition_case (sla_due_at, case_no)');
    await q.query('CREATE INDEX resident_name_idx ON resident (name)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX resident_name_idx');
    await q.query('DROP INDEX petition_case_sla_due_no_idx');
    await q.query('DROP INDEX petition_case_received_no_idx');
  }
}
