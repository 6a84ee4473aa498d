/**
 * A deployed process as the engine runs it: an immutable graph of element metas and sequence flows, built once per
 * deployed version (process-model.ts) and shared by every instance and step.
 */
export interface IoMapping {
  source: string;
  target: string;
}

/** The user task lifecycle events whose listeners the engine runs. */
export const TASK_LISTENER_EVENTS = ['creating', 'assigning', 'updating', 'completing'] as const;
export type TaskListenerEvent = (typeof TASK_LISTENER_EVENTS)[number];

export interface Listener {
  type: string;
  retries?: string;
}

export type EventKind = 'message' | 'timer' | 'error' | 'escalation' | 'signal' | 'terminate' | 'link' | 'compensation';

export interface ElementMeta {
  id: string;
  name: string;
  /** bpmn:ServiceTask … */
  type: string;
  /** The element instance type the REST API reports (SERVICE_TASK, EVENT_SUB_PROCESS …). */
  instanceType: string;
  /** The flow scope: the id of the sub-process holding it, or the process id. */
  parent: string;
  incoming: string[];
  outgoing: string[];
  defaultFlow?: string;
  jobType?: string;
  retries?: string;
  headers: Record<string, string>;
  inputs: IoMapping[];
  outputs: IoMapping[];
  /** The event definition of an event (none: a plain event). */
  event?: EventKind;
  /** Boundary events: the activity they are attached to; start and boundary events: whether they interrupt. */
  attachedTo?: string;
  interrupting: boolean;
  /** Activities: their boundary events. */
  boundaries: string[];
  /** Sub-processes: triggered by an event (an event sub-process). A start event inside one knows it too. */
  triggeredByEvent?: boolean;
  inEventSubProcess?: boolean;
  /** Message catch (intermediate, boundary, receive task, start): the name and the correlation key expression. */
  message?: { name: string; correlationKey?: string };
  timer?: { type: 'timeDate' | 'timeDuration' | 'timeCycle'; value: string };
  /** Error events: the code thrown or caught (undefined on a catch event: every error). */
  error?: { code?: string };
  /** Escalation events: the code thrown or caught (undefined on a catch event: every escalation). */
  escalation?: { code?: string };
  signal?: { name: string };
  link?: string;
  /**
   * Compensation: on a boundary event, its handler (the activity associated with it); on a throw or end event, the
   * activity to compensate (none: every completed activity of its scope).
   */
  compensation?: { handler?: string; activityRef?: string };
  /** An activity marked isForCompensation: it runs only as a compensation handler. */
  forCompensation?: boolean;
  /** Ad-hoc sub-process: what it activates on entering, when it completes, what it collects. */
  adHoc?: {
    activeElements?: string;
    completionCondition?: string;
    cancelRemainingInstances: boolean;
    outputCollection?: string;
    outputElement?: string;
    /** The inner elements it may activate (no incoming flows): their ids, and the metadata Zeebe puts in `adHocSubProcessElements`. */
    activities: string[];
    metadata: Array<Record<string, unknown>>;
  };
  /** Multi-instance: the collection to iterate, each item's variable, and how results are collected. */
  multi?: {
    sequential: boolean;
    inputCollection: string;
    inputElement?: string;
    outputCollection?: string;
    outputElement?: string;
    completionCondition?: string;
  };
  /** Business rule task on a DMN decision: the decision id and where its result goes. */
  decision?: { decisionId: string; resultVariable: string };
  /** Script task in FEEL: the expression and where its result goes. */
  script?: { expression: string; resultVariable: string };
  /** Call activity: the called process id (static or FEEL) and how variables cross the boundary. */
  call?: { processId: string; propagateAllChildVariables: boolean; propagateAllParentVariables: boolean };
  /** Execution listeners: jobs run before the element starts and after it ends. */
  listeners: { start?: Listener[]; end?: Listener[] };
  /** User task listeners: jobs run, in order, while a Camunda user task is created, assigned, updated or completed. */
  taskListeners: Partial<Record<TaskListenerEvent, Listener[]>>;
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

export interface SequenceFlow {
  id: string;
  source: string;
  target: string;
  condition?: string;
}

/** A flow scope (the process or a sub-process): where it starts and which events can start inside it. */
export interface Scope {
  /** The none start event. */
  start?: string;
  /** Start events of the event sub-processes directly inside this scope. */
  eventStarts: string[];
  /** Link catch events by link name. */
  links: Map<string, string>;
}

export interface ProcessModel {
  processId: string;
  name: string;
  elements: Map<string, ElementMeta>;
  flows: Map<string, SequenceFlow>;
  scopes: Map<string, Scope>;
  /** Sequence-flow condition expressions: these must evaluate to booleans, other expressions to any value. */
  conditions: Set<string>;
  /** The process's own start events that wait for something: message, timer and signal starts. */
  eventStarts: string[];
  /** Inclusive joins: for each, the elements from which each of its incoming flows can still be reached. */
  reaching: Map<string, Map<string, Set<string>>>;
}

export type ModdleElement = {
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
    signalRef?: { name?: string };
    messageRef?: ModdleMessage;
    name?: string;
    activityRef?: ModdleElement;
    timeDate?: { body?: string };
    timeDuration?: { body?: string };
    timeCycle?: { body?: string };
  }>;
  messageRef?: ModdleMessage;
  conditionExpression?: { body?: string };
  sourceRef?: ModdleElement;
  targetRef?: ModdleElement;
  default?: ModdleElement;
  outgoing?: ModdleElement[];
  incoming?: ModdleElement[];
  rootElements?: ModdleElement[];
  artifacts?: ModdleElement[];
  documentation?: Array<{ text?: string }>;
  isForCompensation?: boolean;
  completionCondition?: { body?: string };
  cancelRemainingInstances?: boolean;
  triggeredByEvent?: boolean;
  cancelActivity?: boolean;
  isInterrupting?: boolean;
  attachedToRef?: ModdleElement;
  loopCharacteristics?: {
    $type: string;
    isSequential?: boolean;
    completionCondition?: { body?: string };
    extensionElements?: { values?: Array<Record<string, unknown> & { $type: string }> };
  };
};

export type ModdleMessage = {
  id: string;
  name?: string;
  extensionElements?: { values?: Array<{ $type: string; correlationKey?: string }> };
};
