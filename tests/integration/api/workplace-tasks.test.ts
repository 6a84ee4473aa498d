/**
 * The daily workplace around the engine (issue 26), with the workers running and the clock pinned:
 * - an early warning's coordination task shows its alert and the cases that raised it, and keeps its history
 *   (created for the cadres' queue, claimed, handed on, completed) with people's names;
 * - the alert's status follows its joint handling: closed when the process completes, canceled when it is cancelled;
 * - a key person's conversion recorded from their file, directly or by completing their care's open confirmation.
 */
import { startEngine, TEST_EPOCH, until, type Any, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

describe('the workplace around the engine', () => {
  let h: EngineHarness;
  let admin: Session;
  let reception: Session;
  let leader: Session;
  let cadre: Session;
  const now = { consistency: { waitUpToMs: 0 } };

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    admin = await new Session(h.server.url).signIn('admin');
    reception = await new Session(h.server.url).signIn('reception');
    leader = await new Session(h.server.url).signIn('leader');
    cadre = await new Session(h.server.url).signIn('cadre');
  });
  afterAll(() => h.stop());

  const openTask = (filter: Json) =>
    until(async () => {
      const { items } = await h.client.searchUserTasks({ filter: { ...filter, state: 'CREATED' } }, now);
      return (items as Any[])[0];
    }, 30000);

  /** Three lift complaints from the compound (the standing rule: three of a kind in 30 days); the alert raised. */
  async function raiseAlert(compoundIndex: number): Promise<Json> {
    const { body } = await reception.call('GET', '/api/grids');
    const compound = (body.items as Json[])[compoundIndex].compounds[0];
    for (let i = 0; i < 3; i++) {
      const filed = await reception.call('POST', '/api/cases', {
        channel: 'hotline-12345',
        category: '电梯故障',
        description: `${compound.name}电梯故障第 ${i + 1} 次反映`,
        compoundId: compound.id,
      });
      expect(filed.status).toBe(201);
    }
    return until(async () => {
      const { body: alerts } = await leader.call('GET', '/api/warning-alerts?status=handling');
      return (alerts.items as Json[]).find((a) => a.place === compound.name);
    }, 30000);
  }

  it('when the coordination task is worked and the joint handling completes, then the task shows its alert and history, and the alert is closed', async () => {
    // given an alert in handling and a second cadre
    const alert = await raiseAlert(0);
    expect(alert.status).toBe('handling');
    const second = await admin.call('POST', '/api/users', {
      username: 'cadre-2',
      displayName: '王敏（社区干部）',
      password: 'another-cadre-2026',
      roles: ['cadre'],
    });
    expect(second.status).toBe(201);
    const instance = alert.processInstanceKey as string;
    const community = await openTask({ processInstanceKey: instance, elementId: 'Task_CommunityAction' });
    // when the cadre claims it and opens it, then it shows the alert and its three cases
    expect((await cadre.call('POST', `/api/tasks/${community.userTaskKey}/claim`)).status).toBe(200);
    const context = await cadre.call('GET', `/api/tasks/${community.userTaskKey}/alert`);
    expect(context.body.alert).toMatchObject({ id: alert.id, rule: alert.rule, place: alert.place, caseCount: 3 });
    expect(context.body.alert.category).toContain('电梯');
    expect(context.body.alert.cases.map((c: Json) => c.caseNo)).toEqual(alert.cases.map((c: Json) => c.caseNo));
    // when handed to the second cadre, who completes it
    const handed = await cadre.call('POST', `/api/tasks/${community.userTaskKey}/hand-over`, {
      username: 'cadre-2',
      note: '请王敏跟进',
    });
    expect(handed.status).toBe(200);
    const cadre2 = await new Session(h.server.url).signIn('cadre-2', 'another-cadre-2026');
    const done = await cadre2.call('POST', `/api/tasks/${community.userTaskKey}/complete`, {
      variables: { communityAction: '已约谈物业并督促维保单位检修' },
    });
    expect(done.status).toBe(204);
    // then its history says what happened, by whom and when
    const history = await cadre2.call('GET', `/api/tasks/${community.userTaskKey}/history`);
    expect(history.body.items).toEqual([
      expect.objectContaining({
        action: 'created',
        groups: [expect.objectContaining({ id: 'cadre', name: '社区干部' })],
      }),
      expect.objectContaining({ action: 'claimed', actor: expect.objectContaining({ username: 'cadre' }) }),
      expect.objectContaining({
        action: 'handed-over',
        to: { username: 'cadre-2', displayName: '王敏（社区干部）' },
        note: '请王敏跟进',
      }),
      expect.objectContaining({
        action: 'completed',
        at: new Date(TEST_EPOCH).toISOString(),
        actor: { username: 'cadre-2', displayName: '王敏（社区干部）' },
      }),
    ]);
    // when the other parties act and the leader confirms
    for (const elementId of ['Task_PropertyCompanyAction', 'Task_MaintenanceAction']) {
      const task = await openTask({ processInstanceKey: instance, elementId });
      await h.client.completeUserTask({ userTaskKey: task.userTaskKey, variables: {} });
    }
    const confirm = await openTask({ processInstanceKey: instance, elementId: 'Task_LeaderConfirm' });
    await h.client.completeUserTask({ userTaskKey: confirm.userTaskKey, variables: { confirmed: true } });
    // then the alert is closed
    const closed = await until(async () => {
      const { body } = await leader.call('GET', '/api/warning-alerts?status=closed');
      return (body.items as Json[]).find((a) => a.id === alert.id);
    }, 30000);
    expect(closed).toMatchObject({ status: 'closed', processState: 'COMPLETED' });
    expect(closed.closedAt).not.toBeNull();
  });

  it('when an alert’s joint handling is cancelled, then the alert is canceled; a task of another process has no alert', async () => {
    // given
    const alert = await raiseAlert(1);
    // when
    await h.client.cancelProcessInstance({ processInstanceKey: alert.processInstanceKey });
    // then
    const canceled = await until(async () => {
      const { body } = await leader.call('GET', '/api/warning-alerts?status=canceled');
      return (body.items as Json[]).find((a) => a.id === alert.id);
    }, 30000);
    expect(canceled.status).toBe('canceled');
    const confirm = await openTask({ elementId: 'Task_AcceptanceDecision' });
    const other = await reception.call('GET', `/api/tasks/${confirm.userTaskKey}/alert`);
    expect(other.status).toBe(200);
    expect(other.body.alert).toBeNull();
  });

  /** A petitioner entered in the registry by hand; their file's id and care instance. */
  async function keyPerson(phone: string): Promise<{ id: string; instance: string }> {
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '电梯故障',
      description: '多次到区里反映',
      petitioner: { name: '赵建国', phone },
    });
    expect(filed.status).toBe(201);
    const entered = await cadre.call('POST', '/api/key-persons', { caseNo: filed.body.caseNo });
    expect(entered.status).toBe(201);
    const instance = await until(async () => {
      const { items } = await h.client.searchVariables({ filter: { name: 'personId' } }, now);
      return (items as Any[]).find((v) => JSON.parse(v.value) === entered.body.id)?.processInstanceKey as string;
    });
    return { id: entered.body.id as string, instance: String(instance) };
  }

  it('when staff record a conversion from the file, then it shows with its day, note and recorder; a second, a future day or no consent is refused', async () => {
    // given
    const person = await keyPerson('13900001111');
    const body = { role: 'volunteer', convertedOn: '2026-03-02', consent: true, note: '加入楼道志愿服务队' };
    // when / then refused: a day after today, no consent
    const future = await cadre.call('POST', `/api/key-persons/${person.id}/conversion`, {
      ...body,
      convertedOn: '2026-03-03',
    });
    expect(future.status).toBe(400);
    expect(future.body.detail).toContain('转化日期不能晚于今天（2026-03-02）');
    const noConsent = await cadre.call('POST', `/api/key-persons/${person.id}/conversion`, { ...body, consent: false });
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.detail).toContain('须经本人同意');
    // when
    const recorded = await cadre.call('POST', `/api/key-persons/${person.id}/conversion`, body);
    expect(recorded.status).toBe(201);
    expect(recorded.body.confirmedTask).toBe(false);
    // then
    const file = await leader.call('GET', `/api/key-persons/${person.id}`);
    expect(file.body.conversion).toEqual({
      role: 'volunteer',
      at: '2026-03-01T16:00:00.000Z',
      note: '加入楼道志愿服务队',
      recordedBy: expect.stringContaining('社区干部'),
    });
    expect(file.body.status).toBe('active');
    const again = await cadre.call('POST', `/api/key-persons/${person.id}/conversion`, body);
    expect(again.status).toBe(409);
  });

  it('when the care process waits for the conversion to be confirmed, then recording it from the file completes that task and keeps the day and note', async () => {
    // given a visit that proposed a conversion
    const person = await keyPerson('13900002222');
    const visit = await openTask({ processInstanceKey: person.instance, elementId: 'Task_CareVisit' });
    await h.client.completeUserTask({
      userTaskKey: visit.userTaskKey,
      variables: { visitDone: true, conversionProposed: true },
    });
    const confirm = await openTask({ processInstanceKey: person.instance, elementId: 'Task_ConfirmConversion' });
    // when
    const recorded = await cadre.call('POST', `/api/key-persons/${person.id}/conversion`, {
      role: 'residents-council',
      convertedOn: '2026-03-02',
      consent: true,
      note: '当选居民议事会成员',
    });
    expect(recorded.status).toBe(201);
    expect(recorded.body.confirmedTask).toBe(true);
    // then the process went on through record-conversion to waiting for the next visit, and the file keeps what was given
    await until(async () => {
      const { items } = await h.client.searchElementInstances(
        { filter: { processInstanceKey: person.instance, elementId: 'Task_RecordConversion', state: 'COMPLETED' } },
        now,
      );
      return (items as Any[]).length > 0;
    }, 30000);
    const task = await h.client.getUserTask({ userTaskKey: confirm.userTaskKey }, now);
    expect(task.state).toBe('COMPLETED');
    const file = await cadre.call('GET', `/api/key-persons/${person.id}`);
    expect(file.body.conversion).toMatchObject({
      role: 'residents-council',
      at: '2026-03-01T16:00:00.000Z',
      note: '当选居民议事会成员',
    });
  });
});
