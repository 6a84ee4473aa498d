/**
 * The pages in Debian's Chromium (headless, playwright-core) against the running app with its workers: a
 * receptionist signs in, a petition filed at the desk appears in her tasklist, she classifies it and coordinates it
 * through the Camunda forms; the resident rates "dissatisfied" on a phone-sized screen and the secretary's second
 * handling appears; the case page draws the process; the notice board opens. Every page is screenshotted
 * (test-results/e2e) and none may log a console error.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { piiCipher } from '../../server/security/pii';
import { startEngine, until, type EngineHarness } from '../support/engine';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'test-results', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
jest.setTimeout(5 * 60 * 1000);

describe('the pages in a real browser', () => {
  let h: EngineHarness;
  let browser: Browser;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'web', 'index.html'))) execSync('npm run -s build:web', { cwd: ROOT, stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    // launch() gives Chromium a fresh temporary profile (its own --user-data-dir) each time.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  /** A fresh browser context (its own cookies) whose pages report console errors and failed requests. */
  async function context(options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<BrowserContext> {
    const ctx = await browser.newContext({ baseURL: h.server.url, locale: options.locale ?? 'zh-CN', viewport: options.viewport ?? { width: 1280, height: 900 } });
    ctx.on('page', (page) => watch(page));
    return ctx;
  }
  function watch(page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
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
    const filed = { caseNo: (await filedLink.textContent())!, id: new URL((await filedLink.getAttribute('href'))!, h.server.url).searchParams.get('id')! };
    expect(filed.caseNo).toMatch(/^XF-/);
    // and the same person coming again is shown their open petition before filing
    await page.getByTestId('phone').fill('13812345678');
    await page.getByTestId('category').fill('路灯维修');
    await page.getByTestId('phone').dispatchEvent('change');
    await page.getByTestId(`link-${filed.caseNo}`).waitFor();
    await shot(page, 'intake-duplicate');

    // when she opens the classification task and confirms the simple class with SMS feedback
    await openMyTask(page, 'Task_ConfirmCaseClass');
    await expect(page.getByTestId('task-detail').textContent()).resolves.toContain(filed.caseNo);
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
      const rows = await h.server.database.db.query<{ token_enc: Buffer }>('SELECT token_enc FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL', [filed.id]);
      return rows.length ? rows : undefined;
    }, 30000);
    const token = piiCipher(h.server.secrets.piiKey).decrypt(link.token_enc);

    // when the resident rates on a phone-sized screen
    const phone = await context({ viewport: { width: 390, height: 844 } });
    const ratePage = await phone.newPage();
    await ratePage.goto(`/rate/${token}`);
    await ratePage.getByText('已更换灯泡').waitFor();
    await shot(ratePage, 'rating-phone');
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

    // and the case page draws the process with where it stands
    await page.goto(`/case.html?id=${filed.id}`);
    await page.getByTestId('diagram').locator('svg').first().waitFor();
    await page.locator('.highlight-active').first().waitFor();
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
