/**
 * The law's procedures (信访工作条例) from the case page in a real browser: a cadre asks for an extension of the legal
 * limit (Art 34) and the leader approves it in the tasklist, the case page then showing the moved legal date; the
 * unit handling returns a wrongly assigned case within its 5 working days (Art 23), and the petitioner's withdrawal,
 * entered by the first responder, ends the case with no task left, a stale page's second try refused as the API words
 * it. Clock pinned to Tuesday 2026-03-03, 09:00 in Shanghai (engine and browser).
 */
import { until, type Any } from '../support/engine';
import { Session } from '../support/session';
import { appInBrowser, shot, signIn } from './support';

jest.setTimeout(5 * 60 * 1000);

/** Tuesday 2026-03-03, 09:00 in Shanghai: a working day. */
const T0 = Date.parse('2026-03-03T01:00:00Z');

/** A date as the pages show it (lib/i18n.ts `when`, in Chinese). */
const shown = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));

describe("the law's procedures from the case page in a real browser", () => {
  const app = appInBrowser(T0);
  const context = () => app.context();
  const db = () => app.h.server.database.db;
  const now = { consistency: { waitUpToMs: 0 } };

  /** The open task of an element in a process instance. */
  const openTask = (elementId: string, processInstanceKey: string) =>
    until(async () => {
      const { items } = await app.h.client.searchUserTasks(
        { filter: { elementId, processInstanceKey: processInstanceKey as never, state: 'CREATED' } },
        now,
      );
      return (items as Any[])[0];
    }, 30000);

  /** A case filed by reception, accepted and routed as `caseClass`; at its handling step. */
  async function routedCase(caseClass: 'simple' | 'complex'): Promise<{ id: string; pik: string }> {
    const reception = await new Session(app.h.server.url).signIn('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '物业服务',
      description: caseClass === 'complex' ? '小区公共收益分配争议，需多方协调' : '楼道堆放杂物，存在消防隐患',
    });
    expect(filed.status).toBe(201);
    const pik = String(filed.body.processInstanceKey);
    const decision = await openTask('Task_AcceptanceDecision', pik);
    await app.h.client.completeUserTask({
      userTaskKey: decision.userTaskKey,
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await openTask('Task_ConfirmCaseClass', pik);
    await app.h.client.completeUserTask({
      userTaskKey: confirm.userTaskKey,
      variables: { caseClass, feedbackMode: caseClass === 'simple' ? 'sms' : 'phone', isKeyMatter: false },
    });
    if (caseClass === 'simple') await openTask('Task_CoordinateUnit', pik);
    else
      await until(async () => {
        const { items } = await app.h.client.searchElementInstances(
          { filter: { processInstanceKey: pik as never, elementId: 'Call_WorkingGroup', state: 'ACTIVE' } },
          now,
        );
        return (items as Any[]).length > 0;
      }, 30000);
    return { id: String(filed.body.id), pik };
  }

  const caseRow = async (id: string) =>
    (
      await db().query<{ status: string; legal_due_at: Date; extension_days: number | null }>(
        'SELECT status, legal_due_at, extension_days FROM petition_case WHERE id = $1',
        [id],
      )
    )[0];

  it('when a cadre asks for an extension on the case page and the leader approves it in the tasklist, then the case page shows the moved legal date', async () => {
    // given a complex case at its 1+X group, accepted today: its opinion due 60 days on
    const c = await routedCase('complex');
    const before = (await caseRow(c.id)).legal_due_at.toISOString();
    // when the cadre opens the case page
    const cadre = await signIn(await context(), 'cadre');
    await cadre.goto(`/case.html?id=${c.id}`);
    const actions = cadre.getByTestId('procedure-actions');
    await actions.waitFor();
    // then the three procedures are offered, the return with its 5 working days
    for (const id of ['procedure-extension', 'procedure-return', 'procedure-withdraw'])
      await actions.getByTestId(id).waitFor();
    await expect(actions.getByTestId('return-until').textContent()).resolves.toContain('可提出异议退回至');
    // when the cadre asks for 20 days, with the reasons, in the modal
    await actions.getByTestId('procedure-extension').click();
    const ask = cadre.getByTestId('extension-form');
    await ask.getByText('经分管负责人批准可延长一次', { exact: false }).waitFor();
    await ask.getByTestId('number').locator('input').fill('20');
    expect(await ask.getByTestId('confirm').getAttribute('disabled')).not.toBeNull();
    await ask.getByTestId('reason').locator('input').fill('需委托第三方审计公共收益账目');
    await until(async () => ((await ask.getByTestId('confirm').getAttribute('disabled')) === null ? true : undefined));
    await shot(cadre, 'case-extension-ask');
    await ask.getByTestId('confirm').click();
    // then the page says it waits for the leader, and offers no second extension
    await cadre.getByTestId('procedure-done').filter({ hasText: '等待分管负责人审批' }).waitFor();
    await cadre.getByTestId('extension-pending').waitFor();
    expect(await cadre.getByTestId('procedure-extension').count()).toBe(0);
    await cadre.getByRole('cell', { name: '申请延期' }).first().waitFor();

    // when the leader claims the approval from the queue and grants the 20 days
    const leader = await signIn(await context(), 'leader');
    await until(async () => {
      await leader.goto('/tasks.html?view=queue');
      await leader.getByTestId('task-list').locator('[data-testid="task-table"], table, p').first().waitFor();
      return (await leader.getByTestId('task-Task_ApproveExtension').count()) > 0;
    }, 30000);
    await leader.getByTestId('task-Task_ApproveExtension').first().click();
    await leader.waitForURL('**/tasks.html?view=mine&task=**');
    await leader.getByTestId('form').locator('.fjs-form').waitFor();
    await leader.getByLabel('批准延期').check();
    await leader.getByLabel('批准延长天数（自然日）').fill('20');
    await leader.getByLabel('审批意见').fill('同意延期20日');
    await shot(leader, 'extension-approval-task');
    await leader.getByTestId('submit').click();
    await leader.getByTestId('done').waitFor();

    // then the legal date moves by 20 days, and the case page shows it
    await until(async () => ((await caseRow(c.id)).extension_days === 20 ? true : undefined), 30000);
    const after = (await caseRow(c.id)).legal_due_at.toISOString();
    expect(Date.parse(after) - Date.parse(before)).toBe(20 * 86_400_000);
    await cadre.goto(`/case.html?id=${c.id}`);
    const handling = cadre.getByTestId('legal-clock-handling');
    await handling.waitFor();
    await expect(handling.textContent()).resolves.toContain(`${shown(after)}（已延长 20 日，原定 ${shown(before)}）`);
    await cadre.getByText(`法定时限：${shown(after)}`, { exact: false }).waitFor();
    await cadre.getByRole('cell', { name: '批准延期' }).first().waitFor();
    // and no other extension is offered
    await cadre.getByTestId('procedure-actions').waitFor();
    expect(await cadre.getByTestId('procedure-extension').count()).toBe(0);
    await shot(cadre, 'case-extension-granted');
  });

  it('when the unit returns a wrongly assigned case and the petitioner then withdraws, then the case goes back to routing and then ends with no task left', async () => {
    // given a simple case at the coordination of its unit, and a second tab of it left open
    const c = await routedCase('simple');
    const ctx = await context();
    const reception = await signIn(ctx, 'reception');
    await reception.goto(`/case.html?id=${c.id}`);
    const stale = await ctx.newPage();
    await stale.goto(`/case.html?id=${c.id}`);
    await stale.getByTestId('procedure-withdraw').waitFor();
    // when the unit objects within its 5 working days
    await reception.getByTestId('procedure-return').click();
    const back = reception.getByTestId('return-form');
    await back.getByText('5个工作日内', { exact: false }).waitFor();
    await back.getByTestId('reason').locator('input').fill('属城管执法职责，非本单位');
    await until(async () => ((await back.getByTestId('confirm').getAttribute('disabled')) === null ? true : undefined));
    await back.getByTestId('confirm').click();
    // then the case is back with the first responder, to route again: no return offered now
    await reception.getByTestId('procedure-done').filter({ hasText: '已退回首问责任人' }).waitFor();
    await reception.getByRole('cell', { name: '错交退回首问责任人' }).first().waitFor();
    expect(await reception.getByTestId('procedure-return').count()).toBe(0);
    await openTask('Task_ConfirmCaseClass', c.pik);

    // when the petitioner withdraws, entered with the reason
    await reception.getByTestId('procedure-withdraw').click();
    const ask = reception.getByTestId('withdraw-form');
    await ask.getByText('不能恢复', { exact: false }).waitFor();
    await ask.getByTestId('reason').locator('input').fill('已与物业自行协商解决');
    await until(async () => ((await ask.getByTestId('confirm').getAttribute('disabled')) === null ? true : undefined));
    await shot(reception, 'case-withdraw-ask');
    await ask.getByTestId('confirm').click();
    // then the case is withdrawn, with no procedure left to take and no open task
    await reception.getByTestId('procedure-done').filter({ hasText: '已登记撤回' }).waitFor();
    await expect(reception.getByTestId('case-status').textContent()).resolves.toContain('已撤回');
    await reception.getByRole('cell', { name: '信访人撤回' }).first().waitFor();
    expect(await reception.getByTestId('procedure-actions').count()).toBe(0);
    expect((await caseRow(c.id)).status).toBe('withdrawn');
    const { items } = await app.h.client.searchUserTasks(
      { filter: { processInstanceKey: c.pik as never, state: 'CREATED' } },
      now,
    );
    expect(items).toEqual([]);
    await shot(reception, 'case-withdrawn');

    // when the stale tab tries to withdraw it again, then the refusal is shown as the API words it
    await stale.getByTestId('procedure-withdraw').click();
    const again = stale.getByTestId('withdraw-form');
    await again.getByTestId('reason').locator('input').fill('再次撤回');
    await until(async () =>
      (await again.getByTestId('confirm').getAttribute('disabled')) === null ? true : undefined,
    );
    await app.b.expectRefusal(/\/withdraw$/, () => again.getByTestId('confirm').click());
    await stale
      .getByTestId('procedure-actions')
      .getByRole('alert')
      .filter({ hasText: '该信访件已撤回。不能再办理此项。' })
      .waitFor();
    await shot(stale, 'case-withdraw-refused');
  });
});
