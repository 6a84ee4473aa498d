/**
 * A user task's attributes as its listeners see and correct them (task-listeners.ts): the six attributes a transition
 * sets (by their REST names and columns), the transition stored on the task's row, the task as a listener's job carries
 * it (`userTask`, with its `changedAttributes`), and a listener's result, checked.
 */
import type { TaskListenerEvent } from './model/types';
import { type Variables } from './runtime/types';
import { invalidArgument } from './errors';

/** The attributes a transition sets and a listener may correct, by their REST names. */
export const ATTRIBUTES = {
  assignee: 'assignee',
  candidateGroups: 'candidate_groups',
  candidateUsers: 'candidate_users',
  dueDate: 'due_date',
  followUpDate: 'follow_up_date',
  priority: 'priority',
} as const;
export type Attribute = keyof typeof ATTRIBUTES;
export type Attributes = Partial<Record<Attribute, unknown>>;

export interface Transition {
  /** Names the request that waits for this transition's outcome. */
  id: string;
  event: TaskListenerEvent;
  /** The listener running (its index in the model's list for the event). */
  i: number;
  action: string;
  /** The attributes the transition sets: the request's, then the listeners' corrections. */
  changes: Attributes;
  /** The attributes the request changed (listed as changed even where the value stays). */
  requested: Attribute[];
  /** completing: the variables the task is completed with. */
  variables?: Variables;
  /** creating: the assignee the process gave, assigned (with its listeners) once the task is created. */
  assignee?: string;
}

/** What a step and a request read of a user task's row. */
export interface TaskRow {
  key: string;
  instance_key: string;
  element_key: string;
  execution_id: string;
  element_id: string;
  definition_key: string;
  state: string;
  assignee: string | null;
  candidate_groups: string[];
  candidate_users: string[];
  due_date: string | Date | null;
  follow_up_date: string | Date | null;
  priority: number;
  form_key: string | null;
  custom_headers: Record<string, string>;
  transition: Transition | null;
}

export const TASK_COLUMNS = `key::text, instance_key::text, element_key::text, execution_id, element_id, definition_key::text, state, assignee,
  candidate_groups, candidate_users, due_date, follow_up_date, priority, form_key::text, custom_headers, transition`;

const iso = (v: string | Date | null | undefined) => (v === null || v === undefined ? null : new Date(v).toISOString());
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The task as a listener sees it (ActivatedJob.userTask): its attributes with the transition's changes. */
export function listenerView(task: TaskRow, t: Transition) {
  const current: Record<Attribute, unknown> = {
    assignee: task.assignee,
    candidateGroups: task.candidate_groups,
    candidateUsers: task.candidate_users,
    dueDate: iso(task.due_date),
    followUpDate: iso(task.follow_up_date),
    priority: task.priority,
  };
  const next = { ...current, ...t.changes };
  const changedAttributes = (Object.keys(ATTRIBUTES) as Attribute[]).filter(
    (a) => t.requested.includes(a) || (a in t.changes && !same(t.changes[a], current[a])),
  );
  return {
    action: t.action,
    assignee: (next.assignee as string | null) ?? null,
    candidateGroups: (next.candidateGroups as string[]) ?? [],
    candidateUsers: (next.candidateUsers as string[]) ?? [],
    changedAttributes,
    dueDate: (next.dueDate as string | null) ?? null,
    followUpDate: (next.followUpDate as string | null) ?? null,
    ...(task.form_key ? { formKey: task.form_key } : {}),
    priority: Number(next.priority ?? 50),
    userTaskKey: task.key,
  };
}

/**
 * A task listener job's result (`{ type: 'userTask', denied, deniedReason, corrections }`), checked: corrections of
 * the six attributes only; null keeps an attribute, "" clears a date or the assignee, [] clears a list.
 */
export function readResult(result: unknown): { denied: boolean; deniedReason?: string; corrections: Attributes } {
  if (result === undefined || result === null) return { denied: false, corrections: {} };
  const r = result as Record<string, unknown>;
  if (r.type !== undefined && r.type !== 'userTask')
    throw invalidArgument(
      `Expected the result of a task listener job to be of type 'userTask', but was '${JSON.stringify(r.type)}'`,
    );
  const corrections: Attributes = {};
  const given = (r.corrections ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || Array.isArray(given)) throw invalidArgument('Expected corrections to be an object');
  for (const [name, value] of Object.entries(given)) {
    if (!(name in ATTRIBUTES))
      throw invalidArgument(`Expected corrections of ${Object.keys(ATTRIBUTES).join(', ')}, but got '${name}'`);
    if (value === null || value === undefined) continue;
    switch (name as Attribute) {
      case 'assignee':
        if (typeof value !== 'string') throw invalidArgument('Expected the corrected assignee to be a string');
        corrections.assignee = value === '' ? null : value;
        break;
      case 'dueDate':
      case 'followUpDate': {
        if (typeof value !== 'string')
          throw invalidArgument(`Expected the corrected ${name} to be an ISO 8601 date-time`);
        const date = value === '' ? null : new Date(value);
        if (date && Number.isNaN(date.getTime()))
          throw invalidArgument(`Expected the corrected ${name} to be an ISO 8601 date-time, but was '${value}'`);
        corrections[name as Attribute] = date ? date.toISOString() : null;
        break;
      }
      case 'candidateGroups':
      case 'candidateUsers':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
          throw invalidArgument(`Expected the corrected ${name} to be a list of strings`);
        corrections[name as Attribute] = value;
        break;
      case 'priority':
        if (!(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 100)) {
          throw invalidArgument(
            `Expected the corrected priority to be an integer between 0 and 100, but was ${JSON.stringify(value)}`,
          );
        }
        corrections.priority = value;
        break;
    }
  }
  return {
    denied: r.denied === true,
    ...(typeof r.deniedReason === 'string' ? { deniedReason: r.deniedReason } : {}),
    corrections,
  };
}
