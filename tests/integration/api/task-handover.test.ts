/**
 * Handing a task to a colleague (api/task-handover.ts): the street office's officer who claimed a difficult case's
 * team task hands it to a second officer; only members of the task's groups are offered and accepted, a task must be
 * claimed first, and a first responder's task (given by name) is not handed on. The hand-over is on the timeline.
 * Workers run; the clock is pinned.
 */
import { startEngine, TEST_EPOCH, until, type Any, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

describe('handing a task to a colleague', () => {
  let h: EngineHarness;
  const now = { consistency: { waitUpToMs: 0 } };

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
  });
  afterAll(() => h.stop());

  const openTask = (elementId: string) =>
    until(async () => {
      const { items } = await h.client.searchUserTasks({ filter: { elementId, state: 'CREATED' } }, now);
      return (items as Any[])[0];
    }, 30000);

  it('when a claimed group task is handed to a colleague of the group, then it is theirs and the timeline says so', async () => {
    // given a second street-office officer
    const admin = await new Session(h.server.url).signIn('admin');
    const created = await admin.call('POST', '/api/users', {
      username: 'street-office-2',
      displayName: '周琳（街道信访办）',
      password: 'another-officer-2026',
      roles: ['street-office'],
    });
    expect(created.status).toBe(201);
    // and a difficult case waiting in the street office's queue
    const reception = await new Session(h.server.url).signIn('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '历史遗留问题',
      description: '老旧小区房产证至今未办理',
    });
    expect(filed.status).toBe(201);
    const decision = await openTask('Task_AcceptanceDecision');
    await h.client.completeUserTask({
      userTaskKey: decision.userTaskKey,
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await openTask('Task_ConfirmCaseClass');
    // a first responder's task is not handed on
    const own = await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/hand-over`, { username: 'cadre' });
    expect(own.status).toBe(409);
    expect(own.body.detail).toContain('首问责任人');
    await h.client.completeUserTask({
      userTaskKey: confirm.userTaskKey,
      variables: { caseClass: 'difficult', feedbackMode: 'visit', isKeyMatter: false },
    });
    const team = await openTask('Task_SetUpCaseTeam');
    const office = await new Session(h.server.url).signIn('street-office');
    // when not yet claimed, it cannot be handed on
    const unclaimed = await office.call('POST', `/api/tasks/${team.userTaskKey}/hand-over`, {
      username: 'street-office-2',
    });
    expect(unclaimed.status).toBe(409);
    expect((await office.call('POST', `/api/tasks/${team.userTaskKey}/claim`)).status).toBe(200);
    // then the colleagues offered are the group's other members only
    const offered = await office.call('GET', `/api/tasks/${team.userTaskKey}/colleagues`);
    expect((offered.body.items as Json[]).map((u) => u.username)).toEqual(['street-office-2']);
    // and someone outside the group is refused
    const outsider = await office.call('POST', `/api/tasks/${team.userTaskKey}/hand-over`, { username: 'cadre' });
    expect(outsider.status).toBe(400);
    // when handed to the colleague
    const handed = await office.call('POST', `/api/tasks/${team.userTaskKey}/hand-over`, {
      username: 'street-office-2',
      note: '本人出差，请代为办理',
    });
    expect(handed.status).toBe(200);
    // then it is theirs, and the case's timeline records it
    const task = await h.client.getUserTask({ userTaskKey: team.userTaskKey }, now);
    expect(task.assignee).toBe('street-office-2');
    const page = await reception.call('GET', `/api/cases/${filed.body.id}`);
    expect(page.body.timeline).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'task-handed-on', actor: '刘洋（街道信访办）' })]),
    );
  });
});
