/**
 * The core's compensation and ad-hoc sub-processes (engine/core/compensation.ts, ad-hoc.ts) in the cases the element
 * tests (tests/integration/engine/elements-advanced.test.ts) do not reach, step by step on small models built here,
 * and what deployment refuses. Sources: engine/docs/zeebe-elements.md §3.12, §3.14 and the Camunda 8.8 docs on
 * compensation events, compensation handlers and ad-hoc sub-processes.
 */
import { parseBpmn } from '../../engine/model/process-model';
import { Step } from '../../engine/core/step';
import type { CoreState } from '../../engine/core/state';
import type { Action, ElementEvent, RunResult, StoredRuntime, Variables } from '../../engine/runtime/types';

const NOW = new Date('2026-03-02T02:00:00Z');

const task = (id: string, extra = '') =>
  `<bpmn:serviceTask id="${id}" ${extra}><bpmn:extensionElements><zeebe:taskDefinition type="${id}" /></bpmn:extensionElements></bpmn:serviceTask>`;
const flow = (source: string, target: string) =>
  `<bpmn:sequenceFlow id="${source}-to-${target}" sourceRef="${source}" targetRef="${target}" />`;
/** A compensation boundary event on `host` with its handler `undo-<host>`. */
const compensable = (host: string) =>
  `<bpmn:boundaryEvent id="compensate-${host}" attachedToRef="${host}"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>` +
  task(`undo-${host}`, 'isForCompensation="true"') +
  `<bpmn:association id="association-${host}" sourceRef="compensate-${host}" targetRef="undo-${host}" />`;
const throwAll = (id: string, end = false) =>
  `<bpmn:${end ? 'endEvent' : 'intermediateThrowEvent'} id="${id}"><bpmn:compensateEventDefinition /></bpmn:${end ? 'endEvent' : 'intermediateThrowEvent'}>`;
const adHoc = (attributes: string, adHocExtension: string, inner: string, condition?: string) =>
  `<bpmn:adHocSubProcess id="adhoc" ${attributes}><bpmn:extensionElements><zeebe:adHoc ${adHocExtension} /></bpmn:extensionElements>${inner}` +
  `${condition ? `<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${condition}</bpmn:completionCondition>` : ''}</bpmn:adHocSubProcess>`;
const definitions = (process: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ` +
  `xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">` +
  `<bpmn:process id="p" isExecutable="true">${process}</bpmn:process><bpmn:error id="failure" errorCode="FAILURE" /></bpmn:definitions>`;

/** One instance of a model, driven step by step from the state each step stores. */
async function instance(process: string, variables: Variables = {}) {
  const [model] = await parseBpmn('test.bpmn', definitions(process));
  let stored: StoredRuntime | undefined;
  let vars = variables;
  let last: RunResult | undefined;
  const run = (action: Action) => {
    const result = new Step({ model, stored, variables: vars, action, now: NOW, decide: () => null }).run();
    if (result.outcome !== 'incident') {
      stored = result.runtime;
      vars = result.variables;
    }
    last = result;
    return result;
  };
  const state = () => stored?.engine as CoreState | null;
  /** The execution waiting at an element (the first, with several). */
  const at = (elementId: string) =>
    Object.entries(state()?.els ?? {}).find(([, el]) => el.e === elementId && el.w)?.[0];
  const waiting = () =>
    Object.values(state()?.els ?? {})
      .filter((el) => el.w)
      .map((el) => el.e)
      .sort();
  const complete = (elementId: string, result: Variables = {}) => {
    const x = at(elementId);
    if (!x) throw new Error(`nothing waits at ${elementId} (waiting: ${waiting().join(', ')})`);
    return run({ kind: 'complete', executionId: x, variables: result });
  };
  run({ kind: 'start' });
  return { run, complete, waiting, state, variables: () => vars, last: () => last! };
}

const states = (events: ElementEvent[], elementId: string) =>
  events.filter((e) => e.elementId === elementId).map((e) => `${e.elementType}:${e.state}`);

describe('engine core: compensation', () => {
  it('when a multi-instance activity completed, then its handler runs once (its body is compensated, not each iteration)', async () => {
    const i = await instance(
      `<bpmn:startEvent id="start" />${flow('start', 'visit')}` +
        `<bpmn:serviceTask id="visit"><bpmn:extensionElements><zeebe:taskDefinition type="visit" /></bpmn:extensionElements>` +
        `<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2, 3]" />` +
        `</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>${compensable('visit')}` +
        `${flow('visit', 'undo')}${throwAll('undo', true)}`,
    );
    for (let n = 0; n < 3; n++) i.complete('visit');
    expect(i.waiting()).toEqual(['undo-visit']);
    expect(i.state()?.comp).toHaveLength(1);
    expect(i.complete('undo-visit').outcome).toBe('completed');
  });

  it('when an activity completed twice (a loop), then its handler runs twice', async () => {
    const i = await instance(
      `<bpmn:startEvent id="start" />${flow('start', 'join')}<bpmn:exclusiveGateway id="join" />${flow('join', 'book')}${task('book')}${compensable('book')}` +
        `${flow('book', 'again')}<bpmn:exclusiveGateway id="again" default="again-to-undo" />` +
        `<bpmn:sequenceFlow id="again-to-join" sourceRef="again" targetRef="join"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=more</bpmn:conditionExpression></bpmn:sequenceFlow>` +
        `<bpmn:sequenceFlow id="again-to-undo" sourceRef="again" targetRef="undo" />${throwAll('undo', true)}`,
    );
    i.complete('book', { more: true });
    i.complete('book', { more: false });
    expect(i.waiting()).toEqual(['undo-book', 'undo-book']);
    i.complete('undo-book');
    expect(i.complete('undo-book').outcome).toBe('completed');
  });

  it('when there is nothing to compensate (the activity was terminated, never completed), then the throw event completes at once', async () => {
    const i = await instance(
      `<bpmn:startEvent id="start" />${flow('start', 'book')}${task('book')}${compensable('book')}` +
        `<bpmn:boundaryEvent id="failed" attachedToRef="book"><bpmn:errorEventDefinition errorRef="failure" /></bpmn:boundaryEvent>` +
        `${flow('failed', 'undo')}${throwAll('undo')}${flow('undo', 'done')}${task('done')}`,
    );
    const result = i.run({
      kind: 'error',
      executionId: Object.keys(i.state()!.els).find((x) => i.state()!.els[x].e === 'book')!,
      errorCode: 'FAILURE',
      errorMessage: '',
      variables: {},
    });
    expect(states(result.events, 'undo')).toEqual([
      'INTERMEDIATE_THROW_EVENT:ACTIVE',
      'INTERMEDIATE_THROW_EVENT:COMPLETED',
    ]);
    expect(states(result.events, 'compensate-book')).toEqual([]);
    expect(i.waiting()).toEqual(['done']);
    expect(i.state()?.comp).toBeUndefined();
  });

  it('when a compensation end event in an error event sub-process is reached, then it compensates the activities of the scope around it', async () => {
    const i = await instance(
      `<bpmn:startEvent id="start" />${flow('start', 'book')}${task('book')}${compensable('book')}${flow('book', 'fail')}` +
        `<bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="failure" /></bpmn:endEvent>` +
        `<bpmn:subProcess id="on-failure" triggeredByEvent="true"><bpmn:startEvent id="caught"><bpmn:errorEventDefinition /></bpmn:startEvent>` +
        `${flow('caught', 'undo')}${throwAll('undo', true)}</bpmn:subProcess>`,
    );
    const result = i.complete('book');
    expect(states(result.events, 'compensate-book')).toEqual(['BOUNDARY_EVENT:ACTIVE', 'BOUNDARY_EVENT:COMPLETED']);
    expect(i.waiting()).toEqual(['undo-book']);
    const handlerEvent = result.events.find((e) => e.elementId === 'undo-book')!;
    const undoEvent = result.events.find((e) => e.elementId === 'undo' && e.state === 'ACTIVE')!;
    // the handler runs in the throw event's flow scope: the event sub-process
    expect(handlerEvent.scopeExecutionId).toBe(undoEvent.scopeExecutionId);
    expect(i.complete('undo-book').outcome).toBe('completed');
  });

  it('when a sub-process with completed compensable activities is terminated, then they are forgotten', async () => {
    const i = await instance(
      `<bpmn:startEvent id="start" />${flow('start', 'sub')}<bpmn:subProcess id="sub"><bpmn:startEvent id="inner" />${flow('inner', 'book')}` +
        `${task('book')}${compensable('book')}${flow('book', 'wait')}${task('wait')}</bpmn:subProcess>` +
        `<bpmn:boundaryEvent id="failed" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="failure" /></bpmn:boundaryEvent>` +
        `${flow('failed', 'after')}${task('after')}`,
    );
    i.complete('book');
    expect(i.state()?.comp).toMatchObject([{ e: 'book' }]);
    const wait = Object.keys(i.state()!.els).find((x) => i.state()!.els[x].e === 'wait')!;
    i.run({ kind: 'error', executionId: wait, errorCode: 'FAILURE', errorMessage: '', variables: {} });
    expect(i.waiting()).toEqual(['after']);
    expect(i.state()?.comp).toBeUndefined();
  });

  it('when a sub-process completed with no compensable activity inside and no boundary of its own, then nothing of it is kept', async () => {
    const i = await instance(
      `<bpmn:startEvent id="start" />${flow('start', 'sub')}<bpmn:subProcess id="sub"><bpmn:startEvent id="inner" />${flow('inner', 'a')}${task('a')}</bpmn:subProcess>` +
        `${flow('sub', 'wait')}${task('wait')}`,
    );
    i.complete('a');
    expect(i.waiting()).toEqual(['wait']);
    expect(i.state()?.comp).toBeUndefined();
  });
});

describe('engine core: ad-hoc sub-process', () => {
  const around = (inner: string) =>
    `<bpmn:startEvent id="start" />${flow('start', 'adhoc')}${inner}${flow('adhoc', 'end')}<bpmn:endEvent id="end" />`;

  it('when the completion condition holds and cancelRemainingInstances is false, then it completes once the elements still active have', async () => {
    const i = await instance(
      around(
        adHoc(
          'cancelRemainingInstances="false"',
          'activeElementsCollection="=[&quot;a&quot;, &quot;b&quot;]"',
          task('a') + task('b'),
          '=enough',
        ),
      ),
      {
        enough: false,
      },
    );
    i.complete('a', { enough: true });
    expect(i.waiting()).toEqual(['b']);
    expect(i.complete('b').outcome).toBe('completed');
  });

  it('when the completion condition is not a boolean, then it is an EXTRACT_VALUE_ERROR on the ad-hoc sub-process', async () => {
    const i = await instance(
      around(adHoc('', 'activeElementsCollection="=[&quot;a&quot;]"', task('a'), '=unknownVariable')),
    );
    expect(i.complete('a').incident).toMatchObject({ elementId: 'adhoc', errorType: 'EXTRACT_VALUE_ERROR' });
  });

  it('when activeElementsCollection is not a list of strings, then it is an EXTRACT_VALUE_ERROR on the ad-hoc sub-process', async () => {
    const i = await instance(around(adHoc('', 'activeElementsCollection="=5"', task('a'))));
    expect(i.last().incident).toMatchObject({ elementId: 'adhoc', errorType: 'EXTRACT_VALUE_ERROR' });
  });

  it('when elements are activated with cancelRemainingInstances, then the elements still active are terminated first', async () => {
    const i = await instance(
      around(adHoc('', 'activeElementsCollection="=[&quot;a&quot;]"', task('a') + task('b'), '=false')),
    );
    const adhoc = Object.keys(i.state()!.els).find((x) => i.state()!.els[x].e === 'adhoc')!;
    const result = i.run({
      kind: 'activate-ad-hoc',
      executionId: adhoc,
      elements: [{ elementId: 'b', variables: { note: 'x' } }],
      cancelRemainingInstances: true,
    });
    expect(states(result.events, 'a')).toEqual(['SERVICE_TASK:TERMINATED']);
    expect(i.waiting()).toEqual(['b']);
    expect(result.waits.find((w) => w.elementId === 'b')?.locals).toMatchObject({ note: 'x' });
  });
});

describe('engine model: compensation and ad-hoc sub-processes refused at deployment', () => {
  it.each([
    [
      'a compensation boundary event without a handler',
      `<bpmn:startEvent id="s" />${flow('s', 'a')}${task('a')}<bpmn:boundaryEvent id="c" attachedToRef="a"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>`,
      'needs a compensation handler',
    ],
    [
      'an activityRef to an activity of another scope',
      `<bpmn:startEvent id="s" />${flow('s', 'sub')}<bpmn:subProcess id="sub"><bpmn:startEvent id="i" />${flow('i', 'a')}${task('a')}${compensable('a')}</bpmn:subProcess>` +
        `${flow('sub', 't')}<bpmn:endEvent id="t"><bpmn:compensateEventDefinition activityRef="a" /></bpmn:endEvent>`,
      'must be in the same scope',
    ],
    [
      'an ad-hoc sub-process run by a job worker',
      adHoc('', '', task('a')).replace('<zeebe:adHoc  />', '<zeebe:adHoc /><zeebe:taskDefinition type="agent" />'),
      'job worker',
    ],
    [
      'a start event in an ad-hoc sub-process',
      adHoc('', '', `<bpmn:startEvent id="inner" />${task('a')}`),
      'cannot have start or end events',
    ],
  ])('%s', async (_, process, problem) => {
    await expect(parseBpmn('test.bpmn', definitions(process))).rejects.toMatchObject({
      problems: expect.arrayContaining([expect.stringContaining(problem)]),
    });
  });
});
