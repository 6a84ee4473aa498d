/**
 * The model checks' findings as sentences an admin reads (domain/lint-messages.ts): bpmnlint's and Camunda 8.8
 * compatibility's terse English becomes Simplified Chinese naming the element by its name, with English kept for
 * English readers; the API hands each reader their half.
 */
import { bilingual, explainFeel, explainLint, inLanguage } from '../../domain/lint-messages';
import { lintBpmn } from '../../server/model-lint';

const SERVICE_TASK = { id: 'Task_ComputeDeadlines', name: '计算法定期限', type: 'bpmn:ServiceTask' };

/** Where each element is drawn (bpmnlint wants every element on the diagram): x, y of shapes; edges from, to. */
const SHAPES: Array<[string, number, number]> = [
  ['Start_Registered', 0, 0],
  ['Task_ComputeDeadlines', 150, 0],
  ['Gateway_Class', 300, 0],
  ['End_Done', 450, 0],
  ['End_Team', 450, 200],
];
const EDGES: Array<[string, Array<[number, number]>]> = [
  [
    'Flow_1',
    [
      [100, 40],
      [150, 40],
    ],
  ],
  [
    'Flow_2',
    [
      [250, 40],
      [300, 40],
    ],
  ],
  [
    'Flow_Simple',
    [
      [400, 40],
      [450, 40],
    ],
  ],
  [
    'Flow_Complex',
    [
      [350, 80],
      [350, 240],
      [450, 240],
    ],
  ],
];
const DI = [
  ...SHAPES.map(
    ([id, x, y]) =>
      `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${x}" y="${y}" width="100" height="80" /></bpmndi:BPMNShape>`,
  ),
  ...EDGES.map(
    ([id, points]) =>
      `<bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}">${points.map(([x, y]) => `<di:waypoint x="${x}" y="${y}" />`).join('')}</bpmndi:BPMNEdge>`,
  ),
].join('');

/** A small process, built inline: start → service task → gateway → two flows → end. */
const model = (task: string, flows: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:modeler="http://camunda.org/schema/modeler/1.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0"
  id="Definitions_Lint" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="lint-sample" name="示例流程" isExecutable="true">
    <bpmn:startEvent id="Start_Registered" name="已登记"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_Registered" targetRef="Task_ComputeDeadlines" />
    ${task}
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_ComputeDeadlines" targetRef="Gateway_Class" />
    <bpmn:exclusiveGateway id="Gateway_Class" name="哪一类？"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_Simple</bpmn:outgoing><bpmn:outgoing>Flow_Complex</bpmn:outgoing></bpmn:exclusiveGateway>
    ${flows}
    <bpmn:endEvent id="End_Done" name="办结"><bpmn:incoming>Flow_Simple</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="End_Team" name="转工作组"><bpmn:incoming>Flow_Complex</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_Lint" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI">
    <bpmndi:BPMNPlane id="Plane_Lint" bpmnElement="lint-sample">${DI}</bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
const GOOD_TASK = `<bpmn:serviceTask id="Task_ComputeDeadlines" name="计算法定期限"><bpmn:extensionElements><zeebe:taskDefinition type="compute-deadlines" /></bpmn:extensionElements><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:serviceTask>`;
const GOOD_FLOWS = `<bpmn:sequenceFlow id="Flow_Simple" name="简易类" sourceRef="Gateway_Class" targetRef="End_Done"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">=caseClass = "simple"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_Complex" name="复杂类" sourceRef="Gateway_Class" targetRef="End_Team"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">=caseClass = "complex"</bpmn:conditionExpression></bpmn:sequenceFlow>`;

describe('the model checks in people’s words', () => {
  it('when Camunda finds a service task without a job type, then the sentence names the task and what to fill in', () => {
    // when
    const text = explainLint('Element of type <zeebe:TaskDefinition> must have property <type>', SERVICE_TASK);
    // then
    expect(text.zh).toBe('服务任务「计算法定期限」的任务定义没有填写「作业类型」，请在属性面板中填写。');
    expect(text.en).toBe(
      'Service task "计算法定期限"\'s task definition has no job type; fill it in in the properties panel.',
    );
  });

  it('when a property of the element itself is missing, then it is named without the extension', () => {
    // when
    const text = explainLint('Element of type <bpmn:SequenceFlow> must have property <conditionExpression>', {
      id: 'Flow_Complex',
      name: '复杂类',
      type: 'bpmn:SequenceFlow',
    });
    // then
    expect(text.zh).toBe('顺序流「复杂类」没有填写「条件表达式」，请在属性面板中填写。');
  });

  it.each([
    [
      'Element is missing label/name',
      { id: 'Task_1', type: 'bpmn:UserTask' },
      '用户任务 Task_1（未命名）没有名称，请填写名称。',
    ],
    [
      'Process is missing start event',
      { id: 'p', name: '信访件办理', type: 'bpmn:Process' },
      '流程「信访件办理」缺少开始事件。',
    ],
    [
      'Element of type <bpmn:ComplexGateway> not allowed',
      { id: 'G', name: '合并', type: 'bpmn:ComplexGateway' },
      '复杂网关「合并」：不能使用复杂网关（Camunda 8.8 不支持）。',
    ],
    [
      'Element of type <bpmn:CallActivity> must have property <zeebe:CalledElement>',
      { id: 'C', name: '街道办理', type: 'bpmn:CallActivity' },
      '调用活动「街道办理」没有填写「zeebe:CalledElement」，请在属性面板中填写。',
    ],
    [
      'Element of type <bpmn:UserTask> must have one extension element of type <zeebe:FormDefinition> or <zeebe:UserTask>',
      { id: 'U', name: '审核', type: 'bpmn:UserTask' },
      '用户任务「审核」缺少表单设置或Camunda 用户任务设置，请在属性面板中设置。',
    ],
    [
      'Property <timeCycle> is not a valid FEEL expression',
      { id: 'T', name: '每日', type: 'bpmn:StartEvent' },
      '开始事件「每日」的「周期」不是有效的 FEEL 表达式，请检查括号、引号和运算符。',
    ],
  ])('when bpmnlint reports "%s", then the Chinese sentence names the element', (message, subject, zh) => {
    expect(explainLint(message, subject).zh).toBe(zh);
  });

  it('when a message is not in the table, then it is kept, after the element named in Chinese', () => {
    // when
    const text = explainLint('Something new the rules say', SERVICE_TASK);
    // then
    expect(text).toEqual({
      zh: '服务任务「计算法定期限」：Something new the rules say',
      en: 'Service task "计算法定期限": Something new the rules say',
    });
  });

  it('when a FEEL expression is cut short, then the sentence quotes it and says what is unfinished', () => {
    expect(explainFeel('caseClass = ', 'Incomplete <Comparison>').zh).toBe(
      '表达式「caseClass = 」没有写完整（比较缺少内容）。',
    );
  });

  it('when a problem is written in both languages, then each reader gets their half', () => {
    // given
    const problem = { rule: 'x', severity: 'error' as const, ...bilingual({ zh: '中文', en: 'English' }) };
    // then
    expect(problem.message).toBe('中文 / English');
    expect(inLanguage(problem, 'zh')).toEqual({ rule: 'x', severity: 'error', message: '中文' });
    expect(inLanguage(problem, 'en')).toEqual({ rule: 'x', severity: 'error', message: 'English' });
    expect(inLanguage({ rule: 'y', message: 'as it is' }, 'en')).toEqual({ rule: 'y', message: 'as it is' });
  });

  it('when a model without a job type and with a flow without condition is linted, then every finding reads in Chinese by name', async () => {
    // given
    expect(await lintBpmn('lint-sample.bpmn', model(GOOD_TASK, GOOD_FLOWS))).toEqual([]);
    const broken = model(
      GOOD_TASK.replace('type="compute-deadlines" ', ''),
      GOOD_FLOWS.replace(/<bpmn:conditionExpression[^>]*>=caseClass = "complex"<\/bpmn:conditionExpression>/, ''),
    );
    // when
    const found = (await lintBpmn('lint-sample.bpmn', broken)).map((p) => ({ ...inLanguage(p, 'zh'), rule: p.rule }));
    // then
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'camunda-compat/implementation',
          elementId: 'Task_ComputeDeadlines',
          message: '服务任务「计算法定期限」的任务定义没有填写「作业类型」，请在属性面板中填写。',
        }),
        expect.objectContaining({
          rule: 'conditional-flows',
          elementId: 'Flow_Complex',
          message: '顺序流「复杂类」没有条件：从分支网关出发的每条顺序流都要写条件，或设为默认流。',
        }),
      ]),
    );
    // and no finding is left in the rules' English
    for (const p of found) expect(p.message).not.toMatch(/Element of type|must have|is missing/);
  });
});
