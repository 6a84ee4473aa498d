/**
 * User task listeners (Camunda 8.8): jobs of kind TASK_LISTENER that run, one after another in the model's order,
 * while a user task is created, assigned, updated or completed. The task waits in a transitional state (CREATING,
 * ASSIGNING, UPDATING, COMPLETING) until its listeners are done; a listener may correct the task's attributes (seen by
 * the next listener, applied when the transition ends) or deny an assignment, update or completion (the task goes
 * back to CREATED as it was, and the request that asked for it is refused). The request that started a transition
 * is answered when the transition ends, as Zeebe answers it.
 *
 * The transition in progress is stored on the task's row (`transition`), the answer for the request that waits on it
 * in `outcome`; the core knows nothing of it (its element waits on the user task throughout). The task's attributes
 * as a listener sees and corrects them are in task-attributes.ts.
 */
import type { EngineQueryable } from './store/db';
import type { Listener, TaskListenerEvent } from './model/types';
import { evaluateValue } from './model/feel';
import { Scopes } from './core/variables';
import { isCoreState } from './core/state';
import { type StoredRuntime, type Variables } from './runtime/types';
import { EngineError, invalidArgument, invalidState, notFound } from './errors';
import type { InstanceRow, Kernel } from './kernel';
import {
  ATTRIBUTES,
  TASK_COLUMNS,
  listenerView,
  readResult,
  type Attribute,
  type Attributes,
  type TaskRow,
  type Transition,
} from './task-attributes';

/** What the request waiting on a transition is answered. */
interface Outcome {
  id: string;
  denied?: boolean;
  reason?: string;
}

/** The user task's state while its listeners of an event run. */
const STATE_OF: Record<TaskListenerEvent, string> = {
  creating: 'CREATING',
  assigning: 'ASSIGNING',
  updating: 'UPDATING',
  completing: 'COMPLETING',
};
/** The command a refusal names, as Zeebe's rejections do. */
const COMMAND_OF: Record<TaskListenerEvent, string> = {
  creating: 'CREATE',
  assigning: 'ASSIGN',
  updating: 'UPDATE',
  completing: 'COMPLETE',
};
const NOUN_OF: Record<TaskListenerEvent, string> = {
  creating: 'Creation',
  assigning: 'Assignment',
  updating: 'Update',
  completing: 'Completion',
};

/** How long a request waits for its transition's listeners before it is answered 504 (the transition goes on). */
const REQUEST_TIMEOUT_MS = 15_000;

export class TaskListeners {
  constructor(private readonly k: Kernel) {}

  /** The task's listeners of an event, from its process's model. */
  async listenersOf(
    q: EngineQueryable,
    task: Pick<TaskRow, 'definition_key' | 'element_id'>,
    event: TaskListenerEvent,
  ): Promise<Listener[]> {
    const model = await this.k.model(task.definition_key, q);
    return model.elements.get(task.element_id)?.taskListeners[event] ?? [];
  }

  async lockTask(tx: EngineQueryable, key: string): Promise<TaskRow | undefined> {
    const [task] = await tx.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM engine_user_task WHERE key = $1 FOR UPDATE`, [
      key,
    ]);
    return task;
  }

  /**
   * Starts a transition of a task whose row the caller holds locked, when the task has listeners for it: the task
   * takes the transitional state and the first listener's job is created. Answers the transition's id (for
   * {@link outcome}), or undefined when there are no such listeners (the caller applies the change itself).
   */
  async begin(
    tx: EngineQueryable,
    task: TaskRow,
    event: TaskListenerEvent,
    input: { action: string; changes?: Attributes; variables?: Variables; assignee?: string },
  ): Promise<string | undefined> {
    const listeners = await this.listenersOf(tx, task, event);
    if (listeners.length === 0) return undefined;
    const changes = input.changes ?? {};
    const transition: Transition = {
      id: await this.k.keys.take(tx),
      event,
      i: 0,
      action: input.action,
      changes,
      requested: Object.keys(changes) as Attribute[],
      ...(input.variables ? { variables: input.variables } : {}),
      ...(input.assignee ? { assignee: input.assignee } : {}),
    };
    await tx.query('UPDATE engine_user_task SET state = $2, transition = $3 WHERE key = $1', [
      task.key,
      STATE_OF[event],
      JSON.stringify(transition),
    ]);
    await this.createJob(tx, { ...task, state: STATE_OF[event], transition }, listeners[0]);
    return transition.id;
  }

  /**
   * A task the step just created: its creating listeners run first; an assignee the process gave is assigned once it
   * is created, through the assigning listeners (Zeebe's order).
   */
  async created(tx: EngineQueryable, taskKey: string): Promise<void> {
    const task = (await this.lockTask(tx, taskKey))!;
    const assignee = task.assignee ?? undefined;
    const assigning = assignee !== undefined && (await this.listenersOf(tx, task, 'assigning')).length > 0;
    if (assigning) {
      await tx.query('UPDATE engine_user_task SET assignee = NULL WHERE key = $1', [task.key]);
      task.assignee = null;
    }
    const began = await this.begin(tx, task, 'creating', { action: '', ...(assigning ? { assignee } : {}) });
    if (!began && assigning) await this.begin(tx, task, 'assigning', { action: 'assign', changes: { assignee } });
  }

  /**
   * A listener's job completed (in the job's transaction, its instance locked): its corrections or its denial, then
   * the next listener, or the end of the transition.
   */
  async listenerDone(tx: EngineQueryable, taskKey: string, instance: InstanceRow, result: unknown): Promise<void> {
    const task = await this.lockTask(tx, taskKey);
    const t = task?.transition;
    if (!task || !t) return; // the task went (its element was terminated) while the listener ran
    const { denied, deniedReason, corrections } = readResult(result);
    if (denied) {
      if (t.event === 'creating') {
        throw invalidArgument(
          `Expected to complete the 'creating' listener job of user task '${task.key}', but denying the creation of a user task is not supported`,
        );
      }
      const outcome: Outcome = { id: t.id, denied: true, reason: deniedReason ?? '' };
      await tx.query("UPDATE engine_user_task SET state = 'CREATED', transition = NULL, outcome = $2 WHERE key = $1", [
        task.key,
        JSON.stringify(outcome),
      ]);
      return;
    }
    Object.assign(t.changes, corrections);
    const listeners = await this.listenersOf(tx, task, t.event);
    if (t.i + 1 < listeners.length) {
      t.i++;
      await tx.query('UPDATE engine_user_task SET transition = $2 WHERE key = $1', [task.key, JSON.stringify(t)]);
      await this.createJob(tx, task, listeners[t.i]);
      return;
    }
    await this.finish(tx, task, t, instance);
  }

  /** The last listener is done: the changes are applied and the task goes on (created, assigned, updated, completed). */
  private async finish(tx: EngineQueryable, task: TaskRow, t: Transition, instance: InstanceRow): Promise<void> {
    const params: unknown[] = [task.key];
    const sets = Object.entries(t.changes).map(([name, value]) => {
      params.push(value);
      return `${ATTRIBUTES[name as Attribute]} = $${params.length}`;
    });
    const completing = t.event === 'completing';
    params.push(completing ? 'COMPLETED' : 'CREATED', JSON.stringify({ id: t.id } satisfies Outcome));
    sets.push(`state = $${params.length - 1}`, `transition = NULL`, `outcome = $${params.length}`);
    if (completing) sets.push(`completion_date = $${params.push(this.k.now().toISOString())}`);
    await tx.query(`UPDATE engine_user_task SET ${sets.join(', ')} WHERE key = $1`, params);
    if (completing) {
      await this.k.steps.advance(
        tx,
        task.instance_key,
        { kind: 'complete', executionId: task.execution_id, variables: t.variables ?? {} },
        undefined,
        instance,
      );
      return;
    }
    if (t.event === 'creating' && t.assignee) {
      const created = (await this.lockTask(tx, task.key))!;
      await this.begin(tx, created, 'assigning', { action: 'assign', changes: { assignee: t.assignee } });
    }
  }

  /** Creates the job of one listener, with the task's attributes as they stand in the transition (headers and `userTask`). */
  private async createJob(tx: EngineQueryable, task: TaskRow, listener: Listener): Promise<void> {
    const t = task.transition!;
    const [instance] = await tx.query<{ variables: Variables; runtime: StoredRuntime | null }>(
      'SELECT variables, runtime FROM engine_instance WHERE key = $1',
      [task.instance_key],
    );
    const runtime = instance?.runtime;
    const locals =
      runtime && isCoreState(runtime.engine)
        ? new Scopes(runtime.engine, {}, runtime.locals ?? {}).visibleLocals(task.execution_id)
        : {};
    let retries = 3;
    if (listener.retries) {
      try {
        retries = Number(evaluateValue(listener.retries, { ...instance?.variables, ...locals }));
      } catch {
        retries = 3;
      }
    }
    const view = listenerView(task, t);
    const headers: Record<string, string> = { ...task.custom_headers };
    for (const [name, value] of Object.entries(view)) {
      if (value === null || value === undefined) continue;
      headers[`io.camunda.zeebe:${name}`] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    await tx.query(
      `INSERT INTO engine_job (key, instance_key, element_key, execution_id, element_id, type, state, retries, custom_headers,
         available_at, locals, created_at, kind, listener_event_type, user_task)
       VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVATABLE', $7, $8, $9, $10, $9, 'TASK_LISTENER', $11, $12)`,
      [
        await this.k.keys.take(tx),
        task.instance_key,
        task.element_key,
        task.execution_id,
        task.element_id,
        listener.type,
        Number.isFinite(retries) ? retries : 3,
        JSON.stringify(headers),
        this.k.now().toISOString(),
        JSON.stringify(locals),
        STATE_OF[t.event],
        JSON.stringify(view),
      ],
    );
    this.k.newJobTypes.add(listener.type);
  }

  /** Wakes the request waiting on a task's transition: called once the listener's completion has committed. */
  answer(taskKey: string): void {
    this.k.signals.emit(`user-task:${taskKey}`);
  }

  /**
   * Waits (after the transaction that began it committed) until a transition ends: nothing when it went through; a
   * 409 when a listener denied it or the task went meanwhile; a 504 when its listeners take longer than the request
   * may wait (the transition itself goes on).
   */
  async outcome(taskKey: string, id: string, event: TaskListenerEvent): Promise<void> {
    const deadline = Date.now() + REQUEST_TIMEOUT_MS;
    for (;;) {
      const [row] = await this.k.db.query<{ state: string; outcome: Outcome | null; transition: Transition | null }>(
        'SELECT state, outcome, transition FROM engine_user_task WHERE key = $1',
        [taskKey],
      );
      if (!row) throw notFound('user task', taskKey);
      if (row.outcome?.id === id) {
        if (!row.outcome.denied) return;
        throw invalidState(
          `Command '${COMMAND_OF[event]}' rejected with code 'INVALID_STATE': ${NOUN_OF[event]} of the User Task with key '${taskKey}' was denied by Task Listener. Reason to deny: '${row.outcome.reason ?? ''}'`,
        );
      }
      if (row.transition?.id !== id) {
        throw invalidState(
          `Expected to ${COMMAND_OF[event].toLowerCase()} user task '${taskKey}', but it was ${row.state === 'CANCELED' ? 'canceled' : 'changed'} while its listeners ran`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new EngineError(
          504,
          'INTERNAL',
          `The listeners of user task '${taskKey}' did not finish within ${REQUEST_TIMEOUT_MS} ms; the ${event} goes on when they do`,
        );
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.k.signals.off(`user-task:${taskKey}`, done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 500));
        this.k.signals.once(`user-task:${taskKey}`, done);
      });
    }
  }
}
