/**
 * Every /v2 endpoint the project uses, driven through @camunda8/sdk with strict request and response validation
 * against the embedded engine.
 */
import { deploy, now, startEngine, until, type Any, type EngineHarness } from '../../support/engine';

type SdkError = { name: string; status?: number; title?: string; detail?: string };
async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

describe('embedded engine through @camunda8/sdk (strict validation)', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngine();
  });
  afterAll(() => h.stop());

  it('answers the topology', async () => {
    const topology = await h.client.getTopology();
    expect(topology.brokers[0].partitions[0]).toMatchObject({ role: 'leader', health: 'healthy' });
  });

  it('when called without the engine credentials, then every endpoint answers 401', async () => {
    for (const [method, path] of [
      ['GET', '/v2/topology'],
      ['POST', '/v2/process-instances'],
      ['POST', '/v2/user-tasks/search'],
    ]) {
      const res = await fetch(`${h.server.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
      expect(res.status).toBe(401);
    }
    const wrong = await fetch(`${h.server.url}/v2/topology`, {
      headers: { authorization: `Basic ${Buffer.from('engine:wrong').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('when the same resource is deployed twice, then it is not a new version; a changed one is', async () => {
    // given
    const first = await deploy(h.client, 'two-service-tasks.bpmn');
    // when
    const again = await deploy(h.client, 'two-service-tasks.bpmn');
    // then
    expect(again.processes[0].processDefinitionKey).toBe(first.processes[0].processDefinitionKey);
    expect(again.processes[0].processDefinitionVersion).toBe(1);
    const xml = await h.client.getProcessDefinitionXml(
      { processDefinitionKey: first.processes[0].processDefinitionKey },
      now,
    );
    const changed = await h.client.createDeployment({
      resources: [
        new File([String(xml).replace('name="Task A"', 'name="Task A2"')], 'two-service-tasks.bpmn', {
          type: 'application/xml',
        }),
      ],
    });
    expect(changed.processes[0].processDefinitionVersion).toBe(2);
    const found = await h.client.searchProcessDefinitions(
      { filter: { processDefinitionId: 'two-service-tasks' } },
      now,
    );
    expect(found.items.map((d: Any) => d.version).sort()).toEqual([1, 2]);
    const one = await h.client.getProcessDefinition(
      { processDefinitionKey: first.processes[0].processDefinitionKey },
      now,
    );
    expect(one).toMatchObject({ processDefinitionId: 'two-service-tasks', version: 1, name: 'Two service tasks' });
  });

  it('when a model is invalid, then the deployment is refused with the problems listed and nothing is deployed', async () => {
    const broken = `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <bpmn:process id="broken" isExecutable="true"><bpmn:serviceTask id="no-type" /></bpmn:process></bpmn:definitions>`;
    const error = await sdkError(
      h.client.createDeployment({
        resources: [
          new File([broken], 'broken.bpmn', { type: 'application/xml' }),
          new File(['<not-xml'], 'garbage.bpmn', { type: 'application/xml' }),
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.detail).toContain('a job type is required');
    expect(error.detail).toContain('garbage.bpmn');
    const found = await h.client.searchProcessDefinitions({ filter: { processDefinitionId: 'broken' } }, now);
    expect(found.items).toHaveLength(0);
  });

  it('runs a process end to end with SDK job workers, await completion and output mappings', async () => {
    // given
    await deploy(h.client, 'two-service-tasks.bpmn');
    const seen: Array<Record<string, unknown>> = [];
    h.client.createJobWorker({
      jobType: 'task-a',
      jobTimeoutMs: 30000,
      maxParallelJobs: 5,
      pollTimeoutMs: 1000,
      jobHandler: (job: Any) => {
        seen.push({ headers: job.customHeaders, vars: job.variables });
        return job.complete({ a: 'done' });
      },
    });
    h.client.createJobWorker({
      jobType: 'task-b',
      jobTimeoutMs: 30000,
      maxParallelJobs: 5,
      pollTimeoutMs: 1000,
      jobHandler: (job: Any) => job.complete({ result: `doubled=${String(job.variables.doubled)}`, ignored: true }),
    });
    // when
    const result = await h.client.createProcessInstance({
      processDefinitionId: 'two-service-tasks',
      variables: { count: 21 },
      awaitCompletion: true,
      requestTimeout: 20000,
    });
    // then
    expect(result.variables).toEqual({ count: 21, a: 'done', finalResult: 'doubled=42' });
    expect(seen[0]).toMatchObject({ headers: { kind: 'first' }, vars: { count: 21 } });
    const instance = await h.client.getProcessInstance({ processInstanceKey: result.processInstanceKey }, now);
    expect(instance).toMatchObject({
      state: 'COMPLETED',
      hasIncident: false,
      processDefinitionVersion: expect.any(Number),
    });
    const elements = await h.client.searchElementInstances(
      { filter: { processInstanceKey: result.processInstanceKey } },
      now,
    );
    expect(elements.items.map((e: Any) => `${e.elementId}:${e.state}`)).toEqual([
      'two-service-tasks:COMPLETED',
      'start:COMPLETED',
      'task-a:COMPLETED',
      'task-b:COMPLETED',
      'end:COMPLETED',
    ]);
    h.client.stopAllWorkers();
  });

  it('when a job fails with retries, then it comes back after the back-off; at zero retries an incident holds it until resolved', async () => {
    // given
    await deploy(h.client, 'two-service-tasks.bpmn');
    const { processInstanceKey } = await h.client.createProcessInstance({
      processDefinitionId: 'two-service-tasks',
      variables: { count: 1 },
    });
    const activate = () =>
      h.client.activateJobs({
        type: 'task-a',
        timeout: 30000,
        maxJobsToActivate: 1,
        worker: 'test',
        requestTimeout: 2000,
      });
    let [job] = (await activate()).jobs;
    expect(job.retries).toBe(3);
    // when it fails with two retries left and no back-off
    await h.client.failJob({ jobKey: job.jobKey, retries: 2, errorMessage: 'gateway timeout' });
    [job] = (await activate()).jobs;
    expect(job.retries).toBe(2);
    // when it fails with none left
    await h.client.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'SMS gateway refused the message' });
    // then an incident, and the job is not handed out
    const incidents = await h.client.searchIncidents({ filter: { processInstanceKey } }, now);
    expect(incidents.items).toHaveLength(1);
    expect(incidents.items[0]).toMatchObject({
      errorType: 'JOB_NO_RETRIES',
      errorMessage: 'SMS gateway refused the message',
      state: 'ACTIVE',
      jobKey: job.jobKey,
    });
    expect((await h.client.getProcessInstance({ processInstanceKey }, now)).hasIncident).toBe(true);
    expect(
      (
        await h.client.activateJobs({
          type: 'task-a',
          timeout: 30000,
          maxJobsToActivate: 1,
          worker: 'test',
          requestTimeout: 200,
        })
      ).jobs,
    ).toHaveLength(0);
    // when retries are given back and the incident resolved
    await h.client.updateJob({ jobKey: job.jobKey, changeset: { retries: 1 } });
    await h.client.resolveIncident({ incidentKey: incidents.items[0].incidentKey! });
    // then the job runs again
    [job] = (await activate()).jobs;
    expect(job.retries).toBe(1);
    await h.client.completeJob({ jobKey: job.jobKey, variables: {} });
    expect((await h.client.getProcessInstance({ processInstanceKey }, now)).hasIncident).toBe(false);
  });

  it('when a job fails with a back-off, then it is not handed out before the back-off has passed', async () => {
    await deploy(h.client, 'two-service-tasks.bpmn');
    await h.client.createProcessInstance({ processDefinitionId: 'two-service-tasks', variables: { count: 1 } });
    const [job] = (
      await h.client.activateJobs({
        type: 'task-a',
        timeout: 30000,
        maxJobsToActivate: 1,
        worker: 'w',
        requestTimeout: 1000,
      })
    ).jobs;
    await h.client.failJob({ jobKey: job.jobKey, retries: 1, retryBackOff: 60000, errorMessage: 'later' });
    expect(
      (
        await h.client.activateJobs({
          type: 'task-a',
          timeout: 30000,
          maxJobsToActivate: 5,
          worker: 'w',
          requestTimeout: 300,
        })
      ).jobs,
    ).toHaveLength(0);
    // when the clock moves past the back-off
    await h.client.pinClock({ timestamp: Date.now() + 61000 });
    const again = await h.client.activateJobs({
      type: 'task-a',
      timeout: 30000,
      maxJobsToActivate: 5,
      worker: 'w',
      requestTimeout: 1000,
    });
    await h.client.resetClock();
    expect(again.jobs.map((j: Any) => j.jobKey)).toContain(job.jobKey);
  });

  it('when an activated job times out, then it is handed out again; a completed job is never handed out again', async () => {
    await deploy(h.client, 'two-service-tasks.bpmn');
    const { processInstanceKey } = await h.client.createProcessInstance({
      processDefinitionId: 'two-service-tasks',
      variables: { count: 1 },
    });
    const [job] = (
      await h.client.activateJobs({
        type: 'task-a',
        timeout: 200,
        maxJobsToActivate: 1,
        worker: 'slow',
        requestTimeout: 1000,
      })
    ).jobs;
    const again = await until(async () => {
      const { jobs } = await h.client.activateJobs({
        type: 'task-a',
        timeout: 30000,
        maxJobsToActivate: 10,
        worker: 'fast',
        requestTimeout: 500,
      });
      return jobs.find((j: Any) => j.jobKey === job.jobKey);
    });
    expect(again.worker).toBe('fast');
    await h.client.completeJob({ jobKey: job.jobKey, variables: {} });
    const twice = await sdkError(h.client.completeJob({ jobKey: job.jobKey, variables: {} }));
    expect(twice).toMatchObject({ status: 404, title: 'NOT_FOUND' });
    const jobs = await h.client.activateJobs({
      type: 'task-a',
      timeout: 30000,
      maxJobsToActivate: 10,
      worker: 'w',
      requestTimeout: 300,
    });
    expect(jobs.jobs.find((j: Any) => j.processInstanceKey === processInstanceKey)).toBeUndefined();
  });

  it('when a BPMN error is thrown with a matching boundary, then the model routes it; without one, an incident', async () => {
    await deploy(h.client, 'error-boundary.bpmn', 'two-service-tasks.bpmn');
    const { processInstanceKey } = await h.client.createProcessInstance({
      processDefinitionId: 'error-boundary',
      variables: {},
    });
    const [job] = (
      await h.client.activateJobs({
        type: 'close-case',
        timeout: 30000,
        maxJobsToActivate: 1,
        worker: 'w',
        requestTimeout: 1000,
      })
    ).jobs;
    await h.client.throwJobError({
      jobKey: job.jobKey,
      errorCode: 'NOT_RESOLVED',
      errorMessage: 'last rating dissatisfied',
      variables: { reason: 'dissatisfied' },
    });
    const tasks = await h.client.searchUserTasks({ filter: { processInstanceKey } }, now);
    expect(tasks.items.map((t: Any) => [t.elementId, t.candidateGroups])).toEqual([['task-rehandle', ['secretary']]]);
    const vars = await h.client.searchVariables({ filter: { processInstanceKey } }, now);
    expect(vars.items.find((v: Any) => v.name === 'reason')?.value).toBe('"dissatisfied"');
    // uncaught
    const other = await h.client.createProcessInstance({
      processDefinitionId: 'two-service-tasks',
      variables: { count: 1 },
    });
    const jobs = await h.client.activateJobs({
      type: 'task-a',
      timeout: 30000,
      maxJobsToActivate: 10,
      worker: 'w',
      requestTimeout: 1000,
    });
    const mine = jobs.jobs.find((j: Any) => j.processInstanceKey === other.processInstanceKey)!;
    await h.client.throwJobError({ jobKey: mine.jobKey, errorCode: 'NOBODY_CATCHES_THIS' });
    const incidents = await h.client.searchIncidents({ filter: { processInstanceKey: other.processInstanceKey } }, now);
    expect(incidents.items[0]).toMatchObject({ errorType: 'UNHANDLED_ERROR_EVENT', state: 'ACTIVE' });
    expect((await h.client.getProcessInstance({ processInstanceKey: other.processInstanceKey }, now)).state).toBe(
      'ACTIVE',
    );
  });

  it('serves user tasks: search, get, form, claim, override rules, unassign, update, complete once', async () => {
    // given
    await deploy(h.client, 'user-task.bpmn', 'review.form');
    const due = '2026-12-01T08:00:00.000Z';
    const { processInstanceKey } = await h.client.createProcessInstance({
      processDefinitionId: 'user-task',
      variables: { firstResponder: 'reception', slaDueAt: due },
    });
    // when
    const byGroup = await h.client.searchUserTasks(
      { filter: { candidateGroup: 'street-office', processInstanceKey } },
      now,
    );
    // then
    expect(byGroup.items).toHaveLength(1);
    const task = byGroup.items[0];
    expect(task).toMatchObject({
      name: 'Review the case',
      assignee: 'reception',
      dueDate: due,
      priority: 70,
      state: 'CREATED',
    });
    expect(
      (await h.client.searchUserTasks({ filter: { candidateGroup: 'member', processInstanceKey } }, now)).items,
    ).toHaveLength(0);
    const form = await h.client.getUserTaskForm({ userTaskKey: task.userTaskKey }, now);
    expect(form).toMatchObject({ formId: 'review-form' });
    const conflict = await sdkError(
      h.client.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'cadre', allowOverride: false }),
    );
    expect(conflict).toMatchObject({ status: 409, title: 'INVALID_STATE' });
    await h.client.unassignUserTask({ userTaskKey: task.userTaskKey });
    expect((await h.client.getUserTask({ userTaskKey: task.userTaskKey }, now)).assignee).toBeUndefined();
    await h.client.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'cadre', allowOverride: false });
    await h.client.updateUserTask({
      userTaskKey: task.userTaskKey,
      changeset: { dueDate: '2026-12-03T08:00:00.000Z', candidateGroups: ['cadre'], priority: 90 },
    });
    const updated = await h.client.getUserTask({ userTaskKey: task.userTaskKey }, now);
    expect(updated).toMatchObject({
      assignee: 'cadre',
      dueDate: '2026-12-03T08:00:00.000Z',
      candidateGroups: ['cadre'],
      priority: 90,
    });
    expect(
      (await h.client.searchUserTasks({ filter: { assignee: 'cadre', state: 'CREATED' } }, now)).items.map(
        (t: Any) => t.userTaskKey,
      ),
    ).toContain(task.userTaskKey);
    // when completed
    await h.client.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true } });
    // then the instance took the approved path, and a second completion is refused
    const elements = await h.client.searchElementInstances(
      { filter: { processInstanceKey, elementId: 'end-ok' } },
      now,
    );
    expect(elements.items[0].state).toBe('COMPLETED');
    expect((await h.client.getProcessInstance({ processInstanceKey }, now)).state).toBe('COMPLETED');
    expect(await sdkError(h.client.completeUserTask({ userTaskKey: task.userTaskKey }))).toMatchObject({ status: 404 });
    expect((await h.client.getUserTask({ userTaskKey: task.userTaskKey }, now)).state).toBe('COMPLETED');
  });

  it('when an instance is cancelled, then it is terminated and its tasks are gone', async () => {
    await deploy(h.client, 'user-task.bpmn', 'review.form');
    const { processInstanceKey } = await h.client.createProcessInstance({
      processDefinitionId: 'user-task',
      variables: { firstResponder: 'x' },
    });
    await h.client.cancelProcessInstance({ processInstanceKey });
    expect((await h.client.getProcessInstance({ processInstanceKey }, now)).state).toBe('TERMINATED');
    const tasks = await h.client.searchUserTasks({ filter: { processInstanceKey } }, now);
    expect(tasks.items.map((t: Any) => t.state)).toEqual(['CANCELED']);
    const found = await h.client.searchProcessInstances({ filter: { state: 'TERMINATED', processInstanceKey } }, now);
    expect(found.items).toHaveLength(1);
    expect(await sdkError(h.client.cancelProcessInstance({ processInstanceKey }))).toMatchObject({ status: 404 });
  });

  it('when keys are unknown, then 404; when input is malformed, then 400', async () => {
    expect(await sdkError(h.client.getProcessInstance({ processInstanceKey: '123' }, now))).toMatchObject({
      status: 404,
    });
    expect(await sdkError(h.client.completeUserTask({ userTaskKey: '123' }))).toMatchObject({ status: 404 });
    expect(await sdkError(h.client.createProcessInstance({ processDefinitionId: 'no-such-process' }))).toMatchObject({
      status: 404,
    });
    const res = await fetch(`${h.server.url}/v2/process-instances/abc`, {
      headers: { authorization: h.authorization },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('creates instances by process id and version, or by definition key; searches tasks by due date', async () => {
    // given two versions of a model
    const v1 = await deploy(h.client, 'user-task.bpmn', 'review.form');
    const xml = await h.client.getProcessDefinitionXml(
      { processDefinitionKey: v1.processes[0].processDefinitionKey },
      now,
    );
    const v2 = await h.client.createDeployment({
      resources: [
        new File([String(xml).replace('name="Review the case"', 'name="Review the case again"')], 'user-task.bpmn', {
          type: 'application/xml',
        }),
      ],
    });
    // when
    const byKey = await h.client.createProcessInstance({
      processDefinitionKey: v1.processes[0].processDefinitionKey,
      variables: { slaDueAt: '2026-12-24T00:00:00Z' },
    });
    const byVersion = await h.client.createProcessInstance({
      processDefinitionId: 'user-task',
      processDefinitionVersion: v1.processes[0].processDefinitionVersion,
      variables: {},
    });
    const latest = await h.client.createProcessInstance({ processDefinitionId: 'user-task', variables: {} });
    // then
    expect(byKey.processDefinitionKey).toBe(v1.processes[0].processDefinitionKey);
    expect(byVersion.processDefinitionKey).toBe(v1.processes[0].processDefinitionKey);
    expect(latest.processDefinitionKey).toBe(v2.processes[0].processDefinitionKey);
    const due = await h.client.searchUserTasks(
      {
        filter: {
          dueDate: { $gte: '2026-12-23T00:00:00Z', $lt: '2026-12-25T00:00:00Z' },
          processInstanceKey: byKey.processInstanceKey,
        },
      },
      now,
    );
    expect(due.items.map((t: Any) => t.processInstanceKey)).toEqual([byKey.processInstanceKey]);
    const notDue = await h.client.searchUserTasks(
      { filter: { dueDate: { $lt: '2026-12-01T00:00:00Z' }, processInstanceKey: byKey.processInstanceKey } },
      now,
    );
    expect(notDue.items).toHaveLength(0);
  });

  it('filters by a list of keys or of versions, sorts tasks by due date, and tells the total whether or not the page holds every match', async () => {
    // given five instances of one process
    const { processes } = await deploy(h.client, 'user-task.bpmn', 'review.form');
    const keys: string[] = [];
    for (let i = 0; i < 5; i++)
      keys.push(
        String(
          (await h.client.createProcessInstance({ processDefinitionId: 'user-task', variables: {} }))
            .processInstanceKey,
        ),
      );
    const among = { processInstanceKey: { $in: keys } } as Any;
    // when / then: a list of keys, and of versions (an integer field)
    const three = await h.client.searchProcessInstances(
      { filter: { processInstanceKey: { $in: keys.slice(0, 3) } } as Any },
      now,
    );
    expect(three.items.map((i: Any) => String(i.processInstanceKey)).sort()).toEqual(keys.slice(0, 3).sort());
    const version = processes[0].processDefinitionVersion;
    const byVersion = await h.client.searchProcessInstances(
      { filter: { ...among, processDefinitionVersion: { $in: [version, version + 100] } } },
      now,
    );
    expect(byVersion.items).toHaveLength(5);
    const noVersion = await h.client.searchProcessInstances(
      { filter: { ...among, processDefinitionVersion: { $in: [version + 100] } } },
      now,
    );
    expect(noVersion.items).toHaveLength(0);
    // the total of every match: a page with all of them, a full first page, a last page, a page past the end
    const totals: Array<[number, number, number]> = [];
    for (const [from, limit] of [
      [0, 10],
      [0, 2],
      [4, 2],
      [2, 3],
      [8, 2],
      [0, 5],
    ]) {
      const found = await h.client.searchProcessInstances({ filter: among, page: { from, limit } }, now);
      totals.push([from, found.items.length, Number(found.page.totalItems)]);
    }
    expect(totals).toEqual([
      [0, 5, 5],
      [0, 2, 5],
      [4, 1, 5],
      [2, 3, 5],
      [8, 0, 5],
      [0, 5, 5],
    ]);
    // tasks sorted by due date, soonest first and those without one last (the tasklist shows the 100 due soonest)
    const xml = String(
      await h.client.getProcessDefinitionXml({ processDefinitionKey: processes[0].processDefinitionKey }, now),
    );
    await h.client.createDeployment({
      resources: [
        new File([xml.replace(/id="user-task"/, 'id="user-task-due"')], 'user-task-due.bpmn', {
          type: 'application/xml',
        }),
      ],
    });
    for (const slaDueAt of ['2026-12-26T00:00:00.000Z', undefined, '2026-12-24T00:00:00.000Z']) {
      await h.client.createProcessInstance({
        processDefinitionId: 'user-task-due',
        variables: slaDueAt ? { slaDueAt } : {},
      });
    }
    const sorted = await h.client.searchUserTasks(
      { filter: { processDefinitionId: 'user-task-due' }, sort: [{ field: 'dueDate', order: 'ASC' }] },
      now,
    );
    expect(sorted.items.map((t: Any) => t.dueDate ?? null)).toEqual([
      '2026-12-24T00:00:00.000Z',
      '2026-12-26T00:00:00.000Z',
      null,
    ]);
    // a key that is not a number, sent past the SDK (which refuses it itself): 400, not a server error
    const badKey = await fetch(`${h.server.url}/v2/process-instances/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: h.authorization },
      body: JSON.stringify({ filter: { processInstanceKey: { $in: ['x1'] } } }),
    });
    expect(badKey.status).toBe(400);
  });

  it('lists the sequence flows an instance took, and finds an instance by a variable value', async () => {
    // given
    await deploy(h.client, 'gateway-conditions.bpmn');
    const marker = `m-${Date.now()}`;
    const { processInstanceKey } = await h.client.createProcessInstance({
      processDefinitionId: 'gateway-conditions',
      variables: { caseClass: 'complex', marker },
      awaitCompletion: true,
      requestTimeout: 20000,
    });
    // when
    const flows = await h.client.getProcessInstanceSequenceFlows({ processInstanceKey }, now);
    const found = await h.client.searchVariables({ filter: { name: 'marker', value: JSON.stringify(marker) } }, now);
    // then the flows taken, not the one the gateway passed over
    expect(flows.items.map((f: Any) => f.sequenceFlowId).sort()).toEqual(['flow-complex', 'to-gateway']);
    expect(flows.items[0]).toMatchObject({ processInstanceKey, processDefinitionId: 'gateway-conditions' });
    expect(found.items.map((v: Any) => v.processInstanceKey)).toEqual([processInstanceKey]);
    const bad = await sdkError(h.client.searchVariables({ filter: { name: 'marker', value: '{not json' } }, now));
    expect(bad.status).toBe(400);
    // and a value is matched whole: a list that contains the value asked for is not that value
    const listed = await h.client.createProcessInstance({
      processDefinitionId: 'gateway-conditions',
      variables: { caseClass: 'complex', tags: [marker, 'x'] },
      awaitCompletion: true,
      requestTimeout: 20000,
    });
    const part = await h.client.searchVariables({ filter: { name: 'tags', value: JSON.stringify([marker]) } }, now);
    expect(part.items).toEqual([]);
    const whole = await h.client.searchVariables(
      { filter: { name: 'tags', value: JSON.stringify([marker, 'x']) } },
      now,
    );
    expect(whole.items.map((v: Any) => v.processInstanceKey)).toEqual([listed.processInstanceKey]);
  });

  it('evaluates a deployed decision (evaluateDecision)', async () => {
    await deploy(h.client, 'case-class.dmn');
    const result = await h.client.evaluateDecision({
      decisionDefinitionId: 'decide-case-class',
      variables: { category: '物业合同纠纷' },
    });
    expect(JSON.parse(result.output)).toBe('complex');
    expect(result.failureMessage).toBe('');
    const none = await sdkError(h.client.evaluateDecision({ decisionDefinitionId: 'no-such-decision', variables: {} }));
    expect(none.status).toBe(404);
  });
});
