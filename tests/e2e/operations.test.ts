/**
 * 运维 (the operations console) in a real browser: a complex case's working-day deadline falls in a year the
 * calendar lacks, so its deadline job fails without retries and the case stops in an incident. Once the year's data
 * is there (put in by hand here, as a data fix would), the admin finds the incident from the console's process list,
 * opens the instance, retries it, and the case moves on to its working group. Clock pinned to Tuesday 2026-12-29.
 */
import type { BrowserContext } from 'playwright-core';
import { startEngine, until, type Any, type EngineHarness } from '../support/engine';
import { Session } from '../support/session';
import { openBrowser, shot, signIn, type Browsing } from './support';

jest.setTimeout(5 * 60 * 1000);

/** Tuesday 2026-12-29, 10:00 in Shanghai: five working days on lie in 2027. */
const T0 = Date.parse('2026-12-29T02:00:00Z');

describe('the operations console in a real browser', () => {
  let h: EngineHarness;
  let b: Browsing;
  let ctx: BrowserContext;
  const db = () => h.server.database.db;
  const now = { consistency: { waitUpToMs: 0 } };

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: T0 });
    b = await openBrowser(() => h.server.url, { clock: T0 });
    ctx = await b.context();
  });
  afterAll(async () => {
    await ctx?.close();
    await b?.close();
    await h?.stop();
  });
  afterEach(() => expect(b.consoleErrors).toEqual([]));

  it('when a case stops in an incident, then the admin finds it in the console, retries it, and the case moves on', async () => {
    // given a complex case whose five working days need 2027, which the calendar lacks
    const reception = await new Session(h.server.url).signIn('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '小区漏水',
      description: '多户楼顶漏水，需多部门协调',
    });
    expect(filed.status).toBe(201);
    const pik = String(filed.body.processInstanceKey);
    /** The open task of an element, in the case's process or one it called (the only case here). */
    const userTask = (elementId: string) =>
      until(async () => {
        const { items } = await h.client.searchUserTasks({ filter: { elementId, state: 'CREATED' } }, now);
        return (items as Any[])[0];
      }, 30000);
    const decision = await userTask('Task_AcceptanceDecision');
    await h.client.completeUserTask({
      userTaskKey: decision.userTaskKey,
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await userTask('Task_ConfirmCaseClass');
    await h.client.completeUserTask({
      userTaskKey: confirm.userTaskKey,
      variables: { caseClass: 'complex', feedbackMode: 'phone', isKeyMatter: false },
    });
    await until(async () => {
      const { items } = await h.client.searchIncidents({ filter: { processInstanceKey: pik, state: 'ACTIVE' } }, now);
      return (items as Any[]).length > 0;
    }, 30000);
    // and the year's data put in by hand afterwards (weekdays working, weekends rest)
    await db().query(
      `INSERT INTO work_calendar (day, is_workday, name, source)
       SELECT d::date, extract(isodow FROM d) < 6, CASE WHEN extract(isodow FROM d) < 6 THEN '工作日' ELSE '休息日' END, 'admin' FROM generate_series('2027-01-01'::date, '2027-12-31'::date, '1 day') d`,
    );
    await db().query(
      `INSERT INTO work_calendar_year (year, source, complete, updated_at) VALUES (2027, 'admin', true, now())`,
    );

    // when the admin opens the console from the navigation
    const page = await signIn(ctx, 'admin');
    await page.getByTestId('nav-ops').click();
    await page.waitForURL('**/ops.html');
    // then the petition process shows one incident
    const version = page.locator('[data-testid^="version-petition-handling-"]').first();
    await version.waitFor();
    expect(await version.locator('cds-table-cell').nth(4).textContent()).toBe('1');
    await page.getByTestId('ops-diagram').locator('svg').first().waitFor();
    await shot(page, 'ops-processes');
    // when she opens the process, lists the instances with incidents and opens the case's
    await version.getByRole('link').click();
    await page.waitForURL(/process=/);
    // (a Carbon checkbox: its box and label are in its shadow root)
    await page.getByTestId('only-incidents').locator('label').click();
    await page.waitForURL(/incidents=true/);
    await page.getByTestId('instance-row').first().waitFor();
    expect(await page.getByTestId('instance-row').count()).toBe(1);
    await page.getByRole('link', { name: pik }).click();
    await page.waitForURL(/instance=/);
    // then the incident shows with its message, marked on the diagram, and the case is linked
    const incident = page.getByTestId('incident-row');
    await incident.waitFor();
    expect(await incident.textContent()).toContain('2027');
    await page.locator('.djs-shape.highlight-incident').first().waitFor();
    await page.getByRole('link', { name: String(filed.body.caseNo) }).waitFor();
    await shot(page, 'ops-instance');
    // when she starts to cancel it, then a modal asks the reason before it can be confirmed; stepping back keeps it
    await page.getByTestId('cancel-instance').click();
    const ask = page.getByTestId('cancel-form');
    await ask.getByText('实例取消后不能恢复', { exact: false }).waitFor();
    expect(await ask.getByTestId('confirm').getAttribute('disabled')).not.toBeNull();
    await ask.getByTestId('reason').locator('input').fill('重复立案');
    await until(async () => ((await ask.getByTestId('confirm').getAttribute('disabled')) === null ? true : undefined));
    await shot(page, 'ops-cancel-reason');
    await ask.getByText('返回').click();
    await ask.waitFor({ state: 'detached' });
    // when she retries it
    await page.getByTestId('retry').click();
    // then the incident is resolved and logged, and the case goes on to its working group
    await page.getByTestId('incident-row').getByText('已处理').waitFor();
    await page.getByTestId('operations').getByText('重试事故').waitFor();
    await userTask('Task_FormWorkingGroup').catch(async () => {
      const { items } = await h.client.searchUserTasks({ filter: { processInstanceKey: pik, state: 'CREATED' } }, now);
      throw new Error(`the case did not move on: ${JSON.stringify(items)}`);
    });
    const [row] = await db().query<{ sla_due_at: Date | null }>('SELECT sla_due_at FROM petition_case WHERE id = $1', [
      filed.body.id,
    ]);
    expect(row.sla_due_at).not.toBeNull();
  });
});
