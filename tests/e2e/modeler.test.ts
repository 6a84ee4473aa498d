/**
 * The web modeler's guards in a real browser: models are picked by what people call them; a leader reads a model in
 * a viewer that cannot change it (no palette, no properties, no save or deploy); an admin's edit that breaks the model
 * is refused on deploy and leaves no new version behind; the editor speaks Chinese. Clock pinned.
 */
import type { BrowserContext } from 'playwright-core';
import { startEngine, TEST_EPOCH, type EngineHarness } from '../support/engine';
import { Session } from '../support/session';
import { openBrowser, shot, signIn, type Browsing } from './support';

jest.setTimeout(5 * 60 * 1000);

describe('the web modeler in a real browser', () => {
  let h: EngineHarness;
  let b: Browsing;
  const contexts: BrowserContext[] = [];
  const as = async (username: string) => {
    const ctx = await b.context();
    contexts.push(ctx);
    return signIn(ctx, username);
  };

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'false', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: TEST_EPOCH });
    b = await openBrowser(() => h.server.url, { clock: TEST_EPOCH });
  });
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close();
    await b?.close();
    await h?.stop();
  });
  afterEach(() => expect(b.consoleErrors).toEqual([]));

  it('when a leader opens a model, then it is drawn read-only: no palette, no properties, no save or deploy', async () => {
    const page = await as('leader');
    await page.goto('/web-modeler/?model=petition-handling.bpmn');
    await page.getByTestId('canvas').locator('[data-element-id="End_CaseClosed"]').waitFor();
    expect(await page.locator('.djs-palette').count()).toBe(0);
    expect(await page.locator('.bio-properties-panel').count()).toBe(0);
    expect(await page.getByTestId('save').count()).toBe(0);
    expect(await page.getByTestId('deploy').count()).toBe(0);
    // and the picker names the models as people know them
    const labels = await page.getByTestId('model').locator('option').allTextContents();
    expect(labels).toContain('信访件办理（petition-handling.bpmn）');
    expect(labels).toContain('办理时限（deadline-policy.dmn）');
    expect(labels.some((l) => l.startsWith('表单：协调责任单位办理'))).toBe(true);
    await page.goto('/web-modeler/?model=deadline-policy.dmn');
    await page.getByTestId('canvas').locator('.tjs-table').waitFor();
    await shot(page, 'modeler-leader-dmn');
  });

  it('when an admin deletes the start of the process and deploys, then it is refused and no version is saved', async () => {
    const admin = await as('admin');
    const api = await new Session(h.server.url).signIn('admin');
    const before = (await api.call('GET', '/api/diagrams/petition-handling.bpmn')).body.versions.length as number;
    await admin.goto('/web-modeler/?model=petition-handling.bpmn');
    const start = admin.getByTestId('canvas').locator('[data-element-id="StartEvent_PetitionRegistered"]');
    await start.waitFor();
    await admin.getByTestId('problems').filter({ hasText: '未发现问题' }).waitFor();
    // (the editor speaks Chinese: the properties panel's groups)
    const groups = admin.getByTestId('properties').locator('.bio-properties-panel-group-header-title');
    await groups.first().waitFor();
    expect(await groups.allTextContents()).toEqual(expect.arrayContaining(['常规', '说明', '执行监听器']));
    await shot(admin, 'modeler-zh');
    // when the start event is deleted (the process left without a start) and the admin deploys at once
    await start.click();
    await admin.keyboard.press('Delete');
    await admin.getByTestId('deploy').click();
    // then the deploy is refused with the problems listed, and nothing was saved
    await admin.locator('.toolbar .error').filter({ hasText: '修改未保存为新版本' }).waitFor();
    await admin.getByTestId('problem').first().waitFor();
    await shot(admin, 'modeler-refused-unsaved');
    expect((await api.call('GET', '/api/diagrams/petition-handling.bpmn')).body.versions.length).toBe(before);
  });
});
