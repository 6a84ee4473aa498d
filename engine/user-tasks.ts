/**
 * User tasks: search and get, the form, assignment, updates, completion.
 */
import type { EngineQueryable } from './store/db';
import { type SearchQuery } from './store/search';
import { TENANT, type Row } from './store/results';
import { reads } from './store/reads';
import { type Variables } from './runtime/types';
import { invalidArgument, invalidState, notFound } from './errors';
import type { Kernel } from './kernel';

export class UserTasks {
  constructor(private readonly k: Kernel) {}

  async searchUserTasks(query: SearchQuery) {
    return reads(this.k.db).searchUserTasks(query);
  }

  async getUserTask(key: string) {
    return reads(this.k.db).getUserTask(key);
  }

  async getUserTaskForm(key: string) {
    const [row] = await this.k.db.query<{ form_key: string | null }>('SELECT form_key::text FROM engine_user_task WHERE key = $1', [key]);
    if (!row) throw notFound('user task', key);
    if (!row.form_key) return undefined;
    const [form] = await this.k.db.query<{ resource_id: string; version: number; content: string }>(
      'SELECT resource_id, version, content FROM engine_resource WHERE key = $1',
      [row.form_key],
    );
    return { tenantId: TENANT, formId: form.resource_id, schema: JSON.parse(form.content) as Row, version: form.version, formKey: row.form_key };
  }

  async openTask(tx: EngineQueryable, key: string) {
    const [task] = await tx.query<{ instance_key: string; execution_id: string; state: string; assignee: string | null }>(
      'SELECT instance_key::text, execution_id, state, assignee FROM engine_user_task WHERE key = $1 FOR UPDATE',
      [key],
    );
    if (!task || task.state !== 'CREATED') throw notFound('user task', key);
    return task;
  }

  async assignUserTask(key: string, input: { assignee: string; allowOverride?: boolean }) {
    if (!input.assignee) throw invalidArgument('Expected an assignee, but none given');
    await this.k.transaction(async (tx) => {
      const task = await this.openTask(tx, key);
      if (input.allowOverride === false && task.assignee && task.assignee !== input.assignee) {
        throw invalidState(`Expected to assign user task '${key}' to '${input.assignee}', but it is already assigned to '${task.assignee}'`);
      }
      await tx.query('UPDATE engine_user_task SET assignee = $2 WHERE key = $1', [key, input.assignee]);
    });
  }

  async unassignUserTask(key: string) {
    await this.k.transaction(async (tx) => {
      await this.openTask(tx, key);
      await tx.query('UPDATE engine_user_task SET assignee = NULL WHERE key = $1', [key]);
    });
  }

  async updateUserTask(
    key: string,
    changeset: { dueDate?: string | null; followUpDate?: string | null; candidateGroups?: string[]; candidateUsers?: string[]; priority?: number },
  ) {
    const date = (v: string | null | undefined, name: string) => {
      if (v === undefined) return undefined;
      if (v === null || v === '') return null;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw invalidArgument(`Expected ${name} to be an ISO 8601 date-time, but was '${v}'`);
      return d.toISOString();
    };
    const sets: string[] = [];
    const params: unknown[] = [key];
    const add = (column: string, value: unknown) => {
      if (value === undefined) return;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    add('due_date', date(changeset.dueDate, 'dueDate'));
    add('follow_up_date', date(changeset.followUpDate, 'followUpDate'));
    add('candidate_groups', changeset.candidateGroups);
    add('candidate_users', changeset.candidateUsers);
    if (changeset.priority !== undefined && !(Number.isInteger(changeset.priority) && changeset.priority >= 0 && changeset.priority <= 100)) {
      throw invalidArgument(`Expected priority to be an integer between 0 and 100, but was ${changeset.priority}`);
    }
    add('priority', changeset.priority);
    await this.k.transaction(async (tx) => {
      await this.openTask(tx, key);
      if (sets.length > 0) await tx.query(`UPDATE engine_user_task SET ${sets.join(', ')} WHERE key = $1`, params);
    });
  }

  async completeUserTask(key: string, variables: Variables = {}) {
    await this.k.transaction(async (tx) => {
      const task = await this.openTask(tx, key);
      await tx.query("UPDATE engine_user_task SET state = 'COMPLETED', completion_date = $2 WHERE key = $1", [key, this.k.now().toISOString()]);
      await this.k.steps.advance(tx, task.instance_key, { kind: 'complete', executionId: task.execution_id, variables });
    });
    this.k.notifyJobs();
  }
}
