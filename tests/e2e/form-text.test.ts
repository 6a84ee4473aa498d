/**
 * The tasklist's forms in Chromium show what people typed as text: the draft-solution form lists the 1+X members'
 * opinions in a text view (Markdown), and an opinion holding HTML, a Markdown link or image, or a bare address must
 * not become a live link or image on the cadre's form. The built pages (dist/web) are served to the browser as they
 * are, and the API answers the task as the app would (no app or engine needed): the form is the deployed
 * bpmn/draft-solution.form.
 */
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { openBrowser, ROOT, shot, type Browsing } from './support';

jest.setTimeout(2 * 60 * 1000);

const ORIGIN = 'http://tasklist.test';
const WEB = join(ROOT, 'dist', 'web');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

describe("typed text on the next person's form", () => {
  let b: Browsing;
  let ctx: BrowserContext;
  /** Requests the page made to other hosts (an image that loaded would be one). */
  const elsewhere: string[] = [];

  beforeAll(async () => {
    b = await openBrowser(() => ORIGIN);
    ctx = await b.context();
  });
  afterAll(async () => {
    await ctx?.close();
    await b?.close();
  });

  /** The API's answers for one signed-in cadre with one draft-solution task; the built files for everything else. */
  async function serve(opinions: string[]): Promise<void> {
    const task = {
      userTaskKey: '7',
      elementId: 'Task_DraftSolution',
      name: '牵头干部起草解决方案',
      processInstanceKey: '1',
      assignee: 'cadre',
      candidateGroups: ['cadre'],
      dueDate: null,
      overdue: false,
      case: null,
    };
    const api: Record<string, unknown> = {
      '/api/me': { username: 'cadre', displayName: '社区干部', roles: ['cadre'], csrfToken: 'x'.repeat(32) },
      '/api/inbox': { unread: 0, items: [] },
      '/api/tasks': { items: [task] },
      // the task view also asks for the task's history and, for a task without a case, its early warning
      '/api/tasks/7/history': { items: [] },
      '/api/tasks/7/alert': { alert: null },
      '/api/tasks/7': {
        ...task,
        form: JSON.parse(readFileSync(join(ROOT, 'bpmn', 'draft-solution.form'), 'utf8')),
        variables: { opinions },
      },
      // nobody else in the cadre group to hand the task to
      '/api/tasks/7/colleagues': { items: [] },
    };
    await ctx.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) {
        elsewhere.push(url.href);
        return route.abort();
      }
      if (url.pathname.startsWith('/api/')) {
        const body = api[url.pathname];
        return body ? route.fulfill({ json: body }) : route.fulfill({ status: 404, json: { title: 'Not found' } });
      }
      const path = normalize(join(WEB, url.pathname === '/' ? 'index.html' : url.pathname));
      if (!path.startsWith(WEB)) return route.fulfill({ status: 404 });
      return route.fulfill({
        body: readFileSync(path),
        contentType: TYPES[extname(path)] ?? 'application/octet-stream',
      });
    });
  }

  it('when members typed HTML, Markdown links and images or addresses into their opinions, then the cadre sees the text and no link or image', async () => {
    // given three opinions as members typed them
    const opinions = [
      '<a href="https://evil.example/">点此领取补贴</a><img src="https://evil.example/x.png">',
      '[补贴申请](https://evil.example/) ![图](https://evil.example/y.png)',
      '详见 www.evil.example **加急**',
    ];
    await serve(opinions);
    // when the cadre opens the draft-solution task
    const page = await ctx.newPage();
    await page.goto('/tasks.html?view=mine&task=7');
    const form = page.getByTestId('form');
    await form.locator('.fjs-form-field-text').waitFor();
    await shot(page, 'form-typed-text');
    // then the opinions read exactly as typed, and the form holds no link, image or formatting made from them
    const view = form.locator('.fjs-form-field-text');
    await expect(view.innerText()).resolves.toBe(`成员意见：${opinions.join('；')}`);
    await expect(view.locator('a, img, strong').count()).resolves.toBe(0);
    expect(elsewhere).toEqual([]);
    expect(b.consoleErrors).toEqual([]);
  });
});
