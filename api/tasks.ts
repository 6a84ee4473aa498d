/**
 * The tasklist: my tasks, my groups' unclaimed tasks, claim, unclaim, and completion with the task's form data
 * validated against its Camunda form. Candidate groups and users are enforced here, in both engine modes (Camunda
 * 8.8's own Tasklist in V2 mode does not): a user outside a task's candidates can neither see nor claim it, and a
 * task is completed only by its assignee.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import type { SessionUser } from './auth';
import { route, type RouteSpec } from './route';
import { NOW, instanceVariables, type ApiDeps } from './deps';
import { validateFormData, type FormSchema } from './forms';
import { checkSuppliedChoices, suppliedOptions } from './form-options';
import { casesAccusing, casesOfInstances, recordTaskCompleted } from '../domain/cases';
import { recordTaskEvent, type TaskAction } from '../domain/task-history';

const TaskKey = z.string().regex(/^\d{1,19}$/, { message: '任务编号应为数字 / a task key is a number' });

export interface Task {
  userTaskKey: string;
  elementId: string;
  name?: string;
  processInstanceKey: string;
  processDefinitionId?: string;
  assignee?: string;
  candidateGroups?: string[];
  candidateUsers?: string[];
  state: string;
  dueDate?: string;
  creationDate?: string;
  formKey?: string;
  priority?: number;
}

/** Whether the user may see (and, unassigned, claim) the task. */
export function isCandidate(
  task: Pick<Task, 'assignee' | 'candidateGroups' | 'candidateUsers'>,
  user: Pick<SessionUser, 'username' | 'roles'>,
): boolean {
  if (task.assignee === user.username) return true;
  if ((task.candidateUsers ?? []).includes(user.username)) return true;
  return (task.candidateGroups ?? []).some((g) => user.roles.includes(g));
}

export const KeyParam = z.object({ key: TaskKey }).strict();

/** A list holds the 100 tasks due soonest (tasks without a due date last), not the 100 oldest. */
const SOONEST_DUE = [{ field: 'dueDate' as const, order: 'ASC' as const }];

/** A task the reader may see (a candidate or its assignee), with its case; otherwise 404 as if it did not exist. */
export async function load(
  deps: ApiDeps,
  key: string,
  user: SessionUser,
): Promise<{ task: Task; petition: TaskCase | null }> {
  let task: Task;
  try {
    task = (await deps.engine().getUserTask({ userTaskKey: key }, NOW)) as unknown as Task;
  } catch (error) {
    if ((error as { status?: number }).status === 404)
      throw problems.notFound({ zh: '任务不存在。', en: 'The task does not exist.' });
    throw error;
  }
  // Not one's own business: answered as if it did not exist, so a queue's contents do not leak; nor is a task of a
  // case that accuses the user (Art 30).
  if (!isCandidate(task, user)) throw problems.notFound({ zh: '任务不存在。', en: 'The task does not exist.' });
  const { case: petition, hidden } = await caseOf(deps, task, user.id);
  if (hidden) throw problems.notFound({ zh: '任务不存在。', en: 'The task does not exist.' });
  return { task, petition };
}

const TaskListQuery = z
  .object({
    view: z.enum(['mine', 'queue']).default('mine'),
    /** The process a task belongs to (its id, e.g. petition-handling). */
    process: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, { message: '流程无效 / not a process' })
      .optional(),
    /** The task (its element id, e.g. Task_SecondHandling). */
    task: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, { message: '任务无效 / not a task' })
      .optional(),
    /** Overdue, due by the end of today, or within seven days. */
    due: z.enum(['overdue', 'today', 'week']).optional(),
    /** A case number, exactly (also part of one: XF-2026-000123 or 000123). */
    caseNo: z.string().trim().min(1).max(40).optional(),
  })
  .strict();

const DAY_MS = 86_400_000;

/** Whether a task row passes the list's filters (applied to the tasks the reader may see). */
function wanted(
  task: ReturnType<typeof summary> & { case: { caseNo: string } | null },
  q: z.infer<typeof TaskListQuery>,
  now: Date,
): boolean {
  if (q.process && task.processDefinitionId !== q.process) return false;
  if (q.task && task.elementId !== q.task) return false;
  if (q.caseNo && !(task.case?.caseNo ?? '').toUpperCase().endsWith(q.caseNo.toUpperCase())) return false;
  if (q.due) {
    const due = task.dueDate ? new Date(task.dueDate).getTime() : Number.POSITIVE_INFINITY;
    if (q.due === 'overdue') return due < now.getTime();
    // "today": due within the next day; "week": within seven (a quick look, not the working-day calendar).
    return due < now.getTime() + (q.due === 'today' ? DAY_MS : 7 * DAY_MS);
  }
  return true;
}

export const taskRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/tasks',
    tag: 'tasklist',
    summary:
      "My open tasks (view=mine) or my groups' unclaimed tasks (view=queue), soonest due first; by process, task, due or case number",
    access: 'signed-in',
    query: TaskListQuery,
    async handle({ deps, user, query }) {
      const engine = deps.engine();
      const found: Task[] = [];
      if (query.view === 'mine') {
        const { items } = await engine.searchUserTasks(
          { filter: { assignee: user.username, state: 'CREATED' }, sort: SOONEST_DUE, page: { limit: 100 } },
          NOW,
        );
        found.push(...(items as unknown as Task[]));
      } else {
        // Unclaimed tasks of any of my groups, and those offered to me by name: two searches at once (a filter cannot
        // say "or"). Claimed ones are left out by the engine, so that they do not take places on the page.
        const searches = [
          { candidateUser: user.username },
          ...(user.roles.length ? [{ candidateGroup: { $in: user.roles } }] : []),
        ];
        const results = await Promise.all(
          searches.map((filter) =>
            engine.searchUserTasks(
              {
                filter: { ...filter, assignee: { $exists: false }, state: 'CREATED' },
                sort: SOONEST_DUE,
                page: { limit: 100 },
              },
              NOW,
            ),
          ),
        );
        const seen = new Set<string>();
        for (const task of results.flatMap((r) => r.items ?? []) as unknown as Task[]) {
          if (!task.assignee && !seen.has(String(task.userTaskKey))) {
            seen.add(String(task.userTaskKey));
            found.push(task);
          }
        }
      }
      const now = deps.now();
      const candidates = found.filter((t) => isCandidate(t, user));
      const cases = await casesOf(deps, candidates, user.id);
      const rows = candidates.map((t) => ({ task: t, ...cases.get(String(t.processInstanceKey))! }));
      const visible = rows
        .filter((r) => !r.hidden)
        .map((r) => ({ ...summary(r.task, now), case: r.case }))
        .filter((task) => wanted(task, query, now));
      visible.sort((a, b) => String(a.dueDate ?? '9999').localeCompare(String(b.dueDate ?? '9999')));
      return { items: visible };
    },
  }),
  route({
    method: 'get',
    path: '/tasks/:key',
    tag: 'tasklist',
    summary: 'A task with its case and its form (form-js schema)',
    access: 'signed-in',
    params: KeyParam,
    async handle({ deps, user, params }) {
      const { task, petition } = await load(deps, params.key, user);
      // The instance's variables fill the form (ids and decisions only: personal data is never in variables).
      const variables = await instanceVariables(deps, task.processInstanceKey);
      // An alert's joint handling lists its cases: one accusing the reader is left out (Art 30).
      if (Array.isArray(variables.caseIds)) variables.caseIds = await withoutAccusing(deps, variables.caseIds, user.id);
      const form = await formOf(deps, task);
      // Choices the system supplies (the 1+X member picker's) come with the variables the form reads.
      if (form) Object.assign(variables, await suppliedOptions(deps, form, petition?.id ?? null));
      return { ...summary(task, deps.now()), case: petition, form, variables };
    },
  }),
  route({
    method: 'post',
    path: '/tasks/:key/claim',
    tag: 'tasklist',
    summary: "Claim a task of one's group",
    access: 'signed-in',
    params: KeyParam,
    async handle({ deps, user, params }) {
      const { task } = await load(deps, params.key, user);
      if (task.assignee && task.assignee !== user.username) {
        throw problems.conflict({
          zh: `任务已由 ${task.assignee} 认领。`,
          en: `The task is already claimed by ${task.assignee}.`,
        });
      }
      await deps
        .engine()
        .assignUserTask({ userTaskKey: task.userTaskKey, assignee: user.username, allowOverride: false });
      await logStep(deps, task, 'claimed', user.username);
      return summary({ ...task, assignee: user.username }, deps.now());
    },
  }),
  route({
    method: 'post',
    path: '/tasks/:key/unclaim',
    tag: 'tasklist',
    summary: "Give a claimed task back to its group's queue",
    access: 'signed-in',
    params: KeyParam,
    async handle({ deps, user, params }) {
      const { task } = await load(deps, params.key, user);
      if (task.assignee !== user.username)
        throw problems.conflict({ zh: '只能退回自己认领的任务。', en: 'Only your own task can be given back.' });
      if (!(task.candidateGroups?.length || task.candidateUsers?.length)) {
        throw problems.conflict({
          zh: '该任务直接指派给您，不能退回队列。',
          en: 'This task was assigned to you directly and has no queue to go back to.',
        });
      }
      await deps.engine().unassignUserTask({ userTaskKey: task.userTaskKey });
      await logStep(deps, task, 'unclaimed', user.username);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/tasks/:key/complete',
    tag: 'tasklist',
    summary: "Complete one's task with its form data (checked against the form)",
    access: 'signed-in',
    params: KeyParam,
    body: z.object({ variables: z.record(z.string(), z.unknown()).default({}) }).strict(),
    async handle({ deps, user, params, body }) {
      const { task, petition } = await load(deps, params.key, user);
      if (task.assignee !== user.username)
        throw problems.conflict({ zh: '请先认领任务再提交。', en: 'Claim the task before completing it.' });
      const form = await formOf(deps, task);
      const variables = form ? validateFormData(form, body.variables) : body.variables;
      if (form) await checkSuppliedChoices(deps, form, variables, petition?.id ?? null);
      await deps.engine().completeUserTask({ userTaskKey: task.userTaskKey, variables });
      await logStep(deps, task, 'completed', user.username);
      const caseId = petition?.id;
      if (caseId) {
        await recordTaskCompleted(
          deps.db,
          caseId,
          { elementId: task.elementId, name: task.name ?? task.elementId },
          user.username,
          deps.now().toISOString(),
        );
      }
      return undefined;
    },
  }),
];

/** A step of the task, for its history (the engine keeps only who holds it now). */
const logStep = (deps: ApiDeps, task: Task, action: TaskAction, actor: string) =>
  recordTaskEvent(deps.db, { userTaskKey: String(task.userTaskKey), action, actor, at: deps.now().toISOString() });

export function summary(task: Task, now: Date) {
  return {
    userTaskKey: String(task.userTaskKey),
    elementId: task.elementId,
    name: task.name ?? task.elementId,
    processDefinitionId: task.processDefinitionId,
    processInstanceKey: String(task.processInstanceKey),
    assignee: task.assignee ?? null,
    candidateGroups: task.candidateGroups ?? [],
    dueDate: task.dueDate ?? null,
    overdue: task.dueDate ? new Date(task.dueDate) < now : false,
    createdAt: task.creationDate ?? null,
  };
}

/** The case a task belongs to (by the `caseId` its instance carries), with what a tasklist row shows. */
interface TaskCase {
  id: string;
  caseNo: string;
  category: string;
}

/**
 * The case a task belongs to (by the `caseId` its instance carries), with what a tasklist row shows; `hidden` when
 * the case accuses the reader (Art 30), so that neither the task nor its case is shown to them.
 */
export async function caseOf(
  deps: ApiDeps,
  task: Task,
  readerId: string,
): Promise<{ case: TaskCase | null; hidden: boolean }> {
  return (await casesOf(deps, [task], readerId)).get(String(task.processInstanceKey))!;
}

/**
 * The cases of many tasks, by process instance key: the cases whose own process a task is in come from one query
 * (no engine call per task); tasks of called processes take their callers' cases. Which process called which never
 * changes, so it is asked of the engine once per instance (`deps.instanceParents`), all unknown callers at once; with
 * the callers known, the cases of the tasks and of all their callers come from one query.
 */
export async function casesOf(
  deps: ApiDeps,
  tasks: Array<Pick<Task, 'processInstanceKey'>>,
  readerId: string,
): Promise<Map<string, { case: TaskCase | null; hidden: boolean }>> {
  const keys = [...new Set(tasks.map((t) => String(t.processInstanceKey)))];
  const result = new Map<string, { case: TaskCase | null; hidden: boolean }>();
  /** Instance key → its case, for every instance asked about (null: it has none of its own). */
  const found = new Map<string, { case: TaskCase; hidden: boolean } | null>();
  // An instance, the process that called it, and so on up to three calls deep, as far as the callers are known.
  const chainOf = (key: string) => {
    const chain = [key];
    for (let up = deps.instanceParents.get(key); up && chain.length < 4; up = deps.instanceParents.get(up))
      chain.push(up);
    return chain;
  };
  /** Instances the engine was asked about in this call (one it does not know is not asked about again). */
  const asked = new Set<string>();
  for (let round = 0; round < 4 && result.size < keys.length; round++) {
    const chains = new Map(keys.filter((k) => !result.has(k)).map((k) => [k, chainOf(k)]));
    const wanted = [...new Set([...chains.values()].flat())].filter((at) => !found.has(at));
    if (wanted.length > 0) {
      const rows = await casesOfInstances(deps.db, wanted, readerId);
      for (const at of wanted) found.set(at, null);
      for (const row of rows)
        found.set(row.process_instance_key, {
          case: { id: row.id, caseNo: row.case_no, category: row.category },
          hidden: row.hidden,
        });
    }
    // The first instance of its chain with a case gives a task its case. A chain that ends at a process nobody called
    // (or at the depth limit) without one: no case (an alert's joint handling, a key person's care).
    const unknownCallers = new Set<string>();
    for (const [k, chain] of chains) {
      const own = chain.map((at) => found.get(at)).find(Boolean);
      const top = chain[chain.length - 1];
      if (own) result.set(k, own);
      else if (chain.length === 4 || deps.instanceParents.get(top) === '' || asked.has(top))
        result.set(k, { case: null, hidden: false });
      else unknownCallers.add(top);
    }
    if (unknownCallers.size === 0) break;
    // One more than can match: a page that is not full needs no count.
    const unknown = [...unknownCallers];
    const { items } = await deps
      .engine()
      .searchProcessInstances(
        { filter: { processInstanceKey: { $in: unknown } }, page: { limit: unknown.length + 1 } },
        NOW,
      );
    for (const i of items ?? [])
      deps.instanceParents.set(
        String(i.processInstanceKey),
        i.parentProcessInstanceKey ? String(i.parentProcessInstanceKey) : '',
      );
    // One the engine does not show (yet: a cluster's search lags behind its writes) is not remembered.
    for (const at of unknown) asked.add(at);
  }
  for (const k of keys) if (!result.has(k)) result.set(k, { case: null, hidden: false });
  return result;
}

/** The case ids given, less those of cases that accuse the reader. */
async function withoutAccusing(deps: ApiDeps, caseIds: unknown[], readerId: string): Promise<unknown[]> {
  const ids = caseIds.filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id));
  if (ids.length === 0) return caseIds;
  const hidden = new Set(await casesAccusing(deps.db, ids, readerId));
  return caseIds.filter((id) => !(typeof id === 'string' && hidden.has(id)));
}

async function formOf(deps: ApiDeps, task: Task): Promise<FormSchema | null> {
  try {
    const form = await deps.engine().getUserTaskForm({ userTaskKey: task.userTaskKey }, NOW);
    const schema = (form as { schema?: unknown }).schema;
    // Camunda answers the form's JSON as an object; tolerate it given as text too.
    if (typeof schema === 'string') return JSON.parse(schema) as FormSchema;
    return schema && typeof schema === 'object' ? (schema as FormSchema) : null;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}
