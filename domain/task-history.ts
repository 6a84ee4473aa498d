/**
 * What happened to a task that the engine does not keep: who claimed it, gave it back, handed it on and completed it,
 * and when (the engine keeps only its current assignee). When it was created and for which groups is the engine's own
 * record of the task.
 */
import type { Queryable } from '../platform/db';

export type TaskAction = 'claimed' | 'unclaimed' | 'handed-over' | 'completed';

export interface TaskEvent {
  at: string;
  action: TaskAction;
  actor: string;
  actorName: string | null;
  detail: Record<string, unknown>;
}

/** Keeps one step of a task: by `actor` (a username) at `at`. */
export async function recordTaskEvent(
  db: Queryable,
  e: { userTaskKey: string; action: TaskAction; actor: string; at: string; detail?: object },
): Promise<void> {
  await db.query('INSERT INTO task_event (user_task_key, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)', [
    e.userTaskKey,
    e.at,
    e.actor,
    e.action,
    JSON.stringify(e.detail ?? {}),
  ]);
}

/** A task's steps, oldest first, with the display name of who took each. */
export async function taskEvents(db: Queryable, userTaskKey: string): Promise<TaskEvent[]> {
  return db.query<TaskEvent>(
    `SELECT e.at, e.action, e.actor, u.display_name AS "actorName", e.detail
       FROM task_event e LEFT JOIN app_user u ON u.username = e.actor
       WHERE e.user_task_key = $1 ORDER BY e.at, e.id`,
    [userTaskKey],
  );
}

/** The roles' names (the groups tasks are queued to), by id. */
export async function roleNames(
  db: Queryable,
  ids: string[],
): Promise<Array<{ id: string; name_zh: string; name_en: string }>> {
  return db.query<{ id: string; name_zh: string; name_en: string }>(
    'SELECT id, name_zh, name_en FROM role WHERE id = ANY($1::text[])',
    [ids],
  );
}
