/**
 * The stored state of one process instance in the engine's core: its active element instances, each with its flow
 * scope, what it waits for and the event subscriptions it owns; the tokens waiting at joins. Plain JSON, a few
 * hundred bytes for a petition waiting on a person, read and written whole by each step.
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
  /** execution listeners running: which event and which listener */
  ls?: { ev: 'start' | 'end'; i: number };
  /** subscriptions this instance owns, by execution id (`<owner>/<event element id>`) */
  subs?: Record<string, Subscription>;
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
}

export const ROOT = 'process';

export function isCoreState(value: unknown): value is CoreState {
  return typeof value === 'object' && value !== null && (value as CoreState).core === 1;
}
