/**
 * 运维 (the operations console, /api/ops): an admin sees each process version's instances counted, lists the
 * instances with incidents, opens one (diagram, element counts, variables with mobile and ID numbers masked,
 * incidents, jobs), retries the incident a failing job made and the instance moves on, sets a variable, cancels an
 * instance with a reason — each action in the operation log; bad input is refused in words; nobody else gets in.
 * Every admin is told of the incident in their inbox. Against the embedded engine through the app's engine client, as
 * on a cluster; the clock pinned.
 */
import { deploy, startEngine, TEST_EPOCH, until, type Any, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

describe('the operations console', () => {
  let h: EngineHarness;
  let admin: Session;
  let c: Any;

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'false', DEMO_SEED: 'true', DEPLOY_MODELS: 'false' });
    c = h.client;
    await c.pinClock({ timestamp: TEST_EPOCH });
    await deploy(c, 'two-service-tasks.bpmn');
    admin = await new Session(h.server.url).signIn('admin');
  });
  afterAll(() => h.stop());

  const start = async (variables: Json = {}): Promise<string> =>
    String((await c.createProcessInstance({ processDefinitionId: 'two-service-tasks', variables })).processInstanceKey);
  const activate = async (type: string, processInstanceKey: string): Promise<Any> => {
    const { jobs } = await c.activateJobs({ type, timeout: 60000, maxJobsToActivate: 50, worker: 'ops-test' });
    return jobs.find((j: Any) => String(j.processInstanceKey) === processInstanceKey);
  };
  const get = async (path: string) => {
    const res = await admin.call('GET', `/api${path}`);
    expect({ path, status: res.status, body: res.status === 200 ? null : res.body }).toEqual({
      path,
      status: 200,
      body: null,
    });
    return res.body;
  };

  it('when a job fails out of retries, then the console counts and lists the incident, and a retry moves the instance on', async () => {
    // given an instance whose first job failed with no retries left
    const key = await start({ petitionerPhone: '13912345678', note: '身份证 110101199003071234' });
    const job = await activate('task-a', key);
    await c.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: '短信网关无响应' });
    // then its version counts one running instance with an incident
    const { items } = await get('/ops/processes');
    const version = (items as Json[]).find((p) => p.processDefinitionId === 'two-service-tasks')!;
    expect(version).toMatchObject({ running: 1, incidents: 1, completed: 0 });
    expect((await get(`/ops/processes/${version.processDefinitionKey}`)).xml).toContain('two-service-tasks');
    // and the list of instances with incidents has it
    const listed = await get('/ops/instances?incidents=true');
    expect((listed.items as Json[]).map((i) => String(i.processInstanceKey))).toEqual([key]);
    // and its page shows the incident, the job without retries and the variables masked
    const page = await get(`/ops/instances/${key}`);
    expect(page.incidents).toHaveLength(1);
    expect(page.incidents[0]).toMatchObject({
      state: 'ACTIVE',
      errorMessage: '短信网关无响应',
      elementId: job.elementId,
    });
    expect((page.jobs as Json[]).find((j) => String(j.jobKey) === String(job.jobKey))).toMatchObject({ retries: 0 });
    const values = Object.fromEntries((page.variables as Json[]).map((v) => [v.name, v.value]));
    expect(values).toEqual({ petitionerPhone: '"139****5678"', note: '"身份证 110***********1234"' });
    expect(JSON.stringify(page)).not.toMatch(/13912345678|110101199003071234/);
    expect(page.statistics).toEqual(
      expect.arrayContaining([expect.objectContaining({ elementId: job.elementId, active: 1, incidents: 1 })]),
    );

    // and every admin is told in their inbox, with where it stopped and why (the notice watcher, every 10 s)
    const notice = await until(async () => {
      const inbox = await get('/inbox');
      return (inbox.items as Json[]).find((n) => n.template === 'incident');
    }, 20000);
    expect(notice.text).toContain('two-service-tasks');
    expect(notice.text).toContain('短信网关无响应');
    expect(notice.text).toContain('运维');

    // when the admin retries the incident
    const retried = await admin.call('POST', `/api/ops/incidents/${page.incidents[0].incidentKey}/retry`, {});
    expect(retried.status).toBe(200);
    // then it is resolved and logged, and the job can be worked again: the instance moves on to its end
    expect(retried.body.incidents[0].state).toBe('RESOLVED');
    expect(retried.body.operations).toEqual([
      expect.objectContaining({
        actor: 'admin',
        action: 'retry-incident',
        target: String(page.incidents[0].incidentKey),
      }),
    ]);
    await c.completeJob({ jobKey: (await activate('task-a', key)).jobKey });
    await c.completeJob({ jobKey: (await activate('task-b', key)).jobKey });
    expect((await get(`/ops/instances/${key}`)).instance.state).toBe('COMPLETED');
    // and retrying it again is refused
    const again = await admin.call('POST', `/api/ops/incidents/${page.incidents[0].incidentKey}/retry`, {});
    expect(again.status).toBe(409);
  });

  it('when an admin sets a variable and cancels an instance with a reason, then both happen and are logged', async () => {
    const key = await start({ count: 1 });
    const set = await admin.call('POST', `/api/ops/instances/${key}/variables`, { name: 'count', value: '2' });
    expect([set.status, set.status === 200 ? null : set.body]).toEqual([200, null]);
    expect((set.body.variables as Json[]).find((v) => v.name === 'count')!.value).toBe('2');
    const badJson = await admin.call('POST', `/api/ops/instances/${key}/variables`, { name: 'count', value: '二' });
    expect(badJson.status).toBe(400);
    expect(JSON.stringify(badJson.body)).toContain('变量值应为 JSON');
    const noReason = await admin.call('POST', `/api/ops/instances/${key}/cancel`, { reason: '' });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body)).toContain('请写明取消的原因');
    const cancelled = await admin.call('POST', `/api/ops/instances/${key}/cancel`, { reason: '重复登记，已合并' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.instance.state).toBe('TERMINATED');
    expect((cancelled.body.operations as Json[]).map((o) => [o.action, o.target ?? o.detail.reason])).toEqual([
      ['set-variable', 'count'],
      ['cancel-instance', '重复登记，已合并'],
    ]);
    expect((await admin.call('POST', `/api/ops/instances/${key}/cancel`, { reason: '再取消一次' })).status).toBe(409);
  });

  it('when someone else or a wrong key asks, then they are refused', async () => {
    const leader = await new Session(h.server.url).signIn('leader');
    expect((await leader.call('GET', '/api/ops/processes')).status).toBe(403);
    expect((await admin.call('GET', '/api/ops/instances/abc')).status).toBe(400);
    expect((await admin.call('GET', '/api/ops/instances/999999999')).status).toBe(404);
    expect((await admin.call('POST', '/api/ops/incidents/999999999/retry', {})).status).toBe(404);
  });
});
