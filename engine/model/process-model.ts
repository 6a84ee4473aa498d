/**
 * Parsing a deployed BPMN file (bpmn-moddle with the zeebe extensions) into the executable graph the engine's core
 * runs: one {@link ProcessModel} per executable process, made once per deployed version and shared by every
 * instance. Whatever the core cannot run with Zeebe's semantics is refused here, every problem listed, so that a
 * model is never run wrongly.
 */
import BpmnModdle from 'bpmn-moddle';
import { ModelError } from './model-error';
import { readEventDefinition, readExtension, readLoop, readMessage } from './extensions';
import { adHocActivities, adHocMetadata, checkCompensationAndAdHoc, linkCompensation } from './compensation-ad-hoc';
import type { ElementMeta, ModdleElement, ProcessModel, Scope } from './types';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;

export type { ElementMeta, IoMapping, ProcessModel, SequenceFlow } from './types';
export { ModelError } from './model-error';

/** The element types the core runs, and the element instance type each reports. */
const INSTANCE_TYPES: Record<string, string> = {
  'bpmn:StartEvent': 'START_EVENT',
  'bpmn:EndEvent': 'END_EVENT',
  'bpmn:IntermediateThrowEvent': 'INTERMEDIATE_THROW_EVENT',
  'bpmn:IntermediateCatchEvent': 'INTERMEDIATE_CATCH_EVENT',
  'bpmn:BoundaryEvent': 'BOUNDARY_EVENT',
  'bpmn:ServiceTask': 'SERVICE_TASK',
  'bpmn:SendTask': 'SEND_TASK',
  'bpmn:UserTask': 'USER_TASK',
  'bpmn:ManualTask': 'MANUAL_TASK',
  'bpmn:Task': 'TASK',
  'bpmn:ScriptTask': 'SCRIPT_TASK',
  'bpmn:ReceiveTask': 'RECEIVE_TASK',
  'bpmn:BusinessRuleTask': 'BUSINESS_RULE_TASK',
  'bpmn:CallActivity': 'CALL_ACTIVITY',
  'bpmn:SubProcess': 'SUB_PROCESS',
  'bpmn:AdHocSubProcess': 'AD_HOC_SUB_PROCESS',
  'bpmn:ExclusiveGateway': 'EXCLUSIVE_GATEWAY',
  'bpmn:ParallelGateway': 'PARALLEL_GATEWAY',
  'bpmn:InclusiveGateway': 'INCLUSIVE_GATEWAY',
  'bpmn:EventBasedGateway': 'EVENT_BASED_GATEWAY',
};
/** Flow elements that are not executed. */
const IGNORED = new Set([
  'bpmn:SequenceFlow',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
]);
const ACTIVITIES = new Set([
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:UserTask',
  'bpmn:ManualTask',
  'bpmn:Task',
  'bpmn:ScriptTask',
  'bpmn:ReceiveTask',
  'bpmn:BusinessRuleTask',
  'bpmn:CallActivity',
  'bpmn:SubProcess',
  'bpmn:AdHocSubProcess',
]);
/** Elements that hold other elements: their flow scope is their own id. */
const SCOPES = new Set(['bpmn:SubProcess', 'bpmn:AdHocSubProcess']);
/** Which event definitions each kind of event may carry in Camunda 8.8 ('' is none). */
const EVENTS_ALLOWED: Record<string, string[]> = {
  processStart: ['', 'message', 'timer', 'signal'],
  eventSubProcessStart: ['message', 'timer', 'signal', 'error', 'escalation'],
  subProcessStart: [''],
  'bpmn:IntermediateCatchEvent': ['message', 'timer', 'signal', 'link'],
  'bpmn:IntermediateThrowEvent': ['', 'message', 'escalation', 'signal', 'link', 'compensation'],
  'bpmn:EndEvent': ['', 'error', 'escalation', 'message', 'signal', 'terminate', 'compensation'],
  'bpmn:BoundaryEvent': ['message', 'timer', 'signal', 'error', 'escalation', 'compensation'],
};

const moddle = new BpmnModdle({ zeebe: zeebeSchema });

export async function parseBpmn(resourceName: string, xml: string): Promise<ProcessModel[]> {
  let parsed: { rootElement: ModdleElement; warnings: Array<{ message: string; element?: { $type?: string } }> };
  try {
    parsed = (await moddle.fromXML(xml, 'bpmn:Definitions')) as typeof parsed;
  } catch (error) {
    throw new ModelError(resourceName, [`not a readable BPMN file: ${(error as Error).message}`]);
  }
  // A diagram shape or edge that names a missing element does not stop a deployment (Zeebe ignores the diagram).
  const problems = parsed.warnings.filter((w) => !w.element?.$type?.startsWith('bpmndi:')).map((w) => w.message);
  const processes = (parsed.rootElement.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process' && e.isExecutable);
  if (processes.length === 0) problems.push('contains no executable process (isExecutable="true")');
  const models = processes.map((process) => build(process, problems));
  if (problems.length > 0) throw new ModelError(resourceName, problems);
  return models;
}

function build(process: ModdleElement, problems: string[]): ProcessModel {
  if (!/^[a-zA-Z_][a-zA-Z0-9_\-.]*$/.test(process.id)) problems.push(`process id "${process.id}" is not a valid id`);
  const model: ProcessModel = {
    processId: process.id,
    name: process.name ?? process.id,
    elements: new Map(),
    flows: new Map(),
    scopes: new Map(),
    conditions: new Set(),
    eventStarts: [],
    reaching: new Map(),
  };
  const found: Found = { associations: [], adHocMetadata: new Map() };
  collect(process, process.id, false, model, problems, found);
  // Each element's flows, in the order of the file (a gateway evaluates its conditions in that order).
  for (const flow of model.flows.values()) {
    const source = model.elements.get(flow.source);
    const target = model.elements.get(flow.target);
    if (!source || !target)
      problems.push(
        `SequenceFlow ${flow.id}: connects an element the engine does not know (${flow.source} → ${flow.target})`,
      );
    else if (source.parent !== target.parent)
      problems.push(`SequenceFlow ${flow.id}: connects elements of different scopes`);
    else {
      source.outgoing.push(flow.id);
      target.incoming.push(flow.id);
    }
  }
  linkCompensation(model, found.associations);
  for (const meta of model.elements.values())
    if (meta.adHoc) meta.adHoc = adHocActivities(meta, model, found.adHocMetadata);
  for (const meta of model.elements.values()) check(meta, model, problems);
  for (const meta of model.elements.values()) {
    if (meta.type === 'bpmn:InclusiveGateway' && meta.incoming.length > 1)
      model.reaching.set(meta.id, reachingFlows(model, meta));
  }
  return model;
}

/** What collecting finds besides elements: associations (boundary event → compensation handler), ad-hoc activities' metadata. */
type Found = { associations: Array<[string, string]>; adHocMetadata: Map<string, Record<string, unknown>> };

/**
 * Collects a container's (the process's, a sub-process's) elements and flows into the model, its scope's starts and
 * link targets, and what `found` gathers; sub-processes are collected as scopes of their own.
 */
function collect(
  container: ModdleElement,
  scopeId: string,
  inEventSubProcess: boolean,
  model: ProcessModel,
  problems: string[],
  found: Found,
): void {
  const scope: Scope = { eventStarts: [], links: new Map() };
  model.scopes.set(scopeId, scope);
  for (const artifact of container.artifacts ?? []) {
    if (artifact.$type === 'bpmn:Association' && artifact.sourceRef && artifact.targetRef)
      found.associations.push([artifact.sourceRef.id, artifact.targetRef.id]);
  }
  const adHocScope = container.$type === 'bpmn:AdHocSubProcess';
  for (const el of container.flowElements ?? []) {
    const where = `${el.$type.replace('bpmn:', '')} "${el.name ?? el.id}" (${el.id})`;
    if (el.$type === 'bpmn:SequenceFlow') {
      collectFlow(el, where, model, problems);
      continue;
    }
    if (IGNORED.has(el.$type)) continue;
    const instanceType = INSTANCE_TYPES[el.$type];
    if (!instanceType) {
      problems.push(`${where}: ${el.$type} is not supported by the embedded engine yet`);
      continue;
    }
    const meta = elementMeta(el, instanceType, scopeId, inEventSubProcess, model);
    if (adHocScope) found.adHocMetadata.set(el.id, adHocMetadata(el));
    readElement(el, meta, where, model, problems);
    model.elements.set(el.id, meta);
    placeInScope(el, meta, where, scope, scopeId, inEventSubProcess, model, problems);
    if (SCOPES.has(el.$type)) collect(el, el.id, meta.triggeredByEvent === true, model, problems, found);
  }
  // Event sub-processes: their start events listen while the enclosing scope is active.
  for (const el of container.flowElements ?? []) {
    const start = el.$type === 'bpmn:SubProcess' && el.triggeredByEvent ? model.scopes.get(el.id)?.start : undefined;
    if (start) scope.eventStarts.push(start);
  }
}

/** A sequence flow, with its condition (a FEEL expression). */
function collectFlow(el: ModdleElement, where: string, model: ProcessModel, problems: string[]): void {
  const body = el.conditionExpression?.body?.trim();
  if (body !== undefined && !body.startsWith('='))
    problems.push(`${where}: the condition must be a FEEL expression starting with "=" (got "${body}")`);
  if (body !== undefined) model.conditions.add(body);
  model.flows.set(el.id, {
    id: el.id,
    source: el.sourceRef?.id ?? '',
    target: el.targetRef?.id ?? '',
    condition: body,
  });
}

/** An element's meta from its BPMN attributes (what its extension elements and event definition say comes after). */
function elementMeta(
  el: ModdleElement,
  instanceType: string,
  scopeId: string,
  inEventSubProcess: boolean,
  model: ProcessModel,
): ElementMeta {
  const eventSub = el.$type === 'bpmn:SubProcess' && el.triggeredByEvent === true;
  const meta: ElementMeta = {
    id: el.id,
    name: el.name ?? el.id,
    type: el.$type,
    instanceType: eventSub ? 'EVENT_SUB_PROCESS' : instanceType,
    parent: scopeId,
    incoming: [],
    outgoing: [],
    defaultFlow: el.default?.id,
    headers: {},
    inputs: [],
    outputs: [],
    interrupting: el.$type === 'bpmn:BoundaryEvent' ? el.cancelActivity !== false : el.isInterrupting !== false,
    boundaries: [],
    attachedTo: el.attachedToRef?.id,
    triggeredByEvent: eventSub || undefined,
    inEventSubProcess: (inEventSubProcess && el.$type === 'bpmn:StartEvent') || undefined,
    forCompensation: el.isForCompensation === true || undefined,
    listeners: {},
    taskListeners: {},
  };
  if (el.$type === 'bpmn:AdHocSubProcess') {
    const completionCondition = el.completionCondition?.body?.trim() || undefined;
    if (completionCondition) model.conditions.add(completionCondition);
    meta.adHoc = {
      completionCondition,
      cancelRemainingInstances: el.cancelRemainingInstances !== false,
      activities: [],
      metadata: [],
    };
  }
  return meta;
}

/** What an element's extension elements, event definition, message and loop say, read into its meta. */
function readElement(
  el: ModdleElement,
  meta: ElementMeta,
  where: string,
  model: ProcessModel,
  problems: string[],
): void {
  for (const ext of el.extensionElements?.values ?? []) readExtension(ext, meta, where, problems);
  if (Object.keys(meta.taskListeners).length > 0 && el.$type !== 'bpmn:UserTask') {
    problems.push(`${where}: user task listeners belong on a user task`);
  }
  readEventDefinition(el, meta, where, problems);
  if (el.$type === 'bpmn:ReceiveTask') meta.message = readMessage(el.messageRef, where, problems, true);
  readLoop(el, meta, where, problems, model.conditions);
}

/** An element's place in its scope: the scope's (none) start event, a process's event start, a link's target. */
function placeInScope(
  el: ModdleElement,
  meta: ElementMeta,
  where: string,
  scope: Scope,
  scopeId: string,
  inEventSubProcess: boolean,
  model: ProcessModel,
  problems: string[],
): void {
  if (el.$type === 'bpmn:StartEvent') {
    if (meta.event && !inEventSubProcess && scopeId === model.processId) model.eventStarts.push(el.id);
    else if (!meta.event || inEventSubProcess) {
      if (scope.start)
        problems.push(`${where}: a scope may have only one ${inEventSubProcess ? '' : 'none '}start event`);
      scope.start = el.id;
    }
  }
  if (meta.event === 'link' && el.$type === 'bpmn:IntermediateCatchEvent' && meta.link) {
    if (scope.links.has(meta.link))
      problems.push(`${where}: two link catch events are named "${meta.link}" in one scope`);
    scope.links.set(meta.link, el.id);
  }
}

/** Checks one element against what Camunda 8.8 executes and the engine runs. */
function check(meta: ElementMeta, model: ProcessModel, problems: string[]): void {
  const where = `${meta.type.replace('bpmn:', '')} "${meta.name}" (${meta.id})`;
  const kind = meta.event ?? '';
  const parent = model.elements.get(meta.parent);
  let allowed: string[] | undefined = EVENTS_ALLOWED[meta.type];
  if (meta.type === 'bpmn:StartEvent') {
    allowed = parent?.triggeredByEvent
      ? EVENTS_ALLOWED.eventSubProcessStart
      : parent
        ? EVENTS_ALLOWED.subProcessStart
        : EVENTS_ALLOWED.processStart;
  }
  if (allowed && !allowed.includes(kind))
    problems.push(`${where}: a ${kind || 'none'} event is not executable here in Camunda 8`);
  if (['bpmn:ServiceTask', 'bpmn:SendTask'].includes(meta.type) && !meta.jobType)
    problems.push(`${where}: a job type is required (zeebe:taskDefinition type)`);
  if (meta.type === 'bpmn:ScriptTask' && !meta.jobType && !(meta.script?.expression && meta.script.resultVariable)) {
    problems.push(
      `${where}: a script task needs a FEEL expression with a result variable (zeebe:script) or a job type`,
    );
  }
  if (meta.type === 'bpmn:BusinessRuleTask') {
    if (!meta.jobType && !meta.decision)
      problems.push(`${where}: a called decision (zeebe:calledDecision) or a job type is required`);
    if (meta.decision && (!meta.decision.decisionId || !meta.decision.resultVariable))
      problems.push(`${where}: the called decision needs a decision id and a result variable`);
  }
  if (meta.type === 'bpmn:CallActivity' && !meta.call?.processId)
    problems.push(`${where}: the called process is required (zeebe:calledElement processId)`);
  if (meta.multi && (!ACTIVITIES.has(meta.type) || meta.triggeredByEvent))
    problems.push(`${where}: multi-instance is allowed on activities only`);
  if (meta.type === 'bpmn:BoundaryEvent') {
    const host = meta.attachedTo ? model.elements.get(meta.attachedTo) : undefined;
    if (!host || !ACTIVITIES.has(host.type))
      problems.push(`${where}: a boundary event must be attached to an activity`);
    else host.boundaries.push(meta.id);
    if (meta.incoming.length > 0) problems.push(`${where}: a boundary event cannot have incoming flows`);
  }
  if (meta.type === 'bpmn:SubProcess' && !model.scopes.get(meta.id)?.start) {
    problems.push(
      `${where}: ${meta.triggeredByEvent ? 'an event sub-process needs a start event with an event definition' : 'a sub-process needs a none start event'}`,
    );
  }
  if (meta.triggeredByEvent && meta.incoming.length + meta.outgoing.length > 0)
    problems.push(`${where}: an event sub-process cannot have sequence flows`);
  if ((meta.type === 'bpmn:ExclusiveGateway' || meta.type === 'bpmn:InclusiveGateway') && meta.outgoing.length > 1) {
    for (const id of meta.outgoing) {
      if (!model.flows.get(id)?.condition && meta.defaultFlow !== id)
        problems.push(`${where}: outgoing flow ${id} needs a condition or must be the default flow`);
    }
  }
  if (meta.type === 'bpmn:EventBasedGateway') {
    for (const id of meta.outgoing) {
      const target = model.elements.get(model.flows.get(id)?.target ?? '');
      const ok =
        target &&
        ((target.type === 'bpmn:IntermediateCatchEvent' && target.event !== 'link') ||
          target.type === 'bpmn:ReceiveTask');
      if (!ok) problems.push(`${where}: an event-based gateway may lead only to message, timer or signal catch events`);
      if (target && target.incoming.length > 1)
        problems.push(`${where}: an event after an event-based gateway may have no other incoming flow`);
    }
  }
  if (
    meta.event === 'link' &&
    meta.type === 'bpmn:IntermediateThrowEvent' &&
    meta.link &&
    !model.scopes.get(meta.parent)?.links.has(meta.link)
  ) {
    problems.push(`${where}: no link catch event named "${meta.link}" in the same scope`);
  }
  checkCompensationAndAdHoc(meta, model, where, problems);
  if (meta.message && /^\s*=/.test(meta.message.name) && meta.type === 'bpmn:StartEvent' && !parent?.triggeredByEvent) {
    problems.push(`${where}: a message start event's name must be static`);
  }
}

/**
 * For an inclusive join: each incoming flow, and the elements of the same scope from which it can still be taken
 * (its source, and whatever leads to the source, through sequence flows and boundary events).
 */
function reachingFlows(model: ProcessModel, gateway: ElementMeta): Map<string, Set<string>> {
  const into = new Map<string, string[]>();
  const edge = (from: string, to: string) => into.set(to, [...(into.get(to) ?? []), from]);
  for (const flow of model.flows.values()) edge(flow.source, flow.target);
  for (const meta of model.elements.values()) if (meta.attachedTo) edge(meta.attachedTo, meta.id);
  const result = new Map<string, Set<string>>();
  for (const flowId of gateway.incoming) {
    const seen = new Set<string>();
    const todo = [model.flows.get(flowId)!.source];
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (seen.has(id) || id === gateway.id) continue;
      seen.add(id);
      todo.push(...(into.get(id) ?? []));
    }
    result.set(flowId, seen);
  }
  return result;
}
