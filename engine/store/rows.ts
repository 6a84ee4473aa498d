/**
 * Shapes of the engine's rows that its parts share (kernel.ts and the parts it holds): what a step reads of an
 * instance, a deployed resource, and which states of each kind of wait are still open.
 */
import type { StoredRuntime, Variables } from '../runtime/types';

/** What a step reads of its instance's row. */
export interface InstanceRow {
  definition_key: string;
  state: string;
  variables: Variables;
  runtime: StoredRuntime | null;
}
export const INSTANCE_COLUMNS = (t: string) => `${t}.definition_key::text, ${t}.state, ${t}.variables, ${t}.runtime`;

export interface Resource {
  name: string;
  content: Buffer;
}

/** The states of a user task that is still open: created, or in a transition its listeners run. */
export const OPEN_TASK_STATES = "'CREATING', 'CREATED', 'ASSIGNING', 'UPDATING', 'COMPLETING'";

/** Where each kind of wait lives and which of its states count as still waiting. */
export const OPEN_WAIT = {
  job: { table: 'engine_job', states: "'ACTIVATABLE', 'ACTIVATED', 'FAILED'" },
  'user-task': { table: 'engine_user_task', states: OPEN_TASK_STATES },
  timer: { table: 'engine_timer', states: "'ACTIVE'" },
  message: { table: 'engine_subscription', states: "'OPEN'" },
  signal: { table: 'engine_subscription', states: "'OPEN'" },
} as const;
