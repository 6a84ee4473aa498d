/**
 * The street office's queue (街道信访办): the difficult cases escalated to it, one case one team. Every open task of
 * the `street-office` group, claimed or not, with its case, who claimed it, and the working days left on the
 * case's internal deadline (15 working days for a difficult case; negative when it is past).
 */
import { countWorkingDaysBetween, withCalendar } from '../domain/calendar';
import { caseDeadlines } from '../domain/cases';
import { displayNames } from '../domain/users';
import { PROCESS_IDS } from '../bpmn/job-types';
import { NOW, type ApiDeps } from './deps';
import { route, type Role, type RouteSpec } from './route';
import { casesOf, summary, type Task } from './tasks';

const GROUP = 'street-office';
const READ: Role[] = ['street-office', 'leader', 'admin'];

/**
 * Working days from now to each due date (counting the due day), negative as many working days past it: the calendar
 * is read once for all of them.
 */
function workingDaysLeft(deps: ApiDeps, dues: Array<Date | null>, now: Date): Promise<Array<number | null>> {
  return withCalendar(deps.db, (isWorkday) =>
    dues.map((due) =>
      due === null
        ? null
        : due > now
          ? countWorkingDaysBetween(now, due, deps.timeZone, isWorkday)
          : -countWorkingDaysBetween(due, now, deps.timeZone, isWorkday),
    ),
  );
}

export const streetOfficeRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/street-office/queue',
    tag: 'street-office',
    summary: "The street office's escalated cases: waiting to be claimed, who claimed what, working days left",
    access: READ,
    async handle({ deps, user }) {
      // A street office has dozens of escalated cases at a time, not thousands: one page.
      const { items: found } = await deps
        .engine()
        .searchUserTasks({ filter: { candidateGroup: GROUP, state: 'CREATED' }, page: { limit: 1000 } }, NOW);
      const tasks = found as unknown as Task[];
      const now = deps.now();
      const assignees = [...new Set(tasks.map((t) => t.assignee).filter((a): a is string => !!a))];
      const names = new Map(
        assignees.length === 0 ? [] : (await displayNames(deps.db, assignees)).map((u) => [u.username, u.display_name]),
      );
      const cases = await casesOf(deps, tasks, user.id);
      // The cases' own deadlines and states, in one query for the whole queue.
      const ids = [...new Set([...cases.values()].flatMap((c) => (c.case ? [c.case.id] : [])))];
      const rows = new Map(ids.length === 0 ? [] : (await caseDeadlines(deps.db, ids)).map((r) => [r.id, r]));
      const shown = tasks.flatMap((task) => {
        const { case: petition, hidden } = cases.get(String(task.processInstanceKey))!;
        if (hidden) return [];
        const row = petition ? rows.get(petition.id) : undefined;
        // A review's task (复查) runs on its own 30 days, not on the case's handling deadline.
        const own = task.processDefinitionId === PROCESS_IDS.petitionReview;
        const due = !own && row?.sla_due_at ? new Date(row.sla_due_at) : task.dueDate ? new Date(task.dueDate) : null;
        return [{ task, petition, row, due }];
      });
      const left = await workingDaysLeft(
        deps,
        shown.map((s) => s.due),
        now,
      );
      const items = shown.map(({ task, petition, row, due }, i) => ({
        ...summary(task, now),
        claimedBy: task.assignee
          ? { username: task.assignee, displayName: names.get(task.assignee) ?? task.assignee }
          : null,
        case: petition
          ? {
              ...petition,
              status: row?.status ?? null,
              keyMatter: row?.is_key_matter ?? false,
              dueAt: due?.toISOString() ?? null,
            }
          : null,
        workingDaysLeft: left[i],
      }));
      // Unclaimed first, then the least time left.
      items.sort(
        (a, b) =>
          Number(!!a.claimedBy) - Number(!!b.claimedBy) || (a.workingDaysLeft ?? 1e9) - (b.workingDaysLeft ?? 1e9),
      );
      return { items };
    },
  }),
];
