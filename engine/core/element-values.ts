/**
 * What an element's expressions give when it is entered: the process a call activity calls, what a catch event
 * waits for (a timer's due time, a message's name and correlation key, a signal's name). A failing expression is an
 * EXTRACT_VALUE_ERROR incident on the element.
 */
import type { ElementMeta } from '../model/types';
import { evaluateValue } from '../model/feel';
import { IncidentSignal, type Variables } from '../runtime/types';
import type { Step } from './step';
import { timerDue } from './timers';

/** The id of the process a call activity calls (static, or FEEL evaluated now). */
export function calledProcess(step: Step, x: string, meta: ElementMeta): string {
  const called = evaluate(step, x, meta, meta.call!.processId);
  if (typeof called !== 'string' || called === '') {
    throw new IncidentSignal(
      meta.id,
      'EXTRACT_VALUE_ERROR',
      `Expected the called process id of '${meta.id}' to be a non-empty string, but was ${JSON.stringify(called)}`,
    );
  }
  return called;
}

/** The fields of a waiting catch event: a timer's due time, a message's name and key, a signal's name. */
export function subscriptionFields(step: Step, owner: string, meta: ElementMeta) {
  const vars = step.scopes.visible(owner);
  if (meta.event === 'timer') {
    const due = timerDue(meta, vars, step.now);
    return { w: 'timer' as const, due: due.due, ...(due.cycle ? { left: due.left, cycle: due.cycle } : {}) };
  }
  if (meta.event === 'signal') return { w: 'signal' as const, name: meta.signal!.name };
  const name = evaluate(step, owner, meta, meta.message!.name, vars);
  let key: unknown = '';
  if (meta.message!.correlationKey) {
    key = evaluate(step, owner, meta, meta.message!.correlationKey, vars);
    if (typeof key !== 'string' && typeof key !== 'number') {
      throw new IncidentSignal(
        meta.id,
        'EXTRACT_VALUE_ERROR',
        `Failed to extract the correlation key for '${meta.message!.correlationKey}': The value must be either a string or a number, but was ${JSON.stringify(key ?? null)}.`,
      );
    }
  }
  return { w: 'message' as const, name: String(name), key: String(key) };
}

export function evaluate(step: Step, x: string, meta: ElementMeta, expression: string, vars?: Variables): unknown {
  try {
    return evaluateValue(expression, vars ?? step.scopes.visible(x));
  } catch (error) {
    throw new IncidentSignal(meta.id, 'EXTRACT_VALUE_ERROR', (error as Error).message);
  }
}
