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
};

const DICTIONARY: Record<string, string> = { ...zn, ...PANEL };

/** diagram-js's translate: the template's Chinese (when there is one), placeholders filled. */
function translate(template: string, replacements: Record<string, string> = {}): string {
  const text = lang() === 'zh' ? (DICTIONARY[template] ?? template) : template;
  return text.replace(/{([^}]+)}/g, (_, key: string) => replacements[key] ?? `{${key}}`);
}

/** The module the editors add: `additionalModules: [translateModule]`. */
export const translateModule = { translate: ['value', translate] };
