/**
 * The category dictionary in a real browser: reception finds 噪声扰民 by its pinyin initials in the intake form's
 * picker and files the case under it; a synonym typed and not chosen is understood too; the admin adds an item in
 * settings and reception finds it at once; a term that names another entry is refused with a sentence.
 * Clock pinned to Monday 2026-03-02.
 */
import type { BrowserContext } from 'playwright-core';
import { TEST_EPOCH } from '../support/engine';
import { appInBrowser, shot, signIn } from './support';

jest.setTimeout(5 * 60 * 1000);

describe('the category dictionary in a real browser', () => {
  const app = appInBrowser(TEST_EPOCH, { WORKERS_IN_APP: 'false' });
  const db = () => app.h.server.database.db;
  let ctx: BrowserContext;
  beforeAll(async () => {
    ctx = await app.context();
  });

  it('when reception searches the picker by pinyin initials and chooses, then the case is filed under that code', async () => {
    const page = await signIn(ctx, 'reception');
    await page.goto('/intake.html');
    const picker = page.getByTestId('category');
    await picker.click();
    // the whole dictionary at first, main classes as headings
    await page.getByTestId('category-list').locator('li.cat-main', { hasText: '物业管理' }).waitFor();
    await picker.fill('zsrm');
    const options = page.getByTestId('category-list').locator('li[role=option]');
    await options.filter({ hasText: '噪声扰民' }).waitFor();
    expect(await options.allInnerTexts()).toEqual([
      expect.stringContaining('环境卫生'),
      expect.stringContaining('噪声扰民'),
    ]);
    await shot(page, 'category-picker-search');
    await options.filter({ hasText: '噪声扰民' }).click();
    await expect(picker.inputValue()).resolves.toBe('环境卫生 › 噪声扰民');
    await page.getByTestId('description').fill('楼下商铺夜间施工');
    await page.getByTestId('file').click();
    const filed = page.getByTestId('filed');
    await filed.waitFor();
    const caseNo = (await filed.locator('a').innerText()).trim();
    const [row] = await db().query<{ category: string; category_code: string }>(
      'SELECT category, category_code FROM petition_case WHERE case_no = $1',
      [caseNo],
    );
    expect(row).toEqual({ category: '噪声扰民', category_code: 'environment.noise' });
    // a synonym typed and not chosen is understood by the server
    await picker.fill('漏水');
    await page.getByTestId('description').fill('顶楼漏水');
    await page.getByTestId('file').click();
    await page.getByTestId('filed').filter({ hasNotText: caseNo }).waitFor();
    const [leak] = await db().query<{ category: string }>(
      "SELECT category FROM petition_case WHERE description = '顶楼漏水'",
    );
    expect(leak.category).toBe('房屋漏水');
    await page.close();
  });

  it('when the admin adds an item in settings, then reception finds it, and a term of another entry is refused', async () => {
    const adminCtx = await app.b.context();
    const admin = await signIn(adminCtx, 'admin');
    await admin.goto('/settings.html#categories');
    await admin.getByTestId('category-environment.noise').waitFor();
    const form = admin.getByTestId('category-add-form');
    await form.getByTestId('category-code').fill('environment.light');
    await form.getByTestId('category-name-zh').fill('光污染');
    await form.getByTestId('category-name-en').fill('Light pollution');
    await form.getByTestId('category-synonyms').fill('灯光扰民、噪音');
    await app.b.expectRefusal(/\/api\/categories$/, () => form.getByTestId('category-save').click());
    await form.getByText('“噪音”（噪声扰民）已是其他类别的名称或同义词。一个词只能对应一个类别。').waitFor();
    await shot(admin, 'category-settings-refused');
    await form.getByTestId('category-synonyms').fill('灯光扰民');
    await form.getByTestId('category-save').click();
    await admin.getByTestId('category-environment.light').waitFor();
    await shot(admin, 'category-settings');
    await adminCtx.close();

    // reception, still signed in, finds the new item when the intake form is opened again
    const page = await ctx.newPage();
    await page.goto('/intake.html');
    await page.getByTestId('category').fill('dgrm');
    await page.getByTestId('category-list').locator('li[role=option]', { hasText: '光污染' }).waitFor();
    await page.close();
  });
});
