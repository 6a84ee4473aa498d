/**
 * Chinese all through: every page, opened in Chinese as the role that uses it, shows no English words but an explicit
 * list of terms (BPMN, DMN, FEEL, file types, the language switch, case numbers' XF, 1+X). What is data rather than
 * language — a username, a category code, an element id — is marked translate="no" (the HTML attribute for text that
 * is not to be translated) and left out. Visible text, placeholders, titles, labels and options are read; a report
 * per page is written to test-results/e2e/chinese-text.json. Clock pinned to Monday 2026-03-02.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startEngine, TEST_EPOCH, until, type EngineHarness } from '../support/engine';
import { Session, type Json } from '../support/session';
import { openBrowser, SHOTS, shot, signIn, type Browsing } from './support';

jest.setTimeout(8 * 60 * 1000);

/** Latin words a Chinese page may show: names of standards and file types, the language switch, the case prefix. */
const ALLOWED = new Set([
  'BPMN',
  'DMN',
  'FEEL',
  'CSV',
  'PDF',
  'Word',
  'Excel',
  'MB',
  'KB',
  'English',
  'XF',
  'SMS',
  'X',
  'HTML',
]);

/**
 * Run in the page (as a script: these tests compile without the DOM's types): its visible text nodes, placeholders,
 * titles, labels and options, less what is under translate="no", what the reader edits (a decision table's cells),
 * code, scripts and bpmn.io's "Powered by bpmn.io"
 * and form-js's "Powered by bpmn.io" marks (their licence asks for them to stay visible).
 */
const READ_TEXTS = `(() => {
  const out = [];
  const skip = (e) => !e || e.closest('[translate="no"], [contenteditable="true"], script, style, noscript, code, svg, .bjs-powered-by, .fjs-powered-by') !== null;
  const visible = (e) => (e.checkVisibility ? e.checkVisibility({ visibilityProperty: true }) : true);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !skip(parent) && visible(parent)) out.push(walker.currentNode.textContent || '');
  }
  for (const e of document.querySelectorAll('[placeholder], [title], [aria-label], option')) {
    if (skip(e)) continue;
    for (const name of ['placeholder', 'title', 'aria-label']) out.push(e.getAttribute(name) || '');
    if (e.tagName === 'OPTION') out.push(e.textContent || '');
  }
  out.push(document.title);
  return out;
})()`;

/** The texts the last page checked showed English in (for the report). */
let lastSamples: string[] = [];

/** The page's visible words in Latin letters, less those under translate="no" and the allowed terms. */
async function englishOn(page: Page): Promise<string[]> {
  const texts = await page.evaluate<string[]>(READ_TEXTS);
  // words of two letters or more standing alone: G01, v3, 2026-Q1 and N (a placeholder for a number) are not English
  const WORD = /(?<![A-Za-z0-9])[A-Za-z][A-Za-z'’-]*[A-Za-z](?![A-Za-z0-9])/g;
  // a quoted FEEL literal ("simple") is a value, not a word of the page
  // and an identifier in kebab case (a form's id, confirm-case-class) names data
  const english = (text: string) =>
    (text.replace(/"[^"]*"/g, '').match(WORD) ?? []).filter((w) => !ALLOWED.has(w) && !/^[a-z]+(-[a-z0-9]+)+$/.test(w));
  lastSamples = [...new Set(texts.filter((text) => english(text).length > 0).map((text) => text.trim().slice(0, 120)))];
  return [...new Set(texts.flatMap(english))].sort();
}

describe('Chinese all through', () => {
  let h: EngineHarness;
  let b: Browsing;
  const report: Record<string, string[]> = {};
  const samples: Record<string, string[]> = {};
  const contexts: BrowserContext[] = [];
  let caseId = '';
  let ratingToken = '';

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    b = await openBrowser(() => h.server.url, { clock: TEST_EPOCH });
    // a case waiting for its class to be confirmed, and a rating link of another case
    const reception = await new Session(h.server.url).signIn('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '噪声扰民',
      description: '夜间施工噪声',
      petitioner: { name: '王小明', phone: '13900007777' },
    });
    caseId = filed.body.id as string;
    await until(async () => {
      const { body } = await reception.call('GET', '/api/tasks?view=mine');
      return (body.items as Json[]).find((t) => t.case?.id === caseId);
    }, 30000);
    ratingToken = 'x'.repeat(32);
  });
  afterAll(async () => {
    writeFileSync(join(SHOTS, 'chinese-text.json'), JSON.stringify({ words: report, where: samples }, null, 2));
    for (const c of contexts) await c.close();
    await b?.close();
    await h?.stop();
  });

  const as = async (username: string | null) => {
    const ctx = await b.context();
    contexts.push(ctx);
    if (!username) return ctx.newPage();
    return signIn(ctx, username);
  };
  /** Opens the address, lets `ready` finish, and records the page's English words. */
  async function check(page: Page, name: string, path: string, ready: (p: Page) => Promise<unknown>) {
    await page.goto(path);
    await ready(page);
    await page.waitForLoadState('networkidle');
    report[name] = await englishOn(page);
    if (lastSamples.length) samples[name] = lastSamples;
    await shot(page, `chinese-${name}`);
  }

  it('when staff open their pages in Chinese, then no English words show', async () => {
    const reception = await as('reception');
    // the first step of the case just filed, whichever it is
    const firstTask = (p: Page) => p.getByTestId('task-list').locator('[data-testid^="task-Task_"]').first();
    await check(reception, 'tasks', '/tasks.html', (p) => firstTask(p).waitFor());
    await firstTask(reception).click();
    await reception.locator('.fjs-container').waitFor();
    report['task-form'] = await englishOn(reception);
    // sent empty: form-js's validation messages, in Chinese
    await reception.getByTestId('submit').click();
    await reception.locator('.fjs-form-field-error').getByText('此项为必填。').first().waitFor();
    report['task-form-errors'] = await englishOn(reception);
    await check(reception, 'cases', '/cases.html', (p) => p.getByTestId('case-list').waitFor());
    await check(reception, 'case', `/case.html?id=${caseId}`, (p) => p.locator('.djs-container').waitFor());
    await check(reception, 'intake', '/intake.html', (p) => p.getByTestId('intake-form').waitFor());
    await reception.getByTestId('category').click();
    report['intake-picker'] = await englishOn(reception);

    const pages: Array<[string, string, string, string]> = [
      ['cadre', 'keypersons', '/keypersons.html', 'h1'],
      ['cadre', 'campaigns', '/campaigns.html', 'h1'],
      ['grid1', 'grids', '/grids.html', 'h1'],
      ['leader', 'dashboard', '/dashboard.html', 'h1'],
      ['admin', 'warnings', '/warnings.html', 'h1'],
      ['admin', 'ops', '/ops.html', 'h1'],
      ['street-office', 'street-office', '/street-office.html', 'h1'],
    ];
    for (const [user, name, path, selector] of pages) {
      const page = await as(user);
      await check(page, name, path, (p) => p.locator(selector).first().waitFor());
    }
    const admin = await as('admin');
    for (const tab of ['calendar', 'users', 'categories', 'targets', 'templates'])
      await check(admin, `settings-${tab}`, `/settings.html#${tab}`, (p) =>
        p.getByTestId('settings-panel').locator('h2, table').first().waitFor(),
      );
    await check(admin, 'modeler', '/web-modeler/?model=petition-handling.bpmn', (p) =>
      p.locator('.djs-palette').waitFor(),
    );
    await check(admin, 'modeler-dmn', '/web-modeler/?model=suggest-case-class.dmn', (p) =>
      p.locator('.tjs-container, .dmn-decision-table-container, .djs-container').first().waitFor(),
    );
    await check(admin, 'modeler-form', '/web-modeler/?model=confirm-case-class.form', (p) =>
      p.locator('.fjs-editor-container, .fjs-container').first().waitFor(),
    );
    const offenders = Object.entries(report).filter(([, words]) => words.length > 0);
    expect(Object.fromEntries(offenders)).toEqual({});
  });

  it('when the public opens the sign-in page, the notice board and a rating link, then no English words show', async () => {
    const page = await as(null);
    await check(page, 'sign-in', '/', (p) => p.getByPlaceholder('用户名').waitFor());
    await check(page, 'notices', '/notices.html', (p) => p.locator('h1').first().waitFor());
    await b.expectRefusal(/\/api\/public\/ratings\//, () =>
      check(page, 'rate', `/rate/${ratingToken}`, (p) => p.locator('h1, .error, [role=alert]').first().waitFor()),
    );
    const offenders = Object.entries(report).filter(
      ([name, words]) => ['sign-in', 'notices', 'rate'].includes(name) && words.length > 0,
    );
    expect(Object.fromEntries(offenders)).toEqual({});
  });
});
