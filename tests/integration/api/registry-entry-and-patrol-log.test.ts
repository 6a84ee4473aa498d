/**
 * Two routes the staff pages need: entering a key person by the case number of one of their petitions (staff know
 * the case, not the resident's id; a case accusing the reader does not exist for them) and the patrol log's list.
 */
import { startEngine, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

describe('key-person entry by case number, and the patrol log', () => {
  let h: EngineHarness;
  const as = (username: string) => new Session(h.server.url).signIn(username);
  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
  });
  afterAll(() => h.stop());

  it('when a cadre enters the petitioner of a case by its number, then they are in the registry; an anonymous, unknown or accusing case is refused', async () => {
    // given a petition with a petitioner, an anonymous one, and one accusing the cadre
    const reception = await as('reception');
    const named = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '物业服务',
      description: '越级走访后回到社区',
      petitioner: { name: '周大海', phone: '13900002222' },
    });
    const anonymous = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '噪音',
      description: '匿名反映',
    });
    const accusing = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '作风问题',
      description: '反映社区干部',
      accusedUsername: 'cadre',
      petitioner: { name: '钱小红', phone: '13900003333' },
    });
    const cadre = await as('cadre');
    // when the cadre enters the first by its case number
    const entered = await cadre.call('POST', '/api/key-persons', {
      caseNo: named.body.caseNo,
      reason: 'higher-level-visit',
    });
    // then the petitioner's file opens, masked, with the petition in it
    expect(entered.status).toBe(201);
    expect(entered.body).toMatchObject({ name: '周**', status: 'active', reason: 'higher-level-visit' });
    const file = (await cadre.call('GET', `/api/key-persons/${entered.body.id}`)).body;
    expect((file.petitions as Json[]).map((p) => p.caseNo)).toContain(named.body.caseNo);
    // and the others are refused with their reasons
    const anon = await cadre.call('POST', '/api/key-persons', { caseNo: anonymous.body.caseNo });
    expect(anon.status).toBe(400);
    expect(anon.body.detail).toMatch(/匿名/);
    const hidden = await cadre.call('POST', '/api/key-persons', { caseNo: accusing.body.caseNo });
    expect(hidden.status).toBe(400);
    expect(hidden.body.detail).toContain('不存在');
    expect((await cadre.call('POST', '/api/key-persons', { caseNo: 'XF-2026-999999' })).status).toBe(400);
    // and naming both or neither is refused
    expect((await cadre.call('POST', '/api/key-persons', { reason: 'higher-level-visit' })).status).toBe(400);
    expect(
      (await cadre.call('POST', '/api/key-persons', { caseNo: named.body.caseNo, residentId: entered.body.residentId }))
        .status,
    ).toBe(400);
  });

  it('when grid workers log patrols, then the log lists them newest first, of one grid when asked', async () => {
    // given patrols in two grids
    const grid1 = await as('grid1');
    const grid2 = await as('grid2');
    expect(
      (await grid1.call('POST', '/api/patrols', { patrolledOn: '2026-03-02', householdsVisited: 12, notes: '东区' }))
        .status,
    ).toBe(201);
    expect(
      (await grid1.call('POST', '/api/patrols', { patrolledOn: '2026-03-03', householdsVisited: 20 })).status,
    ).toBe(201);
    const other = await grid2.call('POST', '/api/patrols', { patrolledOn: '2026-03-03', householdsVisited: 5 });
    // when the secretary reads the log
    const secretary = await as('secretary');
    const all = (await secretary.call('GET', '/api/patrols')).body.items as Json[];
    // then every patrol is there, newest first, with grid and worker
    expect(all).toHaveLength(3);
    expect(all[all.length - 1]).toMatchObject({
      patrolledOn: '2026-03-02',
      householdsVisited: 12,
      notes: '东区',
      grid: '第一网格',
      worker: '网格员（第一网格）',
    });
    // and one grid's log holds only that grid
    const second = (await secretary.call('GET', `/api/patrols?gridId=${other.body.gridId}`)).body.items as Json[];
    expect(second.map((p) => p.householdsVisited)).toEqual([5]);
    // and a member outside grid work may not read it
    expect((await (await as('member')).call('GET', '/api/patrols')).status).toBe(403);
  });
});
