/**
 * Compensation as Zeebe 8.8 runs it (BpmnCompensationSubscriptionBehaviour): an activity with a compensation boundary
 * event is remembered when it completes (state.ts `comp`), and so is a sub-process or multi-instance body that
 * completed with such activities inside. A compensation throw or end event triggers what is remembered in its flow
 * scope (in an event sub-process, in the scope around it too), or only the activity it names, and from each such
 * scope record everything remembered inside it, all at once and in no particular order: the compensation boundary
 * event is entered and completed at once and its handler is activated in the throw event's flow scope. The throw
 * event waits until every handler it started has completed; with nothing to compensate it completes at once. Active
 * and terminated activities are never compensated; a record goes once its handler has completed.
 */
import type { ElementMeta } from '../model/types';
import type { Step } from './step';
import { ROOT, type Compensable } from './state';

/** An activity, a sub-process or a multi-instance body completes: remembered if compensation may undo it (before it ends). */
export function remember(step: Step, x: string): void {
  const el = step.state.els[x];
  const meta = step.meta(el.e);
  const inner = step.state.comp?.some((r) => r.p === x) ?? false;
  // A multi-instance activity is compensated once, by its body's boundary event; not by each iteration.
  const boundary = el.i === undefined ? compensationBoundary(step, meta) : undefined;
  const holds = inner && (el.mi !== undefined || (meta.type === 'bpmn:SubProcess' && !meta.triggeredByEvent));
  if (boundary || holds)
    (step.state.comp ??= []).push({ e: meta.id, x, p: el.p!, ...(boundary ? { b: boundary } : {}) });
  // What completed inside a scope nothing can compensate any more (an event or ad-hoc sub-process) is forgotten.
  else if (inner) forget(step, x);
}

/** A compensation throw or end event is entered: it triggers what its scope remembers, or completes at once. */
export function throwCompensation(step: Step, x: string, meta: ElementMeta): void {
  const scope = step.state.els[x].p!;
  const scopes = [scope];
  if (scope !== ROOT && step.meta(step.state.els[scope].e).triggeredByEvent) scopes.push(step.state.els[scope].p!);
  const open = (step.state.comp ?? []).filter((r) => !r.t);
  const ref = meta.compensation?.activityRef;
  const first = open.filter((r) => scopes.includes(r.p) && (!ref || r.e === ref));
  if (first.length === 0) return step.leave(x);
  for (const record of first) trigger(step, x, record, open);
}

/** Triggers one record: its boundary event and handler, then everything remembered inside it. */
function trigger(step: Step, throwX: string, record: Compensable, open: Compensable[]): void {
  record.t = throwX;
  if (record.b) {
    const boundary = step.meta(record.b);
    const scope = step.state.els[throwX].p!;
    // The compensation boundary event: entered and completed at once, in the throw event's flow scope.
    const bx = step.newExecution();
    step.state.els[bx] = { e: boundary.id, p: scope };
    step.event(bx, boundary, 'ACTIVE');
    step.finish(bx, 'COMPLETED');
    record.h = step.newExecution();
    step.activate({ e: boundary.compensation!.handler!, p: scope, x: record.h });
  }
  for (const inner of open) if (inner.p === record.x && !inner.t) trigger(step, throwX, inner, open);
}

/**
 * An element completed (after it ended): if it was a compensation handler, its record goes, then the records of the
 * scopes with nothing left inside them; a throw event with no record left completes.
 */
export function handled(step: Step, x: string): void {
  const list = step.state.comp;
  const record = list?.find((r) => r.h === x);
  if (!list || !record) return;
  const throws = new Set<string>([record.t!]);
  list.splice(list.indexOf(record), 1);
  for (let scope = record.p; !list.some((r) => r.p === scope);) {
    const holder = list.find((r) => r.x === scope && !r.b);
    if (!holder) break;
    list.splice(list.indexOf(holder), 1);
    if (holder.t) throws.add(holder.t);
    scope = holder.p;
  }
  if (list.length === 0) delete step.state.comp;
  for (const t of throws) if (step.state.els[t] && !step.state.comp?.some((r) => r.t === t)) step.leave(t);
}

/**
 * An element instance is terminated: what was remembered inside it goes (a terminated sub-process is never
 * compensated), and so do the records whose handler or throw event it was (an interrupted handler never runs again).
 */
export function terminated(step: Step, x: string): void {
  if (!step.state.comp) return;
  forget(step, x);
  const list = (step.state.comp ?? []).filter((r) => r.h !== x && r.t !== x);
  if (list.length > 0) step.state.comp = list;
  else delete step.state.comp;
}

/** Drops the records inside a scope, at any depth. */
function forget(step: Step, scope: string): void {
  const list = step.state.comp ?? [];
  const gone = new Set([scope]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of list) {
      if (gone.has(r.p) && !gone.has(r.x)) {
        gone.add(r.x);
        grew = true;
      }
    }
  }
  const kept = list.filter((r) => !gone.has(r.p));
  if (kept.length > 0) step.state.comp = kept;
  else delete step.state.comp;
}

function compensationBoundary(step: Step, meta: ElementMeta): string | undefined {
  return meta.boundaries.find((id) => step.meta(id).event === 'compensation');
}
