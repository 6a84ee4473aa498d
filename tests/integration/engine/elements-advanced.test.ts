/**
 * The harder part of Camunda 8.8 (Zeebe) element behaviour, test-first for the engine's new execution core, in the
 * style of elements.test.ts: execution listeners, user task listeners, compensation, the ad-hoc sub-process, and the
 * refusal at deployment of what 8.8 does not execute. Sources: engine/docs/zeebe-elements.md (§3.12, §3.14–3.16),
 * engine/docs/zeebe-events-and-api.md (§4, jobs and listener kinds), and the Camunda 8.8 docs named there.
 */
import { deploy, now, startEngine, TEST_EPOCH, type Any, type EngineHarness } from '../../support/engine';
import { elementHelpers, failure, model } from '../../support/elements';

describe('Camunda 8.8 elements: listeners, compensation, ad-hoc sub-process, refusals', () => {
  let h: EngineHarness;
  let c: Any;
  beforeAll(async () => {
    h = await startEngine();
    c = h.client;
  });
  afterAll(() => h.stop());
  beforeEach(() => c.pinClock({ timestamp: TEST_EPOCH }));
  afterEach(() => c.resetClock());

  const { deployModels, start, stateOf, elementsOf, typeAndState, variablesOf, variablesNamed, jobOf, noJobOf, complete } = elementHelpers(() => c);

  // -- execution listeners ---------------------------------------------------------------------------------------

  describe('execution listeners', () => {
    beforeAll(() => deployModels('execution-listeners'));

    it('when a task has start and end execution listeners, then each is a job of kind EXECUTION_LISTENER, they run one at a time in model order, and the task waits for them', async () => {
      // when
      const pik = await start('execution-listeners', { caseId: 'el-1' });
      // then the first start listener runs, after the input mappings and before the task's own job
      const first = await jobOf('execution-listeners-before-first', pik);
      expect(first).toMatchObject({ kind: 'EXECUTION_LISTENER', listenerEventType: 'START', elementId: 'task-handle', retries: 3 });
      expect(first.variables).toMatchObject({ caseId: 'el-1', handledCase: 'el-1' });
      await noJobOf('execution-listeners-before-second', pik);
      await noJobOf('execution-listeners-handle', pik);
      // and a listener job cannot throw a BPMN error
      expect((await failure(c.throwJobError({ jobKey: first.jobKey, errorCode: 'ANY_ERROR' }))).status).toBe(409);
      // when the first start listener completes, then the second runs, seeing the first one's variables
      await complete(first, { checkedBy: 'first listener' });
      const second = await jobOf('execution-listeners-before-second', pik);
      expect(second).toMatchObject({ kind: 'EXECUTION_LISTENER', listenerEventType: 'START', elementId: 'task-handle' });
      expect(second.variables).toMatchObject({ checkedBy: 'first listener' });
      await noJobOf('execution-listeners-handle', pik);
      // when the second completes, then the task's job: the start listeners' variables are locals of the task
      await complete(second, { priority: 'high' });
      const handle = await jobOf('execution-listeners-handle', pik);
      expect(handle).toMatchObject({ kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED' });
      expect(handle.variables).toMatchObject({ handledCase: 'el-1', checkedBy: 'first listener', priority: 'high' });
      const [task] = await elementsOf(pik, 'task-handle');
      expect((await variablesNamed(pik, 'priority')).map((v: Any) => v.scopeKey)).toEqual([task.elementInstanceKey]);
      // when the task's job completes, then the end listener runs and the task does not complete before it
      await complete(handle, { outcome: 'solved' });
      const after = await jobOf('execution-listeners-after', pik);
      expect(after).toMatchObject({ kind: 'EXECUTION_LISTENER', listenerEventType: 'END', elementId: 'task-handle' });
      expect(after.variables).toMatchObject({ outcome: 'solved' });
      expect((await elementsOf(pik, 'task-handle')).map(typeAndState)).toEqual(['SERVICE_TASK:ACTIVE']);
      await noJobOf('execution-listeners-close', pik);
      // when the end listener completes, then the task completes, its variables reach the process scope, the flow goes on
      await complete(after, { closedBy: 'end listener' });
      expect((await elementsOf(pik, 'task-handle')).map(typeAndState)).toEqual(['SERVICE_TASK:COMPLETED']);
      expect(await variablesOf(pik)).toMatchObject({ closedBy: 'end listener' });
      await complete(await jobOf('execution-listeners-close', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
    });
  });

  // -- refusal ---------------------------------------------------------------------------------------------------

  describe('elements the embedded engine does not run yet (refused at deployment, never run wrongly)', () => {
    it.each([
      ['user-task-listeners', 'task-review', 'user task listeners'],
      ['compensation-throw', 'boundary-book-room-compensation', 'CompensateEventDefinition'],
      ['ad-hoc-sub-process', 'adhoc-handle', 'AdHocSubProcess'],
    ])('when %s.bpmn is deployed, then it is refused with 400 naming %s and what is missing, and nothing is deployed', async (name, elementId, what) => {
      const error = await failure(deploy(c, model(name)));
      expect(error.status).toBe(400);
      expect(error.detail).toContain(elementId);
      expect(error.detail).toContain(what);
      expect(error.detail).toContain('not supported by the embedded engine yet');
      expect((await c.searchProcessDefinitions({ filter: { processDefinitionId: name } }, now)).items).toEqual([]);
    });
  });

  describe('elements Camunda 8.8 does not execute', () => {
    it.each([
      ['unsupported-complex-gateway', 'gateway-complex'],
      ['unsupported-conditional-event', 'catch-documents-complete'],
    ])('when %s.bpmn is deployed, then it is refused with 400 naming %s, and nothing is deployed', async (name, elementId) => {
      // when
      const error = await failure(deploy(c, model(name)));
      // then
      expect(error.status).toBe(400);
      expect(error.detail).toContain(elementId);
      expect((await c.searchProcessDefinitions({ filter: { processDefinitionId: name } }, now)).items).toEqual([]);
    });
  });
});
