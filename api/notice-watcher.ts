/**
 * The notice watcher (the lead process, every 10 s): tells people what the engine put in front of them without a
 * model's notice task —
 * - a task waiting in a group's queue (the secretary's second handling, the street office's claim, an early warning's
 *   coordination): an inbox notice to every active member of the group, with the case number;
 * - an instance stopped in an incident: an inbox notice to every active admin, with where and why, to fix and retry
 *   it in the operations console.
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

/** The newest unclaimed tasks of each group's queue that were not looked at yet. */
async function queuedTasks(deps: ApiDeps, seen: Set<string>): Promise<void> {
  const roles = await allRoles(deps.db);
  for (const role of roles) {
    const { items } = await deps.engine().searchUserTasks(
      {
        filter: { state: 'CREATED', candidateGroup: role.id },
        sort: [{ field: 'creationDate', order: 'DESC' }],
        page: { limit: 50 },
      },
      NOW,
    );
    for (const task of (items ?? []) as Json[]) {
      const key = `task:${String(task.userTaskKey)}`;
      if (seen.has(key) || task.assignee) continue;
      const c = await caseOf(deps, String(task.processInstanceKey));
      const users = (await usersWithRole(deps.db, role.id)).map((u) => u.id);
      await notify(deps, {
        key,
        template: NOTIFICATION_TEMPLATES.taskQueued,
        role: RECIPIENTS.candidate,
        users,
        caseId: c?.id ?? null,
        params: {
          caseNo: c?.caseNo ?? '',
          taskName: String(task.name ?? task.elementId),
          queue: role.name_zh,
          queueEn: role.name_en,
        },
      });
      seen.add(key);
    }
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
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await queuedTasks(deps, seen);
      await newIncidents(deps, seen);
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
