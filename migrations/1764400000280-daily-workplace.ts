import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily workplace (issue 26):
 * - grids and compounds are kept by admins: a grid or compound cases name is never deleted but retired (no longer
 *   offered for new petitions, patrols or hazards), and every change is kept with who made it (`grid_change`);
 * - an alert's status follows its joint handling: closed when the process completes, canceled when it is cancelled;
 * - a key person's conversion keeps its note and who recorded it (from the registry page or the care process);
 * - a task's history: who claimed it, gave it back, handed it on and completed it (`task_event`); when it was created
 *   and for which group comes from the engine's own record of the task.
 */
export class DailyWorkplace1764400000280 implements MigrationInterface {
  name = 'DailyWorkplace1764400000280';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE grid ADD COLUMN retired_at timestamptz');
    await q.query('ALTER TABLE compound ADD COLUMN retired_at timestamptz');
    await q.query(`
      CREATE TABLE grid_change (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES app_user(id),
        kind text NOT NULL CHECK (kind IN ('grid', 'compound')),
        target_id uuid NOT NULL,
        action text NOT NULL CHECK (action IN ('add', 'change', 'retire', 'reinstate')),
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query('CREATE INDEX grid_change_at_idx ON grid_change (at DESC)');
    await q.query('ALTER TABLE early_warning_alert DROP CONSTRAINT early_warning_alert_status_check');
    await q.query(`ALTER TABLE early_warning_alert ADD CONSTRAINT early_warning_alert_status_check
      CHECK (status IN ('open', 'handling', 'closed', 'canceled'))`);
    await q.query(
      "CREATE INDEX early_warning_alert_handling_idx ON early_warning_alert (id) WHERE status = 'handling'",
    );
    await q.query('ALTER TABLE key_person ADD COLUMN conversion_note text');
    await q.query('ALTER TABLE key_person ADD COLUMN conversion_recorded_by uuid REFERENCES app_user(id)');
    await q.query(`
      CREATE TABLE task_event (
        id bigserial PRIMARY KEY,
        user_task_key text NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL CHECK (action IN ('claimed', 'unclaimed', 'handed-over', 'completed')),
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query('CREATE INDEX task_event_task_idx ON task_event (user_task_key, at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE task_event');
    await q.query('ALTER TABLE key_person DROP COLUMN conversion_recorded_by');
    await q.query('ALTER TABLE key_person DROP COLUMN conversion_note');
    await q.query('DROP INDEX early_warning_alert_handling_idx');
    await q.query("UPDATE early_warning_alert SET status = 'closed' WHERE status = 'canceled'");
    await q.query('ALTER TABLE early_warning_alert DROP CONSTRAINT early_warning_alert_status_check');
    await q.query(`ALTER TABLE early_warning_alert ADD CONSTRAINT early_warning_alert_status_check
      CHECK (status IN ('open', 'handling', 'closed'))`);
    await q.query('DROP TABLE grid_change');
    await q.query('ALTER TABLE compound DROP COLUMN retired_at');
    await q.query('ALTER TABLE grid DROP COLUMN retired_at');
  }
}
