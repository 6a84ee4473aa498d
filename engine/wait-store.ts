/**
 * Closing what an instance waited for: jobs, user tasks, timers, subscriptions, and the processes its call
 * activities called; terminating an instance; the buffered message that starts the next instance once one started by
 * a correlation key ends.
 */
import type { EngineQueryable } from './store/db';
import { type StoredRuntime, type Variables } from './runtime/types';
import type { Kernel } from './kernel';
import { OPEN_TASK_STATES } from './store/rows';

export class WaitStore {
  constructor(private readonly k: Kernel) {}

  /** Closes the given waits (kind by kind), and terminates the processes that closed call activities called. */
  async closeWaits(
    tx: EngineQueryable,
    instanceKey: string,
    now: string,
    gone: NonNullable<StoredRuntime['open']>,
  ): Promise<void> {
    const ids = (kind: string) => gone.filter((w) => w.kind === kind).map((w) => w.executionId);
    const jobs = ids('job');
    if (jobs.length) {
      await tx.query(
        "UPDATE engine_job SET state = 'CANCELED' WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED')",
        [instanceKey, jobs],
      );
    }
    const tasks = ids('user-task');
    if (tasks.length) {
      await tx.query(
        `UPDATE engine_user_task SET state = 'CANCELED', completion_date = $3, transition = NULL
         WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state IN (${OPEN_TASK_STATES})`,
        [instanceKey, tasks, now],
      );
      // The jobs of the listeners that were running for them.
      await tx.query(
        "UPDATE engine_job SET state = 'CANCELED' WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED')",
        [instanceKey, tasks],
      );
    }
    const timers = ids('timer');
    if (timers.length) {
      await tx.query(
        "UPDATE engine_timer SET state = 'CANCELED' WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state = 'ACTIVE'",
        [instanceKey, timers],
      );
    }
    const messages = [...ids('message'), ...ids('signal')];
    if (messages.length) {
      await tx.query(
        "UPDATE engine_subscription SET state = 'CANCELED' WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state = 'OPEN'",
        [instanceKey, messages],
      );
    }
    const calls = ids('call');
    if (calls.length) {
      const children = await tx.query<{ key: string }>(
        "SELECT key::text FROM engine_instance WHERE parent_instance_key = $1 AND state = 'ACTIVE' AND parent_execution_id = ANY($2::text[])",
        [instanceKey, calls],
      );
      for (const child of children) await this.terminate(tx, child.key, now);
    }
  }

  /** Closes the open jobs, tasks, timers and subscriptions of an instance, except the listed executions. */
  async cancelWaits(tx: EngineQueryable, instanceKey: string, now: string, keep: string[]): Promise<void> {
    const except = 'AND NOT (execution_id = ANY($2::text[]))';
    await tx.query(
      `UPDATE engine_job SET state = 'CANCELED' WHERE instance_key = $1 AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED') ${except}`,
      [instanceKey, keep],
    );
    await tx.query(
      `UPDATE engine_user_task SET state = 'CANCELED', completion_date = $3, transition = NULL WHERE instance_key = $1 AND state IN (${OPEN_TASK_STATES}) ${except}`,
      [instanceKey, keep, now],
    );
    await tx.query(
      `UPDATE engine_timer SET state = 'CANCELED' WHERE instance_key = $1 AND state = 'ACTIVE' ${except}`,
      [instanceKey, keep],
    );
    await tx.query(
      `UPDATE engine_subscription SET state = 'CANCELED' WHERE instance_key = $1 AND state = 'OPEN' ${except}`,
      [instanceKey, keep],
    );
    const children = await tx.query<{ key: string }>(
      `SELECT key::text FROM engine_instance WHERE parent_instance_key = $1 AND state = 'ACTIVE' AND NOT (parent_execution_id = ANY($2::text[]))`,
      [instanceKey, keep],
    );
    for (const child of children) await this.terminate(tx, child.key, now);
  }

  /** Terminates an instance and, through its waits, the processes it called. */
  async terminate(tx: EngineQueryable, key: string, now: string): Promise<void> {
    await tx.query(
      "UPDATE engine_instance SET state = 'TERMINATED', end_date = $2, runtime = jsonb_build_object('names', runtime->'names') WHERE key = $1",
      [key, now],
    );
    await tx.query(
      "UPDATE engine_element SET state = 'TERMINATED', end_date = $2 WHERE instance_key = $1 AND state = 'ACTIVE'",
      [key, now],
    );
    await tx.query("UPDATE engine_incident SET state = 'RESOLVED' WHERE instance_key = $1 AND state = 'ACTIVE'", [key]);
    await this.cancelWaits(tx, key, now, []);
    setImmediate(() => this.k.signals.emit(`completed:${key}`));
    await this.startFromBuffer(tx, key);
  }

  /**
   * An instance that a message with a correlation key started has ended: a message with the same key that was buffered
   * meanwhile (it could not start a second instance) starts the next one now.
   */
  async startFromBuffer(
    tx: EngineQueryable,
    instanceKey: string,
    known?: { process_id: string; start_correlation_key: string | null },
  ): Promise<void> {
    const [ended] = known
      ? [known]
      : await tx.query<{ process_id: string; start_correlation_key: string | null }>(
          'SELECT process_id, start_correlation_key FROM engine_instance WHERE key = $1',
          [instanceKey],
        );
    if (!ended?.start_correlation_key) return;
    const [next] = await tx.query<{
      message_key: string;
      variables: Variables;
      element_id: string;
      definition_key: string;
      resource_id: string;
      version: number;
    }>(
      `SELECT m.key::text AS message_key, m.variables, s.element_id, r.key::text AS definition_key, r.resource_id, r.version
       FROM engine_message m
       JOIN engine_subscription s ON s.message_name = m.name AND s.kind = 'message' AND s.state = 'OPEN' AND s.definition_key IS NOT NULL
       JOIN engine_resource r ON r.key = s.definition_key AND r.resource_id = $1
       WHERE m.state = 'BUFFERED' AND m.correlation_key = $2 AND m.expires_at > $3 AND NOT ($1::text = ANY(m.correlated_processes))
       ORDER BY m.key LIMIT 1 FOR UPDATE OF m`,
      [ended.process_id, ended.start_correlation_key, this.k.now().toISOString()],
    );
    if (!next) return;
    await this.k.messaging.correlatedTo(tx, next.message_key, ended.process_id);
    const definition = { key: next.definition_key, resource_id: next.resource_id, version: next.version };
    await this.k.instances.startInstance(tx, definition, next.variables, undefined, {
      at: next.element_id,
      correlationKey: ended.start_correlation_key,
    });
  }
}
