/**
 * The reads of Camunda 8.8's REST API that Operate and the official clients use beside the core ones: the status,
 * jobs and message subscriptions searched, decision definitions, a process's start form, element statistics of a
 * definition and of an instance, an instance's call hierarchy and its incidents (its called processes' included),
 * and the variables a user task sees. Through @camunda8/sdk with strict request and response validation.
 */
import { deploy, now, startEngine, TEST_EPOCH, until, type Any, type EngineHarness } from '../../support/engine';

type SdkError = { status?: number; detail?: string };
async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

describe('Camunda 8.8 reads beside the core ones (strict validation)', () => {
  let h: EngineHarness;
  let c: Any;
  beforeAll(async () => {
    h = await startEngine();
    c = h.client;
    await c.pinClock({ timestamp: TEST_EPOCH });
    await deploy(
      c,
      'error-boundary.bpmn',
      'two-service-tasks.bpmn',
      'message-catch.bpmn',
      'call-parent.bpmn',
      'call-child.bpmn',
      'case-class.dmn',
      'review.form',
      'start-form.bpmn',
    );
  });
  afterAll(async () => {
    await c.resetClock();
    await h.stop();
  });

  const start = async (processDefinitionId: string, variables: Record<string, unknown> = {}): Promise<string> =>
    (await c.createProcessInstance({ processDefinitionId, variables })).processInstanceKey;
  const activate = async (type: string, processInstanceKey: string): Promise<Any> => {
    const { jobs } = await c.activateJobs({
      type,
      timeout: 60000,
      maxJobsToActivate: 50,
      worker: 'reads-test',
      requestTimeout: 2000,
    });
    const mine = jobs.filter((j: Any) => j.processInstanceKey === processInstanceKey);
    expect(mine).toHaveLength(1);
    return mine[0];
  };

  it('when the status is asked, then the engine answers 204 (healthy)', async () => {
    // when / then (the SDK gives nothing back for a 204)
    await expect(c.getStatus()).resolves.toBeUndefined();
  });

  it('when jobs are searched, then an open job is CREATED, a job failed with retries left says so, a completed one is COMPLETED; an unrecorded field is a 400', async () => {
    // given
    const pik = await start('two-service-tasks', { count: 1 });
    const job = await activate('task-a', pik);
    // when
    let [found] = (await c.searchJobs({ filter: { processInstanceKey: pik } }, now)).items;
    // then
    expect(found).toMatchObject({
      jobKey: job.jobKey,
      type: 'task-a',
      state: 'CREATED',
      kind: 'BPMN_ELEMENT',
      listenerEventType: 'UNSPECIFIED',
      worker: 'reads-test',
      retries: 3,
      hasFailedWithRetriesLeft: false,
      processDefinitionId: 'two-service-tasks',
      elementId: job.elementId,
      elementInstanceKey: job.elementInstanceKey,
    });
    // when it fails with retries left, and is searched by that
    await c.failJob({ jobKey: job.jobKey, retries: 2, errorMessage: 'gateway busy' });
    [found] = (await c.searchJobs({ filter: { processInstanceKey: pik, hasFailedWithRetriesLeft: true } }, now)).items;
    expect(found).toMatchObject({
      jobKey: job.jobKey,
      state: 'CREATED',
      retries: 2,
      errorMessage: 'gateway busy',
      hasFailedWithRetriesLeft: true,
    });
    // when completed
    await c.completeJob({ jobKey: (await activate('task-a', pik)).jobKey });
    const states = (
      await c.searchJobs({ filter: { processInstanceKey: pik }, sort: [{ field: 'jobKey', order: 'ASC' }] }, now)
    ).items.map((j: Any) => `${j.type}:${j.state}`);
    expect(states).toEqual(['task-a:COMPLETED', 'task-b:CREATED']);
    expect(
      Number((await c.searchJobs({ filter: { processInstanceKey: pik, state: 'COMPLETED' } }, now)).page.totalItems),
    ).toBe(1);
    // and a field this engine does not record is refused, not ignored
    expect(await failure(c.searchJobs({ filter: { endTime: { $gt: '2026-01-01T00:00:00Z' } } }, now))).toMatchObject({
      status: 400,
    });
  });

  it("when a job fails with variables, then they are locals of its task: seen by its next activation and in the task's scope, not the process's", async () => {
    // given
    const pik = await start('two-service-tasks', { count: 7 });
    const job = await activate('task-a', pik);
    // when
    await c.failJob({ jobKey: job.jobKey, retries: 1, errorMessage: 'try again', variables: { attempt: 1 } });
    // then
    const found = (await c.searchVariables({ filter: { processInstanceKey: pik, name: 'attempt' } }, now)).items;
    expect(found.map((v: Any) => [v.scopeKey, v.value])).toEqual([[job.elementInstanceKey, '1']]);
    const again = await activate('task-a', pik);
    expect(again.variables).toMatchObject({ count: 7, attempt: 1 });
    // when the task completes, its locals go with it
    await c.completeJob({ jobKey: again.jobKey });
    expect((await c.searchVariables({ filter: { processInstanceKey: pik, name: 'attempt' } }, now)).items).toEqual([]);
  });

  it('when an error is thrown for a job that failed out of retries, then its incident is resolved and the error boundary takes the instance on', async () => {
    // given
    const pik = await start('error-boundary', { caseId: 'reads-err-1' });
    const job = await activate('close-case', pik);
    await c.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'cannot close' });
    expect((await c.searchIncidents({ filter: { processInstanceKey: pik, state: 'ACTIVE' } }, now)).items).toHaveLength(
      1,
    );
    // when
    await c.throwJobError({ jobKey: job.jobKey, errorCode: 'NOT_RESOLVED', errorMessage: 'not resolved after all' });
    // then
    expect((await c.searchIncidents({ filter: { processInstanceKey: pik, state: 'ACTIVE' } }, now)).items).toEqual([]);
    expect((await c.getProcessInstance({ processInstanceKey: pik }, now)).hasIncident).toBe(false);
    const [task] = (await c.searchUserTasks({ filter: { processInstanceKey: pik } }, now)).items;
    expect(task).toMatchObject({ elementId: 'task-rehandle', state: 'CREATED' });
  });

  it('when message subscriptions are searched, then an open one is CREATED with its name and key, and once correlated it is CORRELATED', async () => {
    // given
    const pik = await start('message-catch', { caseId: 'reads-msg-1' });
    // when
    const [open] = (await c.searchMessageSubscriptions({ filter: { processInstanceKey: pik } }, now)).items;
    // then
    expect(open).toMatchObject({
      messageSubscriptionState: 'CREATED',
      messageName: 'satisfaction-rated',
      correlationKey: 'reads-msg-1',
      elementId: 'catch-rated',
      processDefinitionId: 'message-catch',
    });
    const [element] = (
      await c.searchElementInstances({ filter: { processInstanceKey: pik, elementId: 'catch-rated' } }, now)
    ).items;
    expect(open.elementInstanceKey).toBe(element.elementInstanceKey);
    // when correlated
    await c.correlateMessage({ name: 'satisfaction-rated', correlationKey: 'reads-msg-1', variables: {} });
    const [done] = (
      await c.searchMessageSubscriptions(
        { filter: { processInstanceKey: pik, messageSubscriptionState: 'CORRELATED' } },
        now,
      )
    ).items;
    expect(done).toMatchObject({
      messageSubscriptionKey: open.messageSubscriptionKey,
      messageSubscriptionState: 'CORRELATED',
    });
  });

  it('when decision definitions are searched and read, then each decision of a DMN file has its graph, and its XML is the file', async () => {
    // when
    const { items } = await c.searchDecisionDefinitions({ filter: { decisionDefinitionId: 'decide-case-class' } }, now);
    // then
    expect(items).toHaveLength(1);
    const [decision] = items;
    const graph = await c.getDecisionRequirements({ decisionRequirementsKey: decision.decisionRequirementsKey }, now);
    expect(decision).toMatchObject({
      decisionDefinitionId: 'decide-case-class',
      decisionRequirementsId: graph.decisionRequirementsId,
    });
    expect(Number(decision.version)).toBe(1);
    expect(await c.getDecisionDefinition({ decisionDefinitionKey: decision.decisionDefinitionKey }, now)).toEqual(
      decision,
    );
    const xml = await c.getDecisionDefinitionXml({ decisionDefinitionKey: decision.decisionDefinitionKey }, now);
    expect(String(xml)).toContain('id="decide-case-class"');
    expect(await failure(c.getDecisionDefinition({ decisionDefinitionKey: '2251799813999999' }, now))).toMatchObject({
      status: 404,
    });
  });

  it("when a process's start form is asked, then its none start event's form is given, and hasStartForm says so; a process without one answers nothing", async () => {
    // given
    const [withForm] = (await c.searchProcessDefinitions({ filter: { processDefinitionId: 'start-form' } }, now)).items;
    const [without] = (await c.searchProcessDefinitions({ filter: { processDefinitionId: 'two-service-tasks' } }, now))
      .items;
    // then
    expect(withForm.hasStartForm).toBe(true);
    expect(without.hasStartForm).toBe(false);
    expect(
      (await c.searchProcessDefinitions({ filter: { hasStartForm: true } }, now)).items.map(
        (d: Any) => d.processDefinitionId,
      ),
    ).toEqual(['start-form']);
    expect(await c.getStartProcessForm({ processDefinitionKey: withForm.processDefinitionKey }, now)).toMatchObject({
      formId: 'review-form',
    });
    // (204 No Content: the SDK gives an empty answer)
    expect(await c.getStartProcessForm({ processDefinitionKey: without.processDefinitionKey }, now)).not.toHaveProperty(
      'formId',
    );
  });

  it('when a user task sees variables of its own and of the scopes around it, then its variables search gives them all, by name if asked', async () => {
    // given
    const pik = await start('start-form', { caseId: 'reads-ut-1' });
    const [task] = (await until(async () => {
      const found = (await c.searchUserTasks({ filter: { processInstanceKey: pik } }, now)).items;
      return found.length > 0 ? found : undefined;
    })) as Any[];
    // when
    const { items } = await c.searchUserTaskVariables(
      { userTaskKey: task.userTaskKey, sort: [{ field: 'name', order: 'ASC' }] },
      now,
    );
    // then
    expect(items.map((v: Any) => [v.name, JSON.parse(v.value)])).toEqual([
      ['caseId', 'reads-ut-1'],
      ['grid', 'grid-reads-ut-1'],
      ['note', 'reads-ut-1-note'],
    ]);
    const named = await c.searchUserTaskVariables({ userTaskKey: task.userTaskKey, filter: { name: 'note' } }, now);
    expect(named.items.map((v: Any) => v.scopeKey)).toEqual([task.elementInstanceKey]);
  });

  it("when statistics are asked, then each element's element instances are counted by state, for one instance and for a definition's filtered instances", async () => {
    // given two instances: one past task-a, one waiting at it
    const first = await start('two-service-tasks', { count: 2 });
    const second = await start('two-service-tasks', { count: 3 });
    await c.completeJob({ jobKey: (await activate('task-a', first)).jobKey });
    // when
    const one = await c.getProcessInstanceStatistics({ processInstanceKey: first }, now);
    // then
    const byElement = (items: Any[]) =>
      Object.fromEntries(
        items.map((s: Any) => [s.elementId, [s.active, s.completed, s.canceled, s.incidents].map(Number)]),
      );
    expect(byElement(one.items)).toMatchObject({ 'task-a': [0, 1, 0, 0], 'task-b': [1, 0, 0, 0] });
    // when, for the definition, only these two instances
    const [definition] = (
      await c.searchProcessDefinitions({ filter: { processDefinitionId: 'two-service-tasks' } }, now)
    ).items;
    const both = await c.getProcessDefinitionStatistics(
      {
        processDefinitionKey: definition.processDefinitionKey,
        filter: { processInstanceKey: { $in: [first, second] } },
      },
      now,
    );
    expect(byElement(both.items)).toMatchObject({ 'task-a': [1, 1, 0, 0], 'task-b': [1, 0, 0, 0] });
  });

  it("when a called process has an incident, then the call hierarchy runs from the caller down, and the caller's incidents search finds it", async () => {
    // given
    const parent = await start('call-parent', { caseId: 'reads-call-1', childProcess: 'call-child' });
    const child = await until(
      async () => (await c.searchProcessInstances({ filter: { parentProcessInstanceKey: parent } }, now)).items[0],
    );
    const job = await activate('propose-solution', child.processInstanceKey);
    await c.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'nobody proposed anything' });
    // when
    const hierarchy = await c.getProcessInstanceCallHierarchy({ processInstanceKey: child.processInstanceKey }, now);
    const incidents = await c.searchProcessInstanceIncidents({ processInstanceKey: parent }, now);
    // then
    expect(hierarchy.map((e: Any) => e.processInstanceKey)).toEqual([parent, child.processInstanceKey]);
    expect(hierarchy[0]).toMatchObject({ processDefinitionName: 'Calls a working group' });
    expect(incidents.items).toHaveLength(1);
    expect(incidents.items[0]).toMatchObject({
      processInstanceKey: child.processInstanceKey,
      errorType: 'JOB_NO_RETRIES',
      errorMessage: 'nobody proposed anything',
    });
    // (Camunda's query of this search has sort and page, no filter: one given is refused)
    const res = await fetch(`${h.server.url}/v2/process-instances/${parent}/incidents/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: h.authorization },
      body: JSON.stringify({ filter: { errorType: 'CONDITION_ERROR' } }),
    });
    expect(res.status).toBe(400);
  });
});
