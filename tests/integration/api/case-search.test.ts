/**
 * 案件中心 (the case centre, GET /api/cases): search by case number, petitioner name, phone or ID number (exact; phone
 * and ID number through their keyed hashes), the filters, the four orders paged by keyset, the reach rule (Art 30,
 * grid scope), the CSV with personal data masked, and bad input refused with a message a person understands.
 * The engine's clock is pinned (Monday 2026-03-02 10:00 in Shanghai); the workers are off, so each case stays where
 * the test puts it (its status, class, deadline and ratings set in the database).
 */
import { startEngine, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

/** Monday 2026-03-02, 10:00 in Shanghai. */
const T0 = Date.parse('2026-03-02T02:00:00Z');
const HOUR = 3_600_000;

describe('the case centre', () => {
  let h: EngineHarness;
  let reception: Session;
  const db = () => h.server.database.db;
  const cases: Record<string, { id: string; caseNo: string }> = {};

  const compoundOf = async (gridCode: string) =>
    (
      await db().query<{ id: string; grid_id: string }>(
        'SELECT c.id, c.grid_id FROM compound c JOIN grid g ON g.id = c.grid_id WHERE g.code = $1 ORDER BY c.name LIMIT 1',
        [gridCode],
      )
    )[0];

  async function file(name: string, by: Session, body: Json, set: Record<string, unknown> = {}) {
    const filed = await by.call('POST', '/api/cases', { channel: 'walk-in', description: '诉求内容', ...body });
    expect(filed.status).toBe(201);
    cases[name] = { id: filed.body.id as string, caseNo: filed.body.caseNo as string };
    const columns = Object.keys(set);
    if (columns.length > 0)
      await db().query(
        `UPDATE petition_case SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
        [cases[name].id, ...Object.values(set)],
      );
  }

  const rate = (name: string, round: number, rating: string) =>
    db().query(`INSERT INTO case_rating (case_id, round, rating, source) VALUES ($1, $2, $3, 'staff')`, [
      cases[name].id,
      round,
      rating,
    ]);

  const list = async (s: Session, query: string) => {
    const res = await s.call('GET', `/api/cases?${query}`);
    expect(res.status).toBe(200);
    return res.body as { items: Json[]; next: string | null };
  };
  const numbers = async (s: Session, query: string) => (await list(s, `limit=100&${query}`)).items.map((c) => c.caseNo);
  const no = (...names: string[]) => names.map((n) => cases[n].caseNo);

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'false', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: T0 });
    reception = await new Session(h.server.url).signIn('reception');
    const cadre = await new Session(h.server.url).signIn('cadre');
    const g1 = await compoundOf('G01');
    const g2 = await compoundOf('G02');
    const at = (hours: number) => new Date(T0 + hours * HOUR);
    // given cases of several people, places, classes, statuses, deadlines and ratings
    await file(
      'noise',
      reception,
      {
        category: '噪声扰民',
        compoundId: g1.id,
        petitioner: { name: '张三丰', phone: '13900001111', idNumber: '110101199003071234' },
      },
      { received_at: at(-72), case_class: 'simple', status: 'handling', sla_due_at: at(-2), is_key_matter: true },
    );
    await file(
      'leak',
      reception,
      { category: '漏水', compoundId: g1.id, petitioner: { name: '李四', phone: '13900002222' } },
      { received_at: at(-48), case_class: 'complex', status: 'rating', sla_due_at: at(30) },
    );
    await file(
      'parking',
      cadre,
      { category: '停车管理', compoundId: g2.id, petitioner: { name: '王五', phone: '13900003333' } },
      { received_at: at(-24), case_class: 'difficult', status: 'escalated', sla_due_at: at(24 * 20) },
    );
    await file(
      'closed',
      reception,
      { category: '噪声扰民', compoundId: g2.id, petitioner: { name: '张三丰', phone: '13900001111' } },
      { received_at: at(-24 * 40), case_class: 'simple', status: 'closed', sla_due_at: at(-24 * 39) },
    );
    await file('fresh', reception, { category: '路灯维修', accusedUsername: 'cadre' }, { received_at: at(-1) });
    await rate('leak', 1, 'dissatisfied');
    await rate('leak', 2, 'satisfied');
    await rate('closed', 1, 'basically-satisfied');
  });
  afterAll(() => h.stop());

  it('when searched by phone, ID number, name or case number, then exactly the matching cases come, masked', async () => {
    expect(await numbers(reception, 'q=139%200000%201111')).toEqual(no('noise', 'closed'));
    // the second petition by the same phone is the same resident, whose ID number the first gave
    expect(await numbers(reception, 'q=110101199003071234')).toEqual(no('noise', 'closed'));
    expect(await numbers(reception, `q=${encodeURIComponent('李四')}`)).toEqual(no('leak'));
    expect(await numbers(reception, `q=${cases.parking.caseNo.toLowerCase()}`)).toEqual(no('parking'));
    expect(await numbers(reception, `q=${encodeURIComponent('李')}`)).toEqual([]);
    const [item] = (await list(reception, 'q=13900002222')).items;
    expect(item).toMatchObject({ petitioner: '李*', phone: '139****2222', category: '房屋漏水', rating: 'satisfied' });
    expect(JSON.stringify(item)).not.toContain('13900002222');
  });

  it('when filtered, then each filter narrows the list as its name says', async () => {
    const g1 = await compoundOf('G01');
    expect(await numbers(reception, `category=${encodeURIComponent('噪声扰民')}`)).toEqual(no('noise', 'closed'));
    expect(await numbers(reception, `gridId=${g1.grid_id}`)).toEqual(no('leak', 'noise'));
    expect(await numbers(reception, 'caseClass=difficult')).toEqual(no('parking'));
    expect(await numbers(reception, 'status=rating')).toEqual(no('leak'));
    expect(await numbers(reception, 'keyMatter=true')).toEqual(no('noise'));
    // the latest rating counts: a second round's satisfaction, not the first round's dissatisfaction
    expect(await numbers(reception, 'rating=satisfied')).toEqual(no('leak'));
    expect(await numbers(reception, 'rating=dissatisfied')).toEqual([]);
    expect(await numbers(reception, 'rating=unrated')).toEqual(no('fresh', 'parking', 'noise'));
    expect(await numbers(reception, 'mine=true&category=' + encodeURIComponent('停车管理'))).toEqual([]);
    // received on Sunday 2026-03-01 or Monday 2026-03-02, Shanghai days
    expect(await numbers(reception, 'receivedFrom=2026-03-01&receivedTo=2026-03-02')).toEqual(no('fresh', 'parking'));
    // open and past the internal deadline; due within 2 working days (by Wednesday's end), not yet overdue
    expect(await numbers(reception, 'due=overdue')).toEqual(no('noise'));
    expect(await numbers(reception, 'due=within&dueWithinDays=2')).toEqual(no('leak'));
    const overdue = (await list(reception, 'due=overdue')).items[0];
    expect(overdue.overdue).toBe(true);
  });

  it('when paged two at a time in each order, then the pages follow each other without gaps or repeats', async () => {
    const orders: Record<string, string[]> = {
      received: no('fresh', 'parking', 'leak', 'noise', 'closed'),
      'received-asc': no('closed', 'noise', 'leak', 'parking', 'fresh'),
      due: no('closed', 'noise', 'leak', 'parking', 'fresh'),
      'case-no': Object.values(cases)
        .map((c) => c.caseNo)
        .sort(),
    };
    for (const [sort, expected] of Object.entries(orders)) {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: { items: Json[]; next: string | null } = await list(
          reception,
          `sort=${sort}&limit=2${after ? `&after=${after}` : ''}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((c) => c.caseNo as string));
        after = page.next;
      } while (after);
      expect({ sort, seen }).toEqual({ sort, seen: expected });
    }
  });

  it('when the accused or a grid worker searches, then the cases out of their reach are not there', async () => {
    const cadre = await new Session(h.server.url).signIn('cadre');
    expect(await numbers(cadre, '')).not.toContain(cases.fresh.caseNo);
    expect(await numbers(cadre, `q=${cases.fresh.caseNo}`)).toEqual([]);
    const grid1 = await new Session(h.server.url).signIn('grid1');
    expect((await numbers(grid1, '')).sort()).toEqual(no('noise', 'leak').sort());
    const member = await new Session(h.server.url).signIn('member');
    expect((await member.call('GET', '/api/cases')).status).toBe(403);
  });

  it('when the list is exported, then the CSV has the filtered cases with personal data masked', async () => {
    const res = await reception.call('GET', `/api/cases/export.csv?category=${encodeURIComponent('噪声扰民')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^案件编号 case_no,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(no('noise', 'closed'));
    expect(res.text).toContain('张**');
    expect(res.text).toContain('139****1111');
    expect(res.text).not.toMatch(/张三丰|13900001111|110101199003071234/);
  });

  it('when the filters are asked for, then the categories in use, the grids and the owners come', async () => {
    const res = await reception.call('GET', '/api/cases/facets');
    expect(res.status).toBe(200);
    // the category dictionary, main classes before their items
    const categories = res.body.categories as Array<{ code: string; parentCode: string | null; nameZh: string }>;
    expect(categories.map((c) => c.nameZh)).toEqual(
      expect.arrayContaining(['噪声扰民', '房屋漏水', '停车管理', '路灯维修']),
    );
    const property = categories.findIndex((c) => c.code === 'property');
    expect(categories[property + 1].parentCode).toBe('property');
    expect((res.body.grids as Json[]).length).toBeGreaterThan(0);
    expect((res.body.firstResponders as Json[]).map((u) => u.displayName)).toEqual(
      expect.arrayContaining(['李娜（接访）', '张伟（社区干部）']),
    );
  });

  it('when the query is wrong, then it is refused with a message a person understands', async () => {
    for (const [query, words] of [
      ['after=not-a-cursor', '翻页位置无效'],
      [`after=${Buffer.from('["x","y"]').toString('base64url')}`, '翻页位置无效'],
      ['receivedFrom=2026-02-30', '起始日期应为日期'],
      ['receivedFrom=2026-03-05&receivedTo=2026-03-01', '起始日期不能晚于截止日期'],
      ['due=within', '几个工作日内到期'],
      ['dueWithinDays=99&due=within', '工作日数应在 0 到 60 之间'],
      ['gridId=G01', '网格无效'],
    ]) {
      const res = await reception.call('GET', `/api/cases?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(JSON.stringify(res.body)).toContain(words);
      // a sentence for people: no field path, no English in the Chinese answer
      expect(String(res.body.detail)).not.toMatch(/gridId|received(From|To)|dueWithinDays|after|\/ /);
    }
    // zod's own wording comes in Chinese too
    const wrongClass = await reception.call('GET', '/api/cases?caseClass=huge');
    expect(wrongClass.body.detail).toMatch(/^输入不符合要求：无效选项/);
    expect(wrongClass.body.invalidParams).toEqual([expect.objectContaining({ name: 'caseClass' })]);
    expect((await reception.call('GET', '/api/cases?unknown=1')).status).toBe(400);
  });
});
