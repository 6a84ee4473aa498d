/**
 * The browser side of the e2e tests: Debian's Chromium through playwright-core, contexts whose pages report console
 * errors and uncaught exceptions, full-page screenshots into test-results/e2e, and signing in as a seeded user.
 * A refusal a test provokes on purpose is declared with expectRefusal() so that Chromium's "Failed to load
 * resource" line for it is not counted as an error.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startEngine, type EngineHarness } from '../support/engine';

export const ROOT = join(__dirname, '..', '..');
export const SHOTS = join(ROOT, 'test-results', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PHONE = { width: 390, height: 844 };

export interface Browsing {
  browser: Browser;
  /** Console errors and page errors seen so far, with the page's address. */
  consoleErrors: string[];
  context(options?: { viewport?: { width: number; height: number }; locale?: string }): Promise<BrowserContext>;
  /** Lets a failed request to a path matching `path` pass (once per call) while `action` runs. */
  expectRefusal<T>(path: RegExp, action: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Builds the pages if they are not built yet and launches Chromium for contexts against `baseURL`. */
export async function openBrowser(baseURL: () => string, { clock }: { clock?: number } = {}): Promise<Browsing> {
  if (!['index.html', 'web-modeler/index.html'].every((page) => existsSync(join(ROOT, 'dist', 'web', page))))
    execSync('npm run -s build:web', { cwd: ROOT, stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  // launch() gives Chromium a fresh temporary profile (its own --user-data-dir) each time.
  const browser = await chromium.launch({
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
  const consoleErrors: string[] = [];
  const allowed: RegExp[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      const i = /^Failed to load resource/.test(message.text()) ? allowed.findIndex((path) => path.test(where)) : -1;
      if (i >= 0) allowed.splice(i, 1);
      else consoleErrors.push(`${page.url()}: ${message.text()} (${where})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  };
  return {
    browser,
    consoleErrors,
    async context(options = {}) {
      const ctx = await browser.newContext({
        baseURL: baseURL(),
        locale: options.locale ?? 'zh-CN',
        viewport: options.viewport ?? { width: 1280, height: 900 },
      });
      // The pages' own clock where the engine's is pinned (a form's "today", a month's figures are the browser's).
      if (clock !== undefined) await ctx.clock.install({ time: clock });
      ctx.on('page', watch);
      return ctx;
    },
    async expectRefusal(path, action) {
      allowed.push(path);
      return action();
    },
    close: () => browser.close(),
  };
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Signs in on the sign-in page as a seeded user (demo password) and lands on the tasklist. */
export async function signIn(ctx: BrowserContext, username: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto('/');
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('demo-2026');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL('**/tasks.html**');
  return page;
}

/** The app and a browser for a describe block: see {@link appInBrowser}. */
export interface AppInBrowser {
  h: EngineHarness;
  b: Browsing;
  /** A fresh context (signed out), closed with the block. */
  context(): Promise<BrowserContext>;
}

/**
 * Starts the app with the real engine (workers in it, the demo seed, the models deployed, `env` over that) with its
 * clock pinned at `clock`, and Chromium with the pages' clock at the same instant, around the describe block it is
 * called in; every test ends checking that no page logged an error. `h` and `b` are set once the block has started.
 */
export function appInBrowser(clock: number, env: Record<string, string> = {}): AppInBrowser {
  const contexts: BrowserContext[] = [];
  const app = {
    async context() {
      const ctx = await app.b.context();
      contexts.push(ctx);
      return ctx;
    },
  } as AppInBrowser;
  beforeAll(async () => {
    app.h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true', ...env });
    await app.h.client.pinClock({ timestamp: clock });
    app.b = await openBrowser(() => app.h.server.url, { clock });
  });
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close();
    await app.b?.close();
    await app.h?.stop();
  });
  afterEach(() => expect(app.b.consoleErrors).toEqual([]));
  return app;
}
