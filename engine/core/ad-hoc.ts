/**
 * The ad-hoc sub-process as Zeebe 8.8 runs it (AdHocSubProcessProcessor, BPMN implementation): on entering it sets
 * its local `adHocSubProcessElements` (and an empty output collection), evaluates `activeElementsCollection` (a list
 * of the ids of inner elements without incoming flows, else EXTRACT_VALUE_ERROR) and activates those elements, or
 * nothing (it then waits for elements activated through the API). Each time an inner path ends (an element completes
 * without taking a flow) the output element is appended to the output collection and the completion condition is
 * evaluated: true ends it, at once with `cancelRemainingInstances` (the default; the remaining elements are
 * terminated) or when the remaining elements have completed; without a condition it completes once nothing inside
 * is active. Zeebe 8.8's inner instances (AD_HOC_SUB_PROCESS_INNER_INSTANCE) are not element instances here.
 */
import type { ElementMeta } from '../model/types';
import { evaluateCondition, evaluateValue } from '../model/feel';
import { IncidentSignal, type Variables } from '../runtime/types';
import type { Step } from './step';
import { ROOT } from './state';
import { openEventStarts } from './catching';

/** The ad-hoc sub-process whose instance this execution is, if it is one (not its multi-instance body). */
export function adHocOf(step: Step, x: string): ElementMeta | undefined {
  const el = x === ROOT ? undefined : step.state.els[x];
  if (!el || el.mi) return undefined;
  const meta = step.meta(el.e);
  return meta.adHoc ? meta : undefined;
}

/** The ad-hoc sub-process is entered (its input mappings applied): its variables, its event sub-processes, its elements. */
export function enterAdHoc(step: Step, x: string, meta: ElementMeta): void {
  const adHoc = meta.adHoc!;
  step.scopes.setLocal(x, 'adHocSubProcessElements', structuredClone(adHoc.metadata));
  if (adHoc.outputCollection) step.scopes.setLocal(x, adHoc.outputCollection, []);
  const ids = activeElements(step, x, meta);
  openEventStarts(step, x, meta.id);
  for (const id of ids) step.activate({ e: id, p: x });
}

function activeElements(step: Step, x: string, meta: ElementMeta): string[] {
  const expression = meta.adHoc!.activeElements;
  if (!expression) return [];
  const fail = (message: string) =>
    new IncidentSignal(meta.id, 'EXTRACT_VALUE_ERROR', `Failed to activate ad-hoc elements. ${message}`);
  let value: unknown;
  try {
    value = evaluateValue(expression, step.scopes.visible(x));
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string')) {
    throw fail(
      `Expected result of the expression '${expression.replace(/^\s*=/, '')}' to be a list of strings, but was ${JSON.stringify(value ?? null)}.`,
    );
  }
  const unknown = (value as string[]).filter((id) => !meta.adHoc!.activities.includes(id));
  if (unknown.length > 0) throw fail(`No BPMN elements found with ids: ${unknown.map((id) => `'${id}'`).join(', ')}.`);
  return value as string[];
}

/** Elements activated through the API (POST /v2/element-instances/ad-hoc-activities/{key}/activation). */
export function activateAdHocElements(
  step: Step,
  x: string,
  elements: Array<{ elementId: string; variables?: Variables }>,
  cancelRemaining: boolean,
): void {
  const meta = adHocOf(step, x);
  if (!meta)
    throw new IncidentSignal(step.model.processId, 'UNKNOWN', `No active ad-hoc sub-process '${x}' in the instance`);
  const unknown = elements.filter((e) => !meta.adHoc!.activities.includes(e.elementId));
  if (unknown.length > 0)
    throw new IncidentSignal(
      meta.id,
      'UNKNOWN',
      `The ad-hoc sub-process '${meta.id}' has no elements ${unknown.map((e) => `'${e.elementId}'`).join(', ')}`,
    );
  if (cancelRemaining) {
    for (const child of step.children(x)) step.terminate(child);
    step.dropJoins(x);
  }
  // The variables given are the activated element's locals (Zeebe 8.8 sets them on its inner instance).
  for (const { elementId, variables } of elements)
    step.activate({
      e: elementId,
      p: x,
      seed: variables && Object.keys(variables).length > 0 ? { ...variables } : undefined,
    });
}

/** An inner path is ending (its last element completed, its locals still there): its output is collected. */
export function collectOutput(step: Step, adHocX: string, x: string): void {
  const adHoc = step.meta(step.state.els[adHocX].e).adHoc!;
  if (!adHoc.outputCollection || !adHoc.outputElement) return;
  let value: unknown;
  try {
    value = evaluateValue(adHoc.outputElement, step.scopes.visible(x));
  } catch (error) {
    throw new IncidentSignal(step.state.els[x].e, 'EXTRACT_VALUE_ERROR', (error as Error).message);
  }
  const collection = step.scopes.locals[adHocX]?.[adHoc.outputCollection];
  step.scopes.setLocal(adHocX, adHoc.outputCollection, [
    ...(Array.isArray(collection) ? (collection as unknown[]) : []),
    value,
  ]);
}

/** An inner path ended: the completion condition decides whether the ad-hoc sub-process completes. */
export function pathEnded(step: Step, adHocX: string): void {
  const el = step.state.els[adHocX];
  const meta = step.meta(el.e);
  const { completionCondition, cancelRemainingInstances } = meta.adHoc!;
  if (completionCondition) {
    let fulfilled: boolean;
    try {
      fulfilled = evaluateCondition(completionCondition, step.scopes.visible(adHocX));
    } catch (error) {
      throw new IncidentSignal(
        meta.id,
        'EXTRACT_VALUE_ERROR',
        `Failed to evaluate completion condition. ${(error as Error).message}`,
      );
    }
    if (fulfilled && cancelRemainingInstances) {
      for (const child of step.children(adHocX)) step.terminate(child);
      step.dequeueInto(adHocX);
      step.dropJoins(adHocX);
      step.completeScope(adHocX);
      return;
    }
    if (fulfilled) el.ah = true;
  }
  // Completes when nothing inside is active any more (with a condition: once it has held).
  step.takeFlows(adHocX, []);
}

/** Whether an ad-hoc sub-process with nothing active inside completes: without a condition, or once it held. */
export function adHocMayComplete(step: Step, x: string): boolean {
  const meta = adHocOf(step, x);
  return !meta?.adHoc!.completionCondition || step.state.els[x].ah === true;
}

/** The ad-hoc sub-process completes: its output collection goes to its flow scope (before its output mappings). */
export function completingAdHoc(step: Step, x: string): void {
  const adHoc = adHocOf(step, x)?.adHoc;
  if (!adHoc?.outputCollection) return;
  step.scopes.propagate(step.state.els[x].p, {
    [adHoc.outputCollection]: step.scopes.locals[x]?.[adHoc.outputCollection] ?? [],
  });
}
