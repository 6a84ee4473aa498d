/**
 * Admins keep the grids and compounds (api/grids-admin.ts): a grid and a compound are added, renamed and retired with
 * plain Chinese refusals (a duplicate code or name, a grid worker who is not one, a grid with compounds in use); a
 * retired compound stays for the cases that name it but is offered and accepted for nothing new; every change is
 * recorded with who made it; others read but do not change. The clock is pinned.
 */
import { startEngine, TEST_EPOCH, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

describe('grids and compounds kept by admins', () => {
  let h: EngineHarness;
  let admin: Session;
  let cadre: Session;

  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    admin = await new Session(h.server.url).signIn('admin');
    cadre = await new Session(h.server.url).signIn('cadre');
  });
  afterAll(() => h.stop());

  it('when the admin adds a grid and a compound and renames them, then everyone reads them and the change record names the admin', async () => {
    // when
    const grid = await admin.call('POST', '/api/grids', { code: 'G08', name: '第八网格', gridWorker: 'grid1' });
    expect(grid.status).toBe(201);
    const compound = await admin.call('POST', '/api/compounds', {
      gridId: grid.body.id,
      name: '新建小区',
      households: 120,
    });
    expect(compound.status).toBe(201);
    expect(
      (await admin.call('PUT', `/api/grids/${grid.body.id}`, { name: '第八网格（新区）', gridWorker: null })).status,
    ).toBe(200);
    expect((await admin.call('PUT', `/api/compounds/${compound.body.id}`, { name: '新城小区' })).status).toBe(200);
    // then the pickers and the register show them under their new names
    const { body: picked } = await cadre.call('GET', '/api/grids');
    const g08 = (picked.items as Json[]).find((g) => g.code === 'G08')!;
    expect(g08).toMatchObject({ name: '第八网格（新区）', gridWorker: null });
    expect(g08.compounds).toEqual([expect.objectContaining({ name: '新城小区', households: 120 })]);
    const register = await cadre.call('GET', '/api/grid-register');
    expect(register.status).toBe(200);
    expect(register.body.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'grid', action: 'add', actor: 'admin', targetId: grid.body.id }),
        expect.objectContaining({
          kind: 'compound',
          action: 'change',
          actorName: expect.any(String),
          detail: { before: { name: '新建小区', households: 120 }, after: { name: '新城小区' } },
        }),
      ]),
    );
    // and someone other than an admin changes nothing
    expect((await cadre.call('POST', '/api/grids', { code: 'G09', name: '第九网格' })).status).toBe(403);
  });

  it('when names clash or the input is wrong, then the refusal says why in Chinese', async () => {
    // given
    const { body } = await admin.call('GET', '/api/grids');
    const first = (body.items as Json[])[0];
    // when / then: a code in use, a name in use, a grid worker who is not one, a bad code, a compound name in use
    const sameCode = await admin.call('POST', '/api/grids', { code: first.code, name: '重复编号网格' });
    expect(sameCode.status).toBe(409);
    expect(sameCode.body.detail).toContain(`网格编号 ${first.code} 已被`);
    const sameName = await admin.call('POST', '/api/grids', { code: 'G10', name: first.name });
    expect(sameName.body.detail).toContain(`已有名为“${first.name}”的网格`);
    const notWorker = await admin.call('POST', '/api/grids', { code: 'G10', name: '第十网格', gridWorker: 'cadre' });
    expect(notWorker.status).toBe(400);
    expect(notWorker.body.detail).toContain('不是在岗的网格员');
    const badCode = await admin.call('POST', '/api/grids', { code: '第十', name: '第十网格' });
    expect(badCode.status).toBe(400);
    expect(badCode.body.detail).toContain('网格编号为 1–10 位字母、数字或横线');
    const sameCompound = await admin.call('POST', '/api/compounds', {
      gridId: first.id,
      name: first.compounds[0].name,
    });
    expect(sameCompound.status).toBe(409);
    expect(sameCompound.body.detail).toContain('该网格已有名为');
    const noName = await admin.call('POST', '/api/compounds', { gridId: first.id, name: '  ', households: -1 });
    expect(noName.status).toBe(400);
    expect(noName.body.detail).toContain('请填写小区名称');
    expect(noName.body.detail).toContain('户数不能为负');
  });

  it('when a compound cases name is retired, then its cases keep it, intake refuses it, and its grid retires only once it is empty', async () => {
    // given a grid with one compound, and a case filed in it
    const grid = await admin.call('POST', '/api/grids', { code: 'G11', name: '第十一网格' });
    const compound = await admin.call('POST', '/api/compounds', { gridId: grid.body.id, name: '待拆迁小区' });
    const reception = await new Session(h.server.url).signIn('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '电梯故障',
      description: '电梯停运',
      compoundId: compound.body.id,
    });
    expect(filed.status).toBe(201);
    // when the grid is retired with its compound in use, it is refused
    const early = await admin.call('POST', `/api/grids/${grid.body.id}/retire`, {});
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('还有在用的小区');
    // when the compound is retired, then the grid may be
    expect((await admin.call('POST', `/api/compounds/${compound.body.id}/retire`, {})).status).toBe(200);
    expect((await admin.call('POST', `/api/grids/${grid.body.id}/retire`, {})).status).toBe(200);
    // then nothing new names it: it is not offered, and intake refuses it
    const { body: picked } = await reception.call('GET', '/api/grids');
    expect((picked.items as Json[]).some((g) => g.id === grid.body.id)).toBe(false);
    const refused = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '电梯故障',
      description: '电梯又停了',
      compoundId: compound.body.id,
    });
    expect(refused.status).toBe(400);
    // and the case keeps it; the register shows it retired with its case counted
    const { body: register } = await admin.call('GET', '/api/grid-register');
    const kept = (register.items as Json[]).find((g) => g.id === grid.body.id)!;
    expect(kept.retiredAt).toBe(new Date(TEST_EPOCH).toISOString());
    expect(kept.compounds[0]).toMatchObject({ name: '待拆迁小区', cases: 1 });
    expect(kept.compounds[0].retiredAt).not.toBeNull();
    // and a compound is not reinstated under a retired grid, but is once the grid is
    const under = await admin.call('POST', `/api/compounds/${compound.body.id}/retire`, { retired: false });
    expect(under.status).toBe(409);
    expect((await admin.call('POST', `/api/grids/${grid.body.id}/retire`, { retired: false })).status).toBe(200);
    expect((await admin.call('POST', `/api/compounds/${compound.body.id}/retire`, { retired: false })).status).toBe(
      200,
    );
  });
});
