/**
 * User tasks: search and get, the form, assignment, updates, completion.
 */
import type { EngineQueryable } from './store/db';
import { type SearchQuery } from './store/search';
import { reads } from './store/reads';
import { type Variables } from './runtime/types';
import { invalidArgument, invalidState, notFound } from './errors';
import type { Kernel } from './kernel';
import type { TaskRow } from './task-attributes';

export class UserTasks {
  constructor(private readonly k: Kernel) {}

  async searchUserTasks(query: SearchQuery) {
    return reads(this.k.db).searchUserTasks(query);
  }

  async getUserTask(key: string) {
    return reads(this.k.db).getUserTask(key);
  }

  async getUserTaskForm(key: string) {
    const [row] = await this.k.db.query<{ form_key: string | null }>(
      'SELECT form_key::text FROM engine_user_task WHERE key = $1',
      [key],
    );
    if (!row) throw notFound('user task', key);
    if (!row.form_key) return undefined;
    return reads(this.k.db).form({ key: row.form_key });
  }

  /** The task locked, if it is open and in no transition (a transition's request answers 409 until it ends). */
  async openTask(tx: EngineQueryable, key: string): Promise<TaskRow> {
    const task = await this.k.taskListeners.lockTask(tx, key);
    if (!task || task.state === 'COMPLETED' || task.state === 'CANCELED') throw notFound('user task', key);
    if (task.state !== 'CREATED')
      throw invalidState(
        `Expected user task '${key}' to be in state 'CREATED', but it is in state '${task.state}' (its listeners are running)`,
      );
    return task;
  }

  /**
   * A change of a task: through the task's listeners of the event when it has any (the request is answered when they
   * are done, refused when one denies it), else at once.
   */
  private async change(
    key: string,
    event: 'assigning' | 'updating' | 'completing',
    apply: (
      tx: EngineQueryable,
      task: TaskRow,
    ) => Promise<{ action: string; changes?: Record<string, unknown>; variables?: Variables } | undefined>,
  ): Promise<void> {
    const began = await this.k.transaction(async (tx) => {
      const task = await this.openTask(tx, key);
      const transition = await apply(tx, task);
      return transition ? this.k.taskListeners.begin(tx, task, event, transition) : undefined;
    });
    this.k.notifyJobs();
    if (began) await this.k.taskListeners.outcome(key, began, event);
  }

  /** Whether the task has listeners of an event (then the change waits for them). */
  private async listens(
    tx: EngineQueryable,
    task: TaskRow,
    event: 'assigning' | 'updating' | 'completing',
  ): Promise<boolean> {
    return (await this.k.taskListeners.listenersOf(tx, task, event)).length > 0;
  }

  async assignUserTask(key: string, input: { assignee: string; allowOverride?: boolean; action?: string }) {
    if (!input.assignee) throw invalidArgument('Expected an assignee, but none given');
    await this.change(key, 'assigning', async (tx, task) => {
      if (input.allowOverride === false && task.assignee && task.assignee !== input.assignee) {
        throw invalidState(
          `Expected to assign user task '${key}' to '${input.assignee}', but it is already assigned to '${task.assignee}'`,
        );
      }
      if (await this.listens(tx, task, 'assigning'))
        return { action: input.action || 'assign', changes: { assignee: input.assignee } };
      await tx.query('UPDATE engine_user_task SET assignee = $2 WHERE key = $1', [key, input.assignee]);
      return undefined;
    });
  }

  async unassignUserTask(key: string) {
    await this.change(key, 'assigning', async (tx, task) => {
      if (await this.listens(tx, task, 'assigning')) return { action: 'unassign', changes: { assignee: null } };
      await tx.query('UPDATE engine_user_task SET assignee = NULL WHERE key = $1', [key]);
      return undefined;
    });
  }

  async updateUserTask(
    key: string,
    changeset: {
      dueDate?: string | null;
      followUpDate?: string | null;
      candidateGroups?: string[];
      candidateUsers?: string[];
      priority?: number;
    },
    action?: string,
  ) {
    const date = (v: string | null | undefined, name: string) => {
      if (v === undefined) return undefined;
      if (v === null || v === '') return null;
      const d = new Date(v);
      if (Number.isNaN(d.getTime()))
        throw invalidArgument(`Expected ${name} to be an ISO 8601 date-time, but was '${v}'`);
      return d.toISOString();
    };
    if (
      changeset.priority !== undefined &&
      !(Number.isInteger(changeset.priority) && changeset.priority >= 0 && changeset.priority <= 100)
    ) {
      throw invalidArgument(`Expected priority to be an integer between 0 and 100, but was ${changeset.priority}`);
    }
    const changes = Object.fromEntries(
      Object.entries({
        dueDate: date(changeset.dueDate, 'dueDate'),
        followUpDate: date(changeset.followUpDate, 'followUpDate'),
        candidateGroups: changeset.candidateGroups,
        candidateUsers: changeset.candidateUsers,
        priority: changeset.priority,
      }).filter(([, v]) => v !== undefined),
    );
    await this.change(key, 'updating', async (tx, task) => {
      if (await this.listens(tx, task, 'updating')) return { action: action || 'update', changes };
      const params: unknown[] = [key];
      const sets = Object.entries(changes).map(
        ([name, value]) => `${COLUMNS[name as keyof typeof COLUMNS]} = $${params.push(value)}`,
      );
      if (sets.length > 0) await tx.query(`UPDATE engine_user_task SET ${sets.join(', ')} WHERE key = $1`, params);
      return undefined;
    });
  }

  async completeUserTask(key: string, variables: Variables = {}, action?: string) {
    await this.change(key, 'completing', async (tx, task) => {
      if (await this.listens(tx, task, 'completing')) return { action: action || 'complete', variables };
      await tx.query("UPDATE engine_user_task SET state = 'COMPLETED', completion_date = $2 WHERE key = $1", [
        key,
        this.k.now().toISOString(),
      ]);
      await this.k.steps.advance(tx, task.instance_key, {
        kind: 'complete',
        executionId: task.execution_id,
        variables,
      });
      return undefined;
    });
  }
}

const COLUMNS = {
  dueDate: 'due_date',
  followUpDate: 'follow_up_date',
  candidateGroups: 'candidate_groups',
  candidateUsers: 'candidate_users',
  priority: 'priority',
} as const;
