/**
 * The tasklist's filters (GET /api/tasks): by process, by task, by due date and by case number (the whole number or
 * its end), over the tasks the reader may see; a bad filter is refused. The workers run, the clock is pinned.
 */
import { startEngine, TEST_EPOCH, until, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

describe('the tasklist filters', () => {
  let h: EngineHarness;
  let reception: Session;
  const filed: Json[] = [];

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    reception = await new Session(h.server.url).signIn('reception');
    for (const description of ['路灯不亮', '楼道堆物']) {
      const res = await reception.call('POST', '/api/cases', { channel: 'walk-in', category: '物业服务', description });
      expect(res.status).toBe(201);
      filed.push(res.body);
    }
    await until(async () => ((await tasks('')).length === 2 ? true : undefined), 30000);
  });
  afterAll(() => h.stop());

  async function tasks(query: string): Promise<Json[]> {
    const res = await reception.call('GET', `/api/tasks?view=mine${query}`);
    expect(res.status).toBe(200);
    return res.body.items as Json[];
  }
  const caseNos = async (query: string) => (await tasks(query)).map((t) => t.case.caseNo as string).sort();

  it('when filtered by process, task, due date or case number, then only the matching tasks come', async () => {
    const both = filed.map((c) => c.caseNo as string).sort();
    expect(await caseNos('&process=petition-handling')).toEqual(both);
    expect(await caseNos('&process=key-person-care')).toEqual([]);
    expect(await caseNos('&task=Task_AcceptanceDecision')).toEqual(both);
    expect(await caseNos('&task=Task_SecondHandling')).toEqual([]);
    expect(await caseNos(`&caseNo=${filed[1].caseNo}`)).toEqual([filed[1].caseNo]);
    expect(await caseNos(`&caseNo=${String(filed[0].caseNo).slice(-6)}`)).toEqual([filed[0].caseNo]);
    expect(await caseNos('&due=overdue')).toEqual([]);
  });

  it('when a filter is not one, then it is refused in words', async () => {
    const res = await reception.call('GET', '/api/tasks?view=mine&process=<script>');
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('流程无效');
    expect((await reception.call('GET', '/api/tasks?view=mine&due=soon')).status).toBe(400);
  });
});
