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

/**
 * A request whose answer comes only after other steps of the test (Zeebe answers a user task command once its task
 * listeners are done): settled at once into a value, so it is never an unhandled rejection while it waits.
 */
type Settled = { ok: true } | { ok: false; status?: number; detail?: string };
const settle = (promise: Promise<unknown>): Promise<Settled> =>
  promise.then(
    () => ({ ok: true }),
    (error: SdkError) => ({ ok: false, status: error.status, detail: error.detail }),
  );

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
  const incidentsOf = async (processInstanceKey: string): Promise<Any[]> =>
    (await c.searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items;
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

  // -- user task listeners ---------------------------------------------------------------------------------------

  describe('user task listeners', () => {
    beforeAll(() => deployModels('user-task-listeners'));
    const userTasksOf = async (processInstanceKey: string): Promise<Any[]> => (await c.searchUserTasks({ filter: { processInstanceKey } }, now)).items;
    // Task listener jobs are completed without variables: Zeebe refuses variables on them.
    const completeListener = (job: Any, result?: Record<string, unknown>) => c.completeJob({ jobKey: job.jobKey, ...(result ? { result } : {}) });
    /** An instance whose user task is created (its creating listener done). */
    const created = async (caseId: string) => {
      const pik = await start('user-task-listeners', { caseId });
      await completeListener(await jobOf('user-task-listeners-creating', pik));
      const [task] = await userTasksOf(pik);
      expect(task.state).toBe('CREATED');
      return { pik, task };
    };

    it('when a user task with a creating listener is reached, then the task is not created before the listener job (kind TASK_LISTENER, CREATING) completes', async () => {
      // when
      const pik = await start('user-task-listeners', { caseId: 'utl-1' });
      // then
      const creating = await jobOf('user-task-listeners-creating', pik);
      expect(creating).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'CREATING', elementId: 'task-review' });
      expect(creating.userTask.userTaskKey).toEqual(expect.any(String));
      expect((await userTasksOf(pik)).filter((t) => t.state === 'CREATED')).toEqual([]);
      // when the listener completes, then the task is created
      await completeListener(creating);
      const [task] = await userTasksOf(pik);
      expect(task).toMatchObject({ state: 'CREATED', userTaskKey: creating.userTask.userTaskKey, elementId: 'task-review' });
      expect((await elementsOf(pik, 'task-review')).map(typeAndState)).toEqual(['USER_TASK:ACTIVE']);
    });

    it('when a user task is assigned, then the assigning listener (ASSIGNING) runs before the assignment takes effect, and its correction is applied', async () => {
      // given
      const { pik, task } = await created('utl-2');
      // when (Zeebe answers the request once the listeners are done, so it is awaited later)
      const assigning = settle(c.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'alice' }));
      // then
      const listener = await jobOf('user-task-listeners-assigning', pik);
      expect(listener).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'ASSIGNING', elementId: 'task-review' });
      expect(listener.userTask).toMatchObject({ userTaskKey: task.userTaskKey, assignee: 'alice' });
      expect(listener.userTask.changedAttributes).toContain('assignee');
      // when the listener corrects the assignee
      await completeListener(listener, { type: 'userTask', corrections: { assignee: 'bob' } });
      // then the assignment succeeded, with the correction
      expect(await assigning).toEqual({ ok: true });
      expect(await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).toMatchObject({ state: 'CREATED', assignee: 'bob' });
    });

    it('when the completing listener denies a completion, then the request is refused and the task stays open; completed again and accepted, the process goes on', async () => {
      // given
      const { pik, task } = await created('utl-3');
      // when
      const first = settle(c.completeUserTask({ userTaskKey: task.userTaskKey, variables: { verdict: 'unsigned' } }));
      const denying = await jobOf('user-task-listeners-completing', pik);
      expect(denying).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'COMPLETING', elementId: 'task-review' });
      await completeListener(denying, { type: 'userTask', denied: true, deniedReason: 'the signature is missing' });
      // then
      expect(await first).toMatchObject({ ok: false, status: 409 });
      expect(await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).toMatchObject({ state: 'CREATED' });
      expect(await stateOf(pik)).toBe('ACTIVE');
      expect(await variablesOf(pik)).not.toHaveProperty('verdict');
      // when completed again and the listener accepts
      const second = settle(c.completeUserTask({ userTaskKey: task.userTaskKey, variables: { verdict: 'signed' } }));
      await completeListener(await jobOf('user-task-listeners-completing', pik));
      // then
      expect(await second).toEqual({ ok: true });
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await variablesOf(pik)).toMatchObject({ caseId: 'utl-3', verdict: 'signed' });
      expect((await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).state).toBe('COMPLETED');
    });
  });

  // -- compensation ----------------------------------------------------------------------------------------------

  describe('compensation', () => {
    beforeAll(() => deployModels('compensation-throw', 'compensation-end'));

    it('when a compensation throw event is reached, then the handlers of the completed activities run, and the throw event waits for them', async () => {
      // given both activities completed
      const pik = await start('compensation-throw');
      await complete(await jobOf('compensation-book-room', pik));
      await complete(await jobOf('compensation-invite', pik));
      // then both handlers run and the throw event waits for them
      const cancelRoom = await jobOf('compensation-cancel-room', pik);
      const uninvite = await jobOf('compensation-uninvite', pik);
      expect(cancelRoom).toMatchObject({ elementId: 'task-cancel-room', kind: 'BPMN_ELEMENT' });
      expect((await elementsOf(pik, 'throw-compensate')).map(typeAndState)).toEqual(['INTERMEDIATE_THROW_EVENT:ACTIVE']);
      expect((await elementsOf(pik, 'boundary-book-room-compensation')).map(typeAndState)).toEqual(['BOUNDARY_EVENT:COMPLETED']);
      expect((await elementsOf(pik, 'boundary-invite-compensation')).map(typeAndState)).toEqual(['BOUNDARY_EVENT:COMPLETED']);
      await noJobOf('compensation-notify', pik);
      // when one handler completes, then the throw event still waits for the other
      await complete(cancelRoom);
      await noJobOf('compensation-notify', pik);
      // when the other completes, then the throw event completes and the flow goes on
      await complete(uninvite);
      expect((await elementsOf(pik, 'throw-compensate')).map(typeAndState)).toEqual(['INTERMEDIATE_THROW_EVENT:COMPLETED']);
      expect((await elementsOf(pik, 'task-uninvite')).map(typeAndState)).toEqual(['SERVICE_TASK:COMPLETED']);
      await complete(await jobOf('compensation-notify', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
    });

    it('when a compensation end event is reached, then only the activities that completed are compensated, and the process ends after their handlers', async () => {
      // given the payment was never made
      const pik = await start('compensation-end', { pay: false });
      await complete(await jobOf('compensation-reserve', pik));
      // then only the reservation is undone
      const release = await jobOf('compensation-release', pik);
      await noJobOf('compensation-pay-back', pik);
      expect((await elementsOf(pik, 'end-compensate')).map(typeAndState)).toEqual(['END_EVENT:ACTIVE']);
      expect(await stateOf(pik)).toBe('ACTIVE');
      await complete(release);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await elementsOf(pik, 'boundary-pay-compensation')).toEqual([]);
    });

    it('when a compensation end event is reached after both activities completed, then both are compensated', async () => {
      const pik = await start('compensation-end', { pay: true });
      await complete(await jobOf('compensation-reserve', pik));
      await complete(await jobOf('compensation-pay', pik));
      const handlers = [await jobOf('compensation-release', pik), await jobOf('compensation-pay-back', pik)];
      expect(await stateOf(pik)).toBe('ACTIVE');
      for (const job of handlers) await complete(job);
      expect(await stateOf(pik)).toBe('COMPLETED');
    });
  });

  // -- ad-hoc sub-process ----------------------------------------------------------------------------------------

  describe('ad-hoc sub-process', () => {
    beforeAll(() => deployModels('ad-hoc-sub-process'));

    it('when an ad-hoc sub-process is entered, then exactly the elements named by activeElementsCollection run; when the completion condition is met, then the others are terminated and it completes', async () => {
      // when
      const pik = await start('ad-hoc-sub-process', { initialSteps: ['task-research', 'task-call-petitioner'], caseClosed: false });
      // then
      const [adhoc] = await elementsOf(pik, 'adhoc-handle');
      expect(typeAndState(adhoc)).toBe('AD_HOC_SUB_PROCESS:ACTIVE');
      const research = await jobOf('ad-hoc-research', pik);
      const call = await jobOf('ad-hoc-call-petitioner', pik);
      await noJobOf('ad-hoc-close-case', pik);
      // when one completes without meeting the completion condition, then the sub-process goes on
      await complete(call, { petitionerReached: true });
      expect((await elementsOf(pik, 'adhoc-handle')).map(typeAndState)).toEqual(['AD_HOC_SUB_PROCESS:ACTIVE']);
      // when another element is activated through the API
      await c.activateAdHocSubProcessActivities({ adHocSubProcessInstanceKey: adhoc.elementInstanceKey, elements: [{ elementId: 'task-close-case' }] });
      const close = await jobOf('ad-hoc-close-case', pik);
      // when it completes and meets the completion condition (cancelRemainingInstances defaults to true)
      await complete(close, { caseClosed: true });
      // then the element still running is terminated and the sub-process completes
      expect((await elementsOf(pik, 'task-research')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await failure(complete(research))).status).toBe(404);
      expect((await elementsOf(pik, 'adhoc-handle')).map(typeAndState)).toEqual(['AD_HOC_SUB_PROCESS:COMPLETED']);
      expect(await stateOf(pik)).toBe('COMPLETED');
    });

    it('when activeElementsCollection is empty, then nothing runs and the sub-process waits; an element activated through the API gets its variables', async () => {
      // when
      const pik = await start('ad-hoc-sub-process', { initialSteps: [], caseClosed: false });
      // then
      const [adhoc] = await elementsOf(pik, 'adhoc-handle');
      expect(typeAndState(adhoc)).toBe('AD_HOC_SUB_PROCESS:ACTIVE');
      for (const type of ['ad-hoc-research', 'ad-hoc-call-petitioner', 'ad-hoc-close-case']) await noJobOf(type, pik);
      // when
      await c.activateAdHocSubProcessActivities({
        adHocSubProcessInstanceKey: adhoc.elementInstanceKey,
        elements: [{ elementId: 'task-close-case', variables: { closeReason: 'duplicate' } }],
      });
      // then
      const close = await jobOf('ad-hoc-close-case', pik);
      expect(close.variables).toMatchObject({ closeReason: 'duplicate' });
      await complete(close, { caseClosed: true });
      expect(await stateOf(pik)).toBe('COMPLETED');
    });

    it('when activeElementsCollection names an element the sub-process does not have, then an incident holds it', async () => {
      const pik = await start('ad-hoc-sub-process', { initialSteps: ['task-not-there'], caseClosed: false });
      const [incident] = await incidentsOf(pik);
      expect(incident).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'adhoc-handle' });
      await c.cancelProcessInstance({ processInstanceKey: pik });
    });
  });

  // -- refusal ---------------------------------------------------------------------------------------------------

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
