/**
 * The daily workplace in a real browser (issue 26), each step as the role that does it, the clocks pinned: the admin
 * adds a grid and a compound, renames and retires the compound (a cadre reads the register, changes nothing); a
 * cadre records a key person's conversion and sees it on the file's timeline; a cadre claims an early warning's
 * coordination task and sees its alert, the cases that raised it and the task's history; the leader sees the alert
 * canceled once its joint handling is cancelled. Screenshots land in test-results/e2e; no page may log an error.
 */
import type { BrowserContext } from 'playwright-core';
import { startEngine, TEST_EPOCH, until, type EngineHarness } from '../support/engine';
import { openBrowser, shot, signIn, type Browsing } from './support';

jest.setTimeout(5 * 60 * 1000);

describe('the daily workplace in a real browser', () => {
  let h: EngineHarness;
  let b: Browsing;
  const contexts: BrowserContext[] = [];
  const as = async (username: string) => {
    const ctx = await b.context();
    contexts.push(ctx);
    return signIn(ctx, username);
  };

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    b = await openBrowser(() => h.server.url, { clock: TEST_EPOCH });
  });
  afterAll(async () => {
    await b?.close();
    await h?.stop();
  });
  afterEach(() => expect(b.consoleErrors).toEqual([]));

  it('when the admin adds, renames and retires a compound, then the register shows it and the change record names the admin; a cadre only reads', async () => {
    const page = await as('admin');
    await page.goto('/grids.html');
    const register = page.getByTestId('grid-register');
    await register.getByTestId('grid-G01').waitFor();
    // when the admin adds a grid and a compound in it
    await page.getByTestId('grid-code').fill('G08');
    await page.getByTestId('grid-name').fill('第八网格');
    await page.getByTestId('grid-save').click();
    await register.getByTestId('grid-G08').waitFor();
    await page.getByTestId('compound-grid').selectOption({ label: 'G08 第八网格' });
    await page.getByTestId('compound-name').fill('新建小区');
    await page.getByTestId('compound-households').fill('120');
    await page.getByTestId('compound-save').click();
    await register.getByTestId('compound-新建小区').waitFor();
    // and renames it, then retires it
    page.once('dialog', (dialog) => void dialog.accept('新城小区'));
    await register.getByTestId('compound-rename-新建小区').click();
    await register.getByTestId('compound-retire-新城小区').click();
    await register.getByTestId('compound-新城小区').getByText('已停用').waitFor();
    // a grid of the same code is refused in words
    await page.getByTestId('grid-code').fill('G08');
    await page.getByTestId('grid-name').fill('另一个网格');
    await b.expectRefusal(/\/api\/grids$/, () => page.getByTestId('grid-save').click());
    await register.getByRole('alert').getByText('网格编号 G08 已被“第八网格”使用').waitFor();
    // then the change record names the admin
    await page.getByTestId('grid-changes').getByText('停用 小区 新城小区').waitFor();
    await shot(page, 'workplace-grids-admin');
    // and a cadre reads the register without the admin's forms
    const cadre = await as('cadre');
    await cadre.goto('/grids.html');
    await cadre.getByTestId('grid-register').getByTestId('grid-G08').waitFor();
    expect(await cadre.getByTestId('grid-add').count()).toBe(0);
    expect(await cadre.getByTestId('compound-retire-新城小区').count()).toBe(0);
  });

  it('when a cadre records a key person’s conversion, then the file shows it with its note and on its timeline', async () => {
    // given a petitioner entered in the registry
    const reception = await as('reception');
    const { csrfToken } = (await (await reception.request.get('/api/me')).json()) as { csrfToken: string };
    const filed = await reception.request.post('/api/cases', {
      headers: { 'x-csrf-token': csrfToken },
      data: {
        channel: 'walk-in',
        category: '电梯故障',
        description: '多次到区里反映',
        petitioner: { name: '钱学文', phone: '13900003333' },
      },
    });
    const { caseNo } = (await filed.json()) as { caseNo: string };
    const page = await as('cadre');
    await page.goto('/keypersons.html');
    await page.getByTestId('kp-case-no').fill(caseNo);
    await page.getByTestId('kp-enter').click();
    await page.getByTestId('kp-conversion-form').waitFor();
    // when the conversion is sent without consent, the refusal says why; with it, it is kept
    await page.getByTestId('kp-conversion-role').selectOption('volunteer');
    await page.getByTestId('kp-conversion-note').fill('加入楼道志愿服务队');
    await b.expectRefusal(/conversion$/, () => page.getByTestId('kp-conversion-save').click());
    await page.getByTestId('kp-conversion-form').getByRole('alert').getByText('须经本人同意').waitFor();
    await page.getByTestId('kp-conversion-consent').check();
    await page.getByTestId('kp-conversion-save').click();
    // then
    const converted = page.getByTestId('kp-timeline').getByTestId('kp-event-converted');
    await converted.getByText(/转化为志愿者.*加入楼道志愿服务队.*登记人/).waitFor();
    await page.getByTestId('kp-timeline').getByTestId('kp-event-entered').waitFor();
    expect(await page.getByTestId('kp-conversion-form').count()).toBe(0);
    await shot(page, 'workplace-key-person-conversion');
  });

  it('when a cadre opens an early warning’s coordination task, then it shows the alert, its cases and its history; the leader sees the alert canceled', async () => {
    // given three lift complaints from one compound
    const reception = await as('reception');
    const { csrfToken } = (await (await reception.request.get('/api/me')).json()) as { csrfToken: string };
    const { items: grids } = (await (await reception.request.get('/api/grids')).json()) as {
      items: Array<{ compounds: Array<{ id: string; name: string }> }>;
    };
    const compound = grids[1].compounds[0];
    for (let i = 0; i < 3; i++) {
      const filed = await reception.request.post('/api/cases', {
        headers: { 'x-csrf-token': csrfToken },
        data: {
          channel: 'hotline-12345',
          category: '电梯故障',
          description: `电梯故障第 ${i + 1} 次`,
          compoundId: compound.id,
        },
      });
      expect(filed.status()).toBe(201);
    }
    // when the cadre claims the coordination task from the queue
    const page = await as('cadre');
    await until(async () => {
      await page.goto('/tasks.html?view=queue&process=early-warning-joint-handling');
      await page.getByTestId('task-list').locator('cds-table, p').first().waitFor();
      return (await page.getByTestId('task-Task_CommunityAction').count()) > 0;
    }, 30000);
    await page.getByTestId('task-Task_CommunityAction').click();
    await page.waitForURL('**view=mine**');
    // then the task shows its alert with the three cases, and its history
    const alert = page.getByTestId('task-alert');
    await alert.getByText(`${compound.name} · 电梯故障`).waitFor();
    await alert.getByText('投诉数：3').waitFor();
    await expect(alert.getByTestId('alert-cases').getByRole('link', { name: /^XF-/ }).count()).resolves.toBe(3);
    const history = page.getByTestId('task-history');
    await history.getByTestId('history-created').getByText('进入队列：社区干部').waitFor();
    await history.getByTestId('history-claimed').getByText('社区干部').waitFor();
    await shot(page, 'workplace-coordination-task');
    // when the joint handling is cancelled, then the leader sees the alert canceled
    const { items } = await h.client.searchProcessInstances(
      { filter: { processDefinitionId: 'early-warning-joint-handling', state: 'ACTIVE' } },
      { consistency: { waitUpToMs: 0 } },
    );
    await h.client.cancelProcessInstance({ processInstanceKey: items[0].processInstanceKey });
    const leader = await as('leader');
    await until(async () => {
      await leader.goto('/warnings.html');
      await leader.getByTestId('alert-list').locator('h2').waitFor();
      return (await leader.getByTestId('alert-status-cell').getByText('已取消').count()) > 0;
    }, 30000);
    await shot(leader, 'workplace-alert-canceled');
  });
});
