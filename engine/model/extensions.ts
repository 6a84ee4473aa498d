/**
 * What the zeebe extension elements and the event definitions of one BPMN element say, read into its
 * {@link ElementMeta}: job type and headers, io mappings, user task settings, called decision and process, script,
 * listeners, multi-instance, ad-hoc sub-processes; messages, timers, errors, escalations, signals, links, compensation.
 */
import {
  TASK_LISTENER_EVENTS,
  type ElementMeta,
  type IoMapping,
  type ModdleElement,
  type ModdleMessage,
} from './types';

type Extension = Record<string, unknown> & { $type: string };

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** One zeebe extension element of a BPMN element, read into its meta (problems listed, nothing thrown). */
export function readExtension(ext: Extension, meta: ElementMeta, where: string, problems: string[]): void {
  switch (ext.$type) {
    case 'zeebe:TaskDefinition':
      meta.jobType = text(ext.type);
      meta.retries = text(ext.retries);
      break;
    case 'zeebe:TaskHeaders':
      for (const h of (ext.values as Array<{ key: string; value: string }>) ?? []) meta.headers[h.key] = h.value;
      break;
    case 'zeebe:IoMapping':
      meta.inputs = ((ext.inputParameters as IoMapping[]) ?? []).map((p) => ({
        source: p.source ?? '=null',
        target: p.target,
      }));
      meta.outputs = ((ext.outputParameters as IoMapping[]) ?? []).map((p) => ({
        source: p.source ?? '=null',
        target: p.target,
      }));
      break;
    case 'zeebe:UserTask':
      meta.userTask ??= {};
      break;
    case 'zeebe:AssignmentDefinition':
      meta.userTask = {
        ...meta.userTask,
        assignee: text(ext.assignee),
        candidateGroups: text(ext.candidateGroups),
        candidateUsers: text(ext.candidateUsers),
      };
      break;
    case 'zeebe:TaskSchedule':
      meta.userTask = { ...meta.userTask, dueDate: text(ext.dueDate), followUpDate: text(ext.followUpDate) };
      break;
    case 'zeebe:FormDefinition':
      meta.userTask = {
        ...meta.userTask,
        formId: text(ext.formId) ?? text(ext.formKey),
        externalReference: text(ext.externalReference),
      };
      break;
    case 'zeebe:PriorityDefinition':
      meta.userTask = { ...meta.userTask, priority: text(ext.priority) };
      break;
    case 'zeebe:CalledDecision':
      meta.decision = { decisionId: text(ext.decisionId) ?? '', resultVariable: text(ext.resultVariable) ?? '' };
      break;
    case 'zeebe:CalledElement':
      meta.call = {
        processId: text(ext.processId) ?? '',
        propagateAllChildVariables: ext.propagateAllChildVariables !== false,
        propagateAllParentVariables: ext.propagateAllParentVariables !== false,
      };
      break;
    case 'zeebe:Script':
      meta.script = { expression: text(ext.expression) ?? '', resultVariable: text(ext.resultVariable) ?? '' };
      break;
    case 'zeebe:ExecutionListeners':
      readExecutionListeners(ext, meta, where, problems);
      break;
    case 'zeebe:TaskListeners':
      readTaskListeners(ext, meta, where, problems);
      break;
    case 'zeebe:AdHoc':
      if (!meta.adHoc) problems.push(`${where}: zeebe:adHoc belongs on an ad-hoc sub-process`);
      else
        Object.assign(meta.adHoc, {
          activeElements: text(ext.activeElementsCollection),
          outputCollection: text(ext.outputCollection),
          outputElement: text(ext.outputElement),
        });
      break;
  }
}

/** Execution listeners (start, end): a job type each, run one at a time in the model's order. */
function readExecutionListeners(ext: Extension, meta: ElementMeta, where: string, problems: string[]): void {
  for (const l of (ext.listeners as Extension[]) ?? []) {
    const type = text(l.type);
    const event = l.eventType === 'end' ? 'end' : l.eventType === 'start' ? 'start' : undefined;
    if (!type || !event) problems.push(`${where}: an execution listener needs a type and an event type (start or end)`);
    else (meta.listeners[event] ??= []).push({ type, retries: text(l.retries) });
  }
}

/** User task listeners (creating, assigning, updating, completing; canceling is refused): a job type each. */
function readTaskListeners(ext: Extension, meta: ElementMeta, where: string, problems: string[]): void {
  for (const l of (ext.listeners as Extension[]) ?? []) {
    const type = text(l.type);
    const event = TASK_LISTENER_EVENTS.find((e) => e === l.eventType);
    if (l.eventType === 'canceling') {
      problems.push(
        `${where}: canceling user task listeners are not supported by the embedded engine yet (creating, assigning, updating and completing are)`,
      );
    } else if (!type || !event) {
      problems.push(
        `${where}: a user task listener needs a type and an event type (creating, assigning, updating or completing)`,
      );
    } else (meta.taskListeners[event] ??= []).push({ type, retries: text(l.retries) });
  }
}

/** A message's name (static or FEEL) and its correlation key expression (none on a message start event). */
export function readMessage(
  message: ModdleMessage | undefined,
  where: string,
  problems: string[],
  needsKey: boolean,
): ElementMeta['message'] {
  if (!message?.name) {
    problems.push(`${where}: the message needs a name`);
    return undefined;
  }
  const subscription = message.extensionElements?.values?.find((v) => v.$type === 'zeebe:Subscription');
  if (needsKey && !subscription?.correlationKey)
    problems.push(`${where}: the message "${message.name}" needs a correlation key (zeebe:subscription)`);
  return { name: message.name, correlationKey: subscription?.correlationKey };
}

/** Multi-instance loop characteristics, checked. */
export function readLoop(
  el: ModdleElement,
  meta: ElementMeta,
  where: string,
  problems: string[],
  conditions: Set<string>,
): void {
  const loop = el.loopCharacteristics;
  if (!loop) return;
  const zeebe: Extension = loop.extensionElements?.values?.find((v) => v.$type === 'zeebe:LoopCharacteristics') ?? {
    $type: '',
  };
  if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
    problems.push(`${where}: only multi-instance loops are supported (Camunda 8 has no standard loops)`);
    return;
  }
  if (!text(zeebe.inputCollection)) {
    problems.push(`${where}: a multi-instance needs an input collection (zeebe:loopCharacteristics)`);
    return;
  }
  meta.multi = {
    sequential: loop.isSequential === true,
    inputCollection: text(zeebe.inputCollection)!,
    inputElement: text(zeebe.inputElement),
    outputCollection: text(zeebe.outputCollection),
    outputElement: text(zeebe.outputElement),
    completionCondition: loop.completionCondition?.body?.trim() || undefined,
  };
  if (meta.multi.completionCondition) conditions.add(meta.multi.completionCondition);
  if (meta.multi.outputCollection && !meta.multi.outputElement)
    problems.push(`${where}: an output collection needs an output element`);
}

/** The event definition of an event element, read into its meta. */
export function readEventDefinition(el: ModdleElement, meta: ElementMeta, where: string, problems: string[]): void {
  const defs = el.eventDefinitions ?? [];
  if (defs.length > 1)
    problems.push(
      `${where}: an event with more than one event definition (multiple event) is not executable in Camunda 8`,
    );
  const def = defs[0];
  if (!def) return;
  const isStart = el.$type === 'bpmn:StartEvent';
  const isThrow = el.$type === 'bpmn:EndEvent' || el.$type === 'bpmn:IntermediateThrowEvent';
  switch (def.$type) {
    case 'bpmn:MessageEventDefinition':
      meta.event = 'message';
      if (isThrow) {
        if (!meta.jobType) problems.push(`${where}: a message throw event needs a job type (zeebe:taskDefinition)`);
      } else {
        // A message start event of a process has no correlation key; one of an event sub-process has.
        meta.message = readMessage(def.messageRef, where, problems, !(isStart && !meta.inEventSubProcess));
      }
      break;
    case 'bpmn:TimerEventDefinition': {
      meta.event = 'timer';
      const type = (['timeDate', 'timeDuration', 'timeCycle'] as const).find((t) => def[t]?.body?.trim());
      if (!type) problems.push(`${where}: the timer needs a date, a duration or a cycle`);
      else meta.timer = { type, value: def[type]!.body!.trim() };
      break;
    }
    case 'bpmn:ErrorEventDefinition':
      meta.event = 'error';
      meta.error = { code: def.errorRef?.errorCode || undefined };
      if (isThrow && !meta.error.code) problems.push(`${where}: an error end event needs an error with a code`);
      break;
    case 'bpmn:EscalationEventDefinition':
      meta.event = 'escalation';
      meta.escalation = { code: def.escalationRef?.escalationCode || undefined };
      if (isThrow && !meta.escalation.code)
        problems.push(`${where}: an escalation throw event needs an escalation with a code`);
      break;
    case 'bpmn:SignalEventDefinition':
      meta.event = 'signal';
      if (!def.signalRef?.name) problems.push(`${where}: the signal needs a name`);
      else meta.signal = { name: def.signalRef.name };
      break;
    case 'bpmn:TerminateEventDefinition':
      meta.event = 'terminate';
      break;
    case 'bpmn:CompensateEventDefinition':
      meta.event = 'compensation';
      meta.compensation = { activityRef: def.activityRef?.id };
      break;
    case 'bpmn:LinkEventDefinition':
      meta.event = 'link';
      if (!def.name) problems.push(`${where}: a link event needs a name`);
      else meta.link = def.name;
      break;
    default:
      problems.push(`${where}: ${def.$type} is not supported by the embedded engine yet`);
  }
}
