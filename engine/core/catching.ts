/**
 * Events that reach a waiting instance and the catch events that take them: subscriptions opened by boundary events,
 * event sub-processes and event-based gateways; timers, messages and signals arriving; errors and escalations thrown
 * and caught by the innermost matching catch event (a boundary event or an event sub-process start, scope by scope
 * outwards); joins that wait for their tokens.
 */
import type { ElementMeta } from '../model/types';
import { IncidentSignal, type Action, type Variables } from '../runtime/types';
import type { Step } from './step';
import { ROOT, type ElementInstance, type Subscription } from './state';
import { calledProcess, subscriptionFields } from './element-values';
import { nextCycle } from './timers';

const SUBSCRIBING = new Set(['timer', 'message', 'signal']);

export function openSubscription(step: Step, owner: string, meta: ElementMeta): void {
  const el = step.state.els[owner];
  (el.subs ??= {})[`${owner}/${meta.id}`] = { e: meta.id, ...subscriptionFields(step, owner, meta) };
}

/** The timer, message and signal boundary events of an activity listen while it is active. */
export function openBoundaries(step: Step, x: string, meta: ElementMeta): void {
  for (const id of meta.boundaries) {
    const boundary = step.meta(id);
    if (SUBSCRIBING.has(boundary.event ?? '')) openSubscription(step, x, boundary);
  }
}

/** The timer, message and signal starts of the event sub-processes of a scope listen while the scope is active. */
export function openEventStarts(step: Step, scopeExecution: string, scopeId: string): void {
  for (const id of step.model.scopes.get(scopeId)?.eventStarts ?? []) {
    const start = step.meta(id);
    if (SUBSCRIBING.has(start.event ?? '')) openSubscription(step, scopeExecution, start);
  }
}

export function applyAction(step: Step, action: Action): void {
  switch (action.kind) {
    case 'start':
      return;
    case 'resume':
      // After an incident that no action caused (a called process missing): a call activity that waits for its
      // child names the process again, from the variables as they are now (the engine starts the child if none runs).
      for (const [x, el] of Object.entries(step.state.els))
        if (el.w === 'call') el.cp = calledProcess(step, x, step.meta(el.e));
      return;
    case 'complete':
      return completed(step, action.executionId, action.variables, action.propagate);
    case 'error': {
      const el = waiting(step, action.executionId, action.kind, ['job', 'call']);
      step.scopes.propagate(el.p, action.variables);
      delete el.w;
      return throwError(step, action.executionId, action.errorCode, action.errorMessage);
    }
    case 'escalate':
      // From the process a call activity called: caught at the call activity, or passed on to this one's caller.
      if (step.state.els[action.executionId]) throwEscalation(step, action.executionId, action.code ?? '');
      return;
    case 'activate-ad-hoc':
      return step.activateAdHocElements(action.executionId, action.elements, action.cancelRemainingInstances === true);
    default:
      return arrived(step, action.kind, action.executionId, action.kind === 'timer' ? {} : action.variables);
  }
}

function waiting(step: Step, x: string, what: string, kinds: Array<ElementInstance['w']>): ElementInstance {
  const el = step.state.els[x];
  if (!el || !kinds.includes(el.w))
    throw new IncidentSignal(step.model.processId, 'UNKNOWN', `Nothing in the instance waits for '${x}' (${what})`);
  return el;
}

/** A job, a user task or a called process completed; or one of the element's execution listeners did. */
function completed(step: Step, x: string, variables: Variables, propagate: boolean | undefined): void {
  const el = waiting(step, x, 'complete', ['job', 'user-task', 'call']);
  const meta = step.meta(el.e);
  if (el.ls) {
    // A start listener's variables are the element's locals (it has not run yet); an end listener's go outwards.
    if (el.ls.ev === 'start')
      for (const [name, value] of Object.entries(variables)) step.scopes.setLocal(x, name, value);
    else step.scopes.propagate(x, variables);
    if (++el.ls.i < meta.listeners[el.ls.ev]!.length) return;
    const ev = el.ls.ev;
    delete el.ls;
    delete el.w;
    if (ev === 'start') step.behave(x, meta, undefined);
    else step.done(x);
    return;
  }
  delete el.w;
  delete el.cp;
  if (meta.type === 'bpmn:CallActivity') {
    // The child's variables: through the output mappings, or all of them unless the call says otherwise.
    if (meta.outputs.length > 0)
      for (const [name, value] of Object.entries(variables)) step.scopes.setLocal(x, name, value);
    else if (propagate !== false) step.scopes.propagate(x, variables);
    step.leave(x);
    return;
  }
  step.completeWith(x, variables);
}

/** A timer fired, a message was correlated or a signal broadcast, for a catch event or a subscription. */
function arrived(step: Step, kind: 'timer' | 'message' | 'signal', id: string, payload: Variables): void {
  const own = step.state.els[id];
  if (own) {
    if (own.w !== kind)
      throw new IncidentSignal(step.model.processId, 'UNKNOWN', `Nothing in the instance waits for '${id}' (${kind})`);
    for (const field of ['w', 'due', 'name', 'key'] as const) delete own[field];
    step.completeWith(id, payload);
    return;
  }
  const owner = id.slice(0, id.lastIndexOf('/'));
  const ownerEl = step.state.els[owner];
  const sub = ownerEl?.subs?.[id];
  if (!sub || sub.w !== kind)
    throw new IncidentSignal(step.model.processId, 'UNKNOWN', `Nothing in the instance waits for '${id}' (${kind})`);
  const meta = step.meta(sub.e);
  const ownerMeta = owner === ROOT ? undefined : step.meta(ownerEl.e);
  if (ownerMeta?.type === 'bpmn:EventBasedGateway') {
    // The first event decides: the gateway completes and takes the flow to it; the other events are dropped.
    const flow = ownerMeta.outgoing.find((f) => step.model.flows.get(f)!.target === sub.e)!;
    delete ownerEl.subs;
    step.finish(owner, 'COMPLETED');
    step.flows.add(flow);
    step.activate({ e: sub.e, p: ownerEl.p!, flow, payload });
    return;
  }
  rearm(ownerEl, id, sub, meta);
  if (meta.type === 'bpmn:BoundaryEvent') triggerBoundary(step, owner, meta, payload);
  else triggerEventStart(step, owner, meta, payload);
}

/** After an event: a non-interrupting one keeps listening (a cycle for its next repetition); the others stop. */
function rearm(owner: ElementInstance, id: string, sub: Subscription, meta: ElementMeta): void {
  if (!meta.interrupting && sub.w !== 'timer') return;
  if (!meta.interrupting && sub.cycle) {
    const next = nextCycle(sub.cycle, sub.left ?? 0, new Date(sub.due!));
    if (next) {
      Object.assign(sub, next);
      return;
    }
  }
  delete owner.subs![id];
}

function triggerBoundary(step: Step, host: string, meta: ElementMeta, payload: Variables): void {
  const scope = step.state.els[host].p!;
  if (meta.interrupting) step.terminate(host);
  step.activate({ e: meta.id, p: scope, payload });
}

/** An event sub-process starts in its scope; an interrupting one first terminates everything else there. */
function triggerEventStart(step: Step, scope: string, start: ElementMeta, payload: Variables): void {
  const scopeEl = step.state.els[scope];
  if (start.interrupting) {
    for (const child of step.children(scope)) step.terminate(child);
    step.dropJoins(scope);
    for (const [id, sub] of Object.entries(scopeEl.subs ?? {}))
      if (step.meta(sub.e).type === 'bpmn:StartEvent') delete scopeEl.subs![id];
    scopeEl.int = true;
  }
  step.activate({ e: start.parent, p: scope, payload });
}

type Catcher = { host: string; meta: ElementMeta } | { scope: string; meta: ElementMeta };

/** The innermost catch event for an error or escalation thrown at `x`: boundary events, then event sub-processes, outwards. */
function findCatcher(step: Step, x: string, kind: 'error' | 'escalation', code: string): Catcher | undefined {
  for (let cur: string | undefined = x; cur;) {
    const el: ElementInstance | undefined = step.state.els[cur];
    if (!el) return undefined;
    const meta = cur === ROOT ? undefined : step.meta(el.e);
    const scope = meta?.type === 'bpmn:SubProcess' || meta?.type === 'bpmn:AdHocSubProcess';
    const scopeId = cur === ROOT ? step.model.processId : scope && !el.mi ? meta.id : undefined;
    if (scopeId && cur !== x && !el.int) {
      const hit = pick(
        step.model.scopes.get(scopeId)!.eventStarts.map((id) => step.meta(id)),
        kind,
        code,
      );
      if (hit) return { scope: cur, meta: hit };
    }
    if (meta && el.i === undefined) {
      const hit = pick(
        meta.boundaries.map((id) => step.meta(id)),
        kind,
        code,
      );
      if (hit) return { host: cur, meta: hit };
    }
    cur = el.p;
  }
  return undefined;
}

/** A catch event with the thrown code, else one that catches every code. */
function pick(candidates: ElementMeta[], kind: 'error' | 'escalation', code: string): ElementMeta | undefined {
  const matching = candidates.filter((m) => m.event === kind);
  return matching.find((m) => m[kind]?.code === code) ?? matching.find((m) => m[kind]?.code === undefined);
}

function trigger(step: Step, catcher: Catcher, payload: Variables): void {
  if ('host' in catcher) triggerBoundary(step, catcher.host, catcher.meta, payload);
  else triggerEventStart(step, catcher.scope, catcher.meta, payload);
}

export function throwError(step: Step, x: string, code: string, message: string): void {
  const catcher = findCatcher(step, x, 'error', code);
  if (!catcher) throw new UnhandledError(step.state.els[x].e, code, message);
  trigger(step, catcher, {});
}

/** An escalation is caught or, uncaught, goes to the calling process (uncaught at the top, it is no error). */
export function throwEscalation(step: Step, x: string, code: string): void {
  const catcher = findCatcher(step, x, 'escalation', code);
  if (catcher) trigger(step, catcher, {});
  else step.escalations.push({ code });
}

/** Whether a join fires: a parallel one when every incoming flow brought a token; an inclusive one when no more can come. */
export function joinReady(step: Step, meta: ElementMeta, scope: string): boolean {
  const arrived = step.state.joins?.[`${scope}|${meta.id}`] ?? [];
  const missing = meta.incoming.filter((f) => !arrived.includes(f));
  if (meta.type === 'bpmn:ParallelGateway') return missing.length === 0;
  if (arrived.length === 0) return false;
  if (missing.length === 0) return true;
  const live = new Set([...step.children(scope).map((c) => step.state.els[c].e), ...step.queuedInto(scope)]);
  for (const key of Object.keys(step.state.joins ?? {})) {
    const [s, gateway] = key.split('|');
    if (s === scope && gateway !== meta.id) live.add(gateway);
  }
  const reaching = step.model.reaching.get(meta.id)!;
  return missing.every((f) => ![...live].some((e) => reaching.get(f)!.has(e)));
}

/** Inclusive joins whose missing tokens can no longer come fire now; true when one did. */
export function recheckJoins(step: Step): boolean {
  for (const key of Object.keys(step.state.joins ?? {})) {
    const [scope, gateway] = key.split('|');
    const meta = step.meta(gateway);
    if (meta.type !== 'bpmn:InclusiveGateway' || !joinReady(step, meta, scope)) continue;
    step.consumeJoin(meta, scope);
    step.activate({ e: gateway, p: scope });
    return true;
  }
  return false;
}

/** An error no catch event caught: an incident here, unless the process that called this one catches it. */
export class UnhandledError extends IncidentSignal {
  constructor(
    elementId: string,
    readonly code: string,
    readonly errorMessage: string,
  ) {
    super(
      elementId,
      'UNHANDLED_ERROR_EVENT',
      `Expected to throw an error event with the code '${code}'${errorMessage ? ` with message '${errorMessage}'` : ''}, but it was not caught. No error events are available in the scope.`,
    );
  }
}
