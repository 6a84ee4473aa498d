/**
 * Models that would burn the machine are refused at deploy with a message naming what is wrong: a loop of sequence
 * flows on which nothing waits (here through a service task: it would hand out jobs without end), and FEEL that
 * iterates over a literal range of millions of items. The same loop with a user task on it deploys.
 */
import { startEngine, type EngineHarness } from '../../support/engine';
import { Session } from '../../support/session';

jest.setTimeout(2 * 60 * 1000);

/** Where each element is drawn (the modeler's checks want every element on the diagram). */
const SHAPES: Array<[string, number, number]> = [
  ['Start', 0, 100],
  ['Gateway_Merge', 100, 95],
  ['Task_Work', 200, 80],
  ['Gateway_More', 350, 95],
  ['End', 450, 100],
];
const EDGES: Array<[string, string, string]> = [
  ['Flow_1', 'Start', 'Gateway_Merge'],
  ['Flow_2', 'Gateway_Merge', 'Task_Work'],
  ['Flow_3', 'Task_Work', 'Gateway_More'],
  ['Flow_Again', 'Gateway_More', 'Gateway_Merge'],
  ['Flow_Done', 'Gateway_More', 'End'],
];
const DIAGRAM = (id: string) => {
  const at = new Map(SHAPES.map(([e, x, y]) => [e, { x, y }]));
  const shapes = SHAPES.map(
    ([e, x, y]) =>
      `<bpmndi:BPMNShape id="${e}_di" bpmnElement="${e}"><dc:Bounds x="${x}" y="${y}" width="50" height="50" /></bpmndi:BPMNShape>`,
  );
  const edges = EDGES.map(
    ([f, a, b]) =>
      `<bpmndi:BPMNEdge id="${f}_di" bpmnElement="${f}"><di:waypoint x="${at.get(a)!.x + 50}" y="${at.get(a)!.y + 25}" /><di:waypoint x="${at.get(b)!.x}" y="${at.get(b)!.y + 25}" /></bpmndi:BPMNEdge>`,
  );
  return `<bpmndi:BPMNDiagram id="Diagram_${id}"><bpmndi:BPMNPlane id="Plane_${id}" bpmnElement="${id}">${[...shapes, ...edges].join('')}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>`;
};

/** A process with a loop back through a merging gateway; `onLoop` is the element the loop passes. */
function loopModel(id: string, onLoop: string, condition = '=more = true'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" name="${id}" isExecutable="true">
    <bpmn:startEvent id="Start" name="开始"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Gateway_Merge" />
    <bpmn:exclusiveGateway id="Gateway_Merge" name="合并"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:incoming>Flow_Again</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Gateway_Merge" targetRef="Task_Work" />
    ${onLoop}
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Work" targetRef="Gateway_More" />
    <bpmn:exclusiveGateway id="Gateway_More" name="还有吗？" default="Flow_Done"><bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_Again</bpmn:outgoing><bpmn:outgoing>Flow_Done</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_Again" name="还有" sourceRef="Gateway_More" targetRef="Gateway_Merge"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_Done" name="没有了" sourceRef="Gateway_More" targetRef="End" />
    <bpmn:endEvent id="End" name="结束"><bpmn:incoming>Flow_Done</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
  ${DIAGRAM(id)}
</bpmn:definitions>`;
}

const SERVICE_TASK =
  '<bpmn:serviceTask id="Task_Work" name="核对"><bpmn:extensionElements><zeebe:taskDefinition type="check" /></bpmn:extensionElements><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:serviceTask>';
const USER_TASK =
  '<bpmn:userTask id="Task_Work" name="核对"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="reception" /></bpmn:extensionElements><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:userTask>';

describe('models that would burn the machine', () => {
  let h: EngineHarness;
  let admin: Session;
  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
    admin = await new Session(h.server.url).signIn('admin');
  });
  afterAll(() => h.stop());

  /** Saves a model as a new version and asks to deploy it. */
  async function deploy(name: string, content: string, lang = 'zh') {
    const saved = await admin.call('POST', `/api/diagrams/${name}/versions`, { content });
    expect(saved.status).toBe(201);
    return admin.call('POST', `/api/diagrams/${name}/versions/${saved.body.version as number}/deploy`, undefined, {
      'accept-language': lang,
    });
  }
  const definitions = async (id: string) =>
    (
      await h.client.searchProcessDefinitions(
        { filter: { processDefinitionId: id } },
        { consistency: { waitUpToMs: 0 } },
      )
    ).items.length as number;

  it('when a model loops through a service task with nothing waiting on the loop, then its deploy is refused naming the loop', async () => {
    // when
    const refused = await deploy('service-loop.bpmn', loopModel('service-loop', SERVICE_TASK));
    // then
    expect(refused.status).toBe(422);
    expect(refused.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'loop-without-wait',
          severity: 'error',
          message: expect.stringMatching(
            /^循环中没有等待点.*合并 \(Gateway_Merge\) → 核对 \(Task_Work\) → 还有吗？ \(Gateway_More\)/,
          ),
        }),
      ]),
    );
    expect(refused.body.detail).toContain('循环中没有等待点');
    expect(await definitions('service-loop')).toBe(0);
  });

  it('when a condition iterates over a literal range of 30,000,000 items, then its deploy is refused naming the element and the expression', async () => {
    // when
    const refused = await deploy(
      'huge-range.bpmn',
      loopModel('huge-range', USER_TASK, '=count(for i in 1..30000000 return i)=0'),
      'en',
    );
    // then
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain(
      "还有 (Flow_Again): the expression 'count(for i in 1..30000000 return i)=0' iterates over 30000000 items, more than the 100000 allowed",
    );
    expect(refused.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'feel-unbounded', elementId: 'Flow_Again', severity: 'error' }),
      ]),
    );
    expect(await definitions('huge-range')).toBe(0);
  });

  it('when the loop has a user task on it and its ranges are small, then it deploys', async () => {
    // when
    const deployed = await deploy(
      'user-loop.bpmn',
      loopModel('user-loop', USER_TASK, '=more = true and count(for i in 1..10 return i) = 10'),
    );
    // then
    expect(deployed.status).toBe(200);
    expect(await definitions('user-loop')).toBe(1);
  });
});
