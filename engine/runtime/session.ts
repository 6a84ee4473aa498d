/**
 * One process instance on bpmn-engine. A session starts the instance or recovers it from its stored state, and
 * then takes one action per step (a completed job or user task, a BPMN error, a message, a timer), runs until every
 * token waits or the instance ends, and reports what it waits for. Nothing here touches the database: the caller
 * stores each step in one transaction, or keeps the previous state when the step ends in an incident.
 *
 * Behaviours never act on their own: a service task parks its callback, a timer parks its firing, a user task or
 * catch event waits for a signal. The step's action then releases exactly one of them. Because of that, a session
 * whose engine stayed in memory (a hot instance waiting for a job worker) and one recovered from the database
 * behave the same.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { ElementMeta, ProcessModel } from '../model/process-model';
import { evaluateCondition, evaluateValue, FeelError, isFeel } from '../model/feel';
import {
  DecisionError,
  elementType,
  IncidentSignal,
  incidentResult,
  type Action,
  type DecisionEvaluator,
  type ElementEvent,
  type IncidentType,
  type RunResult,
  type StoredRuntime,
  type Variables,
  type Wait,
} from './types';

type Callback = (err: unknown, out?: unknown) => void;

interface ActivityApi {
  id: string;
  type: string;
  name?: string;
  executionId: string;
  content: { executionId: string; isRootScope?: boolean; error?: Error; isMultiInstance?: boolean; index?: number };
  signal?: (message?: unknown) => void;
  getPostponed?: () => unknown[];
}

interface MultiInstanceState {
  items: unknown[];
  started: number;
  done: boolean[];
  outputs: unknown[];
}

/**
 * `disableTrackState`: an element that holds no messages (it never ran, or ran and left) is left out of the stored
 * state. Of a petition's ~60 elements and ~60 flows only the few where a token waits hold any, so a stored state is
 * a third of the size (~6 instead of ~18 kB at its first wait); an element missing from a state is recovered idle,
 * which is what it was.
 */
const SETTINGS = { enableDummyService: false, disableTrackState: true };

const silentLogger = () => ({ debug() {}, error() {}, warn() {} });

const noDecisions: DecisionEvaluator = (id) => {
  throw new DecisionError(`Expected to evaluate decision '${id}', but no decisions are available`, 'CALLED_DECISION_ERROR');
};

export interface StepInput {
  stored: StoredRuntime | undefined;
  variables: Variables;
  action: Action;
  now: Date;
  decide?: DecisionEvaluator;
  /** Told each element the step enters, ends or waits at (see StepRequest.onElement). */
  onElement?: (elementId: string) => void;
}

export class InstanceSession {
  /** The stored runtime version this session's engine is at (see StoredRuntime.version). */
  version = -1;
  private readonly engine: Engine;
  private readonly listener = new EventEmitter();
  private started = false;
  private ended: 'completed' | 'error' | undefined;
  private disposed = false;

  // State of the current step.
  private vars: Variables = {};
  private locals: Record<string, Variables> = {};
  private events: ElementEvent[] = [];
  private flows = new Set<string>();
  private failure: IncidentSignal | undefined;
  private lastError: { elementId: string; error: unknown } | undefined;
  private now = new Date();
  private escalations: { thrown: Array<{ code?: string }>; caught: number } = { thrown: [], caught: 0 };
  private decide: DecisionEvaluator = noDecisions;
  private onElement: ((elementId: string) => void) | undefined;

  // What waits, kept across steps while the engine lives.
  private readonly waits = new Map<string, Wait>();
  private readonly parked = new Map<string, Callback>();
  /** Real timeouts the engine set for itself (not BPMN timers, which are parked): cleared on disposal. */
  private readonly timeouts = new Set<NodeJS.Timeout>();

  constructor(private readonly model: ProcessModel) {
    this.engine = new Engine({
      name: model.processId,
      sourceContext: model.sourceContext as never,
      expressions: this.expressions(),
      extensions: this.extensions() as never,
      Logger: silentLogger,
      timers: this.timers() as never,
      settings: { ...SETTINGS },
    });
    this.engine.on('end', () => (this.ended = 'completed'));
    this.engine.on('error', () => (this.ended = 'error'));
    this.listen();
  }

  /** Runs one step. After an incident or the end, the session must not be used again. */
  async step(input: StepInput): Promise<RunResult> {
    if (this.disposed) throw new Error('the session was disposed');
    this.vars = structuredClone(input.variables);
    this.locals = structuredClone(input.stored?.locals ?? {});
    this.events = [];
    this.flows = new Set();
    this.escalations = { thrown: [], caught: 0 };
    this.failure = undefined;
    this.lastError = undefined;
    this.now = input.now;
    this.decide = input.decide ?? noDecisions;
    this.onElement = input.onElement;
    const { action } = input;
    try {
      if (!this.started) {
        this.started = true;
        if (input.stored?.engine) {
          const state = structuredClone(input.stored.engine) as { environment?: { settings?: Record<string, unknown> } };
          // The stored settings win over the engine's own on recovery: an instance stored before these settings
          // takes them from its next step on.
          if (state.environment?.settings) Object.assign(state.environment.settings, SETTINGS);
          this.engine.recover(state);
          await this.engine.resume({ listener: this.listener });
        } else {
          await this.engine.execute({ listener: this.listener } as never);
        }
        await this.settle();
      }
      if (!this.failure && !this.ended) this.apply(action);
    } catch (error) {
      this.failure ??= asIncident(this.model.processId, error);
    }
    await this.settle();

    if (this.failure || this.ended === 'error') {
      // Set by listeners during the run, which the compiler cannot see.
      const lastError = this.lastError as { elementId: string; error: unknown } | undefined;
      const f =
        this.failure ??
        (lastError
          ? asIncident(lastError.elementId, lastError.error)
          : new IncidentSignal(this.model.processId, 'UNKNOWN', 'the process failed'));
      this.dispose();
      return incidentResult(input.stored, input.variables, { elementId: f.elementId, errorType: f.errorType, message: f.message });
    }
    const escalations = this.escalations.thrown.slice(this.escalations.caught);
    if (this.ended === 'completed') {
      this.dispose();
      return {
        outcome: 'completed',
        runtime: { engine: null, locals: {} },
        variables: this.vars,
        waits: [],
        events: this.events,
        flows: [...this.flows],
        escalations,
      };
    }
    const state = (await this.engine.getState()) as { definitions: Array<{ source?: unknown }> };
    for (const d of state.definitions) delete d.source; // the model is supplied on recovery, not stored per instance
    return {
      outcome: 'waiting',
      runtime: { engine: state, locals: this.locals },
      variables: this.vars,
      waits: [...this.waits.values()],
      events: this.events,
      flows: [...this.flows],
      escalations,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parked.clear();
    this.waits.clear();
    for (const timeout of this.timeouts) clearTimeout(timeout);
    this.timeouts.clear();
    // The engine is left to the garbage collector, not stopped: stopping walks every element's broker (a fifth of
    // a cold step's time). Nothing of it can run on: BPMN timers are parked here, its own timeouts are cleared.
  }

  // ------------------------------------------------------------------ actions

  private apply(action: Action): void {
    if (action.kind === 'start' || action.kind === 'resume') return;
    if (action.kind === 'escalate') {
      this.escalateAt(action.executionId, action.code);
      return;
    }
    const id = action.executionId;
    const wait = this.waits.get(id);
    if (!wait) throw new IncidentSignal(this.model.processId, 'UNKNOWN', `Nothing in the instance waits for '${id}' (${action.kind})`);
    this.waits.delete(id);
    this.onElement?.(wait.elementId);
    const body = iterationBody(id);
    switch (action.kind) {
      case 'complete':
        if (body) {
          if (this.runIterations(wait.elementId, body, wait.kind as 'job' | 'user-task', action)) this.release(wait, body);
          return;
        }
        this.leaveWith(wait.elementId, id, action.variables, action.propagate);
        this.release(wait, id);
        return;
      case 'error': {
        Object.assign(this.vars, action.variables);
        delete this.locals[id];
        const error = Object.assign(new Error(action.errorMessage || action.errorCode), { code: action.errorCode, name: 'BpmnError' });
        this.take(body ?? id)(error);
        return;
      }
      case 'message':
        this.leaveWith(wait.elementId, id, action.variables);
        this.signal(wait.elementId, id);
        return;
      case 'timer':
        this.take(id)(null);
        return;
    }
  }

  /**
   * An escalation from a called process reaches the call activity: the first escalation boundary attached to it
   * that catches the code (or every code) catches it; none catching is not an error (Zeebe semantics).
   */
  private escalateAt(callExecutionId: string, code: string | undefined): void {
    const call = this.waits.get(callExecutionId);
    if (!call) return;
    const boundary = [...this.model.elements.values()].find(
      (m) => m.escalation?.attachedTo === call.elementId && (m.escalation.code === undefined || m.escalation.code === code),
    );
    if (!boundary) return;
    const api = (this.engine.execution.getPostponed() as unknown as ActivityApi[]).find((a) => a.id === boundary.id);
    const broker = (api as unknown as { broker?: { publish: (exchange: string, key: string, content: unknown, options: unknown) => void } })?.broker;
    if (!api || !broker) return;
    // The boundary's escalation definition listens on its own execution (the boundary's, suffixed _0).
    broker.publish('api', `activity.escalate.${api.executionId}_0`, { message: { id: boundary.escalation!.referenceId } }, { type: 'escalate' });
  }

  /** Lets the waiting element go on: a parked service callback, or a signal to a task, call or catch event. */
  private release(wait: Wait, executionId: string): void {
    if (wait.kind === 'job') this.take(executionId)(null, {});
    else this.signal(wait.elementId, executionId);
  }

  private take(executionId: string): Callback {
    const callback = this.parked.get(executionId);
    if (!callback) throw new IncidentSignal(this.model.processId, 'UNKNOWN', `No parked continuation for '${executionId}'`);
    this.parked.delete(executionId);
    return callback;
  }

  /**
   * Signals exactly the waiting element through its own api, looking into sub-processes: a message catch listens
   * only there, and a delegated (broadcast) signal would also reach boundary events and upset them.
   */
  private signal(elementId: string, executionId: string): void {
    const find = (apis: ActivityApi[], depth: number): ActivityApi | undefined => {
      for (const api of apis) {
        if (api.executionId === executionId && api.id === elementId) return api;
        const inner = depth < 20 && api.getPostponed ? (api.getPostponed() as ActivityApi[]).filter((a) => a !== api && a.executionId !== api.executionId) : [];
        const found = inner.length ? find(inner, depth + 1) : undefined;
        if (found) return found;
      }
      return undefined;
    };
    const target = find(this.engine.execution.getPostponed() as unknown as ActivityApi[], 0);
    if (target?.signal) target.signal({});
    else this.engine.execution.signal({ id: elementId, executionId });
  }

  // ------------------------------------------------------------------ variables

  private meta(id: string): ElementMeta | undefined {
    return this.model.elements.get(id);
  }

  private scope(executionId: string): Variables {
    return { ...this.vars, ...(this.locals[executionId] ?? {}) };
  }

  /** Input mappings become the element's local variables when it is entered (Zeebe semantics). */
  private enter(elementId: string, executionId: string, seed: Variables = {}): void {
    const m = this.meta(elementId);
    // A multi-instance body has no inputs of its own: each iteration gets them (see runIterations).
    if (!m || this.locals[executionId] || (m.multi && !executionId.includes('#'))) return;
    if (m.inputs.length === 0 && Object.keys(seed).length === 0) return;
    const local: Variables = { ...seed };
    for (const input of m.inputs) {
      try {
        setPath(local, input.target, evaluateValue(input.source, { ...this.vars, ...local }));
      } catch (error) {
        throw new IncidentSignal(elementId, 'IO_MAPPING_ERROR', (error as Error).message);
      }
    }
    this.locals[executionId] = local;
  }

  /** Output mappings (or, without any, all the result's variables) reach the process scope on completion. */
  private leaveWith(elementId: string, executionId: string, result: Variables, propagate = true): void {
    const m = this.meta(elementId);
    if (!m || m.outputs.length === 0) {
      if (propagate) Object.assign(this.vars, result);
    } else {
      const context = { ...this.scope(executionId), ...result };
      for (const output of m.outputs) {
        try {
          setPath(this.vars, output.target, evaluateValue(output.source, context));
        } catch (error) {
          throw new IncidentSignal(elementId, 'IO_MAPPING_ERROR', (error as Error).message);
        }
      }
    }
    delete this.locals[executionId];
  }

  /**
   * Multi-instance, run here rather than by bpmn-elements (whose loop does not survive a recovery): the body waits
   * while its iterations (`<body>#<index>`) are jobs or user tasks of their own, all at once or one at a time. Each
   * iteration has its item and loopCounter; its output element goes into the output collection, which reaches the
   * process when the body completes. Returns true when the body is complete.
   */
  private runIterations(elementId: string, bodyId: string, kind: 'job' | 'user-task', completion?: Action): boolean {
    const multi = this.meta(elementId)!.multi!;
    let state = this.locals[bodyId]?.__multiInstance as MultiInstanceState | undefined;
    if (!state) {
      const items = evaluateValue(multi.inputCollection, this.scope(bodyId));
      if (!Array.isArray(items)) {
        throw new IncidentSignal(
          elementId,
          'EXTRACT_VALUE_ERROR',
          `Expected result of the expression '${multi.inputCollection.slice(1)}' to be 'ARRAY', but was ${JSON.stringify(items)}`,
        );
      }
      state = { items, started: 0, done: items.map(() => false), outputs: items.map(() => null) };
      this.locals[bodyId] = { ...(this.locals[bodyId] ?? {}), __multiInstance: state };
    }
    const prefix = `${bodyId}#`;
    if (completion?.kind === 'complete' && completion.executionId.startsWith(prefix)) {
      const index = Number(completion.executionId.slice(prefix.length));
      if (!state.done[index]) {
        if (multi.outputElement) {
          try {
            state.outputs[index] = evaluateValue(multi.outputElement, { ...this.scope(completion.executionId), ...completion.variables });
          } catch (error) {
            throw new IncidentSignal(elementId, 'EXTRACT_VALUE_ERROR', (error as Error).message);
          }
        }
        this.leaveWith(elementId, completion.executionId, completion.variables);
        state.done[index] = true;
      }
    }
    const completed = state.done.filter(Boolean).length;
    let finished = completed === state.items.length;
    if (!finished && multi.completionCondition && completed > 0) {
      finished = evaluateCondition(multi.completionCondition, {
        ...this.scope(bodyId),
        numberOfInstances: state.items.length,
        numberOfCompletedInstances: completed,
        numberOfActiveInstances: state.started - completed,
      });
    }
    if (finished) {
      if (multi.outputCollection) this.vars[multi.outputCollection] = state.outputs;
      for (const key of Object.keys(this.locals)) if (key === bodyId || key.startsWith(prefix)) delete this.locals[key];
      for (const key of [...this.waits.keys()]) if (key.startsWith(prefix)) this.waits.delete(key);
      return true;
    }
    const limit = multi.sequential ? completed + 1 : state.items.length;
    for (; state.started < limit; state.started++) {
      const seed: Variables = { loopCounter: state.started + 1 };
      if (multi.inputElement) seed[multi.inputElement] = state.items[state.started];
      this.enter(elementId, `${prefix}${state.started}`, seed);
    }
    for (let i = 0; i < state.started; i++) {
      const executionId = `${prefix}${i}`;
      if (!state.done[i]) this.waits.set(executionId, { kind, executionId, elementId, locals: this.locals[executionId] ?? {} });
    }
    return false;
  }

  // ------------------------------------------------------------------ behaviours handed to bpmn-engine

  private expressions() {
    return {
      isExpression: (text: unknown) => isFeel(text),
      hasExpression: (text: unknown) => isFeel(text),
      resolveExpression: (expression: string, message?: { content?: { id?: string; executionId?: string } }) => {
        if (!isFeel(expression)) return expression;
        const isCondition = this.model.conditions.has(expression);
        try {
          return isCondition
            ? evaluateCondition(expression, this.vars)
            : evaluateValue(expression, this.scope(message?.content?.executionId ?? ''));
        } catch (error) {
          this.failure ??= asIncident(message?.content?.id ?? '', error, isCondition ? 'CONDITION_ERROR' : 'EXTRACT_VALUE_ERROR');
          throw error;
        }
      },
    };
  }

  /** A job: the service task parks its callback until the job is completed or a BPMN error is thrown. */
  private executeJob(elementId: string, executionId: string, callback: Callback): void {
    try {
      this.enter(elementId, executionId);
      if (this.meta(elementId)?.multi) {
        if (this.runIterations(elementId, executionId, 'job')) callback(null, {});
        else this.parked.set(executionId, callback);
        return;
      }
      this.waits.set(executionId, { kind: 'job', executionId, elementId, locals: this.locals[executionId] ?? {} });
      this.parked.set(executionId, callback);
    } catch (error) {
      this.failure ??= asIncident(elementId, error);
    }
  }

  /** A business rule task on a decision completes at once with the decision's result in its result variable. */
  private executeDecision(elementId: string, executionId: string, callback: Callback): void {
    const decision = this.meta(elementId)!.decision!;
    try {
      this.enter(elementId, executionId);
      const output = this.decide(decision.decisionId, this.scope(executionId));
      this.leaveWith(elementId, executionId, { [decision.resultVariable]: output });
      callback(null, {});
    } catch (error) {
      this.failure ??=
        error instanceof DecisionError
          ? new IncidentSignal(elementId, error.errorType, error.message)
          : asIncident(elementId, error, 'DECISION_EVALUATION_ERROR');
    }
  }

  private extensions() {
    // bpmn-elements constructs a Service with `new`: plain functions that close over this session's methods.
    const service = (execute: (elementId: string, executionId: string, callback: Callback) => void) =>
      function Service(activity: { id: string }) {
        return {
          execute: (message: { content: { executionId: string } }, callback: Callback) => execute(activity.id, message.content.executionId, callback),
          discard() {},
          stop() {},
        };
      };
    const JobService = service((id, executionId, callback) => this.executeJob(id, executionId, callback));
    const DecisionService = service((id, executionId, callback) => this.executeDecision(id, executionId, callback));
    return {
      zeebe: (activity: { id: string; behaviour: { Service?: unknown; loopCharacteristics?: unknown } }) => {
        const m = this.meta(activity.id);
        if (m?.multi) activity.behaviour.loopCharacteristics = undefined; // iterations are run by runIterations
        if (m?.decision && !m.jobType) activity.behaviour.Service = DecisionService;
        else if (m?.jobType) activity.behaviour.Service = JobService;
        return { activate() {}, deactivate() {} };
      },
    };
  }

  /**
   * Timers are never armed in memory: each becomes a wait with its due time on the engine's clock, and the
   * engine's scheduler fires it with a timer action when it is due (also after a restart, and for timers months
   * away, which bpmn-elements would not arm).
   */
  private timers() {
    const forget = (executionId: string) => {
      this.waits.delete(executionId);
      this.parked.delete(executionId);
    };
    return {
      /** The engine's clock for this step, which timer definitions arm on (model/timer-definition.ts). */
      now: () => this.now,
      register: (owner: { id: string; executionId: string; parent?: { executionId?: string }; timerType?: string; expireAt?: Date }) => ({
        setTimeout: (callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]) => {
          // Keyed by the element's execution, like its element instance, so leaving the element drops the timer.
          const executionId = owner.parent?.executionId ?? owner.executionId;
          // The due time was taken on the engine's clock (model/timer-definition.ts).
          const dueAt = owner.expireAt ? new Date(owner.expireAt) : new Date(this.now.getTime() + Math.max(0, delay));
          this.waits.set(executionId, { kind: 'timer', executionId, elementId: owner.id, dueAt: dueAt.toISOString(), locals: {} });
          this.parked.set(executionId, () => callback(...args));
          return { executionId };
        },
        clearTimeout: (ref: { executionId?: string } | undefined) => {
          if (ref?.executionId) forget(ref.executionId);
        },
      }),
      executing: [] as unknown[],
      setTimeout: (callback: () => void, delay: number) => {
        const timeout = setTimeout(() => {
          this.timeouts.delete(timeout);
          callback();
        }, delay);
        this.timeouts.add(timeout);
        return timeout;
      },
      clearTimeout: (ref: { executionId?: string } | NodeJS.Timeout | undefined) => {
        if (ref && 'executionId' in ref && ref.executionId) forget(ref.executionId);
        else {
          clearTimeout(ref as NodeJS.Timeout);
          this.timeouts.delete(ref as NodeJS.Timeout);
        }
      },
    };
  }

  private listen(): void {
    const on = (event: string, handler: (api: ActivityApi) => void) => this.listener.on(event, handler);
    const record = (api: ActivityApi, state: ElementEvent['state']) => {
      if (api.content.isRootScope === false) return;
      this.events.push({
        executionId: api.executionId,
        elementId: api.id,
        elementName: api.name ?? api.id,
        elementType: elementType(api.type),
        state,
      });
    };
    on('activity.enter', (api) => {
      this.onElement?.(api.id);
      try {
        this.enter(api.id, api.executionId);
      } catch (error) {
        this.failure ??= asIncident(api.id, error);
      }
      // A boundary event becomes an element instance only when it is triggered, as in Zeebe.
      if (api.type !== 'bpmn:BoundaryEvent') record(api, 'ACTIVE');
    });
    on('activity.catch', (api) => {
      if (this.meta(api.id)?.escalation) this.escalations.caught++;
      record(api, 'ACTIVE');
    });
    on('activity.escalate', (api) => this.escalations.thrown.push({ code: this.meta(api.id)?.escalation?.code }));
    on('activity.end', (api) => {
      // Its outgoing flows' conditions are evaluated next: a condition that runs on is reported at this element.
      this.onElement?.(api.id);
      // A timer boundary fires without a catch event: only its timer's end says so, and it becomes an element
      // instance then (a message or error boundary was recorded when it caught).
      const timerBoundary = api.type === 'bpmn:TimerEventDefinition' && this.meta(api.id)?.type === 'bpmn:BoundaryEvent';
      if (timerBoundary && !this.events.some((e) => e.elementId === api.id)) {
        const event = { executionId: api.executionId, elementId: api.id, elementName: this.meta(api.id)?.name ?? api.id, elementType: elementType('bpmn:BoundaryEvent') };
        this.events.push({ ...event, state: 'ACTIVE' }, { ...event, state: 'COMPLETED' });
        return;
      }
      record(api, 'COMPLETED');
    });
    // Sequence flows taken, as Operate draws them on the diagram.
    this.listener.on('flow.take', (flow: { id: string }) => this.flows.add(flow.id));
    // Leaving without ending (an interrupting boundary event fired) terminates; the store ignores finished elements.
    on('activity.leave', (api) => {
      for (const key of [...this.waits.keys()]) {
        if (key === api.executionId || key.startsWith(`${api.executionId}#`)) this.waits.delete(key);
      }
      this.parked.delete(api.executionId);
      record(api, 'TERMINATED');
    });
    on('activity.discard', (api) => record(api, 'TERMINATED'));
    on('activity.wait', (api) => this.onWait(api));
    on('activity.call', (api) => {
      const call = this.meta(api.id)?.call;
      if (!call) return;
      try {
        const calledProcessId = String(evaluateValue(call.processId, this.scope(api.executionId)));
        this.waits.set(api.executionId, {
          kind: 'call',
          executionId: api.executionId,
          elementId: api.id,
          calledProcessId,
          propagateAllParentVariables: call.propagateAllParentVariables,
          locals: this.locals[api.executionId] ?? {},
        });
      } catch (error) {
        this.failure ??= asIncident(api.id, error, 'EXTRACT_VALUE_ERROR');
      }
    });
    // 'activity.error' is also published for errors a boundary event catches: it only counts if the run fails.
    on('activity.error', (api) => (this.lastError = { elementId: api.id, error: api.content.error }));
  }

  private onWait(api: ActivityApi): void {
    // A manual task is done by people outside the system: Zeebe passes through it.
    if (api.type === 'bpmn:ManualTask') {
      setImmediate(() => api.signal?.());
      return;
    }
    const m = this.meta(api.id);
    try {
      if (m?.message) {
        const key = evaluateValue(m.message.correlationKey ?? '', this.scope(api.executionId));
        if (typeof key !== 'string' && typeof key !== 'number') {
          throw new FeelError(m.message.correlationKey ?? '', `expected the correlation key to be a string or a number, but was ${JSON.stringify(key)}`);
        }
        this.waits.set(api.executionId, {
          kind: 'message',
          executionId: api.executionId,
          elementId: api.id,
          messageName: m.message.name,
          correlationKey: String(key),
          locals: {},
        });
        return;
      }
      if (api.type !== 'bpmn:UserTask') return;
      if (m?.multi) {
        if (this.runIterations(api.id, api.executionId, 'user-task')) setImmediate(() => this.signal(api.id, api.executionId));
        return;
      }
      this.waits.set(api.executionId, { kind: 'user-task', executionId: api.executionId, elementId: api.id, locals: this.locals[api.executionId] ?? {} });
    } catch (error) {
      this.failure ??= asIncident(api.id, error, 'EXTRACT_VALUE_ERROR');
    }
  }

  /** Lets the engine's queued work run to the point where every token waits (nothing changes for a few turns). */
  private async settle(): Promise<void> {
    let last = -1;
    let quiet = 0;
    for (let i = 0; i < 1000 && quiet < 2 && !this.ended; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const progress = this.events.length + this.waits.size + this.parked.size;
      quiet = progress === last ? quiet + 1 : 0;
      last = progress;
    }
  }
}

/** A multi-instance iteration's id is its body's execution id, '#', its index. */
function iterationBody(executionId: string): string | undefined {
  const at = executionId.indexOf('#');
  return at < 0 ? undefined : executionId.slice(0, at);
}

function asIncident(elementId: string, error: unknown, fallback: IncidentType = 'UNKNOWN'): IncidentSignal {
  if (error instanceof IncidentSignal) return error;
  if (error instanceof FeelError) return new IncidentSignal(elementId, fallback === 'UNKNOWN' ? 'EXTRACT_VALUE_ERROR' : fallback, error.message);
  const e = error as { code?: string; message?: string } | undefined;
  if (/no conditional flow taken/.test(e?.message ?? '')) {
    return new IncidentSignal(elementId, 'CONDITION_ERROR', `Expected at least one condition to evaluate to true, or to have a default flow (${elementId})`);
  }
  if (e?.code) {
    return new IncidentSignal(elementId, 'UNHANDLED_ERROR_EVENT', `An error was thrown with the code '${e.code}' but not caught. ${e.message ?? ''}`.trim());
  }
  return new IncidentSignal(elementId, fallback, e?.message ?? String(error));
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
