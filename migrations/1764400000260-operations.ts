import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operations console (运维): every action an admin takes on the engine's instances — retrying an incident,
 * cancelling an instance, changing a variable — is kept with who, when, on what and why (values masked as shown).
 * Notices go to two more kinds of recipient: the members of a task's candidate group when a task lands in their queue,
 * and the admins when an instance stops in an incident.
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
    await q.query('ALTER TABLE notification DROP CONSTRAINT notification_recipient_role_check');
    await q.query(`ALTER TABLE notification ADD CONSTRAINT notification_recipient_role_check
      CHECK (recipient_role IN ('petitioner', 'first-responder', 'leader', 'street-office', 'candidate', 'admin'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("DELETE FROM notification WHERE recipient_role IN ('candidate', 'admin')");
    await q.query('ALTER TABLE notification DROP CONSTRAINT notification_recipient_role_check');
    await q.query(`ALTER TABLE notification ADD CONSTRAINT notification_recipient_role_check
      CHECK (recipient_role IN ('petitioner', 'first-responder', 'leader', 'street-office'))`);
    await q.query('DROP TABLE operation_log');
  }
}
