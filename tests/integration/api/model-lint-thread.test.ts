/**
 * Linting a large model does not hold up the app: the modeler's lint (and the lint before saving and deploying a
 * version) runs on a thread of its own (server/lint-thread.ts), so `/healthz` and every other request are answered
 * meanwhile; the problems found are the same as linting on the caller's thread.
 */
import { inLanguage } from '../../../domain/lint-messages';
import { lintModel } from '../../../server/model-lint';
import { startEngine, type EngineHarness } from '../../support/engine';
import { Session } from '../../support/session';

jest.setTimeout(3 * 60 * 1000);

/**
 * A process of `tasks` service tasks in a row, drawn, each with a job type and two FEEL mappings (about 720 bytes a
 * task: 600 tasks are some 430 kB), and three mistakes the lint reports: a FEEL syntax error, a task without a job
 * type, an element nothing leads to.
 */
function largeModel(tasks: number): string {
  const elements: string[] = [];
  const shapes: string[] = [];
  const flow = (i: number, from: string, to: string) => {
    elements.push(`<bpmn:sequenceFlow id="Flow_${i}" sourceRef="${from}" targetRef="${to}" />`);
    shapes.push(
      `<bpmndi:BPMNEdge id="Flow_${i}_di" bpmnElement="Flow_${i}"><di:waypoint x="${i * 150 + 100}" y="120" /><di:waypoint x="${i * 150 + 150}" y="120" /></bpmndi:BPMNEdge>`,
    );
  };
  elements.push('<bpmn:startEvent id="Start" name="开始"><bpmn:outgoing>Flow_0</bpmn:outgoing></bpmn:startEvent>');
  shapes.push(
    '<bpmndi:BPMNShape id="Start_di" bpmnElement="Start"><dc:Bounds x="0" y="100" width="36" height="36" /></bpmndi:BPMNShape>',
  );
  let previous = 'Start';
  for (let i = 1; i <= tasks; i++) {
    const id = `Task_${i}`;
    flow(i - 1, previous, id);
    const output = i === 7 ? '=count +' : `=count${i} + 1`;
    const job = i === 11 ? '' : `<zeebe:taskDefinition type="step-${i % 7}" />`;
    elements.push(
      `<bpmn:serviceTask id="${id}" name="第 ${i} 步：核对材料"><bpmn:extensionElements>${job}<zeebe:ioMapping><zeebe:input source="=caseId" target="id" /><zeebe:output source="${output}" target="count${i}" /></zeebe:ioMapping></bpmn:extensionElements><bpmn:incoming>Flow_${i - 1}</bpmn:incoming><bpmn:outgoing>Flow_${i}</bpmn:outgoing></bpmn:serviceTask>`,
    );
    shapes.push(
      `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${i * 150}" y="80" width="100" height="80" /></bpmndi:BPMNShape>`,
    );
    previous = id;
  }
  flow(tasks, previous, 'End');
  elements.push(`<bpmn:endEvent id="End" name="结束"><bpmn:incoming>Flow_${tasks}</bpmn:incoming></bpmn:endEvent>`);
  elements.push(
    '<bpmn:userTask id="Task_Orphan" name="无人到达"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>',
  );
  shapes.push(
    `<bpmndi:BPMNShape id="End_di" bpmnElement="End"><dc:Bounds x="${(tasks + 1) * 150}" y="100" width="36" height="36" /></bpmndi:BPMNShape>`,
  );
  shapes.push(
    '<bpmndi:BPMNShape id="Task_Orphan_di" bpmnElement="Task_Orphan"><dc:Bounds x="150" y="300" width="100" height="80" /></bpmndi:BPMNShape>',
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_Large" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
<bpmn:process id="large-model" name="大模型" isExecutable="true">${elements.join('\n')}</bpmn:process>
<bpmndi:BPMNDiagram id="Diagram"><bpmndi:BPMNPlane id="Plane" bpmnElement="large-model">${shapes.join('\n')}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}

describe('linting a large model', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
  });
  afterAll(() => h.stop());

  it('when a large model is linted, then /healthz answers quickly meanwhile and the problems are those of linting in place', async () => {
    // given an admin and a model of 600 tasks, with the lint thread warmed up by a small model
    const admin = await new Session(h.server.url).signIn('admin');
    const content = largeModel(600);
    expect(content.length).toBeGreaterThan(400_000);
    expect((await admin.call('POST', '/api/diagrams/small.bpmn/lint', { content: largeModel(2) })).status).toBe(200);

    // when the large model is linted while /healthz is asked every 20 ms
    let linting = true;
    const latencies: number[] = [];
    const probing = (async () => {
      while (linting) {
        const startedAt = performance.now();
        const res = await fetch(`${h.server.url}/healthz`);
        await res.arrayBuffer();
        latencies.push(performance.now() - startedAt);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const startedAt = performance.now();
    const linted = await admin.call('POST', '/api/diagrams/large-model.bpmn/lint', { content });
    const lintMs = performance.now() - startedAt;
    linting = false;
    await probing;

    // then /healthz never waited more than a fraction of what the lint holds a thread for (measured here, in the same
    // run: linting on this thread, as the request thread did, blocks it for the whole lint)
    expect(linted.status).toBe(200);
    const inPlaceStartedAt = performance.now();
    const inPlace = await lintModel('large-model.bpmn', content, { engine: true });
    const inPlaceMs = performance.now() - inPlaceStartedAt;
    const slowest = Math.max(...latencies);
    console.log(
      `lint of ${content.length} characters: ${Math.round(lintMs)} ms off the thread, ${Math.round(inPlaceMs)} ms in place; ` +
        `/healthz asked ${latencies.length} times, slowest ${Math.round(slowest)} ms`,
    );
    expect(latencies.length).toBeGreaterThan(5);
    expect(slowest).toBeLessThan(Math.min(1000, inPlaceMs / 2));

    // and the problems are exactly those found by linting on this thread (the API answers in the reader's language,
    // Chinese here), the three mistakes among them
    expect(linted.body.problems).toEqual(inPlace.map((p) => inLanguage(p, 'zh')));
    expect(inPlace).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'feel', severity: 'error', message: expect.stringContaining('count +') }),
        expect.objectContaining({ rule: 'engine', message: expect.stringContaining('Task_11') }),
        expect.objectContaining({ elementId: 'Task_Orphan' }),
      ]),
    );
  });
});
