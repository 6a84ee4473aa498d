/**
 * What a tasklist task shows beside its form, beyond its case:
 * - its history: created (queued to which groups, or given by the process to whom), claimed, given back, handed on,
 *   completed — with people's display names and times. Creation and groups are the engine's record of the task; the
 *   steps people took are kept by the tasklist (domain/task-history.ts), as the engine keeps only the current assignee;
 * - for a task of an early warning's joint handling: its alert (rule, place, category, how many complaints) and the
 *   cases that raised it (none accusing the reader, Art 30).
 */
import { alertOfInstance } from '../domain/cases';
import { roleNames, taskEvents } from '../domain/task-history';
import { displayNames } from '../domain/users';
import { PROCESS_IDS } from '../bpmn/job-types';
import { route, type RouteSpec } from './route';
import { KeyParam, load } from './tasks';

export interface HistoryEntry {
  at: string | null;
  action: 'created' | 'assigned' | 'claimed' | 'unclaimed' | 'handed-over' | 'completed';
  actor: { username: string; displayName: string } | null;
  groups?: Array<{ id: string; name: string; nameEn: string }>;
  to?: { username: string; displayName: string };
  note?: string | null;
}

export const taskContextRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/tasks/:key/history',
    tag: 'tasklist',
    summary:
      'What happened to a task: created (for which groups or person), claimed, given back, handed on, completed — who and when',
    access: 'signed-in',
    params: KeyParam,
    async handle({ deps, user, params }) {
      const { task } = await load(deps, params.key, user);
      const steps = await taskEvents(deps.db, String(task.userTaskKey));
      const groups = (await roleNames(deps.db, task.candidateGroups ?? [])).map((r) => ({
        id: r.id,
        name: r.name_zh,
        nameEn: r.name_en,
      }));
      const engineTask = task as typeof task & { completionDate?: string };
      const usernames = [task.assignee, ...(task.candidateUsers ?? [])].filter((u): u is string => !!u);
      const names = new Map((await displayNames(deps.db, usernames)).map((u) => [u.username, u.display_name] as const));
      const person = (username: string) => ({ username, displayName: names.get(username) ?? username });
      const items: HistoryEntry[] = [
        {
          at: task.creationDate ?? null,
          action: 'created',
          actor: null,
          groups: groups.length ? groups : (task.candidateGroups ?? []).map((id) => ({ id, name: id, nameEn: id })),
          ...(task.candidateUsers?.length ? { to: person(task.candidateUsers[0]) } : {}),
        },
      ];
      // Given by the process to one person (a first responder, a service-team cadre): no one claimed it.
      if (task.assignee && !steps.some((s) => s.action === 'claimed' || s.action === 'handed-over'))
        items.push({ at: task.creationDate ?? null, action: 'assigned', actor: null, to: person(task.assignee) });
      for (const s of steps) {
        const detail = s.detail as { to?: string; toName?: string; note?: string | null };
        items.push({
          at: new Date(s.at).toISOString(),
          action: s.action,
          actor: { username: s.actor, displayName: s.actorName ?? s.actor },
          ...(detail.to ? { to: { username: detail.to, displayName: detail.toName ?? detail.to } } : {}),
          ...(detail.note ? { note: detail.note } : {}),
        });
      }
      // Completed outside the tasklist (by the engine's API): the engine's record says when and whose it was.
      if (String(task.state) === 'COMPLETED' && !steps.some((s) => s.action === 'completed'))
        items.push({
          at: engineTask.completionDate ?? null,
          action: 'completed',
          actor: task.assignee ? person(task.assignee) : null,
        });
      return { items };
    },
  }),
  route({
    method: 'get',
    path: '/tasks/:key/alert',
    tag: 'tasklist',
    summary:
      "A joint-handling task's early warning: rule, place, category, complaints counted, and the cases that raised it",
    access: 'signed-in',
    params: KeyParam,
    async handle({ deps, user, params }) {
      const { task } = await load(deps, params.key, user);
      const alert =
        task.processDefinitionId === PROCESS_IDS.earlyWarningJointHandling
          ? await alertOfInstance(deps.db, String(task.processInstanceKey), user.id)
          : undefined;
      return { alert: alert ?? null };
    },
  }),
];
