/**
 * The words the model checks' sentences are made of (domain/lint-messages.ts): what people call the BPMN elements,
 * Camunda's extension elements and their properties, in Simplified Chinese and English. A type or property not
 * listed is named as the model writes it.
 */

export interface Bilingual {
  zh: string;
  en: string;
}

/** Element, event definition and extension element types (`bpmn:UserTask`, `zeebe:TaskDefinition`, …). */
const TYPES: Record<string, Bilingual> = {
  'bpmn:Definitions': { zh: '模型', en: 'model' },
  'bpmn:Process': { zh: '流程', en: 'process' },
  'bpmn:Collaboration': { zh: '协作图', en: 'collaboration' },
  'bpmn:Participant': { zh: '参与者（池）', en: 'participant' },
  'bpmn:Lane': { zh: '泳道', en: 'lane' },
  'bpmn:StartEvent': { zh: '开始事件', en: 'start event' },
  'bpmn:EndEvent': { zh: '结束事件', en: 'end event' },
  'bpmn:IntermediateCatchEvent': { zh: '中间捕获事件', en: 'intermediate catch event' },
  'bpmn:IntermediateThrowEvent': { zh: '中间抛出事件', en: 'intermediate throw event' },
  'bpmn:BoundaryEvent': { zh: '边界事件', en: 'boundary event' },
  'bpmn:Task': { zh: '任务', en: 'task' },
  'bpmn:UserTask': { zh: '用户任务', en: 'user task' },
  'bpmn:ServiceTask': { zh: '服务任务', en: 'service task' },
  'bpmn:SendTask': { zh: '发送任务', en: 'send task' },
  'bpmn:ReceiveTask': { zh: '接收任务', en: 'receive task' },
  'bpmn:ScriptTask': { zh: '脚本任务', en: 'script task' },
  'bpmn:BusinessRuleTask': { zh: '业务规则任务', en: 'business rule task' },
  'bpmn:ManualTask': { zh: '手工任务', en: 'manual task' },
  'bpmn:CallActivity': { zh: '调用活动', en: 'call activity' },
  'bpmn:SubProcess': { zh: '子流程', en: 'sub-process' },
  'bpmn:AdHocSubProcess': { zh: '自由子流程', en: 'ad-hoc sub-process' },
  'bpmn:Transaction': { zh: '事务子流程', en: 'transaction' },
  'bpmn:ExclusiveGateway': { zh: '排他网关', en: 'exclusive gateway' },
  'bpmn:ParallelGateway': { zh: '并行网关', en: 'parallel gateway' },
  'bpmn:InclusiveGateway': { zh: '包容网关', en: 'inclusive gateway' },
  'bpmn:EventBasedGateway': { zh: '事件网关', en: 'event-based gateway' },
  'bpmn:ComplexGateway': { zh: '复杂网关', en: 'complex gateway' },
  'bpmn:SequenceFlow': { zh: '顺序流', en: 'sequence flow' },
  'bpmn:MessageFlow': { zh: '消息流', en: 'message flow' },
  'bpmn:Message': { zh: '消息', en: 'message' },
  'bpmn:Error': { zh: '错误', en: 'error' },
  'bpmn:Signal': { zh: '信号', en: 'signal' },
  'bpmn:Escalation': { zh: '升级', en: 'escalation' },
  'bpmn:DataObjectReference': { zh: '数据对象', en: 'data object' },
  'bpmn:DataStoreReference': { zh: '数据存储', en: 'data store' },
  'bpmn:TextAnnotation': { zh: '文本注释', en: 'text annotation' },
  'bpmn:Group': { zh: '分组', en: 'group' },
  'bpmn:FormalExpression': { zh: '表达式', en: 'expression' },
  'bpmn:MultiInstanceLoopCharacteristics': { zh: '多实例设置', en: 'multi-instance settings' },
  'bpmn:StandardLoopCharacteristics': { zh: '循环设置', en: 'loop settings' },
  'bpmn:TimerEventDefinition': { zh: '定时器', en: 'timer' },
  'bpmn:MessageEventDefinition': { zh: '消息', en: 'message' },
  'bpmn:ErrorEventDefinition': { zh: '错误', en: 'error' },
  'bpmn:SignalEventDefinition': { zh: '信号', en: 'signal' },
  'bpmn:EscalationEventDefinition': { zh: '升级', en: 'escalation' },
  'bpmn:ConditionalEventDefinition': { zh: '条件', en: 'condition' },
  'bpmn:LinkEventDefinition': { zh: '链接', en: 'link' },
  'bpmn:CompensateEventDefinition': { zh: '补偿', en: 'compensation' },
  'bpmn:TerminateEventDefinition': { zh: '终止', en: 'termination' },
  'bpmn:CancelEventDefinition': { zh: '取消', en: 'cancellation' },
  'zeebe:TaskDefinition': { zh: '任务定义', en: 'task definition' },
  'zeebe:FormDefinition': { zh: '表单设置', en: 'form settings' },
  'zeebe:UserTask': { zh: 'Camunda 用户任务设置', en: 'Camunda user task setting' },
  'zeebe:AssignmentDefinition': { zh: '分配设置', en: 'assignment' },
  'zeebe:TaskSchedule': { zh: '任务时间安排', en: 'task schedule' },
  'zeebe:PriorityDefinition': { zh: '优先级设置', en: 'priority' },
  'zeebe:CalledElement': { zh: '被调用流程设置', en: 'called element settings' },
  'zeebe:CalledDecision': { zh: '被调用决策设置', en: 'called decision settings' },
  'zeebe:Script': { zh: '脚本设置', en: 'script settings' },
  'zeebe:Subscription': { zh: '消息订阅', en: 'message subscription' },
  'zeebe:LoopCharacteristics': { zh: '多实例设置', en: 'multi-instance settings' },
  'zeebe:IoMapping': { zh: '输入输出映射', en: 'input/output mapping' },
  'zeebe:Input': { zh: '输入映射', en: 'input mapping' },
  'zeebe:Output': { zh: '输出映射', en: 'output mapping' },
  'zeebe:TaskHeaders': { zh: '任务头信息', en: 'task headers' },
  'zeebe:Header': { zh: '头信息', en: 'header' },
  'zeebe:ExecutionListener': { zh: '执行监听器', en: 'execution listener' },
  'zeebe:ExecutionListeners': { zh: '执行监听器', en: 'execution listeners' },
  'zeebe:TaskListener': { zh: '任务监听器', en: 'task listener' },
  'zeebe:TaskListeners': { zh: '任务监听器', en: 'task listeners' },
  'zeebe:Properties': { zh: '扩展属性', en: 'extension properties' },
  'zeebe:Property': { zh: '扩展属性', en: 'extension property' },
  'zeebe:VersionTag': { zh: '版本标签', en: 'version tag' },
  'zeebe:AdHoc': { zh: '自由子流程设置', en: 'ad-hoc settings' },
  'zeebe:LinkedResources': { zh: '关联资源', en: 'linked resources' },
  'zeebe:UserTaskForm': { zh: '内嵌表单', en: 'embedded form' },
};

/** Properties, by `type.property` where a word depends on the element, else by the property alone. */
const PROPERTIES: Record<string, Bilingual> = {
  'zeebe:TaskDefinition.type': { zh: '作业类型', en: 'job type' },
  'zeebe:ExecutionListener.type': { zh: '监听器作业类型', en: 'listener job type' },
  'zeebe:TaskListener.type': { zh: '监听器作业类型', en: 'listener job type' },
  'zeebe:Header.key': { zh: '头信息的键', en: 'header key' },
  'zeebe:Property.name': { zh: '属性名', en: 'property name' },
  type: { zh: '类型', en: 'type' },
  retries: { zh: '重试次数', en: 'retries' },
  name: { zh: '名称', en: 'name' },
  conditionExpression: { zh: '条件表达式', en: 'condition' },
  condition: { zh: '条件', en: 'condition' },
  formKey: { zh: '表单键', en: 'form key' },
  formId: { zh: '表单编号', en: 'form ID' },
  externalReference: { zh: '外部表单地址', en: 'external form reference' },
  processId: { zh: '被调用流程编号', en: 'called process ID' },
  decisionId: { zh: '决策编号', en: 'decision ID' },
  resultVariable: { zh: '结果变量', en: 'result variable' },
  expression: { zh: '表达式', en: 'expression' },
  correlationKey: { zh: '关联键', en: 'correlation key' },
  messageRef: { zh: '消息', en: 'message' },
  errorRef: { zh: '错误', en: 'error' },
  signalRef: { zh: '信号', en: 'signal' },
  escalationRef: { zh: '升级', en: 'escalation' },
  errorCode: { zh: '错误代码', en: 'error code' },
  escalationCode: { zh: '升级代码', en: 'escalation code' },
  timeCycle: { zh: '周期', en: 'cycle' },
  timeDate: { zh: '日期', en: 'date' },
  timeDuration: { zh: '时长', en: 'duration' },
  inputCollection: { zh: '输入集合', en: 'input collection' },
  inputElement: { zh: '输入元素', en: 'input element' },
  outputCollection: { zh: '输出集合', en: 'output collection' },
  outputElement: { zh: '输出元素', en: 'output element' },
  completionCondition: { zh: '完成条件', en: 'completion condition' },
  candidateGroups: { zh: '候选组', en: 'candidate groups' },
  candidateUsers: { zh: '候选用户', en: 'candidate users' },
  assignee: { zh: '办理人', en: 'assignee' },
  dueDate: { zh: '到期时间', en: 'due date' },
  followUpDate: { zh: '跟进时间', en: 'follow-up date' },
  priority: { zh: '优先级', en: 'priority' },
  source: { zh: '来源', en: 'source' },
  target: { zh: '目标变量', en: 'target' },
  eventType: { zh: '事件类型', en: 'event type' },
  eventDefinitions: { zh: '事件定义', en: 'event definition' },
  incoming: { zh: '流入的顺序流', en: 'incoming sequence flow' },
  outgoing: { zh: '流出的顺序流', en: 'outgoing sequence flow' },
  bindingType: { zh: '绑定方式', en: 'binding' },
  versionTag: { zh: '版本标签', en: 'version tag' },
  isInterrupting: { zh: '是否中断', en: 'interrupting' },
  propagateAllParentVariables: { zh: '传入父流程的全部变量', en: 'propagate all parent variables' },
  loopCharacteristics: { zh: '多实例设置', en: 'multi-instance settings' },
  key: { zh: '键', en: 'key' },
  value: { zh: '值', en: 'value' },
  isExecutable: { zh: '可执行', en: 'executable' },
};

/** What people call an element or extension type. */
export function typeWord(type: string): Bilingual {
  return TYPES[type] ?? { zh: type, en: type };
}

/** What people call a property of an element of `type`. */
export function propertyWord(property: string, type?: string): Bilingual {
  return (type && PROPERTIES[`${type}.${property}`]) || PROPERTIES[property] || { zh: property, en: property };
}

/** The element a problem is on, as far as the sentences name it. */
export interface LintSubject {
  id?: string;
  name?: string;
  /** Its moddle type, e.g. `bpmn:ServiceTask`. */
  type?: string;
}

/** The element named as people know it: `服务任务「计算法定期限」` / `service task "计算法定期限"`. */
export function subjectWords(subject: LintSubject | undefined): Bilingual {
  const kind = subject?.type ? typeWord(subject.type) : { zh: '元素', en: 'element' };
  const name = subject?.name?.trim();
  if (name) return { zh: `${kind.zh}「${name}」`, en: `${kind.en} "${name}"` };
  if (subject?.id) return { zh: `${kind.zh} ${subject.id}（未命名）`, en: `unnamed ${kind.en} ${subject.id}` };
  return { zh: '模型', en: 'the model' };
}

/** Writes a finding's sentence from the pattern's match and the element named in both languages. */
export type Sentence = (m: RegExpExecArray, who: Bilingual, subject: LintSubject | undefined) => Bilingual;

/** An English sentence's first letter in capitals. */
export const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
