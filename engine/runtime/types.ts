/**
 * What one step of a process instance takes and gives: actions, waits, element events, the stored runtime, and
 * the incidents a step can end in.
 */
export type Variables = Record<string, unknown>;

export type Action =
  /** `startAt`: a start event that waits for something (message, timer, signal start); default: the none start event */
  | { kind: 'start'; startAt?: string; variables?: Variables }
  /** run the instance again without any event: re-creates what its waits need (after an incident is resolved) */
  | { kind: 'resume' }
  | {
      kind: 'complete';
      executionId: string;
      variables: Variables;
      /** call activities: false drops unmapped child variables */ propagate?: boolean;
    }
  | { kind: 'timer'; executionId: string }
  | { kind: 'message'; executionId: string; variables: Variables }
  | { kind: 'signal'; executionId: string; variables: Variables }
  /** an escalation thrown in the process a call activity called, for the call activity's boundary events */
  | { kind: 'escalate'; executionId: string; code?: string }
  | { kind: 'error'; executionId: string; errorCode: string; errorMessage: string; variables: Variables }
  /**
   * elements of an ad-hoc sub-process activated through the API, each with its local variables; with
   * `cancelRemainingInstances` the elements still active in it are terminated first
   */
  | {
      kind: 'activate-ad-hoc';
      executionId: string;
      elements: Array<{ elementId: string; variables?: Variables }>;
      cancelRemainingInstances?: boolean;
    };

export interface Wait {
  kind: 'job' | 'user-task' | 'timer' | 'message' | 'signal' | 'call';
  executionId: string;
  elementId: string;
  /** timers: when it is due (ISO) */
  dueAt?: string;
  /** call activities: the called process and whether the child starts with all parent variables */
  calledProcessId?: string;
  propagateAllParentVariables?: boolean;
  /** messages: the subscription */
  messageName?: string;
  correlationKey?: string;
  /** signals: the subscription */
  signalName?: string;
  /** jobs of execution listeners: their type, retries and event (an element's own job takes them from its model) */
  jobType?: string;
  retries?: string;
  listenerEventType?: 'START' | 'END';
  /** The local variables visible at the element (its own and its enclosing scopes'; the process's are beside). */
  locals: Variables;
}

export interface ElementEvent {
  executionId: string;
  /** The flow scope's execution ('process': the process instance); on entering only. */
  scopeExecutionId?: string;
  elementId: string;
  elementName: string;
  elementType: string;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
}

export interface StoredRuntime {
  /** The core's state of the instance (core/state.ts). */
  engine: unknown;
  /** Every variable name the instance has had, with a stable index: a variable's key is its scope's key × 1000 + index. */
  names?: Record<string, number>;
  locals: Record<string, Variables>;
  /** The waits open after the step that stored this state (kept by the engine to create and close only changes). */
  open?: Array<{ executionId: string; kind: Wait['kind'] }>;
  /** Counts the stored steps; a live session is reused only for the version it produced. */
  version?: number;
}

export type IncidentType =
  | 'CONDITION_ERROR'
  | 'IO_MAPPING_ERROR'
  | 'UNHANDLED_ERROR_EVENT'
  | 'EXTRACT_VALUE_ERROR'
  | 'CALLED_DECISION_ERROR'
  | 'DECISION_EVALUATION_ERROR'
  | 'CALLED_ELEMENT_ERROR'
  | 'UNKNOWN';

export interface RunResult {
  outcome: 'waiting' | 'completed' | 'incident';
  runtime: StoredRuntime;
  variables: Variables;
  waits: Wait[];
  events: ElementEvent[];
  /** Ids of the sequence flows taken in this step. */
  flows?: string[];
  incident?: { elementId: string; errorType: IncidentType; message: string };
  /** Escalations thrown in this step that no boundary of this instance caught (they go up to a calling process). */
  escalations?: Array<{ code?: string }>;
  /** Signals thrown in this step, for the engine to broadcast once the step is stored. */
  signals?: Array<{ name: string; variables: Variables }>;
  /** An error no catch event of this instance caught (with an UNHANDLED_ERROR_EVENT incident): a calling process may catch it. */
  raised?: { code: string; message: string };
}

/**
 * A step that ends in an incident keeps nothing of itself: the instance stays at its stored state and variables, and
 * the incident says where and why.
 */
export function incidentResult(
  stored: StoredRuntime | undefined,
  variables: Variables,
  incident: NonNullable<RunResult['incident']>,
): RunResult {
  return {
    outcome: 'incident',
    runtime: stored ?? { engine: null, locals: {} },
    variables,
    waits: [],
    events: [],
    incident,
  };
}

export class IncidentSignal extends Error {
  constructor(
    readonly elementId: string,
    readonly errorType: IncidentType,
    message: string,
  ) {
    super(message);
  }
}

/** Evaluates a deployed decision; throws with a message a person can act on. */
export type DecisionEvaluator = (decisionId: string, variables: Variables) => unknown;

export class DecisionError extends Error {
  constructor(
    message: string,
    readonly errorType: 'CALLED_DECISION_ERROR' | 'DECISION_EVALUATION_ERROR',
  ) {
    super(message);
  }
}
