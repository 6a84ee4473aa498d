/**
 * Parsing a deployed BPMN file: the moddle tree with the zeebe extensions, the Camunda metadata of each element
 * (job type, headers, io mappings, user task settings), checks that refuse what the engine cannot run correctly,
 * and the serialized context bpmn-engine runs (made once per deployed version, reused by every instance).
 */
import BpmnModdle from 'bpmn-moddle';
import * as Elements from 'bpmn-elements';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import { ModelError } from './model-error';
import { ClockedTimerEventDefinition } from './timer-definition';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;

export interface IoMapping {
  source: string;
  target: string;
}

export interface ElementMeta {
  id: string;
  name: string;
  type: string; // bpmn:ServiceTask …
  jobType?: string;
  retries?: string;
  headers: Record<string, string>;
  inputs: IoMapping[];
  outputs: IoMapping[];
  /** Message catch (intermediate, boundary, receive task): the message name and the correlation key expression. */
  message?: { name: string; correlationKey?: string };
  timer?: { type: 'timeDate' | 'timeDuration' | 'timeCycle'; value: string };
  /** Multi-instance: the collection to iterate, each item's variable, and how results are collected. */
  multi?: {
    sequential: boolean;
    inputCollection: string;
    inputElement?: string;
    outputCollection?: string;
    outputElement?: string;
    completionCondition?: string;
  };
  /** Escalation: thrown with this code, or (boundary) caught with it (undefined code: catches every escalation). */
  escalation?: { code?: string; referenceId?: string; attachedTo?: string };
  /** Business rule task on a DMN decision: the decision id and where its result goes. */
  decision?: { decisionId: string; resultVariable: string };
  /** Call activity: the called process id (static or FEEL) and how variables cross the boundary. */
  call?: { processId: string; propagateAllChildVariables: boolean; propagateAllParentVariables: boolean };
  userTask?: {
    assignee?: string;
    candidateGroups?: string;
    candidateUsers?: string;
    dueDate?: string;
    followUpDate?: string;
    formId?: string;
    externalReference?: string;
    priority?: string;
  };
}

export interface ProcessModel {
  processId: string;
  name: string;
  elements: Map<string, ElementMeta>;
  /** Sequence-flow condition expressions: these must evaluate to booleans, other expressions to any value. */
  conditions: Set<string>;
  /** The serialized moddle context bpmn-engine takes as `sourceContext`. */
  sourceContext: unknown;
}

export { ModelError } from './model-error';

/** Elements the engine runs with Zeebe's semantics today. Anything else is refused at deployment, not run wrongly. */
const SUPPORTED = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:UserTask',
  'bpmn:ManualTask',
  'bpmn:Task',
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:IntermediateThrowEvent',
  'bpmn:IntermediateCatchEvent',
  'bpmn:EventBasedGateway',
  'bpmn:ReceiveTask',
  'bpmn:CallActivity',
  'bpmn:BusinessRuleTask',
  'bpmn:SubProcess',
  'bpmn:SequenceFlow',
  'bpmn:BoundaryEvent',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
]);

type ModdleElement = {
  $type: string;
  id: string;
  name?: string;
  isExecutable?: boolean;
  flowElements?: ModdleElement[];
  extensionElements?: { values?: Array<Record<string, unknown> & { $type: string }> };
  eventDefinitions?: Array<{
    $type: string;
    errorRef?: { errorCode?: string };
    escalationRef?: { id: string; escalationCode?: string };
    messageRef?: ModdleMessage;
    timeDate?: { body?: string };
    timeDuration?: { body?: string };
    timeCycle?: { body?: string };
  }>;
  messageRef?: ModdleMessage;
  conditionExpression?: { body?: string };
  sourceRef?: ModdleElement;
  default?: ModdleElement;
  outgoing?: ModdleElement[];
  rootElements?: ModdleElement[];
  triggeredByEvent?: boolean;
  attachedToRef?: ModdleElement;
  loopCharacteristics?: {
    $type: string;
    isSequential?: boolean;
    completionCondition?: { body?: string };
    extensionElements?: { values?: Array<Record<string, unknown> & { $type: string }> };
  };
};

type ModdleMessage = {
  id: string;
  name?: string;
  extensionElements?: { values?: Array<{ $type: string; correlationKey?: string }> };
};

const SUPPORTED_EVENT_DEFINITIONS = new Set([
  'bpmn:EscalationEventDefinition',
  'bpmn:ErrorEventDefinition',
  'bpmn:TerminateEventDefinition',
  'bpmn:MessageEventDefinition',
  'bpmn:TimerEventDefinition',
]);

const moddle = new BpmnModdle({ zeebe: zeebeSchema });
// Timers arm on the engine's clock, not the machine's.
const typeResolver = TypeResolver({ ...(Elements as Record<string, unknown>), TimerEventDefinition: ClockedTimerEventDefinition });

export async function parseBpmn(resourceName: string, xml: string): Promise<ProcessModel[]> {
  let parsed: { rootElement: ModdleElement; warnings: Array<{ message: string }> };
  try {
    parsed = (await moddle.fromXML(xml, 'bpmn:Definitions')) as typeof parsed;
  } catch (error) {
    throw new ModelError(resourceName, [`not a readable BPMN file: ${(error as Error).message}`]);
  }
  const problems = parsed.warnings.map((w) => w.message);
  const processes = (parsed.rootElement.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process' && e.isExecutable);
  if (processes.length === 0) problems.push('contains no executable process (isExecutable="true")');
  const models: ProcessModel[] = [];
  for (const process of processes) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_\-.]*$/.test(process.id)) problems.push(`process id "${process.id}" is not a valid id`);
    const elements = new Map<string, ElementMeta>();
    const conditions = new Set<string>();
    collect(process, elements, conditions, problems);
    models.push({ processId: process.id, name: process.name ?? process.id, elements, conditions, sourceContext: undefined });
  }
  if (problems.length > 0) throw new ModelError(resourceName, problems);
  // One serialized context per file; each process of the file runs from it.
  const sourceContext = serializer(parsed, typeResolver);
  quietDeadPaths(sourceContext as unknown as SerializedContext);
  // bpmn-engine puts the whole model, serialized, into every state it gives (getState, after each step); the
  // context no longer changes, so it is serialized once here instead of per step (the session drops it anyway).
  const serialized = sourceContext.serialize();
  sourceContext.serialize = () => serialized;
  for (const model of models) model.sourceContext = sourceContext;
  return models;
}

/** The part of moddle-context-serializer's context that {@link quietDeadPaths} reads and changes. */
interface SerializedContext {
  elements: {
    activities: Array<{ id: string; type: string; behaviour?: { attachedTo?: { id: string } } }>;
    sequenceFlows: Array<{ id: string; sourceId: string; targetId: string; Behaviour: unknown }>;
  };
}

/** A sequence flow whose discard goes nowhere: see {@link quietDeadPaths}. */
class QuietSequenceFlow extends (Elements.SequenceFlow as unknown as new (...args: unknown[]) => object) {
  discard(): void {}
}

/**
 * Dead-path elimination, kept only where it changes an outcome. bpmn-elements "discards" each sequence flow a
 * gateway does not take (and the outgoing flows of each element it leaves without running), and a discard runs on
 * through everything downstream: every element, its boundary events, around loops until it meets itself. In the
 * petition model that was about 870 discards (each a handful of broker messages, and a TERMINATED event for an
 * element that never ran) for 20 flows taken by the time a case waits for its rating: most of the engine's CPU.
 * Camunda 8 has no dead-path elimination; here only a parallel join waits for its discarded inbound flows (it runs
 * once each inbound flow was taken or discarded). So a flow's discard is passed on only when, from its target, a
 * discard can still reach a parallel join; the others are quiet. A join gets exactly the discards it got before.
 */
function quietDeadPaths(context: SerializedContext): void {
  const { activities, sequenceFlows } = context.elements;
  const inbound = new Map<string, number>();
  for (const flow of sequenceFlows) inbound.set(flow.targetId, (inbound.get(flow.targetId) ?? 0) + 1);
  // Where a discard of an element goes next: its outgoing flows' targets and its boundary events.
  const from = new Map<string, string[]>();
  const edge = (a: string, b: string) => from.set(b, [...(from.get(b) ?? []), a]);
  for (const flow of sequenceFlows) edge(flow.sourceId, flow.targetId);
  for (const activity of activities) if (activity.behaviour?.attachedTo) edge(activity.behaviour.attachedTo.id, activity.id);
  // The elements a discard can travel from to a parallel join (reverse search from the joins).
  const reaching = new Set<string>();
  const todo = activities.filter((a) => a.type === 'bpmn:ParallelGateway' && (inbound.get(a.id) ?? 0) > 1).map((a) => a.id);
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (reaching.has(id)) continue;
    reaching.add(id);
    todo.push(...(from.get(id) ?? []));
  }
  for (const flow of sequenceFlows) if (!reaching.has(flow.targetId)) flow.Behaviour = QuietSequenceFlow;
}

function collect(container: ModdleElement, out: Map<string, ElementMeta>, conditions: Set<string>, problems: string[]): void {
  for (const el of container.flowElements ?? []) {
    const where = `${el.$type.replace('bpmn:', '')} "${el.name ?? el.id}" (${el.id})`;
    if (!SUPPORTED.has(el.$type)) {
      problems.push(`${where}: ${el.$type} is not supported by the embedded engine yet`);
      continue;
    }
    const meta: ElementMeta = { id: el.id, name: el.name ?? el.id, type: el.$type, headers: {}, inputs: [], outputs: [] };
    for (const def of el.eventDefinitions ?? []) {
      if (!SUPPORTED_EVENT_DEFINITIONS.has(def.$type)) {
        problems.push(`${where}: ${def.$type} is not supported by the embedded engine yet`);
      }
      if (def.$type === 'bpmn:MessageEventDefinition') {
        if (el.$type === 'bpmn:StartEvent' || el.$type === 'bpmn:EndEvent' || el.$type === 'bpmn:IntermediateThrowEvent') {
          problems.push(`${where}: message start and throw events are not supported by the embedded engine yet`);
        }
        meta.message = readMessage(def.messageRef, where, problems);
      }
      if (def.$type === 'bpmn:EscalationEventDefinition') {
        meta.escalation = {
          code: def.escalationRef?.escalationCode || undefined,
          referenceId: def.escalationRef?.id,
          attachedTo: el.attachedToRef?.id,
        };
        if (el.$type === 'bpmn:StartEvent') problems.push(`${where}: escalation start events (event sub-processes) are not supported yet`);
      }
      if (def.$type === 'bpmn:TimerEventDefinition') {
        if (el.$type === 'bpmn:StartEvent') problems.push(`${where}: timer start events are not supported by the embedded engine yet`);
        const type = (['timeDate', 'timeDuration', 'timeCycle'] as const).find((t) => def[t]?.body?.trim());
        if (!type) problems.push(`${where}: the timer needs a date, a duration or a cycle`);
        else meta.timer = { type, value: def[type]!.body!.trim() };
      }
    }
    if (el.$type === 'bpmn:ReceiveTask') meta.message = readMessage(el.messageRef, where, problems);
    if (el.loopCharacteristics) {
      const loop = el.loopCharacteristics;
      const zeebe: Record<string, unknown> = loop.extensionElements?.values?.find((v) => v.$type === 'zeebe:LoopCharacteristics') ?? {};
      const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
      if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') problems.push(`${where}: only multi-instance loops are supported`);
      else if (!text(zeebe.inputCollection)) problems.push(`${where}: a multi-instance needs an input collection (zeebe:loopCharacteristics)`);
      else {
        meta.multi = {
          sequential: loop.isSequential === true,
          inputCollection: text(zeebe.inputCollection)!,
          inputElement: text(zeebe.inputElement),
          outputCollection: text(zeebe.outputCollection),
          outputElement: text(zeebe.outputElement),
          completionCondition: loop.completionCondition?.body?.trim() || undefined,
        };
        if (meta.multi.completionCondition) conditions.add(meta.multi.completionCondition);
        if (meta.multi.outputCollection && !meta.multi.outputElement) problems.push(`${where}: an output collection needs an output element`);
        if (!['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:UserTask'].includes(el.$type) || meta.decision) {
          problems.push(`${where}: multi-instance is supported on service, send and user tasks only in the embedded engine`);
        }
      }
    }
    for (const ext of el.extensionElements?.values ?? []) readExtension(ext, meta);
    if ((el.$type === 'bpmn:ServiceTask' || el.$type === 'bpmn:SendTask') && !meta.jobType) {
      problems.push(`${where}: a job type is required (zeebe:taskDefinition type)`);
    }
    if (el.$type === 'bpmn:SequenceFlow') {
      const body = el.conditionExpression?.body?.trim();
      if (body !== undefined && !body.startsWith('=')) {
        problems.push(`${where}: the condition must be a FEEL expression starting with "=" (got "${body}")`);
      }
      if (body !== undefined) conditions.add(el.conditionExpression!.body!);
    }
    if (el.$type === 'bpmn:BusinessRuleTask') {
      if (!meta.jobType && !meta.decision) problems.push(`${where}: a called decision (zeebe:calledDecision) or a job type is required`);
      if (meta.decision && (!meta.decision.decisionId || !meta.decision.resultVariable)) {
        problems.push(`${where}: the called decision needs a decision id and a result variable`);
      }
    }
    if (el.$type === 'bpmn:CallActivity' && !meta.call?.processId) {
      problems.push(`${where}: the called process is required (zeebe:calledElement processId)`);
    }
    if (el.$type === 'bpmn:ExclusiveGateway' && (el.outgoing?.length ?? 0) > 1) {
      for (const flow of el.outgoing ?? []) {
        if (!flow.conditionExpression && el.default !== flow) {
          problems.push(`${where}: outgoing flow ${flow.id} needs a condition or must be the default flow`);
        }
      }
    }
    out.set(el.id, meta);
    if (el.$type === 'bpmn:SubProcess') {
      if (el.triggeredByEvent) problems.push(`${where}: event sub-processes are not supported by the embedded engine yet`);
      else collect(el, out, conditions, problems);
    }
  }
}

function readMessage(message: ModdleMessage | undefined, where: string, problems: string[]): ElementMeta['message'] {
  if (!message?.name) {
    problems.push(`${where}: the message needs a name`);
    return undefined;
  }
  const subscription = message.extensionElements?.values?.find((v) => v.$type === 'zeebe:Subscription');
  if (!subscription?.correlationKey) problems.push(`${where}: the message "${message.name}" needs a correlation key (zeebe:subscription)`);
  return { name: message.name, correlationKey: subscription?.correlationKey };
}

function readExtension(ext: Record<string, unknown> & { $type: string }, meta: ElementMeta): void {
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  switch (ext.$type) {
    case 'zeebe:TaskDefinition':
      meta.jobType = s(ext.type);
      meta.retries = s(ext.retries);
      break;
    case 'zeebe:TaskHeaders':
      for (const h of (ext.values as Array<{ key: string; value: string }>) ?? []) meta.headers[h.key] = h.value;
      break;
    case 'zeebe:IoMapping':
      meta.inputs = ((ext.inputParameters as IoMapping[]) ?? []).map((p) => ({ source: p.source, target: p.target }));
      meta.outputs = ((ext.outputParameters as IoMapping[]) ?? []).map((p) => ({ source: p.source, target: p.target }));
      break;
    case 'zeebe:UserTask':
      meta.userTask ??= {};
      break;
    case 'zeebe:AssignmentDefinition':
      meta.userTask = {
        ...meta.userTask,
        assignee: s(ext.assignee),
        candidateGroups: s(ext.candidateGroups),
        candidateUsers: s(ext.candidateUsers),
      };
      break;
    case 'zeebe:TaskSchedule':
      meta.userTask = { ...meta.userTask, dueDate: s(ext.dueDate), followUpDate: s(ext.followUpDate) };
      break;
    case 'zeebe:FormDefinition':
      meta.userTask = { ...meta.userTask, formId: s(ext.formId) ?? s(ext.formKey), externalReference: s(ext.externalReference) };
      break;
    case 'zeebe:CalledDecision':
      meta.decision = { decisionId: s(ext.decisionId) ?? '', resultVariable: s(ext.resultVariable) ?? '' };
      break;
    case 'zeebe:CalledElement':
      meta.call = {
        processId: s(ext.processId) ?? '',
        propagateAllChildVariables: ext.propagateAllChildVariables !== false,
        propagateAllParentVariables: ext.propagateAllParentVariables !== false,
      };
      break;
    case 'zeebe:PriorityDefinition':
      meta.userTask = { ...meta.userTask, priority: s(ext.priority) };
      break;
  }
}
