/**
 * The harder part of Camunda 8.8 (Zeebe) element behaviour, test-first for the engine's new execution core, in the
 * style of elements.test.ts: execution listeners, user task listeners, compensation, the ad-hoc sub-process, and the
 * refusal at deployment of what 8.8 does not execute. Sources: engine/docs/zeebe-elements.md (§3.12, §3.14–3.16),
 * engine/docs/zeebe-events-and-api.md (§4, jobs and listener kinds), and the Camunda 8.8 docs named there.
 */
import { deploy, now, startEngine, TEST_EPOCH, type Any, type EngineHarness } from '../../support/engine';

const MINUTE = 60 * 1000;
const model = (name: string) => `elements/${name}.bpmn`;

type SdkError = { status?: number; title?: string; detail?: string };
async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

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

  // -- helpers (as in elements.test.ts) --------------------------------------------------------------------------

  const deployModels = async (...names: string[]) => {
    for (const name of names) await deploy(c, model(name));
  };
  const start = async (processDefinitionId: string, variables: Record<string, unknown> = {}): Promise<string> =>
    (await c.createProcessInstance({ processDefinitionId, variables })).processInstanceKey;
  const stateOf = async (processInstanceKey: string): Promise<string> => (await c.getProcessInstance({ processInstanceKey }, now)).state;
  const elementsOf = async (processInstanceKey: string, elementId?: string): Promise<Any[]> =>
    (
      await c.searchElementInstances(
        { filter: { processInstanceKey, ...(elementId ? { elementId } : {}) }, sort: [{ field: 'elementInstanceKey', order: 'ASC' }], page: { limit: 200 } },
        now,
      )
    ).items;
  const typeAndState = (e: Any) => `${e.type}:${e.state}`;
  const variablesOf = async (processInstanceKey: string): Promise<Record<string, unknown>> =>
    Object.fromEntries(
      (await c.searchVariables({ filter: { processInstanceKey, scopeKey: processInstanceKey }, page: { limit: 100 } }, now)).items.map((v: Any) => [
        v.name,
        JSON.parse(v.value),
      ]),
    );
  const variablesNamed = async (processInstanceKey: string, name: string): Promise<Any[]> =>
    (await c.searchVariables({ filter: { processInstanceKey, name }, page: { limit: 100 } }, now)).items;
  /**
   * Activates the jobs of a type and hands out those that match. Activating locks every job of the type, so the ones
   * that do not match are kept for a later call instead of being lost for the job timeout. Long polling answers as
   * soon as there are jobs; without `wait` (or when kept jobs match already) it answers at once (requestTimeout < 0).
   */
  const kept = new Map<string, Any[]>();
  const jobsWhere = async (type: string, match: (job: Any) => boolean, wait = true): Promise<Any[]> => {
    const before = kept.get(type) ?? [];
    const longPoll = wait && !before.some(match);
    const { jobs } = await c.activateJobs({ type, timeout: 10 * MINUTE, maxJobsToActivate: 50, worker: 'elements-test', requestTimeout: longPoll ? 2000 : -1 });
    // a kept job that timed out (the clock was moved on) comes again: once is enough
    const all = [...new Map([...before, ...(jobs as Any[])].map((j) => [j.jobKey, j])).values()];
    kept.set(type, all.filter((j) => !match(j)));
    return all.filter(match);
  };
  const jobOf = async (type: string, processInstanceKey: string): Promise<Any> => {
    const jobs = await jobsWhere(type, (j) => j.processInstanceKey === processInstanceKey);
    expect(jobs.map((j) => `${j.type}@${j.elementId}`)).toHaveLength(1);
    return jobs[0];
  };
  const noJobOf = async (type: string, processInstanceKey: string) =>
    expect((await jobsWhere(type, (j) => j.processInstanceKey === processInstanceKey, false)).map((j) => j.elementId)).toEqual([]);
  const complete = (job: Any, variables: Record<string, unknown> = {}) => c.completeJob({ jobKey: job.jobKey, variables });

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
