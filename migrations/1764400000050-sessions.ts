import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff sign-in sessions: the cookie carries a random id, the table only its hash, so a leaked table cannot be
 * replayed; each session has its own CSRF token. Cases record whether their process has been started yet (intake
 * saves the case first and starts the process after, retrying while the engine is away).
 */
export class Sessions1764400000050 implements MigrationInterface {
  name = 'Sessions1764400000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_session (
        id_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX user_session_user_idx ON user_session (user_id)');
    await q.query('ALTER TABLE petition_case ADD COLUMN process_start_claimed_at timestamptz');
    await q.query(
      'CREATE INDEX petition_case_unstarted_idx ON petition_case (created_at) WHERE process_instance_key IS NULL',
    );
    await q.query('CREATE SEQUENCE petition_case_no_seq');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP SEQUENCE petition_case_no_seq');
    await q.query('DROP INDEX petition_case_unstarted_idx');
    await q.query('ALTER TABLE petition_case DROP COLUMN process_start_claimed_at');
    await q.query('DROP TABLE user_session');
  }
}
