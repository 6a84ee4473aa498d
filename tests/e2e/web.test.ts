/**
 * The pages in Debian's Chromium (headless, playwright-core) against the running app with its workers: a
 * receptionist signs in, a petition filed at the desk appears in her tasklist, she classifies it and coordinates it
 * through the Camunda forms; the resident rates "dissatisfied" on a phone-sized screen and the secretary's second
 * handling appears; the case page draws the process; the notice board opens. Every page is screenshotted
 * (test-results/e2e) and none may log a console error.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { piiCipher } from '../../platform/pii';
import { startEngine, TEST_EPOCH, until, type EngineHarness } from '../support/engine';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'test-results', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
jest.setTimeout(5 * 60 * 1000);

describe('the pages in a real browser', () => {
  let h: EngineHarness;
  let browser: Browser;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!['index.html', 'web-modeler/index.html'].every((page) => existsSync(join(ROOT, 'dist', 'web', page))))
      execSync('npm run -s build:web', { cwd: ROOT, stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    // The business clock on a 2026 working day (a difficult case's 15 working days must not run past the calendar's
    // last published year, whatever the machine's date).
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    // launch() gives Chromium a fresh temporary profile (its own --user-data-dir) each time.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  /** A fresh browser context (its own cookies) whose pages report console errors and failed requests. */
  async function context(
    options: { viewport?: { width: number; height: number }; locale?: string } = {},
  ): Promise<BrowserContext> {
    const ctx = await browser.newContext({
      baseURL: h.server.url,
      locale: options.locale ?? 'zh-CN',
      viewport: options.viewport ?? { width: 1280, height: 900 },
    });
    // The pages' own clock where the engine's is pinned (a dashboard's "this month" is the browser's month).
    await ctx.clock.install({ time: TEST_EPOCH });
    ctx.on('page', (page) => watch(page));
    return ctx;
  }
  /** Refusals a test provokes on purpose (Chromium logs every 4xx answer as a console error). */
  const expectedRefusals: RegExp[] = [];
  function watch(page: Page) {
    page.on('console', (message) => {
      const text = `${page.url()}: ${message.text()}`;
      if (message.type() === 'error' && !expectedRefusals.some((r) => r.test(text))) consoleErrors.push(text);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  async function signIn(ctx: BrowserContext, username: string): Promise<Page> {
    const page = await ctx.newPage();
    await page.goto('/');
    await page.getByPlaceholder('用户名').fill(username);
    await page.getByPlaceholder('密码').fill('demo-2026');
    await shot(page, `login-${username}`);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL('**/tasks.html**');
    return page;
  }

  /** Opens the task of an element from "my tasks", waiting for the workers to bring it there. */
  async function openMyTask(page: Page, elementId: string): Promise<void> {
    await until(async () => {
      await page.goto('/tasks.html?view=mine');
      await page.getByTestId('task-list').waitFor();
      return (await page.getByTestId(`task-${elementId}`).count()) > 0;
    }, 30000);
    await page.getByTestId(`task-${elementId}`).first().click();
    await page.getByTestId('form').locator('.fjs-form').waitFor();
  }

  /** The first responder accepts the petition in its acceptance decision form (Art 22–23). */
  async function accept(page: Page): Promise<void> {
    await openMyTask(page, 'Task_AcceptanceDecision');
    await page.getByLabel('受理', { exact: true }).check();
    await page.getByTestId('submit').click();
    await page.getByTestId('done').waitFor();
  }

  /** The resident's rating token, read as the SMS carries it (it only exists encrypted). */
  async function ratingToken(caseId: string): Promise<string> {
    const [link] = await until(async () => {
      const rows = await h.server.database.db.query<{ token_enc: Buffer }>(
        'SELECT token_enc FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL',
        [caseId],
      );
      return rows.length ? rows : undefined;
    }, 30000);
    return piiCipher(h.server.secrets.piiKey).decrypt(link.token_enc);
  }

  /** Files a petition at the intake page as the signed-in user; answers its number and id. */
  async function fileAtIntake(
    page: Page,
    fields: { category: string; description: string; name: string; phone: string },
    screenshot?: string,
  ): Promise<{ caseNo: string; id: string }> {
    await page.goto('/intake.html');
    await page.getByTestId('channel').selectOption('walk-in');
    await page.getByTestId('compound').selectOption({ index: 1 });
    await page.getByTestId('category').fill(fields.category);
    await page.getByTestId('description').fill(fields.description);
    await page.getByTestId('name').fill(fields.name);
    await page.getByTestId('phone').fill(fields.phone);
    if (screenshot) await shot(page, screenshot);
    await page.getByTestId('file').click();
    const filedLink = page.getByTestId('filed').locator('a');
    await filedLink.waitFor();
    return {
      caseNo: (await filedLink.textContent())!,
      id: new URL((await filedLink.getAttribute('href'))!, h.server.url).searchParams.get('id')!,
    };
  }

  /** Confirms the case class (and SMS feedback) in the open classification form. */
  async function chooseClass(page: Page, label: string): Promise<void> {
    await page.locator('.fjs-form-field-select .fjs-input-group').click();
    await page.locator('.fjs-dropdownlist-item', { hasText: label }).click();
    await page.getByLabel('短信').check();
    await page.getByTestId('submit').click();
    await page.getByTestId('done').waitFor();
  }

  it('when an admin changes the simple-class deadline in the modeler and deploys it, then a simple case runs on it, a cadre completes it through its form, and once rated it is closed and counted', async () => {
    // given the admin in the modeler, on the deadline decision table
    const admin = await signIn(await context(), 'admin');
    await admin.goto('/web-modeler/?model=deadline-policy.dmn');
    const cell = admin.locator('[data-element-id="OutputEntry_SimpleHours"]');
    await cell.waitFor();
    await admin.getByTestId('problems').filter({ hasText: '未发现问题' }).waitFor();
    // when she changes 24 hours to 12 and deploys
    await cell.click();
    await admin.keyboard.press('ControlOrMeta+A');
    await admin.keyboard.type('12');
    await admin.getByTestId('comment').click();
    await admin.getByTestId('state').filter({ hasText: '有未保存的修改' }).waitFor();
    await admin.getByTestId('comment').fill('简易类时限改为12小时');
    await shot(admin, 'modeler-dmn');
    await admin.getByTestId('deploy').click();
    await admin.locator('[data-testid="state"][data-deployed]').waitFor();
    const deployed = Number(await admin.getByTestId('state').getAttribute('data-deployed'));
    expect(deployed).toBeGreaterThan(0);
    await admin.getByTestId(`history-${deployed}`).filter({ hasText: '运行中' }).waitFor();
    // and a process model that does not pass is marked on the diagram as it opens, and refused on deploy
    const broken = readFileSync(join(ROOT, 'bpmn', 'petition-handling.bpmn'), 'utf8').replace(
      /(<bpmn:sequenceFlow id="Flow_Complex"[^>]*>)([\s\S]*?)<bpmn:conditionExpression[^>]*>[^<]*<\/bpmn:conditionExpression>/,
      '$1$2',
    );
    const saved = await admin.evaluate(async (content) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const res = await fetch('/api/diagrams/petition-handling.bpmn/versions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ content, comment: 'missing condition' }),
      });
      return (await res.json()) as { version: number };
    }, broken);
    await admin.goto(`/web-modeler/?model=petition-handling.bpmn&version=${saved.version}`);
    await admin.getByTestId('lint-Flow_Complex').waitFor();
    await shot(admin, 'modeler-bpmn-lint');
    expectedRefusals.push(
      /web-modeler\/\?model=petition-handling\.bpmn&version=\d+: Failed to load resource: the server responded with a status of 422/,
    );
    await admin.getByTestId('deploy').click();
    await admin.locator('.toolbar .error').filter({ hasText: '不能部署' }).waitFor();
    await admin.getByTestId('problems').filter({ hasText: 'Flow_Complex' }).waitFor();
    // and the form editor opens a form
    await admin.goto('/web-modeler/?model=coordinate-unit.form');
    await admin.locator('.fjs-editor-container').waitFor();
    await shot(admin, 'modeler-form');

    // when a cadre files a petition herself and classifies it simple in her tasklist
    const cadre = await signIn(await context(), 'cadre');
    const filed = await fileAtIntake(cadre, {
      category: '垃圾清运',
      description: '3号楼垃圾两天未清运',
      name: '赵大妈',
      phone: '13900001111',
    });
    await accept(cadre);
    await openMyTask(cadre, 'Task_ConfirmCaseClass');
    await chooseClass(cadre, '简易类');
    // then the internal clock runs on the deployed 12 hours
    const [clock] = await until(async () => {
      const rows = await h.server.database.db.query<{ hours: number }>(
        'SELECT EXTRACT(EPOCH FROM (sla_due_at - received_at)) / 3600 AS hours FROM petition_case WHERE id = $1 AND sla_due_at IS NOT NULL',
        [filed.id],
      );
      return rows.length ? rows : undefined;
    }, 30000);
    // (12 hours from the classification, seconds after the filing; the shipped table says 24)
    expect(Number(clock.hours)).toBeGreaterThanOrEqual(12);
    expect(Number(clock.hours)).toBeLessThan(12.1);
    // when she completes it through its form and the resident is satisfied
    await openMyTask(cadre, 'Task_CoordinateUnit');
    await cadre.getByLabel('责任单位').fill('物业公司');
    await cadre.getByLabel('办理结果').fill('已清运并加密清运频次');
    await cadre.getByLabel('问题已解决').check();
    await cadre.getByTestId('submit').click();
    await cadre.getByTestId('done').waitFor();
    // and, with no SMS provider, hands the petitioner the link from the case page (a QR code to scan on the spot)
    await until(async () => {
      await cadre.goto(`/case.html?id=${filed.id}`);
      await cadre.getByTestId('case-status').waitFor();
      return (await cadre.getByTestId('rating-url').count()) > 0;
    }, 30000);
    await cadre.getByTestId('rating-qr').waitFor();
    await shot(cadre, 'case-rating-link');
    const ratingUrl = new URL(await cadre.getByTestId('rating-url').inputValue());
    expect(ratingUrl.pathname).toBe(`/rate/${await ratingToken(filed.id)}`);
    // and the texts waiting to be passed on are in her outbox, masked
    await cadre.goto('/tasks.html?view=outbox');
    await cadre.getByTestId('outbox-list').getByText('139****1111').first().waitFor();
    await shot(cadre, 'tasklist-outbox');
    // (and the full number shows on her explicit action, to pass a text on by phone)
    const firstText = cadre.getByTestId('outbox-item').first();
    await firstText.getByTestId('reveal-phone').filter({ hasText: '显示号码' }).click();
    await firstText.getByTestId('outbox-phone').filter({ hasText: '13900001111' }).waitFor();
    const phone = await context({ viewport: { width: 390, height: 844 } });
    const rate = await phone.newPage();
    await rate.goto(ratingUrl.pathname);
    await rate.getByTestId('rate-satisfied').click();
    await rate.getByTestId('rated').waitFor();
    // then the case is closed and the leader's dashboard counts it
    await until(
      async () =>
        (
          await h.server.database.db.query("SELECT 1 FROM petition_case WHERE id = $1 AND status = 'closed'", [
            filed.id,
          ])
        ).length > 0 || undefined,
      30000,
    );
    await cadre.goto(`/case.html?id=${filed.id}`);
    await cadre.getByTestId('case-status').filter({ hasText: '已办结' }).waitFor();
    const leader = await signIn(await context(), 'leader');
    await leader.goto('/dashboard.html');
    await leader.getByTestId('kpi-closed').waitFor();
    expect(Number(await leader.getByTestId('kpi-closed').locator('strong').textContent())).toBeGreaterThanOrEqual(1);
    await shot(leader, 'dashboard-closed');
    // and narrowed to this month and the case's category, the figures are that case's
    await leader.getByTestId('category').fill('垃圾清运');
    await leader.getByTestId('preset-month').click();
    await leader.waitForURL(/category=/);
    await leader.getByTestId('kpi-closed').waitFor();
    await expect(leader.getByTestId('kpi-closed').locator('strong').textContent()).resolves.toBe('1');
    await expect(leader.getByTestId('kpi-received').locator('strong').textContent()).resolves.toBe('1');
    await leader.getByTestId('chart-by-category').locator('canvas').waitFor();
    await shot(leader, 'dashboard-filtered');
    expect(consoleErrors).toEqual([]);
  });

  it('when a difficult case is escalated, then the street office claims and completes it from its own queue, and nobody else sees it', async () => {
    // given a petition the receptionist classifies as difficult
    const reception = await signIn(await context(), 'reception');
    const filed = await fileAtIntake(reception, {
      category: '历史遗留问题',
      description: '老旧小区房产证至今未办理',
      name: '钱先生',
      phone: '13700002222',
    });
    await accept(reception);
    await openMyTask(reception, 'Task_ConfirmCaseClass');
    await chooseClass(reception, '疑难类');
    // when someone outside the street office looks for it
    const cadre = await signIn(await context(), 'cadre');
    await cadre.goto('/street-office.html');
    await cadre.getByTestId('street-queue').getByText('无权查看').waitFor();
    await cadre.goto('/tasks.html?view=queue');
    await cadre.getByTestId('task-list').waitFor();
    expect(await cadre.getByTestId('task-Task_SetUpCaseTeam').count()).toBe(0);
    // then the street office finds it waiting, with its working days left, and claims it
    const office = await signIn(await context(), 'street-office');
    const row = office.getByTestId(`row-${filed.caseNo}`);
    await until(async () => {
      await office.goto('/street-office.html');
      await office.getByTestId('street-queue').locator('h1').waitFor();
      return (await row.count()) > 0;
    }, 30000);
    await expect(row.getByTestId('claimed-by').textContent()).resolves.toBe('未认领');
    await expect(row.getByTestId('days-left').textContent()).resolves.toMatch(/1[45] 个工作日/);
    await shot(office, 'street-office-queue');
    // (the escalation notice is in the street office's notices, unread)
    await office.goto('/tasks.html?view=inbox');
    await office.getByTestId('inbox-list').getByText(filed.caseNo).first().waitFor();
    await office.getByTestId('unread').waitFor();
    await shot(office, 'tasklist-inbox');
    await office.goto('/street-office.html');
    await office.getByTestId(`claim-${filed.caseNo}`).click();
    await office.waitForURL('**/tasks.html?view=mine&task=**');
    await office.getByTestId('form').locator('.fjs-form').waitFor();
    await office.getByLabel('区住房和城乡建设委员会').check();
    await office.getByLabel('社区居委会').check();
    await office.getByTestId('submit').click();
    await office.getByTestId('done').waitFor();
    // and the team's opinion comes back to its queue, is claimed and given
    await until(async () => {
      await office.goto('/street-office.html');
      await office.getByTestId('street-queue').locator('h1').waitFor();
      return (await office.getByTestId(`claim-${filed.caseNo}`).count()) > 0;
    }, 30000);
    await office.getByTestId(`claim-${filed.caseNo}`).click();
    await office.waitForURL('**/tasks.html?view=mine&task=**');
    await office.getByLabel('专班处理意见').fill('协调区住建委补办房产证，30日内办结');
    await office.getByLabel('问题已解决').check();
    await office.getByTestId('submit').click();
    await office.getByTestId('done').waitFor();
    // then the street office's part is done and the case is back with its first responder
    await until(async () => {
      await office.goto('/street-office.html');
      await office.getByTestId('street-queue').locator('h1').waitFor();
      return (await row.count()) === 0;
    }, 30000);
    // and on the case page the street office's process opens from its call activity, and the way back returns
    await reception.goto(`/case.html?id=${filed.id}`);
    await reception.getByTestId('open-Call_StreetOffice').waitFor({ state: 'attached' });
    await reception.getByTestId('called-processes').getByRole('link', { name: '街道信访办一案一专班' }).click();
    await reception.waitForURL(/instance=/);
    await reception.getByTestId('diagram').locator('[data-element-id="Task_SetUpCaseTeam"]').waitFor();
    await shot(reception, 'case-called-process');
    await reception.getByTestId('diagram-back').click();
    await reception.getByTestId('diagram').locator('[data-element-id="Call_StreetOffice"]').waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('when a petition is classified and coordinated in the tasklist and rated dissatisfied on a phone, then the secretary gets the second handling', async () => {
    // given a petition the receptionist files at the desk
    const ctx = await context();
    const page = await signIn(ctx, 'reception');
    await page.goto('/intake.html');
    await page.getByTestId('channel').selectOption('walk-in');
    await page.getByTestId('compound').selectOption({ index: 1 });
    await page.getByTestId('category').fill('路灯维修');
    await page.getByTestId('description').fill('小区东门路灯不亮');
    await page.getByTestId('name').fill('王小明');
    await page.getByTestId('phone').fill('13812345678');
    await shot(page, 'intake');
    await page.getByTestId('file').click();
    const filedLink = page.getByTestId('filed').locator('a');
    await filedLink.waitFor();
    const filed = {
      caseNo: (await filedLink.textContent())!,
      id: new URL((await filedLink.getAttribute('href'))!, h.server.url).searchParams.get('id')!,
    };
    expect(filed.caseNo).toMatch(/^XF-/);
    // and the same person coming again is shown their open petition before filing
    await page.getByTestId('phone').fill('13812345678');
    await page.getByTestId('category').fill('路灯维修');
    await page.getByTestId('phone').dispatchEvent('change');
    await page.getByTestId(`link-${filed.caseNo}`).waitFor();
    await shot(page, 'intake-duplicate');

    // when she accepts the petition, opens the classification task and confirms the simple class with SMS feedback
    await accept(page);
    await openMyTask(page, 'Task_ConfirmCaseClass');
    // with its case beside it
    await page.getByTestId('case-context').getByText(filed.caseNo).waitFor();
    await page.getByTestId('case-context').getByText('小区东门路灯不亮').waitFor();
    await shot(page, 'tasklist-classify');
    await page.locator('.fjs-form-field-select .fjs-input-group').click();
    await page.locator('.fjs-dropdownlist-item', { hasText: '简易类' }).click();
    await page.getByLabel('短信').check();
    await page.getByTestId('submit').click();
    await page.getByTestId('done').waitFor();

    // and coordinates the responsible unit through its form
    await openMyTask(page, 'Task_CoordinateUnit');
    await page.getByLabel('责任单位').fill('市政路灯所');
    await page.getByLabel('办理结果').fill('已更换灯泡');
    await page.getByLabel('问题已解决').check();
    await shot(page, 'tasklist-coordinate');
    await page.getByTestId('submit').click();
    await page.getByTestId('done').waitFor();

    // then the petitioner's link arrives (the token only exists encrypted: read it as the SMS would carry it)
    const [link] = await until(async () => {
      const rows = await h.server.database.db.query<{ token_enc: Buffer }>(
        'SELECT token_enc FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL',
        [filed.id],
      );
      return rows.length ? rows : undefined;
    }, 30000);
    const token = piiCipher(h.server.secrets.piiKey).decrypt(link.token_enc);

    // when the resident rates on a phone-sized screen
    const phone = await context({ viewport: { width: 390, height: 844 } });
    const ratePage = await phone.newPage();
    await ratePage.goto(`/rate/${token}`);
    await ratePage.getByText('已更换灯泡').waitFor();
    await shot(ratePage, 'rating-phone');
    await ratePage.getByPlaceholder('意见（可选）').fill('灯还是不亮，晚上看不见路');
    await ratePage.getByTestId('rate-dissatisfied').click();
    await ratePage.getByTestId('rated').waitFor();
    await shot(ratePage, 'rating-phone-done');

    // then the secretary finds the second handling in her group's queue
    const secretary = await signIn(await context(), 'secretary');
    await until(async () => {
      await secretary.goto('/tasks.html?view=queue');
      await secretary.getByTestId('task-list').waitFor();
      return (await secretary.getByTestId('task-Task_SecondHandling').count()) > 0;
    }, 30000);
    await shot(secretary, 'secretary-queue');
    // and is told so in her inbox, with the case number
    await until(async () => {
      await secretary.goto('/tasks.html?view=inbox');
      const inbox = secretary.getByTestId('inbox-list');
      await inbox.locator('article, p').first().waitFor();
      return ((await inbox.textContent()) ?? '').includes('社区书记二次办理');
    }, 30000);
    // and when she claims it, the petitioner's reason is beside the form
    await secretary.goto('/tasks.html?view=queue');
    await secretary.getByTestId('task-Task_SecondHandling').click();
    await secretary.waitForURL('**/tasks.html?view=mine&task=**');
    await secretary.getByTestId('context-ratings').getByText('灯还是不亮，晚上看不见路').waitFor();
    await shot(secretary, 'secretary-second-handling');

    // and the case page draws the process with where it stands
    await page.goto(`/case.html?id=${filed.id}`);
    await page.getByTestId('diagram').locator('svg').first().waitFor();
    await page.locator('.highlight-active').first().waitFor();
    // exactly the step it stands at is marked: the secretary's second handling, not the process around it
    expect(
      await page
        .locator('.diagram .highlight-active')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-element-id'))),
    ).toEqual(['Task_SecondHandling']);
    await shot(page, 'case-page');

    // and the public notice board opens
    const board = await phone.newPage();
    await board.goto('/notices.html');
    await board.getByRole('heading', { name: '公示栏' }).waitFor();
    await shot(board, 'notice-board');

    // and the leader's dashboard shows the period against the targets
    const leader = await signIn(await context(), 'leader');
    await leader.goto('/dashboard.html');
    await leader.getByTestId('kpi-closed').waitFor();
    await leader.locator('.chart canvas').first().waitFor();
    await shot(leader, 'dashboard');

    // and the API's interactive documentation renders
    const docs = await ctx.newPage();
    await docs.goto('/api/docs/');
    await docs.locator('.swagger-ui .opblock').first().waitFor();
    await shot(docs, 'api-docs');

    // and an English-speaking user gets English
    await page.getByTestId('lang').click();
    await page.getByText('Where it stands').waitFor();

    expect(consoleErrors).toEqual([]);
  });
});
