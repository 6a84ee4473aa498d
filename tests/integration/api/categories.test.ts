/**
 * The category dictionary (事项类别字典): staff pick from two levels with synonyms and pinyin; a case keeps the code
 * it was filed under; the decision table suggests a class by code; the early warning counts 噪音扰民 and 噪声扰民 as
 * one complaint and a rule on a main class counts its items; the case centre and the dashboard filter by code.
 * Admins add, rename and retire entries; a term names one entry only; bad input is refused with a sentence and
 * changes nothing. The engine's clock is pinned (Monday 2026-03-02), the workers run in the app.
 */
import { startEngine, TEST_EPOCH, until, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

describe('the category dictionary', () => {
  let h: EngineHarness;
  let admin: Session;
  let reception: Session;
  const db = () => h.server.database.db;
  const caseCount = async () => (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM petition_case'))[0].n;
  const file = (body: Json) =>
    reception.call('POST', '/api/cases', { channel: 'walk-in', description: '居民反映问题', ...body });

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    admin = await new Session(h.server.url).signIn('admin');
    reception = await new Session(h.server.url).signIn('reception');
  });
  afterAll(() => h.stop());

  it('when staff read the dictionary, then main classes come before their items, with synonyms and pinyin to search by', async () => {
    const res = await reception.call('GET', '/api/categories');
    expect(res.status).toBe(200);
    const items = res.body.items as Json[];
    const noise = items.find((c) => c.code === 'environment.noise');
    expect(noise).toMatchObject({ nameZh: '噪声扰民', parentCode: 'environment', level: 2 });
    expect(noise!.synonyms).toContain('噪音扰民');
    expect(noise!.pinyin).toContain('zaoshengraomin');
    expect(noise!.initials.split(' ')).toContain('zsrm');
    const main = items.findIndex((c) => c.code === 'environment');
    expect(items[main].level).toBe(1);
    expect(items.slice(main + 1).findIndex((c) => c.code === 'environment.noise')).toBeGreaterThanOrEqual(0);
    expect(items.filter((c) => c.parentCode === 'environment').every((c) => items.indexOf(c) > main)).toBe(true);
  });

  it('when a case is filed by a synonym or a code, then it keeps the entry’s code and name, and the decision table suggests by code', async () => {
    const bySynonym = await file({ category: '噪音扰民' });
    const byCode = await file({ category: 'property.leak' });
    expect([bySynonym.status, byCode.status]).toEqual([201, 201]);
    const rows = await db().query<{ id: string; category: string; category_code: string }>(
      'SELECT id, category, category_code FROM petition_case WHERE id = ANY($1) ORDER BY case_no',
      [[bySynonym.body.id, byCode.body.id]],
    );
    expect(rows.map((r) => [r.category, r.category_code])).toEqual([
      ['噪声扰民', 'environment.noise'],
      ['房屋漏水', 'property.leak'],
    ]);
    // a leak (many households, the maintenance fund) is suggested to the 1+X group, not as simple
    const suggested = await until(async () => {
      const { body } = await reception.call('GET', '/api/tasks?view=mine');
      const task = (body.items as Json[]).find((t) => t.case?.id === byCode.body.id);
      return task ? (await reception.call('GET', `/api/tasks/${task.userTaskKey}`)).body : undefined;
    }, 20000);
    expect(suggested.variables).toMatchObject({ categoryCode: 'property.leak', suggestedClass: 'complex' });
  });

  it('when the category is not in the dictionary, then intake says so in a sentence and nothing is filed', async () => {
    const before = await caseCount();
    const res = await file({ category: '外星人入侵' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      '事项类别“外星人入侵”不在类别字典中。请从列表中选择；需要新类别时请管理员在“设置 → 事项类别”中添加。',
    );
    expect(await caseCount()).toBe(before);
  });

  it('when an admin adds, renames and retires entries, then intake follows and a term names one entry only', async () => {
    const added = await admin.call('POST', '/api/categories', {
      code: 'environment.light',
      nameZh: '光污染',
      nameEn: 'Light pollution',
      synonyms: ['灯光扰民'],
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ code: 'environment.light', parentCode: 'environment', initials: 'gwr dgrm' });
    expect((await file({ category: '灯光扰民' })).status).toBe(201);
    // a term another entry has is refused, naming that entry
    const taken = await admin.call('PUT', '/api/categories/environment.light', {
      nameZh: '光污染',
      nameEn: 'Light pollution',
      synonyms: ['灯光扰民', '噪音'],
    });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toBe('“噪音”（噪声扰民）已是其他类别的名称或同义词。一个词只能对应一个类别。');
    // bad codes and missing main classes are refused
    const badCode = await admin.call('POST', '/api/categories', { code: 'Env Light', nameZh: '甲', nameEn: 'A' });
    expect(badCode.status).toBe(400);
    expect(badCode.body.detail).toMatch(/类别代码由小写字母、数字和横线组成/);
    const orphan = await admin.call('POST', '/api/categories', { code: 'space.alien', nameZh: '乙', nameEn: 'B' });
    expect(orphan.status).toBe(400);
    expect(orphan.body.detail).toBe('大类 space 不存在，请先添加大类。');
    expect((await reception.call('POST', '/api/categories', { code: 'x', nameZh: '丙', nameEn: 'C' })).status).toBe(
      403,
    );
    // a main class with enabled items cannot be retired before them
    const main = await admin.call('PUT', '/api/categories/environment', {
      nameZh: '环境卫生',
      nameEn: 'Environment and sanitation',
      enabled: false,
    });
    expect(main.status).toBe(409);
    // retired: not offered, not taken at intake, still listed for admins
    const retired = await admin.call('PUT', '/api/categories/environment.light', {
      nameZh: '光污染',
      nameEn: 'Light pollution',
      synonyms: ['灯光扰民'],
      enabled: false,
    });
    expect(retired.status).toBe(200);
    const refused = await file({ category: '灯光扰民' });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toBe('事项类别“光污染”已停用，请选择其他类别。');
    const offered = (await reception.call('GET', '/api/categories')).body.items as Json[];
    expect(offered.map((c) => c.code)).not.toContain('environment.light');
    const all = (await admin.call('GET', '/api/categories?all=true')).body.items as Json[];
    expect(all.find((c) => c.code === 'environment.light')).toMatchObject({ enabled: false, updatedBy: 'admin' });
  });

  it('when complaints use different words for one category, then the early warning counts them together, and a rule on a main class counts its items', async () => {
    const [a, b] = await db().query<{ id: string }>('SELECT id FROM compound ORDER BY name LIMIT 2');
    const one = await admin.call('POST', '/api/warning-rules', {
      name: '同一小区噪声三次',
      category: '噪音',
      windowDays: 30,
      threshold: 3,
    });
    expect(one.body).toMatchObject({ category: 'environment.noise', categoryName: '噪声扰民' });
    await admin.call('POST', '/api/warning-rules', {
      name: '同一小区环境问题两次',
      category: 'environment',
      windowDays: 30,
      threshold: 2,
    });
    for (const category of ['噪音扰民', '噪声扰民', '噪音'])
      expect((await file({ category, compoundId: a.id })).status).toBe(201);
    for (const category of ['垃圾清运', '楼道卫生'])
      expect((await file({ category, compoundId: b.id })).status).toBe(201);
    const alerts = await until(async () => {
      const items = (await admin.call('GET', '/api/warning-alerts')).body.items as Json[];
      const noise = items.find((x) => x.rule === '同一小区噪声三次');
      const environment = items.filter((x) => x.rule === '同一小区环境问题两次');
      return noise && environment.length === 2 ? { noise, environment } : undefined;
    }, 30000);
    expect(alerts.noise).toMatchObject({ category: '噪声扰民', categoryCode: 'environment.noise' });
    expect(alerts.noise.cases).toHaveLength(3);
    // the main-class rule: the three noise complaints in one compound, garbage and hygiene in the other
    expect(alerts.environment.map((x) => x.categoryCode)).toEqual(['environment', 'environment']);
    expect(alerts.environment.map((x) => x.cases.length).sort()).toEqual([2, 3]);
    const unknown = await admin.call('POST', '/api/warning-rules', {
      name: 'x',
      category: '外星人',
      windowDays: 3,
      threshold: 2,
    });
    expect(unknown.status).toBe(400);
  });

  it('when the case centre and the dashboard filter by a main class, then its items’ cases come', async () => {
    const list = await reception.call('GET', '/api/cases?category=environment&limit=100');
    expect(list.status).toBe(200);
    const codes = new Set(
      (
        await db().query<{ category_code: string }>('SELECT category_code FROM petition_case WHERE case_no = ANY($1)', [
          (list.body.items as Json[]).map((c) => c.caseNo),
        ])
      ).map((r) => r.category_code),
    );
    expect([...codes].every((c) => c === 'environment' || c.startsWith('environment.'))).toBe(true);
    expect(codes.has('environment.noise') && codes.has('environment.garbage')).toBe(true);
    const bySynonym = await reception.call('GET', `/api/cases?category=${encodeURIComponent('噪音')}&limit=100`);
    expect((bySynonym.body.items as Json[]).every((c) => c.category === '噪声扰民')).toBe(true);
    const unknown = await reception.call('GET', `/api/cases?category=${encodeURIComponent('外星人')}`);
    expect(unknown.status).toBe(400);
    const leader = await new Session(h.server.url).signIn('leader');
    expect((await leader.call('GET', '/api/dashboard?category=environment')).status).toBe(200);
    expect((await leader.call('GET', `/api/dashboard?category=${encodeURIComponent('外星人')}`)).status).toBe(400);
  });
});
