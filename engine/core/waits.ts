/**
 * What an instance waits for after a step, read off its state: the jobs, user tasks, called processes and catch
 * events of its element instances, and the subscriptions they own. The engine creates what is new and closes what
 * is gone (engine.ts), keyed by execution id.
 */
import type { Wait } from '../runtime/types';
import type { Step } from './step';

export function waitsOf(step: Step): Wait[] {
  const waits: Wait[] = [];
  for (const [x, el] of Object.entries(step.state.els)) {
    if (el.w) {
      const base = { executionId: x, elementId: el.e, locals: step.scopes.visibleLocals(x) };
      switch (el.w) {
        case 'job': {
          if (el.ls) {
            const meta = step.meta(el.e);
            const listener = meta.listeners[el.ls.ev]![el.ls.i];
            waits.push({
              kind: 'job',
              ...base,
              jobType: listener.type,
              retries: listener.retries,
              listenerEventType: el.ls.ev === 'start' ? 'START' : 'END',
            });
          } else waits.push({ kind: 'job', ...base });
          break;
        }
        case 'user-task':
          waits.push({ kind: 'user-task', ...base });
          break;
        case 'call': {
          const call = step.meta(el.e).call!;
          waits.push({
            kind: 'call',
            ...base,
            calledProcessId: el.cp,
            propagateAllParentVariables: call.propagateAllParentVariables,
          });
          break;
        }
        case 'timer':
          waits.push({ kind: 'timer', ...base, locals: {}, dueAt: el.due });
          break;
        case 'message':
          waits.push({ kind: 'message', ...base, locals: {}, messageName: el.name, correlationKey: el.key });
          break;
        case 'signal':
          waits.push({ kind: 'signal', ...base, locals: {}, signalName: el.name });
          break;
      }
    }
    for (const [id, sub] of Object.entries(el.subs ?? {})) {
      const base = { executionId: id, elementId: sub.e, locals: {} };
      if (sub.w === 'timer') waits.push({ kind: 'timer', ...base, dueAt: sub.due });
      else if (sub.w === 'message')
        waits.push({ kind: 'message', ...base, messageName: sub.name, correlationKey: sub.key });
      else waits.push({ kind: 'signal', ...base, signalName: sub.name });
    }
  }
  return waits;
}
