/**
 * Who may reach a case, on changes as on reads (api/case-access.ts), and the 1+X member list (api/form-options.ts),
 * through HTTP against the running app with its workers:
 * - a person a case accuses (Art 30) can change nothing of it: owner, tasks, attachments — refused as if the case
 *   did not exist, and nothing moves;
 * - a grid worker lists, reads and adds to the cases of their own grids only, and logs patrols for them only;
 * - a working group's members are chosen among real, active staff who may sit on one, from the options the API gives.
 * The engine's clock is pinned to a working Monday of a year the calendar holds: no test depends on today's date.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../../platform/password';
import { DEMO_PASSWORD } from '../../../server/seed';
import { now, startEngine, until, type Any, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

/** Monday 2026-03-02, 10:00 in Shanghai. */
const T0 = Date.parse('2026-03-02T02:00:00Z');
/** The smallest PNG: a photo the attachment route accepts. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0e0b40000000049454e44ae426082',
  'hex',
);

describe('Art 30 on changes, grid scope, and the 1+X member list', () => {
  let h: EngineHarness;
  const as = (username: string) => new Session(h.server.url).signIn(username);
  const db = () => h.server.database.db;
  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
  });
  afterAll(() => h.stop());
  beforeEach(() => h.client.pinClock({ timestamp: T0 }));
  afterEach(() => h.client.resetClock());

  const compoundOf = async (gridCode: string) =>
    (
      await db().query<{ id: string }>(
        'SELECT c.id FROM compound c JOIN grid g ON g.id = c.grid_id WHERE g.code = $1 ORDER BY c.name LIMIT 1',
        [gridCode],
      )
    )[0].id;

  /** Files a petition as `by`; answers the case id and its process instance key. */
  async function file(by: Session, extra: Json): Promise<{ id: string; key: string }> {
    const filed = await by.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '物业服务',
      description: '楼道堆物无人清理',
      ...extra,
    });
    expect(filed.status).toBe(201);
    return { id: filed.body.id as string, key: filed.body.processInstanceKey as string };
  }

  /** The one open task of an element in an instance (or one it called), once the engine has it. */
  const openTask = (elementId: string, processInstanceKey?: string): Promise<Any> =>
    until(async () => {
      const { items } = await h.client.searchUserTasks(
        { filter: { elementId, state: 'CREATED', ...(processInstanceKey ? { processInstanceKey } : {}) } },
        now,
      );
      return (items as Any[])[0];
    }, 20000);

  const firstResponderVariable = async (processInstanceKey: string) =>
    JSON.parse(
      (
        (await h.client.searchVariables({ filter: { processInstanceKey, name: 'firstResponder' } }, now)).items as Any[]
      )[0].value,
    ) as string;

  const upload = (s: Session, caseId: string) => {
    const form = new FormData();
    form.append('file', new Blob([PNG]), 'photo.png');
    return s.call('POST', `/api/cases/${caseId}/attachments`, form);
  };
  const attachmentsOf = async (caseId: string) =>
    (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM case_attachment WHERE case_id = $1', [caseId]))[0]
      .n;
  const filesOf = (caseId: string) => {
    const dir = join(h.db.env.DATA_DIR, 'attachments', caseId);
    return existsSync(dir) ? readdirSync(dir).length : 0;
  };

  it('when the leader a case accuses hands it to someone else, then it is refused as unknown and the owner, the open task and firstResponder stay', async () => {
    // given a petition accusing the leader, filed by reception, whose acceptance decision waits for reception
    const reception = await as('reception');
    const d = await file(reception, { accusedUsername: 'leader', compoundId: await compoundOf('G01') });
    const confirm = await openTask('Task_AcceptanceDecision', d.key);
    expect(confirm.assignee).toBe('reception');
    const leader = await as('leader');
    // when the leader hands the case to grid3
    const moved = await leader.call('POST', `/api/cases/${d.id}/owner`, { username: 'grid3', reason: 'x' });
    // then the answer is the one for a case that does not exist
    expect(moved.status).toBe(404);
    expect(moved.body.detail).toBe('信访件不存在。');
    // and nothing moved: the owner, the open task, the process's firstResponder, the timeline
    const [row] = await db().query<{ username: string }>(
      'SELECT u.username FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id WHERE c.id = $1',
      [d.id],
    );
    expect(row.username).toBe('reception');
    expect((await h.client.getUserTask({ userTaskKey: confirm.userTaskKey }, now)).assignee).toBe('reception');
    expect(await firstResponderVariable(d.key)).toBe('reception');
    expect(
      await db().query("SELECT 1 FROM case_event WHERE case_id = $1 AND kind = 'owner-transferred'", [d.id]),
    ).toHaveLength(0);
    // and a leader it does not accuse still can
    const other = await file(reception, { compoundId: await compoundOf('G01') });
    await openTask('Task_AcceptanceDecision', other.key);
    const handed = await leader.call('POST', `/api/cases/${other.id}/owner`, {
      username: 'grid3',
      reason: '网格内处理',
    });
    expect(handed.status).toBe(200);
    expect(handed.body.owner).toMatchObject({ username: 'grid3' });
  });

  it('when the person a case accuses uploads to it or works its tasks, then it is refused as unknown and nothing is kept or completed', async () => {
    // given a complex petition accusing the cadre, whose working group waits in the cadres' queue
    const reception = await as('reception');
    const d = await file(reception, { accusedUsername: 'cadre', compoundId: await compoundOf('G02') });
    const decision = await openTask('Task_AcceptanceDecision', d.key);
    await reception.call('POST', `/api/tasks/${decision.userTaskKey}/complete`, {
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await openTask('Task_ConfirmCaseClass', d.key);
    expect(
      (
        await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, {
          variables: { caseClass: 'complex', feedbackMode: 'sms', isKeyMatter: false },
        })
      ).status,
    ).toBe(204);
    const group = await until(async () => {
      const { items } = await h.client.searchProcessInstances({ filter: { parentProcessInstanceKey: d.key } }, now);
      return (items as Any[])[0];
    }, 20000);
    const form = await openTask('Task_FormWorkingGroup', group.processInstanceKey);
    const cadre = await as('cadre');
    // when the cadre attaches a file, claims the task, and completes it once it is theirs
    const attached = await upload(cadre, d.id);
    const claimed = await cadre.call('POST', `/api/tasks/${form.userTaskKey}/claim`);
    const stillOpen = await h.client.getUserTask({ userTaskKey: form.userTaskKey }, now);
    await h.client.assignUserTask({ userTaskKey: form.userTaskKey, assignee: 'cadre', allowOverride: true });
    const completed = await cadre.call('POST', `/api/tasks/${form.userTaskKey}/complete`, {
      variables: { members: ['member'] },
    });
    // then each is answered as for a case or task that does not exist
    expect(attached.status).toBe(404);
    expect(claimed.status).toBe(404);
    expect(completed.status).toBe(404);
    // and nothing was kept, claimed or completed: no attachment, the task unclaimed then still open, no opinion task
    expect(await attachmentsOf(d.id)).toBe(0);
    expect(filesOf(d.id)).toBe(0);
    expect(stillOpen.assignee).toBeUndefined();
    expect((await h.client.getUserTask({ userTaskKey: form.userTaskKey }, now)).state).toBe('CREATED');
    const opinions = await h.client.searchUserTasks(
      { filter: { elementId: 'Task_MemberOpinion', processInstanceKey: group.processInstanceKey } },
      now,
    );
    expect(opinions.items).toHaveLength(0);
    // and the case still belongs to reception, with its firstResponder
    expect(await firstResponderVariable(d.key)).toBe('reception');
  });

  it("when the person a petition accuses enters, edits or ends their accuser's key-person file, then the file and the resident do not exist for them and nothing changes", async () => {
    // given a resident whose petition accuses the cadre
    const d = await file(await as('reception'), {
      accusedUsername: 'cadre',
      petitioner: { name: '孙七', phone: '13712340007' },
    });
    const [{ resident_id: residentId }] = await db().query<{ resident_id: string }>(
      'SELECT resident_id FROM petition_case WHERE id = $1',
      [d.id],
    );
    const cadre = await as('cadre');
    // when the cadre enters them in the registry
    const entered = await cadre.call('POST', '/api/key-persons', { residentId, reason: 'higher-level-visit' });
    // then it is refused as an unknown resident, and no file exists
    expect(entered.status).toBe(400);
    expect(entered.body.detail).toMatch(/居民不存在/);
    expect(await db().query('SELECT 1 FROM key_person WHERE resident_id = $1', [residentId])).toEqual([]);
    // given the secretary enters them (the registry is not closed to them, only to the accused)
    const secretary = await as('secretary');
    const file_ = await secretary.call('POST', '/api/key-persons', { residentId, reason: 'higher-level-visit' });
    expect(file_.status).toBe(201);
    const personId = file_.body.id as string;
    // when the cadre reads, edits and ends the file
    const read = await cadre.call('GET', `/api/key-persons/${personId}`);
    const edited = await cadre.call('PUT', `/api/key-persons/${personId}`, { plan: '每日上门' });
    const ended = await cadre.call('POST', `/api/key-persons/${personId}/exit`, { reason: '不再关注' });
    const listed = await cadre.call('GET', '/api/key-persons?status=all');
    // then each is answered as a file that does not exist, and the file is as the secretary left it
    expect([read.status, edited.status, ended.status]).toEqual([404, 404, 404]);
    expect((listed.body.items as Json[]).some((p) => p.id === personId)).toBe(false);
    const [kept] = await db().query<{ status: string; plan: string | null }>(
      'SELECT status, plan FROM key_person WHERE id = $1',
      [personId],
    );
    expect(kept).toEqual({ status: 'active', plan: null });
    expect((await secretary.call('GET', `/api/key-persons/${personId}`)).status).toBe(200);
  });

  it("when a grid worker lists, reads and uploads to cases, then they reach their own grid's and their own, and another grid's do not exist for them", async () => {
    // given a petition in grid 1, one in grid 2, and one grid 1's worker filed without a compound
    const reception = await as('reception');
    const grid1 = await as('grid1');
    const mine = await file(reception, { compoundId: await compoundOf('G01') });
    const theirs = await file(reception, { compoundId: await compoundOf('G02') });
    const own = await file(grid1, {});
    // when grid 1's worker lists the cases
    const listed = ((await grid1.call('GET', '/api/cases?limit=100')).body.items as Json[]).map((c) => c.id);
    // then their grid's and their own are there, not grid 2's (which reception, for the whole community, sees)
    expect(listed).toEqual(expect.arrayContaining([mine.id, own.id]));
    expect(listed).not.toContain(theirs.id);
    expect(((await reception.call('GET', '/api/cases?limit=100')).body.items as Json[]).map((c) => c.id)).toEqual(
      expect.arrayContaining([mine.id, theirs.id]),
    );
    // and grid 2's case, its diagram and its attachments answer as a case that does not exist; an upload keeps nothing
    for (const path of [
      `/api/cases/${theirs.id}`,
      `/api/cases/${theirs.id}/diagram`,
      `/api/cases/${theirs.id}/attachments`,
    ]) {
      const res = await grid1.call('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect((await upload(grid1, theirs.id)).status).toBe(404);
    expect(await attachmentsOf(theirs.id)).toBe(0);
    expect(filesOf(theirs.id)).toBe(0);
    // and their own grid's case reads, draws and takes an upload
    expect((await grid1.call('GET', `/api/cases/${mine.id}`)).status).toBe(200);
    expect((await grid1.call('GET', `/api/cases/${mine.id}/diagram`)).status).toBe(200);
    expect((await upload(grid1, mine.id)).status).toBe(201);
    expect((await grid1.call('GET', `/api/cases/${mine.id}/attachments`)).body.items).toHaveLength(1);
    expect((await grid1.call('GET', `/api/cases/${own.id}`)).status).toBe(200);
  });

  it("when a grid worker logs patrols or campaign coverage for another grid, then it is refused, and the log they read is their own grid's", async () => {
    // given a grid worker who is also a working-group member (a role that does not cover the community), with a grid
    const [{ id: workerId }] = await db().query<{ id: string }>(
      "INSERT INTO app_user (username, display_name, password_hash) VALUES ('grid-and-member', '网格员兼成员', $1) RETURNING id",
      [await hashPassword(DEMO_PASSWORD)],
    );
    await db().query("INSERT INTO user_role (user_id, role_id) VALUES ($1, 'grid-worker'), ($1, 'member')", [workerId]);
    const [{ id: ownGrid }] = await db().query<{ id: string }>(
      "INSERT INTO grid (code, name, grid_worker_id) VALUES ('G99', '测试网格', $1) RETURNING id",
      [workerId],
    );
    const [{ id: ownCompound }] = await db().query<{ id: string }>(
      "INSERT INTO compound (grid_id, name, households) VALUES ($1, '测试小区', 50) RETURNING id",
      [ownGrid],
    );
    const [{ id: grid1Id }] = await db().query<{ id: string }>("SELECT id FROM grid WHERE code = 'G01'");
    const worker = await as('grid-and-member');
    const grid1 = await as('grid1');
    expect((await grid1.call('POST', '/api/patrols', { patrolledOn: '2026-03-02', householdsVisited: 7 })).status).toBe(
      201,
    );
    const [{ id: campaign }] = await db().query<{ id: string }>(
      "INSERT INTO campaign (quarter, theme) VALUES ('2026-Q1', '装修噪音') RETURNING id",
    );
    // when they log a patrol and coverage for grid 1, and for their own grid
    const foreignPatrol = await worker.call('POST', '/api/patrols', {
      gridId: grid1Id,
      patrolledOn: '2026-03-02',
      householdsVisited: 3,
    });
    const foreignCoverage = await worker.call('PUT', `/api/campaigns/${campaign}/coverage/${await compoundOf('G01')}`, {
      householdsVisited: 10,
    });
    const ownPatrol = await worker.call('POST', '/api/patrols', {
      gridId: ownGrid,
      patrolledOn: '2026-03-02',
      householdsVisited: 4,
    });
    const ownCoverage = await worker.call('PUT', `/api/campaigns/${campaign}/coverage/${ownCompound}`, {
      householdsVisited: 10,
    });
    // then another grid's are refused with the reason, nothing kept; their own are kept
    expect(foreignPatrol.status).toBe(403);
    expect(foreignPatrol.body.detail).toBe('网格员只能记录自己的网格。');
    expect(foreignCoverage.status).toBe(403);
    expect(ownPatrol.status).toBe(201);
    expect(ownCoverage.status).toBe(200);
    expect(
      await db().query('SELECT 1 FROM patrol_log WHERE worker_id = $1 AND grid_id = $2', [workerId, grid1Id]),
    ).toHaveLength(0);
    expect(await db().query('SELECT 1 FROM campaign_coverage WHERE campaign_id = $1', [campaign])).toHaveLength(1);
    // and the patrol log they read is their grid's only, while a cadre reads every grid's
    const theirLog = (await worker.call('GET', '/api/patrols')).body.items as Json[];
    expect(theirLog.map((p) => p.gridId)).toEqual([ownGrid]);
    expect((await worker.call('GET', `/api/patrols?gridId=${grid1Id}`)).body.items as Json[]).toHaveLength(0);
    const cadreLog = (await (await as('cadre')).call('GET', '/api/patrols')).body.items as Json[];
    expect(cadreLog.map((p) => p.gridId)).toEqual(expect.arrayContaining([ownGrid, grid1Id]));
  });

  it('when a working group is formed with members nobody can be, then it is refused naming them, nothing is completed, and the picker offers who can', async () => {
    // given a complex petition whose working group the cadre has claimed
    const reception = await as('reception');
    const d = await file(reception, { compoundId: await compoundOf('G03') });
    const decision = await openTask('Task_AcceptanceDecision', d.key);
    await reception.call('POST', `/api/tasks/${decision.userTaskKey}/complete`, {
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await openTask('Task_ConfirmCaseClass', d.key);
    await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, {
      variables: { caseClass: 'complex', feedbackMode: 'sms', isKeyMatter: false },
    });
    const group = await until(
      async () =>
        (
          (await h.client.searchProcessInstances({ filter: { parentProcessInstanceKey: d.key } }, now)).items as Any[]
        )[0],
      20000,
    );
    const form = await openTask('Task_FormWorkingGroup', group.processInstanceKey);
    const cadre = await as('cadre');
    expect((await cadre.call('POST', `/api/tasks/${form.userTaskKey}/claim`)).status).toBe(200);
    // when the cadre names an unknown user and the admin
    const refused = await cadre.call('POST', `/api/tasks/${form.userTaskKey}/complete`, {
      variables: { members: ['ghost-nobody', 'admin'] },
    });
    // then the list is refused in Chinese, naming both, and the task stays open with no opinion task made
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('不能担任1+X工作组成员');
    expect(refused.body.detail).toContain('ghost-nobody、admin');
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'members' })]);
    expect((await h.client.getUserTask({ userTaskKey: form.userTaskKey }, now)).state).toBe('CREATED');
    const opinions = () =>
      h.client.searchUserTasks(
        { filter: { elementId: 'Task_MemberOpinion', processInstanceKey: group.processInstanceKey } },
        now,
      );
    expect((await opinions()).items).toHaveLength(0);
    // and the task's form comes with the options: members, cadres and the secretary, no admin, reception or grid worker
    const task = (await cadre.call('GET', `/api/tasks/${form.userTaskKey}`)).body;
    const offered = (task.variables.memberCandidates as Array<{ label: string; value: string }>).map((o) => o.value);
    expect(offered).toEqual(expect.arrayContaining(['member', 'cadre', 'secretary']));
    for (const no of ['admin', 'reception', 'grid1', 'leader']) expect(offered).not.toContain(no);
    expect(task.variables.memberCandidates).toContainEqual({ label: '陈静（1+X 律师）', value: 'member' });
    // and a list from the options is taken: the opinion tasks go to those members
    expect(
      (
        await cadre.call('POST', `/api/tasks/${form.userTaskKey}/complete`, {
          variables: { members: ['member', 'secretary'] },
        })
      ).status,
    ).toBe(204);
    const made = await until(async () => {
      const { items } = await opinions();
      return (items as Any[]).length === 2 ? (items as Any[]) : undefined;
    }, 20000);
    expect(made.map((t) => t.assignee).sort()).toEqual(['member', 'secretary']);
  });

  it('when the candidates are asked for, then inactive users and the person the case accuses are not among them', async () => {
    // given an inactive working-group member, and a petition accusing the secretary
    const [{ id }] = await db().query<{ id: string }>(
      "INSERT INTO app_user (username, display_name, password_hash, active) VALUES ('member-left', '已离岗成员', 'x', false) RETURNING id",
    );
    await db().query("INSERT INTO user_role (user_id, role_id) VALUES ($1, 'member')", [id]);
    const d = await file(await as('reception'), { accusedUsername: 'secretary' });
    const cadre = await as('cadre');
    // when the cadre asks for the candidates, in general and for that case
    const all = ((await cadre.call('GET', '/api/working-group/candidates')).body.items as Json[]).map(
      (c) => c.username,
    );
    const forCase = (
      (await cadre.call('GET', `/api/working-group/candidates?caseId=${d.id}`)).body.items as Json[]
    ).map((c) => c.username);
    // then the inactive member is in neither, and the secretary is left out for the case that accuses them
    expect(all).toEqual(expect.arrayContaining(['member', 'cadre', 'secretary']));
    expect(all).not.toContain('member-left');
    expect(forCase).toContain('member');
    expect(forCase).not.toContain('secretary');
    // and the secretary asking about that case learns nothing of it
    expect((await (await as('secretary')).call('GET', `/api/working-group/candidates?caseId=${d.id}`)).status).toBe(
      404,
    );
  });
});
