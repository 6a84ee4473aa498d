/**
 * One step of a process instance in the engine's core: the stored state, one action (a job or user task completed,
 * a BPMN error, a message, a signal, a timer), then element behaviours run until every token waits or the instance
 * ends. Like Zeebe's processors, each element instance is activated, completed or terminated, over element-instance
 * records with flow scopes and local variables (state.ts). Nothing here touches the database or keeps anything in
 * memory between steps: the result is the new state, the element events, the waits, and what goes to other
 * instances (signals, escalations, an error a calling process may catch).
 */
import type { ElementMeta, ProcessModel } from '../model/types';
import { evaluateValue } from '../model/feel';
import {
  IncidentSignal,
  type Action,
  type DecisionEvaluator,
  type ElementEvent,
  type RunResult,
  type StoredRuntime,
  type Variables,
} from '../runtime/types';
import { ROOT, isCoreState, type CoreState, type ElementInstance } from './state';
import { Scopes } from './variables';
import { behave } from './behaviours';
import { applyAction, openBoundaries, openEventStarts, joinReady, recheckJoins } from './catching';
import { iterationDone, startIteration } from './multi-instance';
import { handled, remember, terminated } from './compensation';
import { activateAdHocElements, adHocMayComplete, adHocOf, collectOutput, completingAdHoc, pathEnded } from './ad-hoc';
import { selectFlows } from './gateways';
import { failedResult, stepResult } from './result';

/** More element activations than this in one step is a loop that never waits: an incident, not a hung engine. */
const MAX_ACTIVATIONS = 100_000;

export interface StepInput {
  model: ProcessModel;
  stored: StoredRuntime | undefined;
  variables: Variables;
  action: Action;
  now: Date;
  decide: DecisionEvaluator;
  /** Told each element the step enters or leaves (the step thread reports it when a step overruns its budget). */
  onElement?: (elementId: string) => void;
}

/** An element to enter: in a flow scope, through a flow, with a payload, as an iteration, with locals; `x`: its execution id, given in advance. */
type Activation = {
  e: string;
  p: string;
  flow?: string;
  payload?: Variables;
  iteration?: number;
  seed?: Variables;
  x?: string;
};

export class Step {
  readonly state: CoreState;
  readonly scopes: Scopes;
  readonly events: ElementEvent[] = [];
  readonly flows = new Set<string>();
  readonly signals: Array<{ name: string; variables: Variables }> = [];
  readonly escalations: Array<{ code?: string }> = [];
  completed = false;
  private readonly queue: Array<Activation | { scope: string }> = [];
  private activations = 0;

  constructor(readonly input: StepInput) {
    const engine = input.stored?.engine;
    this.state = isCoreState(engine)
      ? structuredClone(engine)
      : { core: 1, n: 1, els: { [ROOT]: { e: input.model.processId } } };
    this.scopes = new Scopes(this.state, structuredClone(input.variables), structuredClone(input.stored?.locals ?? {}));
  }

  get model(): ProcessModel {
    return this.input.model;
  }

  get now(): Date {
    return this.input.now;
  }

  meta(id: string): ElementMeta {
    const meta = this.model.elements.get(id);
    if (!meta)
      throw new IncidentSignal(this.model.processId, 'UNKNOWN', `The element '${id}' is not in the deployed process`);
    return meta;
  }

  run(): RunResult {
    const { input } = this;
    try {
      if (input.stored?.engine && !isCoreState(input.stored.engine)) {
        // Stored by the executor this core replaced (bpmn-engine): it cannot be read here, and is never guessed at.
        throw new IncidentSignal(
          this.model.processId,
          'UNKNOWN',
          'The instance was stored by the engine before its own core (bpmn-engine) and cannot be continued; cancel it and start it again',
        );
      }
      if (input.action.kind === 'start') this.start(input.action.startAt, input.action.variables);
      else applyAction(this, input.action);
      this.drain();
    } catch (error) {
      return failedResult(error, input);
    }
    return stepResult(this);
  }

  /** The instance starts: its event sub-processes listen, and its none start event (or the one given) is entered. */
  private start(startAt: string | undefined, payload: Variables | undefined): void {
    openEventStarts(this, ROOT, this.model.processId);
    const at = startAt ?? this.model.scopes.get(this.model.processId)?.start;
    if (!at)
      throw new IncidentSignal(
        this.model.processId,
        'UNKNOWN',
        `The process '${this.model.processId}' has no none start event to start at`,
      );
    this.activate({ e: at, p: ROOT, payload });
  }

  /** Runs queued activations and scope checks until nothing is left; inclusive joins are checked when all else waits. */
  private drain(): void {
    for (;;) {
      const next = this.queue.shift();
      if (!next) {
        if (recheckJoins(this)) continue;
        return;
      }
      if ('scope' in next) this.checkScope(next.scope);
      else this.activateNow(next);
    }
  }

  /**
   * An element's behaviour once it is entered (behaviours.ts), and the API's activation of an ad-hoc sub-process's
   * elements (ad-hoc.ts): reached through the step, so that the modules that trigger them (catching.ts) need not
   * import the modules that import them back.
   */
  behave(x: string, meta: ElementMeta, payload: Variables | undefined): void {
    behave(this, x, meta, payload);
  }

  activateAdHocElements(
    x: string,
    elements: Array<{ elementId: string; variables?: Variables }>,
    cancelRemaining: boolean,
  ): void {
    activateAdHocElements(this, x, elements, cancelRemaining);
  }

  activate(activation: Activation): void {
    this.queue.push(activation);
  }

  /** Activations still queued into a scope (an inclusive join must wait for the tokens they carry). */
  queuedInto(scope: string): string[] {
    return this.queue.flatMap((a) => ('e' in a && a.p === scope ? [a.e] : []));
  }

  /** Drops the activations queued into a scope that ends before they ran (a multi-instance body completing early). */
  dequeueInto(scope: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const a = this.queue[i];
      if ('e' in a && a.p === scope) this.queue.splice(i, 1);
    }
  }

  newExecution(): string {
    return `x${this.state.n++}`;
  }

  children(scope: string): string[] {
    return Object.keys(this.state.els).filter((x) => this.state.els[x].p === scope);
  }

  event(executionId: string, meta: ElementMeta, state: ElementEvent['state'], type?: string): void {
    const scopeExecutionId = state === 'ACTIVE' ? this.state.els[executionId]?.p : undefined;
    this.events.push({
      executionId,
      scopeExecutionId,
      elementId: meta.id,
      elementName: meta.name,
      elementType: type ?? meta.instanceType,
      state,
    });
    this.input.onElement?.(meta.id);
  }

  private activateNow(a: Activation): void {
    if (++this.activations > MAX_ACTIVATIONS) {
      throw new IncidentSignal(
        a.e,
        'UNKNOWN',
        `The step activated more than ${MAX_ACTIVATIONS} elements without waiting (a loop that never waits?)`,
      );
    }
    const meta = this.meta(a.e);
    if (
      a.flow &&
      meta.incoming.length > 1 &&
      (meta.type === 'bpmn:ParallelGateway' || meta.type === 'bpmn:InclusiveGateway')
    ) {
      const key = `${a.p}|${meta.id}`;
      const joins = (this.state.joins ??= {});
      (joins[key] ??= []).push(a.flow);
      if (!joinReady(this, meta, a.p)) return;
      this.consumeJoin(meta, a.p);
    }
    const x = a.x ?? this.newExecution();
    const el: ElementInstance = { e: meta.id, p: a.p };
    if (a.iteration !== undefined) el.i = a.iteration;
    this.state.els[x] = el;
    const body = meta.multi && a.iteration === undefined;
    this.event(x, meta, 'ACTIVE', body ? 'MULTI_INSTANCE_BODY' : undefined);
    if (body) {
      openBoundaries(this, x, meta);
      startIteration(this, x, meta, true);
      return;
    }
    this.applyInputs(x, meta, a.seed);
    // A multi-instance's boundary events belong to its body, not to each iteration.
    if (a.iteration === undefined) openBoundaries(this, x, meta);
    if (meta.listeners.start?.length) {
      el.ls = { ev: 'start', i: 0 };
      el.w = 'job';
      return;
    }
    behave(this, x, meta, a.payload);
  }

  /** A fired join takes one token from each incoming flow that has one. */
  consumeJoin(meta: ElementMeta, scope: string): void {
    const key = `${scope}|${meta.id}`;
    const arrived = this.state.joins![key];
    for (const flow of new Set(arrived)) arrived.splice(arrived.indexOf(flow), 1);
    if (arrived.length === 0) delete this.state.joins![key];
  }

  private applyInputs(x: string, meta: ElementMeta, seed: Variables | undefined): void {
    if (!seed && meta.inputs.length === 0) return;
    const local: Variables = { ...seed };
    this.scopes.locals[x] = local;
    for (const input of meta.inputs) {
      try {
        this.scopes.locals[x] = setLocalPath(local, input.target, evaluateValue(input.source, this.scopes.visible(x)));
      } catch (error) {
        throw new IncidentSignal(meta.id, 'IO_MAPPING_ERROR', (error as Error).message);
      }
    }
  }

  /** The element completes with a result (a job's, a message's …): held for its output mappings, or propagated. */
  completeWith(x: string, variables: Variables | undefined): void {
    const meta = this.meta(this.state.els[x].e);
    if (variables && Object.keys(variables).length > 0) {
      if (meta.outputs.length > 0)
        for (const [name, value] of Object.entries(variables)) this.scopes.setLocal(x, name, value);
      else this.scopes.propagate(x, variables);
    }
    this.leave(x);
  }

  /** Output mappings, then end listeners, then the element is done and its outgoing flows are taken. */
  leave(x: string): void {
    const el = this.state.els[x];
    const meta = this.meta(el.e);
    for (const output of meta.outputs) {
      let value: unknown;
      try {
        value = evaluateValue(output.source, this.scopes.visible(x));
      } catch (error) {
        throw new IncidentSignal(meta.id, 'IO_MAPPING_ERROR', (error as Error).message);
      }
      this.scopes.propagatePath(el.p, output.target, value);
    }
    if (meta.listeners.end?.length) {
      el.ls = { ev: 'end', i: 0 };
      el.w = 'job';
      return;
    }
    this.done(x);
  }

  /** The element completed: a multi-instance iteration reports to its body; anything else takes its flows. */
  done(x: string): void {
    const el = this.state.els[x];
    const meta = this.meta(el.e);
    if (el.i !== undefined) {
      iterationDone(this, x, el, meta);
      return;
    }
    this.completeElement(x, selectFlows(this, x, meta));
  }

  /**
   * An element (or a multi-instance body) completes and takes its flows: remembered for compensation, ended, its
   * compensation handled; in an ad-hoc sub-process, taking no flow ends a path there.
   */
  completeElement(x: string, taken: string[]): void {
    const scope = this.state.els[x].p!;
    const pathEnd = taken.length === 0 && adHocOf(this, scope) !== undefined;
    if (pathEnd) collectOutput(this, scope, x);
    remember(this, x);
    this.finish(x, 'COMPLETED');
    handled(this, x);
    if (pathEnd) pathEnded(this, scope);
    else this.takeFlows(scope, taken);
  }

  takeFlows(scope: string, taken: string[]): void {
    for (const id of taken) {
      this.flows.add(id);
      this.activate({ e: this.model.flows.get(id)!.target, p: scope, flow: id });
    }
    if (taken.length === 0) this.queue.push({ scope });
  }

  /** The element instance ends (completed or terminated): its event, its subscriptions and locals go. */
  finish(x: string, state: 'COMPLETED' | 'TERMINATED'): void {
    const el = this.state.els[x];
    if (!el) return;
    this.event(x, this.meta(el.e), state, el.mi ? 'MULTI_INSTANCE_BODY' : undefined);
    this.scopes.drop(x);
    delete this.state.els[x];
  }

  /** Terminates an element instance and everything inside it (children first, as Zeebe does). */
  terminate(x: string): void {
    for (const child of this.children(x)) this.terminate(child);
    this.dropJoins(x);
    terminated(this, x);
    this.finish(x, 'TERMINATED');
  }

  dropJoins(scope: string): void {
    for (const key of Object.keys(this.state.joins ?? {}))
      if (key.startsWith(`${scope}|`)) delete this.state.joins![key];
  }

  /** A scope with nothing left in it completes (the process instance itself, a sub-process, an event sub-process). */
  checkScope(scope: string): void {
    const el = this.state.els[scope];
    if (!el || this.completed) return;
    if (this.children(scope).length > 0) return;
    if (Object.keys(this.state.joins ?? {}).some((key) => key.startsWith(`${scope}|`))) return;
    if (!adHocMayComplete(this, scope)) return;
    this.completeScope(scope);
  }

  completeScope(scope: string): void {
    if (scope === ROOT) {
      this.completed = true;
      return;
    }
    completingAdHoc(this, scope);
    this.leave(scope);
  }
}

function setLocalPath(local: Variables, path: string, value: unknown): Variables {
  const parts = path.split('.');
  let node = local;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Variables;
  }
  node[parts[parts.length - 1]] = value;
  return local;
}
