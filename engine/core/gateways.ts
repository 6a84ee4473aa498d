/**
 * The flows an element takes when it completes: all its outgoing flows, or an exclusive or inclusive gateway's
 * choice by their conditions (in the order of the file; the default flow when none holds).
 */
import type { ElementMeta } from '../model/types';
import { evaluateCondition } from '../model/feel';
import { IncidentSignal } from '../runtime/types';
import type { Step } from './step';

/** The outgoing flows element instance `x` of `meta` takes; a gateway none of whose flows it can take is an incident. */
export function selectFlows(step: Step, x: string, meta: ElementMeta): string[] {
  const gateway = meta.type === 'bpmn:ExclusiveGateway' || meta.type === 'bpmn:InclusiveGateway';
  if (!gateway || (meta.outgoing.length === 1 && !step.model.flows.get(meta.outgoing[0])!.condition))
    return meta.outgoing;
  const vars = step.scopes.visible(x);
  const chosen: string[] = [];
  for (const id of meta.outgoing) {
    const flow = step.model.flows.get(id)!;
    if (id === meta.defaultFlow || !flow.condition) continue;
    let ok: boolean;
    try {
      ok = evaluateCondition(flow.condition, vars);
    } catch (error) {
      // A condition that fails or is not a boolean (a missing variable, values of different types) is Zeebe's
      // EXTRACT_VALUE_ERROR; no condition true and no default flow is its CONDITION_ERROR.
      throw new IncidentSignal(meta.id, 'EXTRACT_VALUE_ERROR', (error as Error).message);
    }
    if (ok) {
      chosen.push(id);
      if (meta.type === 'bpmn:ExclusiveGateway') break;
    }
  }
  if (chosen.length === 0 && meta.defaultFlow) chosen.push(meta.defaultFlow);
  if (chosen.length === 0) {
    throw new IncidentSignal(
      meta.id,
      'CONDITION_ERROR',
      `Expected at least one condition to evaluate to true, or to have a default flow (${meta.id})`,
    );
  }
  return chosen;
}
