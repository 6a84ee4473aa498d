/**
 * The notice watcher (the lead process, every 10 s): tells people what the engine put in front of them without a
 * model's notice task —
 * - a task waiting in a group's queue (the secretary's second handling, the street office's claim, an early warning's
 *   coordination): an inbox notice to every active member of the group, with the case number;
 * - an instance stopped in an incident: an inbox notice to every active admin, with where and why, to fix and retry
 *   it in the operations console;
 * and it keeps each early-warning alert's status in step with its joint handling (alert-states.ts).
 * Each notice is a `notification` row unique per task or incident and recipient, so a restart or a second look sends
 * nothing twice; a notice about a case never reaches the person it accuses (the inbox's own rule).
 */
import { sqlNotificationStore, type Recipient } from '../domain/notifications';
import {
  renderNotification,
  type NotificationParams,
  type NotificationTemplate,
} from '../domain/notification-templates';
import { noticeCases, usersWithRole } from '../domain/cases';
import { allRoles } from '../domain/users';
import { NOTIFICATION_TEMPLATES, RECIPIENTS } from '../bpmn/job-types';
import { NOW, type ApiDeps } from './deps';
import { followAlertProcesses } from './alert-states';

type Json = Record<string, unknown>;

/** The case number an instance works on (its `caseId` variable; a called process gets it from its caller). */
async function caseOf(deps: ApiDeps, processInstanceKey: string): Promise<{ id: string; caseNo: string } | null> {
  const { items } = await deps
    .engine()
    .searchVariables(
      { filter: { processInstanceKey: processInstanceKey as never, name: 'caseId' }, page: { limit: 1 } },
      NOW,
    );
  const id = items?.[0] ? (JSON.parse(String(items[0].value)) as unknown) : null;
  if (typeof id !== 'string') return null;
  const [row] = await noticeCases(deps.db, [id]);
  return row ? { id: row.id, caseNo: row.case_no } : null;
}

async function notify(
  deps: ApiDeps,
  n: {
    key: string;
    template: NotificationTemplate;
    role: Recipient;
    users: string[];
    caseId: string | null;
    params: NotificationParams;
  },
): Promise<void> {
  const store = sqlNotificationStore(deps.db);
  const text = renderNotification(n.template, n.params, 'zh', deps.timeZone);
  for (const userId of n.users)
    await store.claim({
      jobKey: n.key,
      recipientKey: `user:${userId}`,
      caseId: n.caseId,
      template: n.template,
      recipientRole: n.role,
      recipientUserId: userId,
      channel: 'inbox',
      phoneMasked: null,
      text,
      params: n.params,
      status: 'sent',
      provider: null,
      at: deps.now(),
    });
}

type Role = { id: string; name_zh: string; name_en: string };

/** The roles (the groups tasks are queued to), read again every `ROLE_TTL_MS`: they change only by migration. */
const ROLE_TTL_MS = 5 * 60_000;
/** Pages of the newest unclaimed tasks looked at in one tick; past that a tick's new tasks wait for the next. */
const MAX_PAGES = 5;
const PAGE = 100;

/**
 * The unclaimed tasks of every group's queue that were not looked at yet: one search of the newest for all groups at
 * once (not one per role), paging on only while a whole page is new; each task's groups' members are told.
 */
async function queuedTasks(deps: ApiDeps, seen: Set<string>, roles: () => Promise<Role[]>): Promise<void> {
  const known = new Map((await roles()).map((r) => [r.id, r]));
  const members = new Map<string, string[]>();
  const membersOf = async (role: string) => {
    if (!members.has(role))
      members.set(
        role,
        (await usersWithRole(deps.db, role)).map((u) => u.id),
      );
    return members.get(role)!;
  };
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items } = await deps.engine().searchUserTasks(
      {
        filter: { state: 'CREATED', assignee: { $exists: false }, candidateGroup: { $in: [...known.keys()] } },
        sort: [{ field: 'creationDate', order: 'DESC' }],
        page: { from: page * PAGE, limit: PAGE },
      },
      NOW,
    );
    const tasks = (items ?? []) as Json[];
    let fresh = 0;
    for (const task of tasks) {
      const key = `task:${String(task.userTaskKey)}`;
      if (seen.has(key) || task.assignee) continue;
      fresh++;
      const c = await caseOf(deps, String(task.processInstanceKey));
      for (const group of (task.candidateGroups as string[] | undefined) ?? []) {
        const role = known.get(group);
        if (!role) continue;
        await notify(deps, {
          key,
          template: NOTIFICATION_TEMPLATES.taskQueued,
          role: RECIPIENTS.candidate,
          users: await membersOf(role.id),
          caseId: c?.id ?? null,
          params: {
            caseNo: c?.caseNo ?? '',
            taskName: String(task.name ?? task.elementId),
            queue: role.name_zh,
            queueEn: role.name_en,
          },
        });
      }
      seen.add(key);
    }
    if (tasks.length < PAGE || fresh < tasks.length) break;
  }
}

/** The active incidents not looked at yet. */
async function newIncidents(deps: ApiDeps, seen: Set<string>): Promise<void> {
  const { items } = await deps
    .engine()
    .searchIncidents(
      { filter: { state: 'ACTIVE' }, sort: [{ field: 'creationTime', order: 'DESC' }], page: { limit: 100 } },
      NOW,
    );
  for (const incident of (items ?? []) as Json[]) {
    const key = `incident:${String(incident.incidentKey)}`;
    if (seen.has(key)) continue;
    const c = await caseOf(deps, String(incident.processInstanceKey));
    const users = (await usersWithRole(deps.db, 'admin')).map((u) => u.id);
    const error = [incident.errorMessage, incident.errorType].find((e): e is string => typeof e === 'string') ?? '';
    await notify(deps, {
      key,
      template: NOTIFICATION_TEMPLATES.incident,
      role: RECIPIENTS.admin,
      users,
      caseId: c?.id ?? null,
      params: {
        caseNo: c?.caseNo ?? '',
        process: String(incident.processDefinitionId),
        element: String(incident.elementId),
        error: error.slice(0, 200),
      },
    });
    seen.add(key);
  }
}

/** Starts watching; `stop` ends it. */
export function startNoticeWatcher(deps: ApiDeps, intervalMs = 10_000): { stop(): void } {
  const seen = new Set<string>();
  let running = false;
  let cached: { roles: Role[]; at: number } | null = null;
  const roles = async () => {
    if (!cached || Date.now() - cached.at > ROLE_TTL_MS) cached = { roles: await allRoles(deps.db), at: Date.now() };
    return cached.roles;
  };
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await queuedTasks(deps, seen, roles);
      await newIncidents(deps, seen);
      // An alert's status follows its joint handling (completed: closed; cancelled: canceled).
      await followAlertProcesses(deps);
      // Keys of tasks and incidents long gone are forgotten; the rows keep a second look from notifying again.
      if (seen.size > 50_000) seen.clear();
    } catch (error) {
      deps.log.warn(
        { err: error },
        'notices of queued tasks and incidents wait: the engine or the database does not answer',
      );
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
