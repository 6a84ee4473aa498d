/**
 * The modeler in Chinese: diagram-js's `translate` service replaced, for the BPMN and DMN editors and their properties
 * panels. The palette, context pad and replace menu come from bpmn-js-i18n's community translation; the properties
 * panel's groups and fields (the Camunda 8 ones an admin of this system meets) are this project's. A text without a
 * translation is shown as it is. English readers (the language switch) keep the editors' own English.
 */
import zn from 'bpmn-js-i18n/translations/zn';
import { lang } from '../web/src/lib/i18n';

/** The properties panel, Camunda 8 (zeebe) entries: groups, fields, choices. */
const PANEL: Record<string, string> = {
  General: '常规',
  Name: '名称',
  ID: '编号',
  Documentation: '说明',
  'Element documentation': '元素说明',
  'Process documentation': '流程说明',
  'Process name': '流程名称',
  'Process ID': '流程编号',
  'Version tag': '版本标签',
  Executable: '可执行',
  Implementation: '实现',
  'Task definition': '任务定义',
  'Job type': '作业类型',
  Type: '类型',
  Retries: '重试次数',
  Headers: '头信息',
  Key: '键',
  Value: '值',
  Inputs: '输入',
  Outputs: '输出',
  'Input mapping': '输入映射',
  'Output mapping': '输出映射',
  'Local variable name': '局部变量名',
  'Variable assignment value': '变量取值',
  'Process variable name': '流程变量名',
  Assignment: '分配',
  Assignee: '办理人',
  'Candidate groups': '候选组',
  'Candidate users': '候选用户',
  'Due date': '到期时间',
  'Follow up date': '跟进时间',
  Priority: '优先级',
  Form: '表单',
  'Form ID': '表单编号',
  'Form key': '表单键',
  'Camunda Form (linked)': 'Camunda 表单（关联）',
  'Camunda Form (embedded)': 'Camunda 表单（内嵌）',
  'Custom form key': '自定义表单键',
  'Camunda user task': 'Camunda 用户任务',
  Condition: '条件',
  'Condition expression': '条件表达式',
  'Called element': '被调用流程',
  'Propagate all child process variables': '传回子流程的全部变量',
  'Propagate all parent process variables': '传入父流程的全部变量',
  Timer: '定时器',
  'Timer type': '定时器类型',
  Date: '日期',
  Duration: '时长',
  Cycle: '周期',
  Message: '消息',
  'Global message reference': '全局消息引用',
  'Subscription correlation key': '订阅关联键',
  'Time to live': '存活时间',
  Signal: '信号',
  Error: '错误',
  'Global error reference': '全局错误引用',
  Escalation: '升级',
  'Global escalation reference': '全局升级引用',
  Link: '链接',
  'Multi-instance': '多实例',
  'Input collection': '输入集合',
  'Input element': '输入元素',
  'Output collection': '输出集合',
  'Output element': '输出元素',
  'Completion condition': '完成条件',
  Script: '脚本',
  'Result variable': '结果变量',
  'FEEL expression': 'FEEL 表达式',
  'Called decision': '被调用决策',
  'Decision ID': '决策编号',
  Binding: '绑定',
  latest: '最新版本',
  deployment: '同一部署',
  'version tag': '版本标签',
  'Execution listeners': '执行监听器',
  'Job priority': '作业优先级',
  'Example data': '示例数据',
  'Task listeners': '任务监听器',
  'Listener type': '监听器类型',
  'Event type': '事件类型',
  start: '开始',
  end: '结束',
  'Extension properties': '扩展属性',
  Properties: '属性',
  'Tenant ID': '租户编号',
  Template: '模板',
  Templates: '模板',
  'Learn more.': '了解更多。',
  '<none>': '<无>',
  Create: '新建',
  Delete: '删除',
  'Create new ...': '新建…',
  Active: '生效',
  'Wait for completion': '等待完成',
  Exclusive: '互斥',
  'Ad-hoc sub-process': '自由子流程',
  // camunda-bpmn-js's menus, search and minimap beyond bpmn-js-i18n
  'Append element': '追加元素',
  'Change element': '更改元素类型',
  'Create element': '创建元素',
  'Toggle non-interrupting': '切换为不中断',
  'Search in diagram': '在图中搜索',
  'Open minimap': '打开缩略图',
  'Close minimap': '关闭缩略图',
  Collection: '集合',
  Loop: '循环',
  'Parallel multi-instance': '并行多实例',
  'Sequential multi-instance': '顺序多实例',
  'Participant multiplicity': '参与者多重性',
  'Job worker': '作业执行器',
  'Priority definition': '优先级设置',
  // element kinds not in bpmn-js-i18n (the comparison names elements by kind)
  Process: '流程',
  Collaboration: '协作图',
  'Pool/participant': '池（参与者）',
  Lane: '泳道',
  'Intermediate catch event': '中间捕获事件',
  'Boundary event': '边界事件',
  'Message flow': '消息流',
  'Data association': '数据关联',
  // what a comparison says changed
  'Implementation, forms and mappings': '实现、表单与映射',
  Connections: '连线',
  'Attached to': '附着的活动',
  Interrupting: '中断',
  'Event definition': '事件类型',
  // the palette's lasso (bpmn-js-i18n leaves the word in English)
  'Activate lasso tool': '启动套索工具',
  // the DMN decision table
  'View DRD': '查看决策需求图',
  'Hit policy': '命中策略',
  'Hit policy:': '命中策略：',
  First: '首条命中',
  Unique: '唯一命中',
  Any: '任一命中',
  Collect: '汇总',
  'Rule order': '规则顺序',
  'Output order': '输出顺序',
  When: '当',
  And: '且',
  Then: '则',
  Annotations: '备注',
  Annotation: '备注',
  'Decision name': '决策名称',
  'Rules may overlap. The first matching rule will be chosen': '规则可以重叠，取第一条命中的规则',
  'No overlap is possible': '规则不得重叠',
  'Add input': '添加输入',
  'Edit input': '编辑输入',
  'Add output': '添加输出',
  'Edit output': '编辑输出',
  'Move Input': '移动输入',
  'Move Output': '移动输出',
  'Move rule': '移动规则',
  'Add rule': '添加规则',
  Resize: '调整宽度',
  'Input label': '输入标签',
  'Input type': '输入类型',
  'Input expression': '输入表达式',
  'Output label': '输出标签',
  'Output name': '输出名称',
  'Output type': '输出类型',
  'Output values': '输出取值',
  Input: '输入',
  Output: '输出',
};

const DICTIONARY: Record<string, string> = { ...zn, ...PANEL };

/** What each kind of element is called, in English as bpmn-js's menus call it (translated like them). */
const KIND: Record<string, string> = {
  'bpmn:Process': 'Process',
  'bpmn:Collaboration': 'Collaboration',
  'bpmn:Participant': 'Pool/participant',
  'bpmn:Lane': 'Lane',
  'bpmn:StartEvent': 'Start event',
  'bpmn:EndEvent': 'End event',
  'bpmn:IntermediateCatchEvent': 'Intermediate catch event',
  'bpmn:IntermediateThrowEvent': 'Intermediate throw event',
  'bpmn:BoundaryEvent': 'Boundary event',
  'bpmn:Task': 'Task',
  'bpmn:UserTask': 'User task',
  'bpmn:ServiceTask': 'Service task',
  'bpmn:SendTask': 'Send task',
  'bpmn:ReceiveTask': 'Receive task',
  'bpmn:ScriptTask': 'Script task',
  'bpmn:BusinessRuleTask': 'Business rule task',
  'bpmn:ManualTask': 'Manual task',
  'bpmn:CallActivity': 'Call activity',
  'bpmn:SubProcess': 'Sub-process',
  'bpmn:AdHocSubProcess': 'Ad-hoc sub-process',
  'bpmn:ExclusiveGateway': 'Exclusive gateway',
  'bpmn:ParallelGateway': 'Parallel gateway',
  'bpmn:InclusiveGateway': 'Inclusive gateway',
  'bpmn:EventBasedGateway': 'Event-based gateway',
  'bpmn:ComplexGateway': 'Complex gateway',
  'bpmn:SequenceFlow': 'Sequence flow',
  'bpmn:MessageFlow': 'Message flow',
  'bpmn:DataObjectReference': 'Data object reference',
  'bpmn:DataStoreReference': 'Data store reference',
  'bpmn:DataInputAssociation': 'Data association',
  'bpmn:DataOutputAssociation': 'Data association',
};

/** diagram-js's translate: the template's Chinese (when there is one), placeholders filled. */
export function translate(template: string, replacements: Record<string, string> = {}): string {
  const text = lang() === 'zh' ? (DICTIONARY[template] ?? template) : template;
  return text.replace(/{([^}]+)}/g, (_, key: string) => replacements[key] ?? `{${key}}`);
}

/** What people call an element of the moddle type `type` ("用户任务", "user task"). */
export function elementKind(type: string): string {
  const english = KIND[type] ?? type.replace(/^bpmn:/, '');
  return lang() === 'zh' ? translate(english) : english.toLowerCase();
}

/** FEEL's type names as a decision table's header shows them. */
const TYPES: Record<string, string> = {
  string: '字符串',
  number: '数字',
  boolean: '布尔',
  date: '日期',
  time: '时间',
  dateTime: '日期时间',
  dayTimeDuration: '日时长',
  yearMonthDuration: '年月时长',
  any: '任意',
};

/**
 * The decision table's texts that dmn-js writes without the translate service ("Hit policy:", "Input label: 事项类别",
 * the type names), for keepChinese; undefined leaves a text as it is.
 */
export function dmnText(english: string): string | undefined {
  const labelled = /^(Decision name|Input label|Output label|Input expression|Output name): (.*)$/s.exec(english);
  if (labelled) return `${DICTIONARY[labelled[1]] ?? labelled[1]}：${labelled[2]}`;
  return DICTIONARY[english] ?? TYPES[english];
}

/** The module the editors add: `additionalModules: [translateModule]`. */
export const translateModule = { translate: ['value', translate] };
