/**
 * Multi-instance activities as Zeebe runs them: the body (a MULTI_INSTANCE_BODY element instance) evaluates its input
 * collection and starts its iterations, all at once or one after another; each completed iteration's output element
 * is collected; the body completes when every iteration has, or when its completion condition holds (the others are
 * terminated), and its output collection goes to its flow scope.
 */
import type { ElementMeta } from '../model/types';
import { evaluateCondition, evaluateValue } from '../model/feel';
import { IncidentSignal, type Variables } from '../runtime/types';
import type { Step } from './step';
import type { ElementInstance } from './state';
import { remember } from './compensation';

/** The multi-instance body starts its iterations: all at once, or the next one in sequence. */
export function startIteration(step: Step, bodyX: string, meta: ElementMeta, first: boolean): void {
  const body = step.state.els[bodyX];
  const multi = meta.multi!;
  if (first) {
    let items: unknown;
    try {
      items = evaluateValue(multi.inputCollection, step.scopes.visible(bodyX));
    } catch (error) {
      throw new IncidentSignal(meta.id, 'EXTRACT_VALUE_ERROR', (error as Error).message);
    }
    if (!Array.isArray(items)) {
      throw new IncidentSignal(
        meta.id,
        'EXTRACT_VALUE_ERROR',
        `Expected result of the expression '${multi.inputCollection.replace(/^\s*=/, '')}' to be 'ARRAY', but was '${typeOf(items)}'.`,
      );
    }
    body.mi = { items, next: 0, done: 0, out: items.map(() => null) };
    if (items.length === 0) return completeBody(step, bodyX, meta);
  }
  const mi = body.mi!;
  const upTo = multi.sequential ? Math.min(mi.next + 1, mi.items.length) : mi.items.length;
  for (; mi.next < upTo; mi.next++) {
    const seed: Variables = { loopCounter: mi.next + 1 };
    if (multi.inputElement) seed[multi.inputElement] = mi.items[mi.next];
    step.activate({ e: meta.id, p: bodyX, iteration: mi.next, seed });
  }
}

/** A multi-instance iteration completed: its output is collected; the body completes, or the next iteration starts. */
export function iterationDone(step: Step, x: string, el: ElementInstance, meta: ElementMeta): void {
  const bodyX = el.p!;
  const body = step.state.els[bodyX];
  const multi = meta.multi!;
  if (multi.outputElement) {
    try {
      body.mi!.out[el.i!] = evaluateValue(multi.outputElement, step.scopes.visible(x));
    } catch (error) {
      throw new IncidentSignal(meta.id, 'EXTRACT_VALUE_ERROR', (error as Error).message);
    }
  }
  remember(step, x);
  step.finish(x, 'COMPLETED');
  const mi = body.mi!;
  mi.done++;
  // Iterations not entered yet (queued in this step) are active too.
  const active = step.children(bodyX).length + step.queuedInto(bodyX).length;
  let finished = active === 0 && mi.next >= mi.items.length;
  if (!finished && multi.completionCondition) {
    try {
      finished = evaluateCondition(multi.completionCondition, {
        ...step.scopes.visible(bodyX),
        numberOfInstances: mi.items.length,
        numberOfCompletedInstances: mi.done,
        numberOfActiveInstances: active,
        numberOfTerminatedInstances: 0,
      });
    } catch (error) {
      throw new IncidentSignal(meta.id, 'EXTRACT_VALUE_ERROR', (error as Error).message);
    }
  }
  if (finished) {
    for (const child of step.children(bodyX)) step.terminate(child);
    step.dequeueInto(bodyX);
    completeBody(step, bodyX, meta);
  } else if (multi.sequential) startIteration(step, bodyX, meta, false);
}

export function completeBody(step: Step, bodyX: string, meta: ElementMeta): void {
  const body = step.state.els[bodyX];
  if (meta.multi!.outputCollection) step.scopes.propagatePath(body.p, meta.multi!.outputCollection, body.mi!.out);
  step.completeElement(bodyX, meta.outgoing);
}

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return 'NUMBER';
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  return 'OBJECT';
}
