/**
 * Handing a task to a colleague: the one who holds a group's task (the secretary's second handling, the street office's
 * team, a coordination) may pass it to another active member of one of its candidate groups — never to the person the
 * case accuses (Art 30). A task the process gave to one person by name (a first responder's) is not handed on here: the
 * leader transfers the case's first responder instead. The hand-over is on the case's timeline and the task's history.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { activeUsersLessAccused, namedUsersLessAccused, recordTaskHandedOn } from '../domain/cases';
import { recordTaskEvent } from '../domain/task-history';
import type { ApiDeps } from './deps';
import { route, type RouteSpec } from './route';
import { KeyParam, load, summary, type Task } from './tasks';

/**
 * Who may take the task: active members of its candidate groups and its candidate users (named by the task itself,
 * whatever their roles), less the accused and me.
 */
async function colleagues(deps: ApiDeps, task: Task, caseId: string | null, me: string) {
  const byRole = await activeUsersLessAccused(deps.db, task.candidateGroups ?? [], caseId);
  const named = await namedUsersLessAccused(deps.db, task.candidateUsers ?? [], caseId);
  const all = [...byRole, ...named];
  const seen = new Set<string>();
  return all.filter((u) => u.username !== me && !seen.has(u.username) && seen.add(u.username));
}

function groupTask(task: Task): void {
  if (!(task.candidateGroups?.length || task.candidateUsers?.length))
    throw problems.conflict({
      zh: '此任务由流程指定给首问责任人，不能转交；如需更换，请分管负责人变更首问责任人。',
      en: "The process gave this task to the case's first responder: it is not handed on; a leader transfers the case instead.",
    });
}

export const taskHandoverRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/tasks/:key/colleagues',
    tag: 'tasklist',
    summary: 'Who the task may be handed to (active members of its candidate groups, not the accused)',
    access: 'signed-in',
    params: KeyParam,
    async handle({ deps, user, params }) {
      const { task, petition } = await load(deps, params.key, user);
      if (!(task.candidateGroups?.length || task.candidateUsers?.length)) return { items: [] };
      return { items: await colleagues(deps, task, petition?.id ?? null, user.username) };
    },
  }),
  route({
    method: 'post',
    path: '/tasks/:key/hand-over',
    tag: 'tasklist',
    summary: 'Hand my task of a group to a colleague who may take it; on the case timeline',
    access: 'signed-in',
    params: KeyParam,
    body: z
      .object({
        username: z.string().min(1).max(64),
        note: z.string().trim().max(500).optional(),
      })
      .strict(),
    async handle({ deps, user, params, body }) {
      const { task, petition } = await load(deps, params.key, user);
      groupTask(task);
      if (task.assignee !== user.username)
        throw problems.conflict({ zh: '请先认领此任务，再转交。', en: 'Claim the task before handing it on.' });
      const to = (await colleagues(deps, task, petition?.id ?? null, user.username)).find(
        (u) => u.username === body.username,
      );
      if (!to)
        throw problems.badRequest(
          { zh: `${body.username} 不能办理此任务。`, en: `${body.username} cannot take this task.` },
          { field: 'username' },
        );
      await deps.engine().assignUserTask({ userTaskKey: task.userTaskKey, assignee: to.username, allowOverride: true });
      await recordTaskEvent(deps.db, {
        userTaskKey: String(task.userTaskKey),
        action: 'handed-over',
        actor: user.username,
        at: deps.now().toISOString(),
        detail: { to: to.username, toName: to.displayName, note: body.note ?? null },
      });
      if (petition)
        await recordTaskHandedOn(
          deps.db,
          petition.id,
          { name: task.name ?? task.elementId, to: to.displayName, note: body.note ?? null },
          user.username,
          deps.now().toISOString(),
        );
      return summary({ ...task, assignee: to.username }, deps.now());
    },
  }),
];
