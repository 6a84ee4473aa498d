import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tasklist finds the cases of its tasks by their process instance key in one query (instead of one engine call
 * per task): an index on the key, so that this stays an index lookup with 100,000 cases (see BENCHMARKS.md).
 */
export class CaseProcessInstanceIndex1764400000100 implements MigrationInterface {
  name = 'CaseProcessInstanceIndex1764400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX petition_case_process_instance_idx ON petition_case (process_instance_key) WHERE process_instance_key IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX petition_case_process_instance_idx');
  }
}
