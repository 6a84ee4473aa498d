/**
 * One step of one process instance on bpmn-engine: start it or recover it from its stored state, apply one
 * action (a completed job or user task, a thrown BPMN error), run until every token waits or the instance ends,
 * and report what it now waits for. Nothing here touches the database: the caller stores the result in one
 * transaction, or keeps the previous state when the step ends in an incident.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { ElementMeta, ProcessModel } from '../model/process-model';
import { evaluateCondition, evaluateValue, FeelError, isFeel } from '../model/feel';

export type Variables = Record<string, unknown>;

export type Action =
  | { kind: 'start' }
  /** run the instance again without any event: re-creates what its waits need (after an incident is resolved) */
  | { kind: 'resume' }
  | { kind: 'complete'; executionId: string; variables: Variables; /** call activities: false drops unmapped child variables */ propagate?: boolean }
  | { kind: 'timer'; executionId: string }
  | { kind: 'message'; executionId: string; variables: Variables }
  | { kind: 'error'; executionId: string; errorCode: string; errorMessage: string; variables: Variables };

export interface Wait {
  kind: 'job' | 'user-task' | 'timer' | 'message' | 'call';
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
  /** Input mappings evaluated when the element was entered: the element's local variables. */
  locals: Variables;
}

export interface ElementEvent {
  executionId: string;
  elementId: string;
  elementName: string;
  elementType: string;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
}

export interface StoredRuntime {
  engine: unknown;
  locals: Record<string, Variables>;
  /** The waits open after the step that stored this state (kept by the engine to create and close only changes). */
  open?: Array<{ executionId: string; kind: Wait['kind'] }>;
}

export type IncidentType =
  | 'CONDITION_ERROR'
  | 'IO_MAPPING_ERROR'
  | 'UNHANDLED_ERROR_EVENT'
  | 'EXTRACT_VALUE_ERROR'
  | 'CALLED_DECISION_ERROR'
  | 'DECISION_EVALUATION_ERROR'
  | 'UNKNOWN';

export interface RunResult {
  outcome: 'waiting' | 'completed' | 'incident';
  runtime: StoredRuntime;
  variables: Variables;
  waits: Wait[];
  events: ElementEvent[];
  incident?: { elementId: string; errorType: IncidentType; message: string };
}

const ELEMENT_TYPES: Record<string, string> = {
  'bpmn:Process': 'PROCESS',
  'bpmn:StartEvent': 'START_EVENT',
  'bpmn:EndEvent': 'END_EVENT',
  'bpmn:ServiceTask': 'SERVICE_TASK',
  'bpmn:SendTask': 'SEND_TASK',
  'bpmn:UserTask': 'USER_TASK',
  'bpmn:ManualTask': 'MANUAL_TASK',
  'bpmn:Task': 'TASK',
  'bpmn:ExclusiveGateway': 'EXCLUSIVE_GATEWAY',
  'bpmn:ParallelGateway': 'PARALLEL_GATEWAY',
  'bpmn:IntermediateThrowEvent': 'INTERMEDIATE_THROW_EVENT',
  'bpmn:BoundaryEvent': 'BOUNDARY_EVENT',
  'bpmn:IntermediateCatchEvent': 'INTERMEDIATE_CATCH_EVENT',
  'bpmn:EventBasedGateway': 'EVENT_BASED_GATEWAY',
  'bpmn:ReceiveTask': 'RECEIVE_TASK',
  'bpmn:CallActivity': 'CALL_ACTIVITY',
  'bpmn:BusinessRuleTask': 'BUSINESS_RULE_TASK',
  'bpmn:SubProcess': 'SUB_PROCESS',
};

export function elementType(bpmnType: string): string {
  return ELEMENT_TYPES[bpmnType] ?? 'UNKNOWN';
}

class IncidentSignal extends Error {
  constructor(
    readonly elementId: string,
    readonly errorType: IncidentType,
    message: string,
  ) {
    super(message);
  }
}

const silentLogger = () => ({ debug() {}, error() {}, warn() {} });

interface ActivityApi {
  id: string;
  type: string;
  name?: string;
  executionId: string;
  content: { executionId: string; isRootScope?: boolean; error?: Error; parent?: { id: string } };
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

export async function runStep(
  model: ProcessModel,
  stored: StoredRuntime | undefined,
  variables: Variables,
  action: Action,
  now: Date = new Date(),
  decide: DecisionEvaluator = (id) => {
    throw new DecisionError(`Expected to evaluate decision '${id}', but no decisions are available`, 'CALLED_DECISION_ERROR');
  },
): Promise<RunResult> {
  const vars: Variables = structuredClone(variables);
  const locals: Record<string, Variables> = structuredClone(stored?.locals ?? {});
  const waits = new Map<string, Wait>();
  const events: ElementEvent[] = [];
  let failure: IncidentSignal | undefined;
  /** The waiting element to signal after resuming; with `variables`, they leave through its output mappings. */
  let pendingSignal: { elementId: string; executionId: string; variables?: Variables; propagate?: boolean } | undefined;

  const meta = (id: string): ElementMeta | undefined => model.elements.get(id);
  const scope = (executionId: string): Variables => ({ ...vars, ...(locals[executionId] ?? {}) });

  /** Input mappings become the element's local variables when it is entered (Zeebe semantics). */
  const enter = (elementId: string, executionId: string, seed: Variables = {}) => {
    const m = meta(elementId);
    // A multi-instance body has no inputs of its own: each iteration gets them (see runIterations).
    if (!m || locals[executionId] || (m.multi && !executionId.includes('#'))) return;
    if (m.inputs.length === 0 && Object.keys(seed).length === 0) return;
    const local: Variables = { ...seed };
    for (const input of m.inputs) {
      try {
        setPath(local, input.target, evaluateValue(input.source, { ...vars, ...local }));
      } catch (error) {
        throw new IncidentSignal(elementId, 'IO_MAPPING_ERROR', (error as Error).message);
      }
    }
    locals[executionId] = local;
  };

  /**
   * Multi-instance, run by this adapter rather than bpmn-elements (whose loop does not survive a recovery): the
   * body waits while its iterations (`<body>#<index>`) are jobs or user tasks of their own, all at once or one at
   * a time. Each iteration has its item and loopCounter; its output element goes into the output collection,
   * which reaches the process when the body completes. Returns true when the body is complete.
   */
  const runIterations = (elementId: string, bodyId: string, kind: 'job' | 'user-task'): boolean => {
    const multi = meta(elementId)!.multi!;
    let state = locals[bodyId]?.__multiInstance as { items: unknown[]; started: number; done: boolean[]; outputs: unknown[] } | undefined;
    if (!state) {
      const items = evaluateValue(multi.inputCollection, scope(bodyId));
      if (!Array.isArray(items)) {
        throw new IncidentSignal(
          elementId,
          'EXTRACT_VALUE_ERROR',
          `Expected result of the expression '${multi.inputCollection.slice(1)}' to be 'ARRAY', but was ${JSON.stringify(items)}`,
        );
      }
      state = { items, started: 0, done: items.map(() => false), outputs: items.map(() => null) };
      locals[bodyId] = { ...(locals[bodyId] ?? {}), __multiInstance: state };
    }
    const prefix = `${bodyId}#`;
    if (action.kind === 'complete' && action.executionId.startsWith(prefix)) {
      const index = Number(action.executionId.slice(prefix.length));
      if (!state.done[index]) {
        const context = { ...scope(action.executionId), ...action.variables };
        if (multi.outputElement) {
          try {
            state.outputs[index] = evaluateValue(multi.outputElement, context);
          } catch (error) {
            throw new IncidentSignal(elementId, 'EXTRACT_VALUE_ERROR', (error as Error).message);
          }
        }
        leaveWith(elementId, action.executionId, action.variables);
        state.done[index] = true;
      }
    }
    const completed = state.done.filter(Boolean).length;
    let finished = completed === state.items.length;
    if (!finished && multi.completionCondition && completed > 0) {
      finished = evaluateCondition(multi.completionCondition, {
        ...scope(bodyId),
        numberOfInstances: state.items.length,
        numberOfCompletedInstances: completed,
        numberOfActiveInstances: state.started - completed,
      });
    }
    if (finished) {
      if (multi.outputCollection) vars[multi.outputCollection] = state.outputs;
      for (const key of Object.keys(locals)) if (key === bodyId || key.startsWith(prefix)) delete locals[key];
      return true;
    }
    const limit = multi.sequential ? completed + 1 : state.items.length;
    for (; state.started < limit; state.started++) {
      const seed: Variables = { loopCounter: state.started + 1 };
      if (multi.inputElement) seed[multi.inputElement] = state.items[state.started];
      enter(elementId, `${prefix}${state.started}`, seed);
    }
    for (let i = 0; i < state.started; i++) {
      const executionId = `${prefix}${i}`;
      if (!state.done[i]) waits.set(executionId, { kind, executionId, elementId, locals: locals[executionId] ?? {} });
    }
    return false;
  };

  /** Output mappings (or, without any, all the job's variables) reach the process scope on completion. */
  const leaveWith = (elementId: string, executionId: string, result: Variables, propagate = true) => {
    const m = meta(elementId);
    if (!m || m.outputs.length === 0) {
      if (propagate) Object.assign(vars, result);
    } else {
      const context = { ...scope(executionId), ...result };
      for (const output of m.outputs) {
        try {
          setPath(vars, output.target, evaluateValue(output.source, context));
        } catch (error) {
          throw new IncidentSignal(elementId, 'IO_MAPPING_ERROR', (error as Error).message);
        }
      }
    }
    delete locals[executionId];
  };

  function JobService(activity: { id: string }) {
    return {
      execute(message: { content: { executionId: string } }, callback: (err: unknown, out?: unknown) => void) {
        const executionId = message.content.executionId;
        try {
          enter(activity.id, executionId);
          if (meta(activity.id)?.multi) {
            if (action.kind === 'error' && action.executionId.startsWith(`${executionId}#`)) {
              Object.assign(vars, action.variables);
              callback(Object.assign(new Error(action.errorMessage || action.errorCode), { code: action.errorCode, name: 'BpmnError' }));
            } else if (runIterations(activity.id, executionId, 'job')) {
              callback(null, {});
            }
            return;
          }
          if (action.kind === 'complete' && action.executionId === executionId) {
            leaveWith(activity.id, executionId, action.variables);
            callback(null, {});
          } else if (action.kind === 'error' && action.executionId === executionId) {
            Object.assign(vars, action.variables);
            delete locals[executionId];
            const error = Object.assign(new Error(action.errorMessage || action.errorCode), {
              code: action.errorCode,
              name: 'BpmnError',
            });
            callback(error);
          } else {
            waits.set(executionId, { kind: 'job', executionId, elementId: activity.id, locals: locals[executionId] ?? {} });
          }
        } catch (error) {
          failure ??= asIncident(activity.id, error);
        }
      },
      discard() {},
      stop() {},
    };
  }

  /** A business rule task on a decision completes at once with the decision's result in its result variable. */
  function DecisionService(activity: { id: string }) {
    return {
      execute(message: { content: { executionId: string } }, callback: (err: unknown, out?: unknown) => void) {
        const executionId = message.content.executionId;
        const decision = meta(activity.id)!.decision!;
        try {
          enter(activity.id, executionId);
          const output = decide(decision.decisionId, scope(executionId));
          leaveWith(activity.id, executionId, { [decision.resultVariable]: output });
          callback(null, {});
        } catch (error) {
          failure ??=
            error instanceof DecisionError
              ? new IncidentSignal(activity.id, error.errorType, error.message)
              : asIncident(activity.id, error, 'DECISION_EVALUATION_ERROR');
        }
      },
      discard() {},
      stop() {},
    };
  }

  const expressions = {
    isExpression: (text: unknown) => isFeel(text),
    hasExpression: (text: unknown) => isFeel(text),
    resolveExpression(expression: string, message?: { content?: { id?: string; executionId?: string } }) {
      if (!isFeel(expression)) return expression;
      const owner = message?.content?.id ?? '';
      const isCondition = model.conditions.has(expression);
      try {
        return isCondition ? evaluateCondition(expression, vars) : evaluateValue(expression, scope(message?.content?.executionId ?? ''));
      } catch (error) {
        failure ??= asIncident(owner, error, isCondition ? 'CONDITION_ERROR' : 'EXTRACT_VALUE_ERROR');
        throw error;
      }
    },
  };

  const extensions = {
    zeebe(activity: { id: string; type: string; behaviour: { Service?: unknown; loopCharacteristics?: unknown } }) {
      const m = meta(activity.id);
      if (m?.multi) activity.behaviour.loopCharacteristics = undefined; // iterations are run by runIterations
      if (m?.decision && !m.jobType) activity.behaviour.Service = DecisionService;
      else if (m?.jobType) activity.behaviour.Service = JobService;
      return { activate() {}, deactivate() {} };
    },
  };

  /**
   * Timers are never armed in memory: each becomes a wait with its due time on the engine's clock, and the
   * engine's scheduler wakes the instance with a timer action when it is due (also after a restart, and for
   * timers months away, which bpmn-elements would not arm).
   */
  const timers = {
    register(owner: { id: string; executionId: string; parent?: { executionId?: string }; timerType?: string; expireAt?: Date }) {
      return {
        setTimeout(callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]) {
          // Keyed by the element's execution, like its element instance, so leaving the element drops the timer.
          const executionId = owner.parent?.executionId ?? owner.executionId;
          if (action.kind === 'timer' && action.executionId === executionId) {
            setImmediate(() => callback(...args));
            return { executionId };
          }
          const dueAt =
            owner.timerType === 'timeDate' && owner.expireAt ? new Date(owner.expireAt) : new Date(now.getTime() + Math.max(0, delay));
          waits.set(executionId, { kind: 'timer', executionId, elementId: owner.id, dueAt: dueAt.toISOString(), locals: {} });
          return { executionId };
        },
        clearTimeout(ref: { executionId?: string } | undefined) {
          if (ref?.executionId) waits.delete(ref.executionId);
        },
      };
    },
    executing: [] as unknown[],
    setTimeout: (callback: () => void, delay: number) => setTimeout(callback, delay),
    clearTimeout: (ref: { executionId?: string } | NodeJS.Timeout | undefined) => {
      if (ref && 'executionId' in ref && ref.executionId) waits.delete(ref.executionId);
      else clearTimeout(ref as NodeJS.Timeout);
    },
  };

  const listener = new EventEmitter();
  const record = (api: ActivityApi, state: ElementEvent['state']) => {
    if (api.content.isRootScope === false) return;
    events.push({
      executionId: api.executionId,
      elementId: api.id,
      elementName: api.name ?? api.id,
      elementType: elementType(api.type),
      state,
    });
  };
  listener.on('activity.enter', (api: ActivityApi) => {
    try {
      enter(api.id, api.executionId);
    } catch (error) {
      failure ??= asIncident(api.id, error);
    }
    // A boundary event becomes an element instance only when it is triggered, as in Zeebe.
    if (api.type !== 'bpmn:BoundaryEvent') record(api, 'ACTIVE');
  });
  listener.on('activity.catch', (api: ActivityApi) => record(api, 'ACTIVE'));
  listener.on('activity.end', (api: ActivityApi) => record(api, 'COMPLETED'));
  // Leaving without ending (an interrupting boundary event fired) terminates; the store ignores finished elements.
  listener.on('activity.leave', (api: ActivityApi) => {
    waits.delete(api.executionId);
    for (const key of waits.keys()) if (key.startsWith(`${api.executionId}#`)) waits.delete(key);
    record(api, 'TERMINATED');
  });
  listener.on('activity.discard', (api: ActivityApi) => record(api, 'TERMINATED'));
  listener.on('activity.wait', (api: ActivityApi & { signal?: () => void }) => {
    // A manual task is done by people outside the system: Zeebe passes through it.
    if (api.type === 'bpmn:ManualTask') {
      setImmediate(() => api.signal?.());
      return;
    }
    const message = meta(api.id)?.message;
    if (message) {
      let correlationKey: string;
      try {
        const key = evaluateValue(message.correlationKey ?? '', scope(api.executionId));
        if (typeof key !== 'string' && typeof key !== 'number') {
          throw new FeelError(message.correlationKey ?? '', `expected the correlation key to be a string or a number, but was ${JSON.stringify(key)}`);
        }
        correlationKey = String(key);
      } catch (error) {
        failure ??= asIncident(api.id, error, 'EXTRACT_VALUE_ERROR');
        return;
      }
      waits.set(api.executionId, {
        kind: 'message',
        executionId: api.executionId,
        elementId: api.id,
        messageName: message.name,
        correlationKey,
        locals: {},
      });
      if (action.kind === 'message' && action.executionId === api.executionId) {
        pendingSignal = { elementId: api.id, executionId: api.executionId, variables: action.variables };
      }
      return;
    }
    if (api.type !== 'bpmn:UserTask') return;
    if (meta(api.id)?.multi) {
      try {
        if (runIterations(api.id, api.executionId, 'user-task')) pendingSignal = { elementId: api.id, executionId: api.executionId };
      } catch (error) {
        failure ??= asIncident(api.id, error);
      }
      return;
    }
    waits.set(api.executionId, { kind: 'user-task', executionId: api.executionId, elementId: api.id, locals: locals[api.executionId] ?? {} });
    if (action.kind === 'complete' && action.executionId === api.executionId) {
      pendingSignal = { elementId: api.id, executionId: api.executionId, variables: action.variables, propagate: action.propagate };
    }
  });
  listener.on('activity.call', (api: ActivityApi) => {
    const call = meta(api.id)?.call;
    if (!call) return;
    let calledProcessId: string;
    try {
      calledProcessId = String(evaluateValue(call.processId, scope(api.executionId)));
    } catch (error) {
      failure ??= asIncident(api.id, error, 'EXTRACT_VALUE_ERROR');
      return;
    }
    waits.set(api.executionId, {
      kind: 'call',
      executionId: api.executionId,
      elementId: api.id,
      calledProcessId,
      propagateAllParentVariables: call.propagateAllParentVariables,
      locals: locals[api.executionId] ?? {},
    });
    if (action.kind === 'complete' && action.executionId === api.executionId) {
      pendingSignal = { elementId: api.id, executionId: api.executionId, variables: action.variables, propagate: action.propagate };
    }
  });

  // 'activity.error' is also published for errors a boundary event catches: it only counts if the run fails.
  let lastError: { elementId: string; error: unknown } | undefined;
  listener.on('activity.error', (api: ActivityApi) => {
    lastError = { elementId: api.id, error: api.content.error };
  });

  const engine = new Engine({
    name: model.processId,
    sourceContext: model.sourceContext as never,
    expressions: expressions,
    extensions: extensions as never,
    Logger: silentLogger,
    timers: timers as never,
    settings: { enableDummyService: false },
  });
  const ended = new Promise<'completed' | 'error'>((resolve) => {
    engine.once('end', () => resolve('completed'));
    engine.once('error', () => resolve('error'));
  });

  try {
    if (stored) {
      engine.recover(structuredClone(stored.engine));
      await engine.resume({ listener });
    } else {
      await engine.execute({ listener } as never);
    }
    if (pendingSignal && !failure) {
      const { elementId, executionId, variables: leaving, propagate } = pendingSignal;
      waits.delete(executionId);
      if (leaving) leaveWith(elementId, executionId, leaving, propagate);
      // Signal exactly the waiting element (a message catch listens on its own api, not on delegated signals).
      const postponed = engine.execution.getPostponed() as unknown as Array<{ executionId: string; signal: (m?: unknown) => void }>;
      const target = postponed.find((a) => a.executionId === executionId);
      if (target) target.signal({});
      else engine.execution.signal({ id: elementId, executionId });
    }
  } catch (error) {
    failure ??= asIncident(model.processId, error);
  }
  const settled = await Promise.race([ended, settle(() => events.length + waits.size).then(() => 'waiting' as const)]);

  if (failure || settled === 'error') {
    const f =
      failure ??
      (lastError ? asIncident(lastError.elementId, lastError.error) : new IncidentSignal(model.processId, 'UNKNOWN', 'the process failed'));
    return {
      outcome: 'incident',
      runtime: stored ?? { engine: null, locals: {} },
      variables,
      waits: [],
      events: [],
      incident: { elementId: f.elementId, errorType: f.errorType, message: f.message },
    };
  }
  if (action.kind !== 'start' && action.kind !== 'resume' && waits.has(action.executionId)) waits.delete(action.executionId);
  const state = settled === 'completed' ? null : await engine.getState();
  if (state) for (const d of (state as { definitions: Array<{ source?: unknown }> }).definitions) delete d.source;
  const pending = settled === 'completed' ? [] : [...waits.values()];
  void engine.stop(); // stopping clears timers: the waits were taken above
  return {
    outcome: settled === 'completed' ? 'completed' : 'waiting',
    runtime: { engine: state, locals },
    variables: vars,
    waits: pending,
    events,
  };
}

function asIncident(elementId: string, error: unknown, fallback: IncidentType = 'UNKNOWN'): IncidentSignal {
  if (error instanceof IncidentSignal) return error;
  if (error instanceof FeelError) return new IncidentSignal(elementId, fallback === 'UNKNOWN' ? 'EXTRACT_VALUE_ERROR' : fallback, error.message);
  const e = error as { code?: string; message?: string } | undefined;
  if (/no conditional flow taken/.test(e?.message ?? '')) {
    return new IncidentSignal(
      elementId,
      'CONDITION_ERROR',
      `Expected at least one condition to evaluate to true, or to have a default flow (${elementId})`,
    );
  }
  if (e?.code) {
    return new IncidentSignal(elementId, 'UNHANDLED_ERROR_EVENT', `An error was thrown with the code '${e.code}' but not caught. ${e.message ?? ''}`.trim());
  }
  return new IncidentSignal(elementId, fallback, e?.message ?? String(error));
}

/** Lets the engine's queued work run to the point where every token waits (nothing changes for a few turns). */
async function settle(progress: () => number): Promise<void> {
  let last = -1;
  let quiet = 0;
  for (let i = 0; i < 1000 && quiet < 3; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = progress();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

function setPath(target: Variables, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Variables;
  }
  node[parts[parts.length - 1]] = value;
}
