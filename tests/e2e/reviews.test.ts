/**
 * Review (复查, Art 35) in a real browser: reception enters a resident's review request on the case page, 29 days after
 * the resident received the written opinion; the street office claims the review from its queue and gives its opinion
 * through the form; the opinion goes to the resident by SMS; the case page shows the procedure, the legal clocks and
 * what the resident was told when. Clock pinned to Tuesday 2026-03-31, 09:00 in Shanghai (engine and browser).
 */
import { randomUUID } from 'node:crypto';
import { maskPhone, piiCipher } from '../../platform/pii';
import { until } from '../support/engine';
import { appInBrowser, shot, signIn } from './support';

jest.setTimeout(5 * 60 * 1000);

const T0 = Date.parse('2026-03-31T01:00:00Z');

describe('review of a case in a real browser', () => {
  const app = appInBrowser(T0);
  const context = () => app.context();
  const db = () => app.h.server.database.db;

  /** A case closed on 2026-03-02 (its written opinion given that day) of a resident with a phone. */
  async function closedCase(): Promise<{ id: string; caseNo: string }> {
    const cipher = piiCipher(app.h.server.secrets.piiKey);
    const phone = '13600003333';
    const [resident] = await db().query<{ id: string }>(
      `INSERT INTO resident (name, phone_enc, phone_hash, phone_masked) VALUES ('周阿姨', $1, $2, $3) RETURNING id`,
      [cipher.encrypt(phone), cipher.lookupHash(phone), maskPhone(phone)],
    );
    const [{ id: receptionId }] = await db().query<{ id: string }>(
      "SELECT id FROM app_user WHERE username = 'reception'",
    );
    const caseNo = `XF-2026-R${randomUUID().slice(0, 5)}`;
    const [row] = await db().query<{ id: string }>(
      `INSERT INTO petition_case (case_no, channel, category, category_code, description, resident_id, first_responder_id,
         received_at, legal_due_at, status, closed_at, case_class)
       VALUES ($1, 'walk-in', '物业服务', 'property.service', '电梯维修费分摊争议', $2, $3, '2026-01-05T01:00:00Z',
         '2026-03-06T16:00:00Z', 'closed', '2026-03-02T01:00:00Z', 'complex') RETURNING id`,
      [caseNo, resident.id, receptionId],
    );
    return { id: row.id, caseNo };
  }

  it('when reception enters a review request, then the street office answers it from its queue, the resident gets the opinion, and the case page shows the clocks', async () => {
    // given a closed case
    const c = await closedCase();
    // when reception opens the case page and enters the resident's request (received the opinion on 2026-03-02)
    const reception = await signIn(await context(), 'reception');
    await reception.goto(`/case.html?id=${c.id}`);
    const legal = reception.getByTestId('legal-procedure');
    await legal.waitFor();
    await expect(reception.getByTestId('procedure').textContent()).resolves.toContain('已出具处理意见');
    await reception.getByTestId('review-received').fill('2026-03-02');
    await reception.getByTestId('review-reasons').fill('认为电梯维修费分摊方案不合理，请求复查');
    await reception.getByTestId('review-submit').click();
    // then the case is under review, its 30 days running
    await reception.getByTestId('procedure').filter({ hasText: '复查中' }).waitFor();
    await expect(reception.getByTestId('legal-clock-review-state').textContent()).resolves.toBe('计时中');
    await shot(reception, 'case-review-requested');

    // when the street office claims the review from its queue and answers it
    const office = await signIn(await context(), 'street-office');
    await until(async () => {
      await office.goto('/tasks.html?view=queue');
      await office.getByTestId('task-list').locator('cds-table, p').first().waitFor();
      return (await office.getByTestId('task-Task_ReviewOpinion').count()) > 0;
    }, 30000);
    await office.getByTestId('task-Task_ReviewOpinion').first().click();
    await office.waitForURL('**/tasks.html?view=mine&task=**');
    await office.getByTestId('form').locator('.fjs-form').waitFor();
    await office.getByLabel('撤销或变更原处理意见').check();
    await office.getByLabel('书面意见').fill('经复查，分摊方案未经业主大会表决，撤销原意见，由物业重新组织表决。');
    await shot(office, 'review-task');
    await office.getByTestId('submit').click();
    await office.getByTestId('done').waitFor();

    // then the resident is sent the review opinion
    await until(async () => {
      const rows = await db().query("SELECT 1 FROM notification WHERE case_id = $1 AND template = 'review-opinion'", [
        c.id,
      ]);
      return rows.length > 0;
    }, 30000);
    // and the case page shows the answer, the clocks and what the resident was told when
    await reception.goto(`/case.html?id=${c.id}`);
    await reception.getByTestId('review-review-outcome').filter({ hasText: '撤销或变更原处理意见' }).waitFor();
    await expect(reception.getByTestId('procedure').textContent()).resolves.toContain('已复查');
    await expect(reception.getByTestId('legal-clock-review-state').textContent()).resolves.toBe('按期完成');
    await expect(reception.getByTestId('legal-clock-handling-state').textContent()).resolves.toBe('按期完成');
    const told = reception.getByTestId('petitioner-notices');
    await told.getByText('复查申请已收到', { exact: false }).waitFor();
    await told.getByText('可自收到复查意见之日起30日内请求复核', { exact: false }).waitFor();
    // and the re-review may now be entered
    await reception.getByTestId('review-form').filter({ hasText: '复核' }).waitFor();
    await shot(reception, 'case-legal-clocks');

    // and the leader's dashboard counts the review and its outcome for the year
    const leader = await signIn(await context(), 'leader');
    await leader.goto('/dashboard.html?from=2026-01-01&to=2027-01-01');
    await leader.getByTestId('procedures').waitFor();
    await expect(leader.getByTestId('procedures-review-requested').textContent()).resolves.toBe('1');
    await expect(leader.getByTestId('procedures-review-revised').textContent()).resolves.toBe('1');
    await expect(leader.getByTestId('procedures-re-review-requested').textContent()).resolves.toBe('0');
    await shot(leader, 'dashboard-procedures');
  });
});
