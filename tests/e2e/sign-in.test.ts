/**
 * The sign-in page and the settings page's unlock in a real browser (issue 23, items 8 and 9): a `?next=` that a
 * browser would follow to another site is not followed after sign-in (the browser's own URL parser decides, which is
 * what the attack relies on); an admin unlocks an account that someone's wrong passwords locked.
 */
import type { BrowserContext } from 'playwright-core';
import { startEngine, type EngineHarness } from '../support/engine';
import { Session } from '../support/session';
import { openBrowser, shot, signIn, type Browsing } from './support';

jest.setTimeout(3 * 60 * 1000);

describe('sign-in in a real browser', () => {
  let h: EngineHarness;
  let b: Browsing;
  const contexts: BrowserContext[] = [];
  const context = async () => {
    const ctx = await b.context();
    contexts.push(ctx);
    // Another site, answered here: were the browser sent there, it would land on this page instead of an error.
    await ctx.route(
      (url) => url.hostname === 'evil.example',
      (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>evil</title>' }),
    );
    return ctx;
  };

  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
    b = await openBrowser(() => h.server.url);
  });
  afterAll(async () => {
    await b?.close();
    await h?.stop();
  });
  afterEach(() => expect(b.consoleErrors).toEqual([]));

  it.each([
    ['/\\evil.example/'],
    ['/\t/evil.example/'],
    ['/\\/evil.example/'],
    ['//evil.example/'],
    ['https://evil.example/'],
    ['/.//evil.example/'],
    ['/%2e//evil.example/'],
  ])(
    'when the sign-in page is opened with next=%j and the user signs in, then the browser stays on the site',
    async (next) => {
      // given
      const page = await (await context()).newPage();
      const origin = new URL(h.server.url).origin;
      await page.goto(`/?next=${encodeURIComponent(next)}`);
      // when
      await page.getByPlaceholder('用户名').fill('cadre');
      await page.getByPlaceholder('密码').fill('demo-2026');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL((url) => url.pathname !== '/' || url.origin !== origin);
      // then
      expect(new URL(page.url()).origin).toBe(origin);
      expect(new URL(page.url()).pathname).toBe('/tasks.html');
      // and opened again while signed in, the page sends it on to the same place
      await page.goto(`/?next=${encodeURIComponent(next)}`);
      await page.waitForURL((url) => url.pathname !== '/' || url.origin !== origin);
      expect(new URL(page.url()).origin).toBe(origin);
    },
  );

  it('when next is a page of the site, then the browser goes there after sign-in', async () => {
    // given
    const page = await (await context()).newPage();
    await page.goto(`/?next=${encodeURIComponent('/notices.html?from=sign-in#list')}`);
    // when
    await page.getByPlaceholder('用户名').fill('cadre');
    await page.getByPlaceholder('密码').fill('demo-2026');
    await page.getByRole('button', { name: '登录' }).click();
    // then
    await page.waitForURL('**/notices.html?from=sign-in#list');
  });

  it('when an account is locked by wrong passwords from an address, then the admin sees it locked on the settings page and unlocks it', async () => {
    // given grid5 locked out for one address by five wrong passwords
    const attacker = new Session(h.server.url, '10.60.0.1');
    for (let i = 0; i < 5; i++)
      expect((await attacker.call('POST', '/api/session', { username: 'grid5', password: `guess-${i}` })).status).toBe(
        401,
      );
    expect((await attacker.call('POST', '/api/session', { username: 'grid5', password: 'demo-2026' })).status).toBe(
      423,
    );
    const page = await signIn(await context(), 'admin');
    await page.goto('/settings.html');
    await page.getByTestId('tab-users').click();
    const row = page.getByTestId('user-grid5');
    await row.getByText('已锁定').waitFor();
    await shot(page, 'staff-settings-users-locked');
    // when
    await page.getByTestId('user-unlock-grid5').click();
    // then the list, read again, no longer shows it locked, and the address signs in again
    await page.getByTestId('user-unlock-grid5').waitFor({ state: 'detached' });
    await page.getByTestId('user-grid5').getByText('启用').waitFor();
    await expect(page.getByTestId('user-grid5').getByText('已锁定').count()).resolves.toBe(0);
    expect((await attacker.call('POST', '/api/session', { username: 'grid5', password: 'demo-2026' })).status).toBe(
      201,
    );
  });
});
