/**
 * The stored state of one process instance in the engine's core: its active element instances, each with its flow
 * scope, what it waits for and the event subscriptions it owns; the tokens waiting at joins; the completed activities
 * compensation may undo. Plain JSON, a few hundred bytes for a petition waiting on a person, read and written whole
 * by each step.
 */

/** A catch event armed by an element instance: a boundary event, an event sub-process start, an event-based gateway's target. */
export interface Subscription {
  /** The catching event's element id. */
  e: string;
  w: 'timer' | 'message' | 'signal';
  /** timer: due (ISO); cycles: repetitions left (-1: for ever) and the cycle */
  due?: string;
  left?: number;
  cycle?: string;
  /** message: name and correlation key; signal: name */
  name?: string;
  key?: string;
}

export interface ElementInstance {
  /** element id */
  e: string;
  /** flow scope execution id ('process' for the process's own elements); none for the process itself */
  p?: string;
  /** what it waits for */
  w?: 'job' | 'user-task' | 'call' | 'message' | 'timer' | 'signal';
  due?: string;
  name?: string;
  key?: string;
  /** call activity: the process it called */
  cp?: string;
  /** multi-instance body: the items, the next to start, completed and active counts, outputs by index */
  mi?: { items: unknown[]; next: number; done: number; out: unknown[] };
  /** a multi-instance iteration: its index */
  i?: number;
  /** an event sub-process or boundary event that interrupted: nothing else may interrupt its scope */
  int?: boolean;
  /** an ad-hoc sub-process whose completion condition held: it completes when its remaining elements have */
  ah?: true;
  /** execution listeners running: which event and which listener */
  ls?: { ev: 'start' | 'end'; i: number };
  /** subscriptions this instance owns, by execution id (`<owner>/<event element id>`) */
  subs?: Record<string, Subscription>;
}

/**
 * A completed activity compensation may still undo (Zeebe's compensation subscription): one with a compensation
 * boundary event, or a sub-process or multi-instance body that completed with such activities inside. Nothing else is
 * remembered; the records go once their handlers are done, or with the scope that held them when it is terminated.
 */
export interface Compensable {
  /** The activity's element id. */
  e: string;
  /** The execution id it had (it completed: no element instance has it any more). */
  x: string;
  /** Its flow scope's execution id. */
  p: string;
  /** Its compensation boundary event; none: a scope kept only for what completed inside it. */
  b?: string;
  /** Once triggered: the compensation throw or end event that waits for it, and its handler's execution id. */
  t?: string;
  h?: string;
}

export interface CoreState {
  /** format of this state */
  core: 1;
  /** the next execution id's number */
  n: number;
  /** active element instances by execution id ('process' is the process instance itself) */
  els: Record<string, ElementInstance>;
  /** sequence flows taken into joins that have not fired yet: `<scope execution>|<gateway id>` → flow ids */
  joins?: Record<string, string[]>;
  /** completed activities compensation may undo, in completion order */
  comp?: Compensable[];
}

export const ROOT = 'process';

export function isCoreState(value: unknown): value is CoreState {
  return typeof value === 'object' && value !== null && (value as CoreState).core === 1;
}
