/**
 * One step of an instance, stored: its row read and locked, the core run (runtime/stepper.ts), and the result
 * written in the caller's transaction — element instances, new and closed waits (jobs, user tasks, timers,
 * subscriptions, called processes: wait-store.ts), the instance row, or the incident; errors and escalations passed
 * to the calling process (calls.ts); signals thrown broadcast; a buffered message correlated to a new subscription.
 */
import type { EngineQueryable } from './store/db';
import type { ProcessModel } from './model/process-model';
import { type Action, type RunResult, type StoredRuntime, type Variables, type Wait } from './runtime/types';
import { invalidState, notFound } from './errors';
import type { Kernel } from './kernel';
import { type InstanceRow, INSTANCE_COLUMNS } from './store/rows';

/** What the instance's row answers once a step is stored: the process that called it, and what started it. */
interface ParentRow {
  parent_instance_key: string | null;
  parent_execution_id: string;
  propagate_child_variables: boolean;
  process_id: string;
  start_correlation_key: string | null;
}

export class Steps {
  constructor(private readonly k: Kernel) {}

  /**
   * Runs one step of an instance inside the caller's transaction and stores everything it produced.
   * An incident keeps the instance at its last wait state and remembers the action, to be replayed on resolution.
   */
  async advance(
    tx: EngineQueryable,
    instanceKey: string,
    action: Action,
    jobKey?: string,
    loaded?: InstanceRow,
  ): Promise<RunResult> {
    // The engine's own state (the bulk of the row) is read only when the instance is not live in memory; a caller
    // that locked and read the row already (a job's completion, in the same statement) passes it.
    const instance = loaded ?? (await this.lockInstance(tx, instanceKey));
    if (instance.state !== 'ACTIVE')
      throw invalidState(`Process instance '${instanceKey}' is not active (${instance.state})`);
    const model = await this.k.model(instance.definition_key, tx);
    const stored = instance.runtime ?? undefined;
    const result = await this.k.stepper.step({
      instanceKey,
      version: stored?.version ?? 0,
      definitionKey: instance.definition_key,
      model,
      decisions: await this.k.decisionsFor(tx, model),
      stored,
      variables: instance.variables,
      action,
      now: this.k.now(),
      loadEngine: () => Promise.resolve(stored?.engine),
      loadResource: (key) => this.k.resourceFile(tx, key, 'resource'),
    });
    const now = this.k.now().toISOString();
    if (result.outcome === 'incident') {
      // An error this process did not catch goes to the call activity that called it: caught there, the child ends.
      if (result.raised && (await this.k.calls.raiseToCaller(tx, instanceKey, result.raised))) return result;
      await this.storeIncident(tx, instanceKey, result, action, jobKey, now);
      return result;
    }

    const elementKeys = await this.storeElementEvents(tx, instanceKey, result, now);
    const newJobs: Array<Record<string, unknown>> = [];
    const fresh = await this.storeWaits(tx, instanceKey, instance, model, action, result, elementKeys, newJobs, now);
    const completed = result.outcome === 'completed';
    const parent = await this.storeInstance(tx, instanceKey, result, completed, newJobs, now);
    for (const signal of result.signals ?? []) await this.k.messaging.broadcast(tx, signal.name, signal.variables);
    if (completed) {
      await this.completed(tx, instanceKey, result, parent);
      return result;
    }
    if (parent?.parent_instance_key)
      await this.k.calls.escalateToCaller(
        tx,
        parent.parent_instance_key,
        parent.parent_execution_id,
        result.escalations ?? [],
      );
    // A message published before its catch event was reached is correlated now, within its time to live.
    if (!fresh.some((w) => w.kind === 'message')) return result;
    return this.correlateBuffered(tx, instanceKey, model.processId, result, now);
  }

  /** The instance's row, locked for the step. */
  private async lockInstance(tx: EngineQueryable, instanceKey: string): Promise<InstanceRow> {
    const [instance] = await tx.query<InstanceRow>(
      `SELECT ${INSTANCE_COLUMNS('engine_instance')} FROM engine_instance WHERE key = $1 FOR UPDATE`,
      [instanceKey],
    );
    if (!instance) throw notFound('process instance', instanceKey);
    return instance;
  }

  /** A step that failed: its incident, where it stands (the element instance, the job), and the action to replay. */
  private async storeIncident(
    tx: EngineQueryable,
    instanceKey: string,
    result: RunResult,
    action: Action,
    jobKey: string | undefined,
    now: string,
  ): Promise<void> {
    const incident = result.incident!;
    const key = await this.k.keys.take(tx);
    const [element] = await tx.query<{ key: string }>(
      `SELECT key::text FROM engine_element WHERE instance_key = $1 AND element_id = $2 AND state = 'ACTIVE' ORDER BY key DESC LIMIT 1`,
      [instanceKey, incident.elementId],
    );
    await tx.query(
      `INSERT INTO engine_incident (key, instance_key, element_key, element_id, job_key, error_type, error_message, state, creation_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8)`,
      [
        key,
        instanceKey,
        element?.key ?? null,
        incident.elementId,
        jobKey ?? null,
        incident.errorType,
        incident.message,
        now,
      ],
    );
    await tx.query('UPDATE engine_instance SET has_incident = true, pending_action = $2 WHERE key = $1', [
      instanceKey,
      JSON.stringify(action),
    ]);
  }

  /**
   * Waits: create the new ones, close the open ones the step left behind (an interrupted task, the losing branch of an
   * event-based gateway; every one when the instance completed). The previous step's waits are stored with the state,
   * so only changes cost a query. New jobs are added to `newJobs` (written with the instance's row). Answers the waits
   * the step opened.
   */
  private async storeWaits(
    tx: EngineQueryable,
    instanceKey: string,
    instance: InstanceRow,
    model: ProcessModel,
    action: Action,
    result: RunResult,
    elementKeys: Map<string, string>,
    newJobs: Array<Record<string, unknown>>,
    now: string,
  ): Promise<Wait[]> {
    const stored = instance.runtime ?? undefined;
    const previous = stored?.open;
    const current = new Set(result.waits.map((w) => w.executionId));
    // An escalation leaves the call activity waiting (or, interrupting, takes it away: then its child must go).
    const released = 'executionId' in action && action.kind !== 'escalate' ? action.executionId : undefined;
    if (!previous) {
      if (stored) await this.k.waitStore.cancelWaits(tx, instanceKey, now, [...current]);
    } else await this.closeGone(tx, instanceKey, previous, current, released, now);
    const before = new Set((previous ?? []).map((w) => w.executionId));
    // Without a record of the previous waits (or when resuming after an incident) every wait is checked against
    // the tables, so that what exists is kept and what is missing (e.g. a called process) is created.
    const verify = (!previous && stored !== undefined) || action.kind === 'resume';
    // The released wait may come back at once under the same execution (a cycle timer's next repetition).
    const fresh =
      previous && !verify
        ? result.waits.filter((w) => !before.has(w.executionId) || w.executionId === released)
        : result.waits;
    result.runtime.open = result.waits.map((w) => ({ executionId: w.executionId, kind: w.kind }));
    const definitionKey = instance.definition_key;
    for (const wait of fresh)
      await this.k.waitStore.openWait(
        tx,
        instanceKey,
        definitionKey,
        model,
        result.variables,
        wait,
        verify,
        elementKeys,
        newJobs,
        now,
      );
    const completed = result.outcome === 'completed';
    if (completed && previous) await this.closeGone(tx, instanceKey, previous, current, released, now);
    else if (completed) await this.k.waitStore.cancelWaits(tx, instanceKey, now, []);
    return fresh;
  }

  /** Closes the previous step's waits that this step left behind. */
  private async closeGone(
    tx: EngineQueryable,
    instanceKey: string,
    previous: NonNullable<StoredRuntime['open']>,
    current: Set<string>,
    released: string | undefined,
    now: string,
  ): Promise<void> {
    // The wait the action released was closed by the caller already (job or task completed, timer fired …).
    const gone = previous.filter((w) => !current.has(w.executionId) && w.executionId !== released);
    if (gone.length > 0) await this.k.waitStore.closeWaits(tx, instanceKey, now, gone);
  }

  /**
   * The instance's row after the step (its variables, the core's state, its taken flows; completed: its end), with
   * the step's new jobs and, when the instance completed, its element instances still active (the process's own):
   * one round trip. It answers what the completion needs (the caller, the start key).
   */
  private async storeInstance(
    tx: EngineQueryable,
    instanceKey: string,
    result: RunResult,
    completed: boolean,
    newJobs: Array<Record<string, unknown>>,
    now: string,
  ): Promise<ParentRow | undefined> {
    const flows = result.flows ?? [];
    // A completed instance keeps its variables' names and indexes (their keys stay what they were).
    const params: unknown[] = [
      instanceKey,
      JSON.stringify(result.variables),
      JSON.stringify(completed ? { names: result.runtime.names } : result.runtime),
      completed ? 'COMPLETED' : 'ACTIVE',
      completed ? now : null,
    ];
    const takenFlows =
      flows.length > 0
        ? `, taken_flows = ARRAY(SELECT DISTINCT f FROM unnest(taken_flows || $${params.push(flows)}::text[]) f ORDER BY f)`
        : '';
    const ctes: string[] = [];
    if (newJobs.length > 0) {
      ctes.push(`jobs AS (
           INSERT INTO engine_job (key, instance_key, element_key, execution_id, element_id, type, state, retries, custom_headers,
             available_at, locals, created_at, kind, listener_event_type)
           SELECT key, instance_key, element_key, execution_id, element_id, type, 'ACTIVATABLE', retries, custom_headers,
             $${params.push(now)}, locals, $${params.length}, kind, listener_event_type
           FROM jsonb_to_recordset($${params.push(JSON.stringify(newJobs))}::jsonb) AS j(key bigint, instance_key bigint,
             element_key bigint, execution_id text, element_id text, type text, retries int, custom_headers jsonb, locals jsonb,
             kind text, listener_event_type text))`);
    }
    if (completed)
      ctes.push(
        `finished AS (UPDATE engine_element SET state = 'COMPLETED', end_date = $5 WHERE instance_key = $1 AND state = 'ACTIVE')`,
      );
    const [parent] = await tx.query<ParentRow>(
      `${ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : ''}UPDATE engine_instance
       SET variables = $2, runtime = $3, state = $4, end_date = $5, pending_action = NULL${takenFlows} WHERE key = $1
       RETURNING parent_instance_key::text, parent_execution_id, propagate_child_variables, process_id, start_correlation_key`,
      params,
    );
    return parent;
  }

  /**
   * The instance completed: whoever waits for it is told, a buffered message may start the next one, and its call
   * activity (escalations first) completes with its variables.
   */
  private async completed(
    tx: EngineQueryable,
    instanceKey: string,
    result: RunResult,
    parent: ParentRow | undefined,
  ): Promise<void> {
    setImmediate(() => this.k.signals.emit(`completed:${instanceKey}`));
    await this.k.waitStore.startFromBuffer(tx, instanceKey, parent);
    if (!parent?.parent_instance_key) return;
    await this.k.calls.escalateToCaller(
      tx,
      parent.parent_instance_key,
      parent.parent_execution_id,
      result.escalations ?? [],
    );
    // The called process is done: the call activity completes with the child's variables, unless an
    // interrupting escalation boundary has already taken the caller elsewhere.
    if (await this.k.calls.waitsFor(tx, parent.parent_instance_key, parent.parent_execution_id)) {
      await this.advance(tx, parent.parent_instance_key, {
        kind: 'complete',
        executionId: parent.parent_execution_id,
        variables: result.variables,
        propagate: parent.propagate_child_variables,
      });
    }
  }

  /** The step opened message subscriptions: a message buffered for one of them is correlated now (a step of its own). */
  private async correlateBuffered(
    tx: EngineQueryable,
    instanceKey: string,
    processId: string,
    result: RunResult,
    now: string,
  ): Promise<RunResult> {
    // A message published while this step was uncommitted does not see the new subscription, nor this step the
    // message: once committed, look again (see matchBufferedMessages).
    this.k.recheckAfterCommit(tx);
    const [buffered] = await tx.query<{ key: string; execution_id: string; variables: Variables; sub_key: string }>(
      `SELECT m.key::text, s.execution_id, m.variables, s.key::text AS sub_key
       FROM engine_subscription s JOIN engine_message m
         ON m.name = s.message_name AND m.correlation_key = s.correlation_key AND m.state = 'BUFFERED' AND m.expires_at > $2
           AND NOT ($3::text = ANY(m.correlated_processes))
       WHERE s.instance_key = $1 AND s.state = 'OPEN' AND s.kind = 'message' ORDER BY m.key LIMIT 1 FOR UPDATE OF m`,
      [instanceKey, now, processId],
    );
    if (!buffered) return result;
    await this.k.messaging.correlatedTo(tx, buffered.key, processId);
    await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = $1", [buffered.sub_key]);
    return this.advance(tx, instanceKey, {
      kind: 'message',
      executionId: buffered.execution_id,
      variables: buffered.variables,
    });
  }

  /**
   * Element instances of one step in two statements: the elements entered (with their final state when they also
   * finished in this step), and the ones entered earlier that finished now. A catch event is reported entered again
   * when it catches (in a later step): its existing instance takes the final state rather than a second row.
   */
  async storeElementEvents(
    tx: EngineQueryable,
    instanceKey: string,
    result: RunResult,
    now: string,
  ): Promise<Map<string, string>> {
    const entered = new Map<string, { event: RunResult['events'][number]; state: string }>();
    const finished = new Map<string, string>();
    for (const event of result.events) {
      const mine = entered.get(event.executionId);
      if (event.state === 'ACTIVE') {
        if (!mine) entered.set(event.executionId, { event, state: 'ACTIVE' });
      } else if (mine) {
        if (mine.state === 'ACTIVE') mine.state = event.state;
      } else if (!finished.has(event.executionId)) {
        finished.set(event.executionId, event.state);
      }
    }
    if (entered.size === 0 && finished.size === 0) return new Map();
    const rows = [...entered.values()];
    const keys: string[] = [];
    for (let i = 0; i < rows.length; i++) keys.push(await this.k.keys.take(tx));
    // Each new element instance's flow scope: the process instance, one entered in this step, or an earlier one.
    const known = new Map<string, string>([
      ['process', instanceKey],
      ...rows.map((r, i): [string, string] => [r.event.executionId, keys[i]]),
    ]);
    const earlier = [...new Set(rows.map((r) => r.event.scopeExecutionId ?? 'process'))].filter((x) => !known.has(x));
    if (earlier.length > 0) {
      const found = await tx.query<{ key: string; execution_id: string }>(
        'SELECT key::text, execution_id FROM engine_element WHERE instance_key = $1 AND execution_id = ANY($2::text[])',
        [instanceKey, earlier],
      );
      for (const f of found) known.set(f.execution_id, f.key);
    }
    const scopes = rows.map((r) => known.get(r.event.scopeExecutionId ?? 'process') ?? instanceKey);
    // One round trip: the update of earlier elements and the insert of new ones in one statement; the keys of the
    // inserted ones come back for the jobs and tasks created on them.
    const inserted = await tx.query<{ key: string; execution_id: string }>(
      `WITH finished AS (
         UPDATE engine_element el SET state = u.s, end_date = $2 FROM unnest($9::text[], $10::text[]) AS u(x, s)
         WHERE el.instance_key = $1 AND el.execution_id = u.x AND el.state = 'ACTIVE' RETURNING 1)
       INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date, end_date, scope_key)
       SELECT k::bigint, $1, x, e, n, t, s, $2, CASE WHEN s = 'ACTIVE' THEN NULL ELSE $2::timestamptz END, sk::bigint
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $11::text[]) AS u(k, x, e, n, t, s, sk)
       ON CONFLICT (instance_key, execution_id) DO UPDATE SET state = EXCLUDED.state, end_date = EXCLUDED.end_date
         WHERE engine_element.state = 'ACTIVE' AND EXCLUDED.state <> 'ACTIVE'
       RETURNING key::text, execution_id`,
      [
        instanceKey,
        now,
        keys,
        rows.map((r) => r.event.executionId),
        rows.map((r) => r.event.elementId),
        rows.map((r) => r.event.elementName),
        rows.map((r) => r.event.elementType),
        rows.map((r) => r.state),
        [...finished.keys()],
        [...finished.values()],
        scopes,
      ],
    );
    return new Map(inserted.map((r) => [r.execution_id, r.key]));
  }
}
