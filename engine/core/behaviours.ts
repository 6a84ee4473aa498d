/**
 * What each BPMN element type does once it is activated (its input mappings applied, its boundary events armed):
 * pass through, wait (for a job, a person, a message, a timer, a signal, a called process), decide, script, throw,
 * or open a scope of its own. Completion, flows and termination are the step's (step.ts); catching is in catching.ts;
 * multi-instance bodies are multi-instance.ts, ad-hoc sub-processes ad-hoc.ts, compensation compensation.ts.
 */
import type { ElementMeta } from '../model/types';
import { DecisionError, IncidentSignal, type Variables } from '../runtime/types';
import type { Step } from './step';
import { openEventStarts, openSubscription, throwError, throwEscalation } from './catching';
import { calledProcess, evaluate, subscriptionFields } from './element-values';
import { throwCompensation } from './compensation';
import { enterAdHoc } from './ad-hoc';

export function behave(step: Step, x: string, meta: ElementMeta, payload: Variables | undefined): void {
  const el = step.state.els[x];
  switch (meta.type) {
    case 'bpmn:StartEvent':
    case 'bpmn:BoundaryEvent':
      step.completeWith(x, payload);
      return;
    case 'bpmn:IntermediateCatchEvent':
    case 'bpmn:ReceiveTask':
      // Entered from an event-based gateway whose event happened: it completes with the event's variables.
      if (payload !== undefined || meta.event === 'link') return step.completeWith(x, payload);
      if (meta.type === 'bpmn:ReceiveTask' && meta.jobType) break;
      Object.assign(el, subscriptionFields(step, x, meta));
      return;
    case 'bpmn:IntermediateThrowEvent':
    case 'bpmn:EndEvent':
      return throwEvent(step, x, meta);
    case 'bpmn:ScriptTask':
      if (meta.jobType) break;
      return step.completeWith(x, { [meta.script!.resultVariable]: evaluate(step, x, meta, meta.script!.expression) });
    case 'bpmn:BusinessRuleTask':
      if (meta.jobType) break;
      return step.completeWith(x, { [meta.decision!.resultVariable]: decide(step, x, meta) });
    case 'bpmn:UserTask':
      el.w = 'user-task';
      return;
    case 'bpmn:CallActivity':
      el.cp = calledProcess(step, x, meta);
      el.w = 'call';
      return;
    case 'bpmn:SubProcess': {
      openEventStarts(step, x, meta.id);
      const start = step.model.scopes.get(meta.id)!.start!;
      step.activate({ e: start, p: x, payload: meta.triggeredByEvent ? (payload ?? {}) : undefined });
      return;
    }
    case 'bpmn:AdHocSubProcess':
      return enterAdHoc(step, x, meta);
    case 'bpmn:EventBasedGateway':
      for (const flowId of meta.outgoing) openSubscription(step, x, step.meta(step.model.flows.get(flowId)!.target));
      return;
    case 'bpmn:ServiceTask':
    case 'bpmn:SendTask':
      break;
    default:
      // Tasks without behaviour, manual tasks and gateways pass through (a gateway chooses its flows on leaving).
      return step.leave(x);
  }
  el.w = 'job';
}

/** Throw and end events: a message (a job), a signal, an escalation, an error, a link, termination, compensation, or nothing. */
function throwEvent(step: Step, x: string, meta: ElementMeta): void {
  const el = step.state.els[x];
  switch (meta.event) {
    case 'message':
      el.w = 'job';
      return;
    case 'signal':
      step.signals.push({ name: meta.signal!.name, variables: { ...(step.scopes.locals[x] ?? {}) } });
      return step.leave(x);
    case 'escalation':
      throwEscalation(step, x, meta.escalation!.code!);
      if (step.state.els[x]) step.leave(x);
      return;
    case 'error':
      return throwError(step, x, meta.error!.code!, '');
    case 'compensation':
      return throwCompensation(step, x, meta);
    case 'link': {
      const target = step.model.scopes.get(meta.parent)!.links.get(meta.link!)!;
      const scope = el.p!;
      step.finish(x, 'COMPLETED');
      step.activate({ e: target, p: scope });
      return;
    }
    case 'terminate': {
      const scope = el.p!;
      step.finish(x, 'COMPLETED');
      for (const child of step.children(scope)) step.terminate(child);
      step.dropJoins(scope);
      step.completeScope(scope);
      return;
    }
    default:
      step.leave(x);
  }
}

function decide(step: Step, x: string, meta: ElementMeta): unknown {
  try {
    return step.input.decide(meta.decision!.decisionId, step.scopes.visible(x));
  } catch (error) {
    if (error instanceof DecisionError) throw new IncidentSignal(meta.id, error.errorType, error.message);
    throw new IncidentSignal(meta.id, 'DECISION_EVALUATION_ERROR', (error as Error).message);
  }
}
