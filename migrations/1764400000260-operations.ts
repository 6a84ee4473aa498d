import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operations console (运维): every action an admin takes on the engine's instances — retrying an incident,
 * cancelling an instance, changing a variable — is kept with who, when, on what and why (values masked as shown).
 */
export class Operations1764400000260 implements MigrationInterface {
  name = 'Operations1764400000260';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE operation_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL CHECK (action IN ('retry-incident', 'cancel-instance', 'set-variable')),
        process_instance_key text NOT NULL,
        target text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query('CREATE INDEX operation_log_instance_idx ON operation_log (process_instance_key, at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE operation_log');
  }
}
