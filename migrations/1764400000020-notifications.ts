import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every notice the send-notification worker gives: SMS to petitioners, inbox messages to staff. A row is written
 * before anything is sent, keyed on the job and the recipient, so a retried job finds what an earlier attempt did
 * and never sends twice. The phone number is kept only masked; the text carries case numbers, not personal data.
 */
export class Notifications1764400000020 implements MigrationInterface {
  name = 'Notifications1764400000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_key text NOT NULL,
        -- Who within the job: 'petitioner:<case id>', 'user:<user id>' or 'user:<user id>:<case id>'. One job
        -- can notify several people (every leader, every petitioner of an early warning), once each.
        recipient_key text NOT NULL,
        case_id uuid REFERENCES petition_case(id) ON DELETE CASCADE,
        template text NOT NULL,
        recipient_role text NOT NULL CHECK (recipient_role IN ('petitioner', 'first-responder', 'leader', 'street-office')),
        recipient_user_id uuid REFERENCES app_user(id) ON DELETE CASCADE,
        channel text NOT NULL CHECK (channel IN ('sms', 'inbox')),
        phone_masked text,
        text text NOT NULL,
        -- Template parameters (case numbers, dates; never personal data), so the inbox can show the English text.
        params jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('outbox', 'sent', 'failed')),
        provider text,
        provider_message_id text,
        error text,
        read_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT notification_once_per_job UNIQUE (job_key, recipient_key),
        CONSTRAINT notification_inbox_has_user CHECK (channel <> 'inbox' OR recipient_user_id IS NOT NULL)
      )`);
    await q.query(
      "CREATE INDEX notification_inbox_idx ON notification (recipient_user_id, created_at) WHERE channel = 'inbox'",
    );
    await q.query('CREATE INDEX notification_case_idx ON notification (case_id)');
    await q.query("CREATE INDEX notification_outbox_idx ON notification (created_at) WHERE status <> 'sent'");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notification');
  }
}
