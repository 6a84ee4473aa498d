/**
 * What an instance waits for, stored: opening the waits a step made (timers, message and signal subscriptions, jobs,
 * user tasks, called processes) and closing them (and the processes its call activities called); terminating an
 * instance; the buffered message that starts the next instance once one started by a correlation key ends.
 */
import type { EngineQueryable } from './store/db';
import type { ElementMeta, ProcessModel } from './model/process-model';
import { evaluateList, evaluateValue } from './model/feel';
import { type StoredRuntime, type Variables, type Wait } from './runtime/types';
import type { Kernel } from './kernel';
import { OPEN_TASK_STATES, OPEN_WAIT } from './store/rows';

export class WaitStore {
  constructor(private readonly k: Kernel) {}

  /**
   * Opens one wait a step made. A job is not written here but added to `newJobs` (written with the instance's row,
   * one round trip for both); a call starts the called process. With `verify` (no record of the previous waits, or
   * resuming after an incident) a wait that exists already is kept as it is.
   */
  async openWait(
    tx: EngineQueryable,
    instanceKey: string,
    definitionKey: string,
    model: ProcessModel,
    variables: Variables,
    wait: Wait,
    verify: boolean,
    elementKeys: Map<string, string>,
    newJobs: Array<Record<string, unknown>>,
    now: string,
  ): Promise<void> {
    if (wait.kind === 'call') {
      await this.k.calls.callProcess(tx, instanceKey, model, variables, wait, now);
      return;
    }
    if (verify && (await this.isOpen(tx, instanceKey, wait.kind, wait.executionId))) return;
    if (wait.kind === 'timer') {
      await tx.query(
        `INSERT INTO engine_timer (key, instance_key, execution_id, element_id, due_at, state) VALUES ($1, $2, $3, $4, $5, 'ACTIVE')`,
        [await this.k.keys.take(tx), instanceKey, wait.executionId, wait.elementId, wait.dueAt],
      );
      return;
    }
    if (wait.kind === 'message' || wait.kind === 'signal') {
      await this.openSubscription(tx, instanceKey, wait);
      return;
    }
    const meta = model.elements.get(wait.elementId)!;
    const elementKey = elementKeys.get(wait.executionId) ?? (await this.elementKey(tx, instanceKey, wait.executionId));
    const key = await this.k.keys.take(tx);
    if (wait.kind === 'job') newJobs.push(this.jobRow(key, instanceKey, elementKey, meta, variables, wait));
    else {
      await this.openUserTask(tx, key, instanceKey, definitionKey, elementKey, meta, variables, wait, now);
      if (meta.taskListeners.creating || meta.taskListeners.assigning) await this.k.taskListeners.created(tx, key);
    }
  }

  /** Whether a wait's row is there and still open. */
  private async isOpen(
    tx: EngineQueryable,
    instanceKey: string,
    kind: keyof typeof OPEN_WAIT,
    executionId: string,
  ): Promise<boolean> {
    const open = OPEN_WAIT[kind];
    const [existing] = await tx.query(
      `SELECT 1 FROM ${open.table} WHERE instance_key = $1 AND execution_id = $2 AND state IN (${open.states})`,
      [instanceKey, executionId],
    );
    return existing !== undefined;
  }

  /** The key of an element instance stored in an earlier step. */
  private async elementKey(tx: EngineQueryable, instanceKey: string, executionId: string): Promise<string> {
    const [element] = await tx.query<{ key: string }>(
      'SELECT key::text FROM engine_element WHERE instance_key = $1 AND execution_id = $2',
      [instanceKey, executionId],
    );
    return element.key;
  }

  private async openSubscription(tx: EngineQueryable, instanceKey: string, wait: Wait): Promise<void> {
    await tx.query(
      `INSERT INTO engine_subscription (key, instance_key, execution_id, element_id, message_name, correlation_key, state, kind)
       VALUES ($1, $2, $3, $4, $5, $6, 'OPEN', $7)`,
      [
        await this.k.keys.take(tx),
        instanceKey,
        wait.executionId,
        wait.elementId,
        wait.messageName ?? wait.signalName,
        wait.correlationKey ?? '',
        wait.kind,
      ],
    );
  }

  /** A new job's row: an element's own job (type, retries and headers from its model) or an execution listener's. */
  private jobRow(
    key: string,
    instanceKey: string,
    elementKey: string,
    meta: ElementMeta,
    variables: Variables,
    wait: Wait,
  ): Record<string, unknown> {
    const type = wait.jobType ?? meta.jobType!;
    this.k.newJobTypes.add(type);
    const retriesText = wait.jobType ? wait.retries : meta.retries;
    const retries = Number(retriesText ? evaluateValue(retriesText, { ...variables, ...wait.locals }) : 3);
    return {
      key,
      instance_key: instanceKey,
      element_key: elementKey,
      execution_id: wait.executionId,
      element_id: wait.elementId,
      type,
      retries: Number.isFinite(retries) ? retries : 3,
      custom_headers: wait.jobType ? {} : meta.headers,
      locals: wait.locals,
      kind: wait.listenerEventType ? 'EXECUTION_LISTENER' : 'BPMN_ELEMENT',
      listener_event_type: wait.listenerEventType ?? 'UNSPECIFIED',
    };
  }

  /** A user task's row, its settings (assignee, candidates, dates, priority) evaluated where it waits. */
  private async openUserTask(
    tx: EngineQueryable,
    key: string,
    instanceKey: string,
    definitionKey: string,
    elementKey: string,
    meta: ElementMeta,
    variables: Variables,
    wait: Wait,
    now: string,
  ): Promise<void> {
    const u = meta.userTask ?? {};
    const vars = { ...variables, ...wait.locals };
    let formKey: string | null = null;
    if (u.formId) {
      formKey = (await this.k.latestResource(tx, 'form', u.formId))?.key ?? null;
    }
    const dueDate = textValue(u.dueDate, vars);
    const followUpDate = textValue(u.followUpDate, vars);
    // The process's key, id, version and name from its definition (always there: the instance's foreign key).
    await tx.query(
      `INSERT INTO engine_user_task (key, instance_key, element_key, execution_id, element_id, name, state, assignee,
         candidate_groups, candidate_users, due_date, follow_up_date, form_key, form_id, external_form_reference, priority,
         custom_headers, creation_date, definition_key, process_id, process_version, process_name)
       SELECT $1, $2, $3, $4, $5, $6, 'CREATED', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, r.key, r.resource_id, r.version, r.name
       FROM engine_resource r WHERE r.key = $18`,
      [
        key,
        instanceKey,
        elementKey,
        wait.executionId,
        wait.elementId,
        meta.name,
        textValue(u.assignee, vars),
        evaluateList(u.candidateGroups, vars),
        evaluateList(u.candidateUsers, vars),
        dueDate ? new Date(dueDate).toISOString() : null,
        followUpDate ? new Date(followUpDate).toISOString() : null,
        formKey,
        u.formId ?? null,
        u.externalReference ?? null,
        Number(textValue(u.priority, vars) ?? 50),
        JSON.stringify(meta.headers),
        now,
        definitionKey,
      ],
    );
  }

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

/** A user task setting's value (FEEL or static) as text: null when unset or empty, anything but a string as JSON. */
function textValue(v: string | undefined, vars: Variables): string | null {
  const r = v === undefined ? undefined : evaluateValue(v, vars);
  return r == null || r === '' ? null : typeof r === 'string' ? r : JSON.stringify(r);
}
