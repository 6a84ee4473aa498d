/**
 * The web modeler's guards in a real browser: models are picked by what people call them; a leader reads a model in
 * a viewer that cannot change it (no palette, no properties, no save or deploy); an admin's edit that breaks the model
 * is refused on deploy and leaves no new version behind; the editor speaks Chinese, its checks too; two versions are
 * compared with their changes marked; a change is tried in the token simulation; the form editor wears form-js's
 * styles. Clock pinned.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator } from 'playwright-core';
import { startEngine, TEST_EPOCH, type EngineHarness } from '../support/engine';
import { Session } from '../support/session';
import { openBrowser, ROOT, shot, signIn, type Browsing } from './support';

/** A computed style of the element, as the browser has it (`stroke`, `width`, a custom property). */
const computed = (locator: Locator, property: string) =>
  locator.evaluate((node, name) => {
    const page = globalThis as unknown as { getComputedStyle(n: unknown): { getPropertyValue(p: string): string } };
    return page.getComputedStyle(node).getPropertyValue(name).trim();
  }, property);

const KEY_PERSON_CARE = readFileSync(join(ROOT, 'bpmn', 'key-person-care.bpmn'), 'utf8');

/** A task standing apart (not connected), drawn at `x`: enough for a comparison to find it added or removed. */
const looseTask = (id: string, name: string, x: number) => (xml: string) =>
  xml
    .replace('</bpmn:process>', `  <bpmn:task id="${id}" name="${name}" />\n  </bpmn:process>`)
    .replace(
      '</bpmndi:BPMNPlane>',
      `  <bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${x}" y="440" width="100" height="80" /></bpmndi:BPMNShape>\n    </bpmndi:BPMNPlane>`,
    );

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
    // and nothing to simulate with: the simulation edits nothing, but it belongs to the editor
    expect(await page.getByTestId('simulate').count()).toBe(0);
    expect(await page.locator('.bts-toggle-mode, .bts-palette').count()).toBe(0);
    // and the picker names the models as people know them
    const labels = await page.getByTestId('model').locator('option').allTextContents();
    expect(labels).toContain('信访件办理');
    expect(labels).toContain('办理时限');
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
    // (the live checks say what is wrong in Chinese, naming the process)
    await admin.getByTestId('problem').filter({ hasText: '流程「信访件办理」缺少开始事件。' }).waitFor();
    await admin.getByTestId('deploy').click();
    // then the deploy is refused with the problems listed, and nothing was saved
    await admin.locator('.toolbar .error').filter({ hasText: '修改未保存为新版本' }).waitFor();
    await admin.getByTestId('problem').first().waitFor();
    await shot(admin, 'modeler-refused-unsaved');
    expect((await api.call('GET', '/api/diagrams/petition-handling.bpmn')).body.versions.length).toBe(before);
  });

  it('when an admin compares two saved versions, then the new one is drawn with what was added, changed and moved marked, the old one with what was removed, and the changes listed in words', async () => {
    // given two saved versions of the key-person process: the second renames a task, moves another, drops one and adds one
    const api = await new Session(h.server.url).signIn('admin');
    const save = async (content: string, comment: string) =>
      (await api.call('POST', '/api/diagrams/key-person-care.bpmn/versions', { content, comment })).body
        .version as number;
    const older = await save(looseTask('Task_OldCheck', '旧的核查', 280)(KEY_PERSON_CARE), '加旧的核查');
    const newer = await save(
      looseTask(
        'Task_NewCheck',
        '新增核查',
        440,
      )(
        KEY_PERSON_CARE.replace('name="指派服务团队"', 'name="指派关怀服务团队"').replace(
          '<dc:Bounds x="580" y="260" width="100" height="80" />',
          '<dc:Bounds x="600" y="260" width="100" height="80" />',
        ),
      ),
      '改名、移动、换核查',
    );
    const admin = await as('admin');
    await admin.goto(`/web-modeler/?model=key-person-care.bpmn&version=${newer}`);
    await admin.getByTestId('canvas').locator('[data-element-id="Task_NewCheck"]').waitFor();
    // when the admin compares the older with the newer
    await admin.getByTestId('compare').click();
    await admin.getByTestId('compare-from').selectOption(String(older));
    await admin.getByTestId('compare-to').selectOption(String(newer));
    await admin.getByTestId('compare-run').click();
    // then each change is listed in words, by name and kind
    const changes = admin.getByTestId('diff-change');
    await changes.first().waitFor();
    const listed = await changes.allTextContents();
    expect(listed).toEqual(
      expect.arrayContaining([
        '新增 任务「新增核查」',
        '删除 任务「旧的核查」',
        '修改 服务任务「指派关怀服务团队」：名称 “指派服务团队” → “指派关怀服务团队”',
        '仅位置或连线改动 用户任务「走访关怀」',
      ]),
    );
    // and marked on the diagrams: the new side the added, changed and moved; the old side the removed
    const after = admin.getByTestId('compare-after');
    const before = admin.getByTestId('compare-before');
    await expect(after.locator('[data-element-id="Task_NewCheck"]').getAttribute('class')).resolves.toContain(
      'diff-added',
    );
    await expect(after.locator('[data-element-id="Task_AssignServiceTeam"]').getAttribute('class')).resolves.toContain(
      'diff-changed',
    );
    await expect(after.locator('[data-element-id="Task_CareVisit"]').getAttribute('class')).resolves.toContain(
      'diff-layout',
    );
    await expect(before.locator('[data-element-id="Task_OldCheck"]').getAttribute('class')).resolves.toContain(
      'diff-removed',
    );
    // with the marks' colours (the added one green) and a legend
    const stroke = await computed(
      after.locator('[data-element-id="Task_NewCheck"] .djs-visual > :first-child'),
      'stroke',
    );
    expect(stroke).toBe('rgb(46, 125, 50)');
    expect(await admin.getByTestId('diff-legend').locator('li').allTextContents()).toEqual([
      '+新增的元素（只在新版本中）',
      '✎属性有修改',
      '⇄只改了位置或连线',
      '−删除的元素（只在原版本中）',
    ]);
    await shot(admin, 'modeler-compare');
    // and the diagram being edited can be compared too: as it stands, it is the newer version
    await admin.getByTestId('compare-from').selectOption(String(newer));
    await admin.getByTestId('compare-to').selectOption('editing');
    await admin.getByTestId('compare-run').click();
    await admin.getByTestId('compare-result').filter({ hasText: '两个版本没有区别' }).waitFor();
  });

  it('when an admin simulates the process, then tokens run without changing the model, the properties are locked, and stopping gives the editor back', async () => {
    // given
    const admin = await as('admin');
    await admin.goto('/web-modeler/?model=petition-handling.bpmn&version=0');
    const canvas = admin.getByTestId('canvas');
    await canvas.locator('[data-element-id="StartEvent_PetitionRegistered"]').waitFor();
    await admin.getByTestId('problems').filter({ hasText: '未发现问题' }).waitFor();
    // when the simulation is switched on
    await admin.getByTestId('simulate').click();
    // then the diagram is in simulation: its palette, not the modeling one; the properties locked; a note says so
    await canvas.locator('.bjs-container.simulation').waitFor();
    await canvas.locator('.bts-palette').waitFor();
    expect(await canvas.locator('.djs-palette').isVisible()).toBe(false);
    expect(await admin.getByTestId('properties').getAttribute('inert')).not.toBeNull();
    await admin.getByTestId('simulating').filter({ hasText: '模拟运行中' }).waitFor();
    expect(await admin.getByTestId('simulate').textContent()).toBe('结束模拟');
    expect(await admin.getByTestId('deploy').isDisabled()).toBe(true);
    // and a token started on the start event runs (the simulation's own texts in Chinese)
    await canvas
      .locator('.djs-overlays[data-container-id="StartEvent_PetitionRegistered"] .bts-context-pad')
      .first()
      .click();
    await canvas.locator('.bts-token-count, .bts-token').first().waitFor();
    expect(await canvas.locator('[title="重置模拟"]').count()).toBeGreaterThan(0);
    expect(await canvas.locator('.bts-context-pad[title="触发事件"]').count()).toBeGreaterThan(0);
    expect(await canvas.locator('.bts-context-pad[title="Trigger Event"]').count()).toBe(0);
    await shot(admin, 'modeler-simulation');
    // when it is switched off
    await admin.getByTestId('simulate').click();
    // then the editor is back, nothing was changed
    await canvas.locator('.bjs-container:not(.simulation)').waitFor();
    expect(await canvas.locator('.djs-palette').isVisible()).toBe(true);
    expect(await admin.getByTestId('properties').getAttribute('inert')).toBeNull();
    expect(await admin.getByTestId('state').textContent()).toBe('');
    expect(await admin.getByTestId('simulating').isHidden()).toBe(true);
  });

  it('when a service task has no job type, then the check says so in Chinese by the task’s name, and in English for English readers', async () => {
    // given a saved version whose first service task lost its job type
    const api = await new Session(h.server.url).signIn('admin');
    const broken = KEY_PERSON_CARE.replace(
      '<zeebe:taskDefinition type="assign-service-team" />',
      '<zeebe:taskDefinition />',
    );
    const { version } = (
      await api.call('POST', '/api/diagrams/key-person-care.bpmn/versions', { content: broken, comment: '缺作业类型' })
    ).body as { version: number };
    // when the admin opens it
    const admin = await as('admin');
    await admin.goto(`/web-modeler/?model=key-person-care.bpmn&version=${version}`);
    // then the problem is a sentence naming the task, and the task is marked
    const sentence = '服务任务「指派服务团队」的任务定义没有填写「作业类型」，请在属性面板中填写。';
    await admin.getByTestId('problem').filter({ hasText: sentence }).waitFor();
    expect(await admin.getByTestId('lint-Task_AssignServiceTeam').getAttribute('title')).toContain(sentence);
    await shot(admin, 'modeler-lint-zh');
    // and in English when the page is
    await admin.evaluate("localStorage.setItem('lang', 'en')");
    await admin.reload();
    await admin
      .getByTestId('problem')
      .filter({ hasText: 'Service task "指派服务团队"\'s task definition has no job type' })
      .waitFor();
    await admin.evaluate("localStorage.setItem('lang', 'zh')");
  });

  it('when an admin opens a form, then the form editor wears form-js’s styles: the palette, the fields, the properties panel', async () => {
    // given
    const admin = await as('admin');
    // when
    await admin.goto('/web-modeler/?model=coordinate-unit.form');
    const canvas = admin.getByTestId('canvas');
    await canvas.locator('.fjs-editor-container .fjs-input').first().waitFor();
    // then form-js-editor's palette is laid out as designed, and form-js's own field styles are there
    expect(await computed(canvas.locator('.fjs-palette-container'), 'width')).toBe('270px');
    const borders = await computed(canvas.locator('.fjs-container').first(), '--color-borders');
    expect(borders).not.toBe('');
    // and the properties panel of the form editor is styled too
    const header = admin.getByTestId('properties').locator('.bio-properties-panel-header');
    await header.waitFor();
    expect(await computed(header, 'display')).toBe('flex');
    await shot(admin, 'modeler-form-styled');
  });
});
