/**
 * The parts of a deployed model that compensation and ad-hoc sub-processes need, read and checked as Camunda 8.8
 * does: each compensation boundary event's handler (the activity associated with it, marked isForCompensation), the
 * activity a compensation throw or end event names, and the inner elements an ad-hoc sub-process may activate.
 */
import type { ElementMeta, ModdleElement, ProcessModel } from './types';

/** Each compensation boundary event's handler: the other end of an association (either direction). */
export function linkCompensation(model: ProcessModel, associations: Array<[string, string]>): void {
  for (const [a, b] of associations) {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      const boundary = model.elements.get(from);
      if (
        boundary?.type === 'bpmn:BoundaryEvent' &&
        boundary.event === 'compensation' &&
        model.elements.get(to)?.forCompensation
      ) {
        boundary.compensation = { ...boundary.compensation, handler: to };
      }
    }
  }
}

/** What `adHocSubProcessElements` says of an inner element (Zeebe leaves out what is empty; no `fromAi` parameters here). */
export function adHocMetadata(el: ModdleElement): Record<string, unknown> {
  const entry: Record<string, unknown> = { elementId: el.id };
  if (el.name) entry.elementName = el.name;
  const documentation = el.documentation?.map((d) => d.text ?? '').join('\n');
  if (documentation) entry.documentation = documentation;
  const properties = el.extensionElements?.values?.find((v) => v.$type === 'zeebe:Properties')?.properties as
    Array<{ name?: string; value?: string }> | undefined;
  if (properties?.length)
    entry.properties = Object.fromEntries(properties.filter((p) => p.name).map((p) => [p.name, p.value ?? '']));
  return entry;
}

/** The inner elements an ad-hoc sub-process may activate: those without incoming flows (not boundary events, handlers, event sub-processes). */
export function adHocActivities(
  meta: ElementMeta,
  model: ProcessModel,
  metadata: Map<string, Record<string, unknown>>,
): NonNullable<ElementMeta['adHoc']> {
  const activities = [...model.elements.values()]
    .filter(
      (m) =>
        m.parent === meta.id &&
        m.incoming.length === 0 &&
        m.type !== 'bpmn:BoundaryEvent' &&
        !m.forCompensation &&
        !m.triggeredByEvent,
    )
    .map((m) => m.id);
  return { ...meta.adHoc!, activities, metadata: activities.map((id) => metadata.get(id) ?? { elementId: id }) };
}

/** Checks compensation events, compensation handlers and ad-hoc sub-processes against what Camunda 8.8 executes. */
export function checkCompensationAndAdHoc(
  meta: ElementMeta,
  model: ProcessModel,
  where: string,
  problems: string[],
): void {
  const parent = model.elements.get(meta.parent);
  if (meta.event === 'compensation' && meta.type === 'bpmn:BoundaryEvent') {
    if (!meta.compensation?.handler)
      problems.push(
        `${where}: a compensation boundary event needs a compensation handler (an activity marked isForCompensation, associated with it)`,
      );
    if (meta.outgoing.length > 0) problems.push(`${where}: a compensation boundary event cannot have outgoing flows`);
  }
  const ref = meta.compensation?.activityRef;
  if (meta.event === 'compensation' && meta.type !== 'bpmn:BoundaryEvent' && ref) {
    const activity = model.elements.get(ref);
    // In an event sub-process, the activity may be in the scope around it.
    const scopes = [meta.parent, ...(parent?.triggeredByEvent ? [parent.parent] : [])];
    const compensable = [...model.elements.values()].some((m) => m.attachedTo === ref && m.event === 'compensation');
    if (!activity || !scopes.includes(activity.parent))
      problems.push(`${where}: the activity to compensate (${ref}) must be in the same scope as the event`);
    else if (!compensable)
      problems.push(`${where}: the activity to compensate (${ref}) has no compensation boundary event`);
  }
  if (meta.forCompensation && meta.incoming.length + meta.outgoing.length > 0)
    problems.push(`${where}: a compensation handler cannot have sequence flows`);
  if (parent?.adHoc && (meta.type === 'bpmn:StartEvent' || meta.type === 'bpmn:EndEvent'))
    problems.push(`${where}: an ad-hoc sub-process cannot have start or end events`);
  if (!meta.adHoc) return;
  if (meta.jobType)
    problems.push(
      `${where}: an ad-hoc sub-process run by a job worker (zeebe:taskDefinition) is not supported by the embedded engine yet`,
    );
  if (meta.adHoc.outputCollection && !meta.adHoc.outputElement)
    problems.push(`${where}: an output collection needs an output element`);
  const inner = [...model.elements.values()].filter((m) => m.parent === meta.id);
  if (!inner.some((m) => !m.type.endsWith('Event') && !m.type.endsWith('Gateway')))
    problems.push(`${where}: an ad-hoc sub-process needs at least one activity`);
}
