/**
 * The harder part of Camunda 8.8 (Zeebe) element behaviour, test-first for the engine's new execution core, in the
 * style of elements.test.ts: execution listeners, user task listeners, compensation, the ad-hoc sub-process, and the
 * refusal at deployment of what 8.8 does not execute. Sources: engine/docs/zeebe-elements.md (§3.12, §3.14–3.16),
 * engine/docs/zeebe-events-and-api.md (§4, jobs and listener kinds), and the Camunda 8.8 docs named there.
 */
import { deploy, now, startEngine, TEST_EPOCH, type Any, type EngineHarness } from '../../support/engine';
import { elementHelpers, failure, model, type SdkError } from '../../support/elements';

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

  const {
    deployModels,
    start,
    stateOf,
    elementsOf,
    typeAndState,
    variablesOf,
    variablesNamed,
    incidentsOf,
    jobOf,
    noJobOf,
    complete,
  } = elementHelpers(() => c);

  // -- execution listeners ---------------------------------------------------------------------------------------

  describe('execution listeners', () => {
    beforeAll(() => deployModels('execution-listeners'));

    it('when a task has start and end execution listeners, then each is a job of kind EXECUTION_LISTENER, they run one at a time in model order, and the task waits for them', async () => {
      // when
      const pik = await start('execution-listeners', { caseId: 'el-1' });
      // then the first start listener runs, after the input mappings and before the task's own job
      const first = await jobOf('execution-listeners-before-first', pik);
      expect(first).toMatchObject({
        kind: 'EXECUTION_LISTENER',
        listenerEventType: 'START',
        elementId: 'task-handle',
        retries: 3,
      });
      expect(first.variables).toMatchObject({ caseId: 'el-1', handledCase: 'el-1' });
      await noJobOf('execution-listeners-before-second', pik);
      await noJobOf('execution-listeners-handle', pik);
      // and a listener job cannot throw a BPMN error
      expect((await failure(c.throwJobError({ jobKey: first.jobKey, errorCode: 'ANY_ERROR' }))).status).toBe(409);
      // when the first start listener completes, then the second runs, seeing the first one's variables
      await complete(first, { checkedBy: 'first listener' });
      const second = await jobOf('execution-listeners-before-second', pik);
      expect(second).toMatchObject({
        kind: 'EXECUTION_LISTENER',
        listenerEventType: 'START',
        elementId: 'task-handle',
      });
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

  // -- compensation ----------------------------------------------------------------------------------------------

  describe('compensation', () => {
    beforeAll(() => deployModels('compensation-throw', 'compensation-end', 'compensation-sub-process'));

    it('when a compensation throw event is reached, then the handlers of the completed activities run, and the throw event waits for them', async () => {
      // given both activities completed
      const pik = await start('compensation-throw');
      await complete(await jobOf('compensation-book-room', pik));
      await complete(await jobOf('compensation-invite', pik));
      // then both handlers run and the throw event waits for them
      const cancelRoom = await jobOf('compensation-cancel-room', pik);
      const uninvite = await jobOf('compensation-uninvite', pik);
      expect(cancelRoom).toMatchObject({ elementId: 'task-cancel-room', kind: 'BPMN_ELEMENT' });
      expect((await elementsOf(pik, 'throw-compensate')).map(typeAndState)).toEqual([
        'INTERMEDIATE_THROW_EVENT:ACTIVE',
      ]);
      expect((await elementsOf(pik, 'boundary-book-room-compensation')).map(typeAndState)).toEqual([
        'BOUNDARY_EVENT:COMPLETED',
      ]);
      expect((await elementsOf(pik, 'boundary-invite-compensation')).map(typeAndState)).toEqual([
        'BOUNDARY_EVENT:COMPLETED',
      ]);
      await noJobOf('compensation-notify', pik);
      // when one handler completes, then the throw event still waits for the other
      await complete(cancelRoom);
      await noJobOf('compensation-notify', pik);
      // when the other completes, then the throw event completes and the flow goes on
      await complete(uninvite);
      expect((await elementsOf(pik, 'throw-compensate')).map(typeAndState)).toEqual([
        'INTERMEDIATE_THROW_EVENT:COMPLETED',
      ]);
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

    it('when a compensation throw event names an activity, then only that one is compensated; a later compensation end event compensates a completed sub-process (its own handler) and what completed inside it, and nothing twice', async () => {
      // given the sub-process (packing inside it) and the shipping completed
      const pik = await start('compensation-sub-process');
      await complete(await jobOf('compensation-pack', pik));
      await complete(await jobOf('compensation-ship', pik));
      // then the throw event naming the shipping compensates it alone, and waits for it
      const unship = await jobOf('compensation-unship', pik);
      await noJobOf('compensation-unpack', pik);
      expect((await elementsOf(pik, 'throw-unship')).map(typeAndState)).toEqual(['INTERMEDIATE_THROW_EVENT:ACTIVE']);
      // when its handler completes, then the end event compensates the rest: the sub-process and the packing inside it
      await complete(unship);
      expect((await elementsOf(pik, 'throw-unship')).map(typeAndState)).toEqual(['INTERMEDIATE_THROW_EVENT:COMPLETED']);
      const cancelOrder = await jobOf('compensation-cancel-order', pik);
      const unpack = await jobOf('compensation-unpack', pik);
      for (const boundary of ['boundary-sub-compensation', 'boundary-pack-compensation']) {
        expect((await elementsOf(pik, boundary)).map(typeAndState)).toEqual(['BOUNDARY_EVENT:COMPLETED']);
      }
      await noJobOf('compensation-unship', pik);
      expect((await elementsOf(pik, 'end-compensate')).map(typeAndState)).toEqual(['END_EVENT:ACTIVE']);
      // when one handler completes, then the end event still waits for the other
      await complete(unpack);
      expect(await stateOf(pik)).toBe('ACTIVE');
      await complete(cancelOrder);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await elementsOf(pik, 'task-unship')).map(typeAndState)).toEqual(['SERVICE_TASK:COMPLETED']);
    });
  });

  // -- ad-hoc sub-process ----------------------------------------------------------------------------------------

  describe('ad-hoc sub-process', () => {
    beforeAll(() => deployModels('ad-hoc-sub-process', 'ad-hoc-collect'));

    it('when an ad-hoc sub-process is entered, then exactly the elements named by activeElementsCollection run; when the completion condition is met, then the others are terminated and it completes', async () => {
      // when
      const pik = await start('ad-hoc-sub-process', {
        initialSteps: ['task-research', 'task-call-petitioner'],
        caseClosed: false,
      });
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
      await c.activateAdHocSubProcessActivities({
        adHocSubProcessInstanceKey: adhoc.elementInstanceKey,
        elements: [{ elementId: 'task-close-case' }],
      });
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

    it('when an ad-hoc sub-process has no completion condition, then it completes once nothing in it is active; a path through a sequence flow ends at its last element, and each path adds its output element to the output collection', async () => {
      // when
      const pik = await start('ad-hoc-collect', { steps: ['task-draft', 'task-check-law'] });
      // then the sub-process describes its elements in its own scope
      const [adhoc] = await elementsOf(pik, 'adhoc-review');
      const [described] = await variablesNamed(pik, 'adHocSubProcessElements');
      expect(described.scopeKey).toBe(adhoc.elementInstanceKey);
      expect(JSON.parse(described.value)).toEqual([
        { elementId: 'task-draft', elementName: 'Draft a reply' },
        { elementId: 'task-check-law', elementName: 'Check the law' },
      ]);
      // when the draft completes, then the path goes on to the proofreading
      await complete(await jobOf('ad-hoc-collect-draft', pik), { result: 'draft' });
      const proofread = await jobOf('ad-hoc-collect-proofread', pik);
      // when the other path ends, then the sub-process waits for the proofreading
      await complete(await jobOf('ad-hoc-collect-check-law', pik), { result: 'lawful' });
      expect((await elementsOf(pik, 'adhoc-review')).map(typeAndState)).toEqual(['AD_HOC_SUB_PROCESS:ACTIVE']);
      // when the last path ends, then it completes and its output collection reaches the process
      await complete(proofread, { result: 'proofread' });
      expect((await elementsOf(pik, 'adhoc-review')).map(typeAndState)).toEqual(['AD_HOC_SUB_PROCESS:COMPLETED']);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await variablesOf(pik)).results).toEqual(['lawful', 'proofread']);
    });

    it('when elements are activated through the API that the ad-hoc sub-process cannot activate, then the request is refused as Zeebe refuses it, and nothing runs', async () => {
      // given
      const pik = await start('ad-hoc-sub-process', { initialSteps: [], caseClosed: false });
      const [adhoc] = await elementsOf(pik, 'adhoc-handle');
      const activate = (elements: Array<{ elementId: string }>, key = adhoc.elementInstanceKey) =>
        failure(c.activateAdHocSubProcessActivities({ adHocSubProcessInstanceKey: key, elements }));
      // then an element it does not have, an element twice, and a key that is no ad-hoc sub-process are refused
      expect((await activate([{ elementId: 'task-not-there' }])).status).toBe(404);
      expect((await activate([{ elementId: 'task-research' }, { elementId: 'task-research' }])).status).toBe(400);
      expect((await activate([{ elementId: 'task-research' }], pik)).status).toBe(404);
      await noJobOf('ad-hoc-research', pik);
      // when it has completed, then it is not found any more
      await c.activateAdHocSubProcessActivities({
        adHocSubProcessInstanceKey: adhoc.elementInstanceKey,
        elements: [{ elementId: 'task-close-case' }],
      });
      await complete(await jobOf('ad-hoc-close-case', pik), { caseClosed: true });
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await activate([{ elementId: 'task-research' }])).status).toBe(404);
    });
  });

  // -- user task listeners ---------------------------------------------------------------------------------------

  describe('user task listeners', () => {
    beforeAll(() => deployModels('user-task-listeners'));
    const userTasksOf = async (processInstanceKey: string): Promise<Any[]> =>
      (await c.searchUserTasks({ filter: { processInstanceKey } }, now)).items;
    // Task listener jobs are completed without variables: Zeebe refuses variables on them.
    const completeListener = (job: Any, result?: Record<string, unknown>) =>
      c.completeJob({ jobKey: job.jobKey, ...(result ? { result } : {}) });
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
      expect(creating).toMatchObject({
        kind: 'TASK_LISTENER',
        listenerEventType: 'CREATING',
        elementId: 'task-review',
      });
      expect(creating.userTask.userTaskKey).toEqual(expect.any(String));
      expect((await userTasksOf(pik)).filter((t) => t.state === 'CREATED')).toEqual([]);
      // when the listener completes, then the task is created
      await completeListener(creating);
      const [task] = await userTasksOf(pik);
      expect(task).toMatchObject({
        state: 'CREATED',
        userTaskKey: creating.userTask.userTaskKey,
        elementId: 'task-review',
      });
      expect((await elementsOf(pik, 'task-review')).map(typeAndState)).toEqual(['USER_TASK:ACTIVE']);
    });

    it('when a user task is assigned, then the assigning listener (ASSIGNING) runs before the assignment takes effect, and its correction is applied', async () => {
      // given
      const { pik, task } = await created('utl-2');
      // when (Zeebe answers the request once the listeners are done, so it is awaited later)
      const assigning = settle(c.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'alice' }));
      // then
      const listener = await jobOf('user-task-listeners-assigning', pik);
      expect(listener).toMatchObject({
        kind: 'TASK_LISTENER',
        listenerEventType: 'ASSIGNING',
        elementId: 'task-review',
      });
      expect(listener.userTask).toMatchObject({ userTaskKey: task.userTaskKey, assignee: 'alice' });
      expect(listener.userTask.changedAttributes).toContain('assignee');
      // when the listener corrects the assignee
      await completeListener(listener, { type: 'userTask', corrections: { assignee: 'bob' } });
      // then the assignment succeeded, with the correction
      expect(await assigning).toEqual({ ok: true });
      expect(await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).toMatchObject({
        state: 'CREATED',
        assignee: 'bob',
      });
    });

    it('when the completing listener denies a completion, then the request is refused and the task stays open; completed again and accepted, the process goes on', async () => {
      // given
      const { pik, task } = await created('utl-3');
      // when
      const first = settle(c.completeUserTask({ userTaskKey: task.userTaskKey, variables: { verdict: 'unsigned' } }));
      const denying = await jobOf('user-task-listeners-completing', pik);
      expect(denying).toMatchObject({
        kind: 'TASK_LISTENER',
        listenerEventType: 'COMPLETING',
        elementId: 'task-review',
      });
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

  describe('user task listeners: the assignee the process gives, updates, failures, termination', () => {
    beforeAll(() => deployModels('user-task-listeners-assignee'));
    const taskOf = async (processInstanceKey: string): Promise<Any> =>
      (await c.searchUserTasks({ filter: { processInstanceKey } }, now)).items[0];
    const done = (job: Any, result?: Record<string, unknown>) =>
      c.completeJob({ jobKey: job.jobKey, ...(result ? { result } : {}) });

    it('when a user task with an assignee from the process has creating and assigning listeners, then it is created first (headers carry the task), then assigned through the assigning listener', async () => {
      // when
      const pik = await start('user-task-listeners-assignee', { owner: 'li.wei' });
      // then the creating listener sees the task without its assignee, and the task headers with the task's own
      const creating = await jobOf('utla-creating', pik);
      expect(creating).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'CREATING', retries: 1 });
      expect(creating.userTask).toMatchObject({
        assignee: null,
        candidateGroups: ['reception'],
        priority: 50,
        changedAttributes: [],
      });
      expect(creating.customHeaders).toMatchObject({
        queue: 'reception',
        'io.camunda.zeebe:userTaskKey': creating.userTask.userTaskKey,
        'io.camunda.zeebe:candidateGroups': '["reception"]',
      });
      expect(await taskOf(pik)).toMatchObject({ state: 'CREATING' });
      // when the creation is done, the process's assignee is assigned through the assigning listener
      await done(creating, { type: 'userTask', corrections: { priority: 70 } });
      const assigning = await jobOf('utla-assigning', pik);
      expect(assigning.userTask).toMatchObject({
        assignee: 'li.wei',
        changedAttributes: ['assignee'],
        priority: 70,
        action: 'assign',
      });
      expect(await taskOf(pik)).toMatchObject({ state: 'ASSIGNING', priority: 70 });
      await done(assigning);
      expect(await taskOf(pik)).toMatchObject({ state: 'CREATED', assignee: 'li.wei', priority: 70 });
    });

    it('when a task is updated, then its updating listeners run in model order, each seeing the corrections before it; the update applies the last values', async () => {
      // given
      const pik = await start('user-task-listeners-assignee', {});
      await done(await jobOf('utla-creating', pik));
      const task = await taskOf(pik);
      expect(task).toMatchObject({ state: 'CREATED' });
      expect(task.assignee).toBeUndefined();
      // when
      const updating = settle(
        c.updateUserTask({
          userTaskKey: task.userTaskKey,
          changeset: { priority: 90, candidateGroups: ['street-office'] },
        }),
      );
      const first = await jobOf('utla-updating-1', pik);
      expect(first).toMatchObject({ listenerEventType: 'UPDATING' });
      expect(first.userTask).toMatchObject({ priority: 90, candidateGroups: ['street-office'], action: 'update' });
      expect(first.userTask.changedAttributes).toEqual(['candidateGroups', 'priority']);
      await done(first, { type: 'userTask', corrections: { dueDate: '2026-03-02T09:00:00.000Z' } });
      const second = await jobOf('utla-updating-2', pik);
      expect(second.userTask).toMatchObject({ dueDate: '2026-03-02T09:00:00.000Z' });
      expect(second.userTask.changedAttributes).toEqual(['candidateGroups', 'dueDate', 'priority']);
      await noJobOf('utla-updating-2', pik);
      await done(second);
      // then
      expect(await updating).toEqual({ ok: true });
      expect(await taskOf(pik)).toMatchObject({
        state: 'CREATED',
        priority: 90,
        candidateGroups: ['street-office'],
        dueDate: '2026-03-02T09:00:00.000Z',
      });
    });

    it('when a request reaches a task whose listeners are running, then it is refused (409); a listener job completed with variables is refused (400)', async () => {
      // given
      const pik = await start('user-task-listeners-assignee', {});
      const creating = await jobOf('utla-creating', pik);
      const task = await taskOf(pik);
      // then
      expect(await failure(c.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'x' }))).toMatchObject({
        status: 409,
      });
      expect(await failure(c.completeJob({ jobKey: creating.jobKey, variables: { a: 1 } }))).toMatchObject({
        status: 400,
      });
      expect(await failure(done(creating, { type: 'userTask', denied: true }))).toMatchObject({ status: 400 });
      await done(creating);
      expect((await taskOf(pik)).state).toBe('CREATED');
    });

    it('when a listener job fails without retries, then a TASK_LISTENER_NO_RETRIES incident holds the transition; resolved, the listener runs again and the task is created', async () => {
      // given
      const pik = await start('user-task-listeners-assignee', {});
      const creating = await jobOf('utla-creating', pik);
      // when
      await c.failJob({ jobKey: creating.jobKey, retries: 0, errorMessage: 'directory offline' });
      // then
      const [incident] = await incidentsOf(pik);
      expect(incident).toMatchObject({
        errorType: 'TASK_LISTENER_NO_RETRIES',
        errorMessage: 'directory offline',
        jobKey: creating.jobKey,
      });
      expect((await taskOf(pik)).state).toBe('CREATING');
      // when resolved
      await c.updateJob({ jobKey: creating.jobKey, changeset: { retries: 1 } });
      await c.resolveIncident({ incidentKey: incident.incidentKey });
      await done(await jobOf('utla-creating', pik));
      expect((await taskOf(pik)).state).toBe('CREATED');
    });

    it('when the instance is canceled while a completing listener runs, then the task and the listener job are canceled and the waiting request is refused', async () => {
      // given
      const { pik, task } = await (async () => {
        const pik = await start('user-task-listeners', { caseId: 'utl-cancel' });
        await c.completeJob({ jobKey: (await jobOf('user-task-listeners-creating', pik)).jobKey });
        return { pik, task: await taskOf(pik) };
      })();
      const completing = settle(c.completeUserTask({ userTaskKey: task.userTaskKey, variables: { verdict: 'late' } }));
      const listener = await jobOf('user-task-listeners-completing', pik);
      // when
      await c.cancelProcessInstance({ processInstanceKey: pik });
      // then
      expect(await completing).toMatchObject({ ok: false, status: 409 });
      expect((await taskOf(pik)).state).toBe('CANCELED');
      expect(await failure(c.completeJob({ jobKey: listener.jobKey }))).toMatchObject({ status: 404 });
      expect(await stateOf(pik)).toBe('TERMINATED');
    });
  });

  // -- refusal ---------------------------------------------------------------------------------------------------

  describe('elements the embedded engine does not run yet (refused at deployment, never run wrongly)', () => {
    it.each([['user-task-canceling-listener', 'task-review', 'canceling user task listeners']])(
      'when %s.bpmn is deployed, then it is refused with 400 naming %s and what is missing, and nothing is deployed',
      async (name, elementId, what) => {
        const error = await failure(deploy(c, model(name)));
        expect(error.status).toBe(400);
        expect(error.detail).toContain(elementId);
        expect(error.detail).toContain(what);
        expect(error.detail).toContain('not supported by the embedded engine yet');
        expect((await c.searchProcessDefinitions({ filter: { processDefinitionId: name } }, now)).items).toEqual([]);
      },
    );
  });

  describe('elements Camunda 8.8 does not execute', () => {
    it.each([
      ['unsupported-complex-gateway', 'gateway-complex'],
      ['unsupported-conditional-event', 'catch-documents-complete'],
    ])(
      'when %s.bpmn is deployed, then it is refused with 400 naming %s, and nothing is deployed',
      async (name, elementId) => {
        // when
        const error = await failure(deploy(c, model(name)));
        // then
        expect(error.status).toBe(400);
        expect(error.detail).toContain(elementId);
        expect((await c.searchProcessDefinitions({ filter: { processDefinitionId: name } }, now)).items).toEqual([]);
      },
    );
  });
});
