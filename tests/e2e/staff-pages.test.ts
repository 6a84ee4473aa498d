/**
 * The staff pages in a real browser against the running app (embedded engine, workers, demo community): a cadre
 * enters a petitioner in the key-person registry by a case number, writes their plan and lets them leave; a grid
 * worker logs a patrol and reports a hazard that becomes a petition; a cadre sets up a campaign and records a
 * compound's coverage; the admin adds an early-warning rule and disables it, adds next year's holiday to the
 * calendar, creates a user, and replaces a notice text (an unknown placeholder refused with the API's message, the
 * typed text kept). Errors from the API show next to their form. One page switches to English. Every page is
 * screenshotted on a desktop and a phone-sized screen (test-results/e2e), and none may log a console error.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { startEngine, TEST_EPOCH, until, type EngineHarness } from '../support/engine';
import { openBrowser, PHONE, shot, signIn, type Browsing } from './support';

jest.setTimeout(5 * 60 * 1000);

/** The smallest PNG (1×1) and a one-page PDF: what a petition's photo and document look like to the server. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0e0b40000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

describe('the staff pages in a real browser', () => {
  let h: EngineHarness;
  let b: Browsing;
  const contexts: BrowserContext[] = [];
  const as = async (username: string, viewport?: { width: number; height: number }) => {
    const ctx = await b.context({ viewport });
    contexts.push(ctx);
    return signIn(ctx, username);
  };

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    // The business clock on a 2026 working day (a difficult case's 15 working days must not run past the calendar's
    // last published year, whatever the machine's date).
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    b = await openBrowser(() => h.server.url, { clock: TEST_EPOCH });
  });
  afterAll(async () => {
    await b?.close();
    await h?.stop();
  });
  afterEach(() => expect(b.consoleErrors).toEqual([]));

  /** A petition with a petitioner, filed at the desk; its case number. */
  async function fileAtTheDesk(page: Page, name: string, phone: string): Promise<string> {
    await page.goto('/intake.html');
    await page.getByTestId('channel').selectOption('walk-in');
    await page.getByTestId('category').fill('物业服务');
    await page.getByTestId('description').fill('多次反映物业问题，曾到区里上访');
    await page.getByTestId('name').fill(name);
    await page.getByTestId('phone').fill(phone);
    await page.getByTestId('file').click();
    return (await page.getByTestId('filed').locator('a').textContent())!;
  }

  it('when a cadre enters a petitioner by case number, writes the plan and lets them leave, then the registry shows each step', async () => {
    // given a petitioner known from a petition
    const caseNo = await fileAtTheDesk(await as('reception'), '孙立平', '13911112222');
    const page = await as('cadre');
    await page.goto('/keypersons.html');
    await page.getByTestId('kp-list').getByText('暂无人员').waitFor();

    // when the cadre mistypes the case number, then the API's refusal shows by the form and the number stays typed
    await page.getByTestId('kp-case-no').fill('XF-2026-999999');
    await b.expectRefusal(/\/api\/key-persons$/, () => page.getByTestId('kp-enter').click());
    await page.getByTestId('kp-entry').getByRole('alert').getByText('XF-2026-999999 不存在').waitFor();
    expect(await page.getByTestId('kp-case-no').inputValue()).toBe('XF-2026-999999');

    // when they enter the right case after a visit to a higher level
    await page.getByTestId('kp-case-no').fill(caseNo);
    await page.getByTestId('kp-reason').selectOption('higher-level-visit');
    await page.getByTestId('kp-enter').click();
    // then the file opens with the masked name and the petition, and the list shows them
    const file = page.getByTestId('kp-file');
    await file.getByRole('heading', { name: '一人一档 · 孙**' }).waitFor();
    await file.getByRole('link', { name: caseNo }).waitFor();
    await page.getByTestId('kp-list').getByText('孙**').waitFor();
    expect(await page.getByTestId('kp-list').textContent()).not.toContain('孙立平');

    // when the cadre writes the plan and the team
    await page.getByTestId('kp-plan-input').fill('每月走访一次，协调物业整改，节日电话问候');
    await page.getByTestId('kp-volunteer').fill('张阿姨');
    await page.getByTestId('kp-professional').fill('陈律师');
    await page.getByTestId('kp-save-plan').click();
    await page.getByTestId('kp-plan').getByText('每月走访一次').waitFor();
    await page.getByTestId('kp-list').getByText('张阿姨').waitFor();
    await shot(page, 'staff-keypersons');

    // and lets them leave the registry with a reason
    await page.getByTestId('kp-exit-reason').fill('问题已解决，情绪稳定');
    await page.getByTestId('kp-exit').click();
    // (the reason shows in the person's facts and in their timeline)
    await file.getByText('问题已解决，情绪稳定').first().waitFor();
    await expect(page.getByTestId('kp-exit-form').count()).resolves.toBe(0);
    // then they are gone from the active list and found among those who left
    await page.getByTestId('kp-list').getByText('暂无人员').waitFor();
    await page.getByTestId('status-exited').click();
    await page.getByTestId('kp-list').getByText('孙**').waitFor();
    await shot(page, 'staff-keypersons-exited');
  });

  it('when a grid worker logs a patrol and reports a hazard, then the log, the summary and the new petition show it', async () => {
    const page = await as('grid1');
    await page.goto('/grids.html');
    // given their own grid chosen for them
    await expect(page.getByTestId('patrol-grid').locator('option:checked').textContent()).resolves.toContain('G01');
    await page.getByTestId('patrol-log').getByText('暂无巡查记录').waitFor();

    // when they log today's patrol
    await page.getByTestId('patrol-households').fill('35');
    await page.getByTestId('patrol-notes').fill('巡查东区，楼道堆物已清理');
    await page.getByTestId('patrol-save').click();
    // then the log and the week's summary show it
    await page.getByTestId('patrol-saved').waitFor();
    await page.getByTestId('patrol-row').getByText('巡查东区，楼道堆物已清理').waitFor();
    await expect(page.getByTestId('summary-G01').locator('td').nth(2).textContent()).resolves.toBe('35');

    // when they report a neighbour dispute they could not mediate
    await page.getByTestId('hazard-compound').selectOption({ label: '幸福里小区' });
    await page.getByTestId('hazard-category').selectOption('neighbour');
    await page.getByTestId('hazard-description').fill('楼上漏水影响楼下，双方争执');
    await page.getByTestId('hazard-disposition').selectOption('reported');
    await page.getByTestId('hazard-name').fill('周建华');
    await page.getByTestId('hazard-save').click();
    // then it became a petition with its case number, and the summary counts it as reported
    await page
      .getByTestId('hazard-saved')
      .getByRole('link', { name: /^XF-\d{4}-\d{6}$/ })
      .waitFor();
    await page.getByTestId('summary-G01').getByText('1（0 / 1）').waitFor();
    await shot(page, 'staff-grids');

    // and a grid worker may not log another grid's patrol: the refusal shows by the form
    await page.getByTestId('patrol-grid').selectOption({ label: 'G02 第二网格' });
    await b.expectRefusal(/\/api\/patrols$/, () => page.getByTestId('patrol-save').click());
    await page.getByTestId('patrol-form').getByRole('alert').getByText('网格员只能记录自己的网格').waitFor();
  });

  it('when a cadre sets up a campaign and records a compound, then its coverage shows; too many households are refused', async () => {
    const page = await as('cadre');
    await page.goto('/campaigns.html');
    await page.getByTestId('campaign-list').getByText('暂无专项活动').waitFor();
    // when a quarter's campaign is set up
    await page.getByTestId('campaign-quarter').fill('2026-Q3');
    await page.getByTestId('campaign-theme').fill('高空抛物专项治理');
    await page.getByTestId('campaign-team').fill('物业公司、业委会、派出所');
    await page.getByTestId('campaign-create').click();
    await page.getByTestId('campaign-2026-Q3').getByText('高空抛物专项治理').waitFor();

    // when more households are recorded than the compound has, then the API's refusal shows and the figure stays
    await page.getByTestId('coverage-compound').selectOption({ label: '第一网格 · 幸福里小区（420）' });
    await page.getByTestId('coverage-visited').fill('500');
    await b.expectRefusal(/\/api\/campaigns\/[^/]+\/coverage\//, () => page.getByTestId('coverage-save').click());
    await page.getByTestId('coverage-form').getByRole('alert').getByText('走访户数不能超过小区户数（420）').waitFor();
    expect(await page.getByTestId('coverage-visited').inputValue()).toBe('500');

    // when the compound is marked covered
    await page.getByTestId('coverage-visited').fill('400');
    await page.getByTestId('coverage-found').fill('5');
    await page.getByTestId('coverage-resolved').fill('4');
    await page.getByTestId('coverage-save').click();
    // then the campaign shows the visited households and the conflicts resolved early
    await page
      .getByTestId('coverage-2026-Q3')
      .getByText(/^400 \/ \d+$/)
      .waitFor();
    await page.getByTestId('campaign-2026-Q3').getByText('80%').waitFor();
    await shot(page, 'staff-campaigns');
  });

  it('when the admin adds an early-warning rule and disables it, then the list shows it; three leaks in a compound raise an alert the leader reads with its cases', async () => {
    const page = await as('admin');
    await page.goto('/warnings.html');
    await page.getByTestId('alert-list').getByText('暂无预警').waitFor();
    // when the admin adds a rule for lift faults in one compound
    await page.getByTestId('rule-name').fill('同一小区电梯故障三次');
    await page.getByTestId('rule-category').fill('电梯故障');
    await page.getByTestId('rule-window').fill('30');
    await page.getByTestId('rule-threshold').fill('3');
    await page.getByTestId('rule-save').click();
    const row = page.getByTestId('rule-row').filter({ hasText: '同一小区电梯故障三次' });
    await row.getByText('≥ 3 / 30 天').waitFor();
    await shot(page, 'staff-warnings');
    // and edits it, then disables it
    await row.getByRole('button', { name: '编辑' }).click();
    await page.getByTestId('rule-threshold').fill('4');
    await page.getByTestId('rule-save').click();
    await row.getByText('≥ 4 / 30 天').waitFor();
    await row.getByRole('button', { name: '停用' }).click();
    await row.getByText('已停用').waitFor();

    // when three leaks are reported from one compound (the standing rule: three of a kind in 30 days)
    const reception = await as('reception');
    const { csrfToken } = (await (await reception.request.get('/api/me')).json()) as { csrfToken: string };
    const { items: grids } = (await (await reception.request.get('/api/grids')).json()) as {
      items: Array<{ compounds: Array<{ id: string }> }>;
    };
    for (let i = 0; i < 3; i++) {
      const filed = await reception.request.post('/api/cases', {
        headers: { 'x-csrf-token': csrfToken },
        data: {
          channel: 'hotline-12345',
          category: '屋顶漏水',
          description: `顶楼漏水第 ${i + 1} 次反映`,
          compoundId: grids[0].compounds[0].id,
        },
      });
      expect(filed.status()).toBe(201);
    }
    // then the leader sees the rules and the alert with its three cases, but no form
    const leader = await as('leader');
    await until(async () => {
      await leader.goto('/warnings.html');
      await leader.getByTestId('alert-list').locator('h2').waitFor();
      return (await leader.getByTestId('alert-row').count()) > 0;
    }, 30000);
    const alert = leader.getByTestId('alert-row').first();
    await expect(alert.getByRole('link', { name: /^XF-/ }).count()).resolves.toBe(3);
    // filed as 屋顶漏水, a synonym: the alert names the dictionary's category
    await alert.getByText('房屋漏水').waitFor();
    await leader.getByTestId('rule-row').filter({ hasText: '同一小区电梯故障三次' }).waitFor();
    await expect(leader.getByTestId('rule-form').count()).resolves.toBe(0);
    await shot(leader, 'staff-warnings-alert');
  });

  it('when the admin adds a holiday, creates a user and replaces a notice text, then each is kept; an unknown placeholder is refused', async () => {
    const page = await as('admin');
    await page.goto('/settings.html');
    // when the admin adds next year's New Year's Day to the calendar
    await page.getByTestId('calendar-years').waitFor();
    await page.getByTestId('new-year').fill('2027');
    await page.getByTestId('add-year').click();
    await page.getByTestId('day-date').fill('2027-01-01');
    await page.getByTestId('day-kind').selectOption('holiday');
    await page.getByTestId('day-name').fill('元旦');
    await page.getByTestId('day-add').click();
    await page.getByTestId('day-2027-01-01').waitFor();
    await page.getByTestId('year-save').click();
    // then the year is listed with its holiday, entered by an admin
    await page.getByTestId('calendar-years').locator('tr', { hasText: '2027' }).getByText('管理员录入').waitFor();
    await expect(
      page.getByTestId('calendar-years').locator('tr', { hasText: '2027' }).locator('td').nth(2).textContent(),
    ).resolves.toBe('1 / 0');
    await page.getByTestId('day-2027-01-01').getByText('元旦').waitFor();
    await shot(page, 'staff-settings-calendar');

    // when the admin creates a grid worker's account
    await page.getByTestId('tab-users').click();
    await page.getByTestId('new-username').fill('grid8');
    await page.getByTestId('new-display-name').fill('网格员（新）');
    await page.getByTestId('new-password').fill('short');
    await page.getByTestId('new-roles-grid-worker').check();
    await b.expectRefusal(/\/api\/users$/, () => page.getByTestId('new-user-save').click());
    await page.getByTestId('new-user-form').getByRole('alert').getByText('密码至少 10 位').waitFor();
    expect(await page.getByTestId('new-username').inputValue()).toBe('grid8');
    await page.getByTestId('new-password').fill('grid8-password-2026');
    await page.getByTestId('new-user-save').click();
    // then the account is listed with its role, and can be deactivated
    await page.getByTestId('user-grid8').getByText('网格员', { exact: true }).waitFor();
    await page.getByTestId('user-edit-grid8').click();
    await page.getByTestId('edit-active').uncheck();
    await page.getByTestId('edit-save').click();
    await page.getByTestId('user-grid8').getByText('已停用').waitFor();
    await shot(page, 'staff-settings-users');

    await page.getByTestId('tab-targets').click();
    await page.getByTestId('setting-campaignCoveragePercent').waitFor();
    await shot(page, 'staff-settings-targets');

    // when the admin replaces the result SMS with an unknown placeholder
    await page.getByTestId('tab-templates').click();
    const text = page.getByTestId('template-text-result');
    await text.fill('您的信访件 {caseNo} 已办结，经办人 {officer}。');
    await b.expectRefusal(/\/api\/notification-templates\/result$/, () =>
      page.getByTestId('template-save-result').click(),
    );
    // then the API's message names it and the text stays as typed
    await page.getByTestId('template-result').getByRole('alert').getByText('未知的占位符：officer').waitFor();
    expect(await text.inputValue()).toBe('您的信访件 {caseNo} 已办结，经办人 {officer}。');
    // and with known placeholders it is kept and its sample filled in
    await text.fill('您的信访件 {caseNo} 已办结，经办人 {owner}，请留意评价短信。');
    await page.getByTestId('template-save-result').click();
    await page
      .getByTestId('template-sample-result')
      .getByText('您的信访件 XF-2026-000123 已办结，经办人 李娜，请留意评价短信。')
      .waitFor();
    await shot(page, 'staff-settings-templates');

    // and the page switches to English
    await page.getByTestId('lang').click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByTestId('tab-templates').getByText('Notice texts').waitFor();
    await page.getByText('Back to the built-in text').waitFor();
    await shot(page, 'staff-settings-en');
  });

  it('when a cadre searches the case centre by phone and narrows it, then the case is found, the filters stay in the address, and it opens', async () => {
    // given two petitions of one petitioner and one of another
    const desk = await as('reception');
    const first = await fileAtTheDesk(desk, '周敏', '13955556666');
    const second = await fileAtTheDesk(desk, '周敏', '13955556666');
    await fileAtTheDesk(desk, '吴刚', '13977778888');
    const page = await as('cadre');
    await page.goto('/tasks.html');
    // when the cadre opens the case centre and searches by the phone, spaces and all
    await page.getByTestId('nav-cases').click();
    await page.getByTestId('case-list').waitFor();
    // (the filters are Carbon components: their native fields are inside them)
    await page.getByTestId('filter-q').locator('input').fill('139 5555 6666');
    await page.getByTestId('filter-q').locator('input').press('Enter');
    await page.waitForURL(/q=139/);
    // then exactly that petitioner's petitions are listed, newest first, masked
    const rows = page.getByTestId('case-row');
    await until(async () => ((await rows.count()) === 2 ? true : undefined));
    expect(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-case-no')))).toEqual([second, first]);
    const text = (await page.getByTestId('case-list').textContent()) ?? '';
    expect(text).toContain('周*');
    expect(text).toContain('139****6666');
    expect(text).not.toMatch(/周敏|13955556666/);
    // and the CSV link carries the same search
    expect(await page.getByTestId('csv').getAttribute('href')).toContain('q=139');
    await shot(page, 'staff-cases');
    // when the cadre narrows to registered cases, then the address keeps both
    await page.getByTestId('filter-status').locator('select').selectOption('registered');
    await page.waitForURL(/status=registered/);
    expect(page.url()).toContain('q=139');
    // when the first petition is opened, then its page comes
    await page.getByRole('link', { name: first }).click();
    await page.waitForURL(/\/case\.html\?id=/);
    await page.getByText(first).first().waitFor();
  });

  it('when a photo is filed with a petition and a PDF added on the case page, then both are listed, preview in the page, and the form prints', async () => {
    // given a petition filed with a photo
    const desk = await as('reception');
    await desk.goto('/intake.html');
    await desk.getByTestId('channel').selectOption('walk-in');
    await desk.getByTestId('category').fill('路面破损');
    await desk.getByTestId('description').fill('小区门口路面塌陷，附照片');
    await desk.getByTestId('name').fill('郑晓');
    await desk.getByTestId('phone').fill('13966667777');
    await desk.getByTestId('intake-files').setInputFiles({ name: '路面.png', mimeType: 'image/png', buffer: PNG });
    await desk.getByTestId('file').click();
    await desk.getByTestId('filed').locator('a').click();
    await desk.waitForURL(/\/case\.html\?id=/);
    // when a PDF is added on the case page
    const attachments = desk.getByTestId('attachments');
    await attachments.getByTestId('attachment-row').first().waitFor();
    await attachments
      .getByTestId('attachment-file')
      .setInputFiles({ name: '说明.pdf', mimeType: 'application/pdf', buffer: PDF });
    await attachments.getByTestId('attachment-upload').click();
    // then both are listed, and the photo previews in the page
    await until(async () => ((await attachments.getByTestId('attachment-row').count()) === 2 ? true : undefined));
    expect(await attachments.textContent()).toContain('路面.png');
    expect(await attachments.textContent()).toContain('说明.pdf');
    await attachments.getByTestId('attachment-preview').first().click();
    const image = attachments.getByTestId('image-preview');
    await image.waitFor();
    await until(async () =>
      (await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0 ? true : undefined,
    );
    await attachments.getByTestId('attachment-preview').nth(1).click();
    await attachments.getByTestId('pdf-preview').waitFor();
    await shot(desk, 'case-attachments');
    // and printed, the page is the registration form with the case's facts, the name masked
    await desk.emulateMedia({ media: 'print' });
    const printed = desk.getByTestId('print-form');
    await printed.waitFor();
    expect(await printed.textContent()).toContain('信访事项登记表');
    expect(await printed.textContent()).toContain('郑*');
    expect(await printed.textContent()).not.toContain('郑晓');
    expect(await desk.getByTestId('attachments').isVisible()).toBe(false);
    await shot(desk, 'case-print');
    await desk.emulateMedia({ media: 'screen' });
  });

  it('when the pages open on a phone-sized screen, then they render there, each with its navigation link for the admin', async () => {
    const page = await as('admin', PHONE);
    for (const [name, ready] of [
      ['keypersons', 'kp-list'],
      ['grids', 'grid-summary'],
      ['campaigns', 'campaign-list'],
      ['warnings', 'alert-list'],
      ['settings', 'calendar-years'],
      ['cases', 'case-centre'],
    ] as const) {
      await page.getByRole('navigation').locator(`a[href="/${name}.html"]`).click();
      await page.waitForURL(`**/${name}.html**`);
      await page.getByTestId(ready).locator('h2, table, p').first().waitFor();
      await shot(page, `staff-${name}-phone`);
    }
    // and a receptionist sees only the registry among them
    const reception = await as('reception');
    // the navigation is drawn once the signed-in user is known: read its links after the first is there
    await reception.getByRole('navigation').locator('a[href="/keypersons.html"]').waitFor();
    const links = await reception
      .getByRole('navigation')
      .locator('a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toContain('/keypersons.html');
    expect(
      links.filter((l) => ['/grids.html', '/campaigns.html', '/warnings.html', '/settings.html'].includes(l ?? '')),
    ).toEqual([]);
    for (const ctx of contexts.splice(0)) await ctx.close();
  });
});
