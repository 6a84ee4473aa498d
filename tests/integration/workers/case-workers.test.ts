/**
 * The handling workers' handlers on a real database (no engine): what they record, what they refuse, and that a
 * job retried with the same key changes and sends nothing twice.
 */
import { openDatabase, type Database } from '../../../platform/data-source';
import { FakeSms, testWorkerDeps } from '../../support/worker-deps';
import { outboxSender } from '../../../workers/sms';
import { BpmnError, type SmsMessage, type WorkerDeps } from '../../../workers/job';
import { startSecondHandling } from '../../../workers/start-second-handling';
import { closeCase } from '../../../workers/close-case';
import { issueRatingLink } from '../../../workers/issue-rating-link';
import { hashToken } from '../../../domain/rating-links';
import { publishNotice } from '../../../workers/publish-notice';
import { assignServiceTeam } from '../../../workers/assign-service-team';
import { recordConversion } from '../../../workers/record-conversion';
import { ensureCalendar } from '../../../domain/calendar-data';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { createCase, createUser, testCipher } from '../../support/case-fixtures';

describe('case handling workers', () => {
  let tdb: TestDatabase;
  let database: Database;
  let deps: WorkerDeps;
  const sent: SmsMessage[] = [];
  const now = new Date('2026-10-12T02:00:00Z');
  const job = (variables: Record<string, unknown>, jobKey = `job-${Math.random()}`) => ({
    variables,
    headers: {},
    jobKey,
    processInstanceKey: '1',
    elementId: 'task',
  });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = await openDatabase({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR });
    deps = testWorkerDeps({
      db: database.db,
      pii: testCipher,
      now,
      sms: { name: 'test', send: (m) => (sent.push(m), Promise.resolve({ providerMessageId: `m-${sent.length}` })) },
    });
    await ensureCalendar(database.db);
    await createUser(database.db, 'secretary-1', ['secretary']);
    await createUser(database.db, 'cadre-b', ['cadre']);
    await createUser(database.db, 'cadre-a', ['cadre']);
  });
  afterAll(async () => {
    await database.close();
    await tdb.drop();
  });

  it('when the petitioner is dissatisfied, then the rating and reason are recorded once, the round rises and the secretary is named', async () => {
    // given
    const { caseId } = await createCase(database.db);
    const input = job({ caseId, handlingRound: 1, rating: 'dissatisfied', comment: '电梯还是坏' }, 'second-1');
    // when (and retried)
    const out = await startSecondHandling.handle(input, deps);
    await startSecondHandling.handle(input, deps);
    // then
    expect(out).toEqual({ handlingRound: 2, secondHandlingBy: 'secretary-1' });
    const ratings = await database.db.query('SELECT round, rating, comment FROM case_rating WHERE case_id = $1', [
      caseId,
    ]);
    expect(ratings).toEqual([{ round: 1, rating: 'dissatisfied', comment: '电梯还是坏' }]);
    const events = await database.db.query(
      "SELECT kind FROM case_event WHERE case_id = $1 AND kind = 'second-handling-started'",
      [caseId],
    );
    expect(events).toHaveLength(1);
    const [row] = await database.db.query<{ handling_round: number; status: string }>(
      'SELECT handling_round, status FROM petition_case WHERE id = $1',
      [caseId],
    );
    expect(row).toEqual({ handling_round: 2, status: 'second-handling' });
  });

  it('when a case is not resolved, then close-case throws CASE_NOT_RESOLVED and the case stays open', async () => {
    const { caseId } = await createCase(database.db);
    await expect(closeCase.handle(job({ caseId, resolved: false, rating: 'satisfied' }), deps)).rejects.toMatchObject({
      code: 'CASE_NOT_RESOLVED',
    });
    await expect(
      closeCase.handle(job({ caseId, resolved: true, rating: 'dissatisfied', handlingRound: 1 }), deps),
    ).rejects.toBeInstanceOf(BpmnError);
    const [row] = await database.db.query<{ status: string }>('SELECT status FROM petition_case WHERE id = $1', [
      caseId,
    ]);
    expect(row.status).toBe('registered');
  });

  it('when a resolved case is rated satisfied, then it is closed with each clock kept or missed', async () => {
    const { caseId } = await createCase(database.db);
    const out = await closeCase.handle(
      job({
        caseId,
        resolved: true,
        rating: 'satisfied',
        handlingRound: 1,
        slaDueAt: '2026-10-10T15:59:59Z',
        legalDueAt: '2026-12-01T00:00:00Z',
      }),
      deps,
    );
    expect(out).toMatchObject({ closingReason: 'resolved', onTimeInternal: false, onTimeLegal: true });
    expect(typeof out.handlingWorkingDays).toBe('number');
    const [row] = await database.db.query<{ status: string; closed_at: Date }>(
      'SELECT status, closed_at FROM petition_case WHERE id = $1',
      [caseId],
    );
    expect(row.status).toBe('closed');
    expect(new Date(row.closed_at).toISOString()).toBe(now.toISOString());
  });

  it('when a rating link is issued, then one SMS carries a one-time link whose token only exists hashed and encrypted; a retry sends nothing', async () => {
    // given
    const { caseId, caseNo } = await createCase(database.db, { phone: '13900001111' });
    const input = job({ caseId, handlingRound: 1 }, 'rating-1');
    sent.length = 0;
    // when
    const out = await issueRatingLink.handle(input, deps);
    await issueRatingLink.handle(input, deps);
    // then
    expect(out).toEqual({ ratingWindow: 'P3D', ratingLinkExpiresAt: '2026-10-15T02:00:00.000Z' });
    expect(JSON.stringify(out)).not.toContain('rate/');
    expect(sent).toHaveLength(1);
    expect(sent[0].to).toBe('13900001111');
    expect(sent[0].text).toContain(caseNo);
    const token = /\/rate\/([\w-]+)/.exec(sent[0].text)![1];
    const [link] = await database.db.query<{ case_id: string; used_at: Date | null }>(
      'SELECT case_id, used_at FROM rating_link WHERE token_hash = $1',
      [hashToken(token)],
    );
    expect(link).toEqual({ case_id: caseId, used_at: null });
  });

  it('when a rating link is issued with SMS_PROVIDER=outbox, then its text waits in the outbox as one notice, also after a retry, without the token', async () => {
    // given the default provider, which delivers nothing
    const { caseId, caseNo } = await createCase(database.db, { phone: '13900002222' });
    const outbox = { ...deps, sms: outboxSender };
    const input = job({ caseId, handlingRound: 1 }, 'rating-outbox-1');
    // when the job runs, and runs again (a retry after a crash before it completed)
    await issueRatingLink.handle(input, outbox);
    await database.db.query('UPDATE rating_link SET sent_at = NULL WHERE job_key = $1', [input.jobKey]);
    await issueRatingLink.handle(input, outbox);
    // then one notice waits for the first responder to pass on: case number, masked phone, the link's place
    const rows = await database.db.query<{
      template: string;
      channel: string;
      status: string;
      phone_masked: string;
      text: string;
    }>('SELECT template, channel, status, phone_masked, text FROM notification WHERE case_id = $1', [caseId]);
    expect(rows).toEqual([
      {
        template: 'rating-link',
        channel: 'sms',
        status: 'outbox',
        phone_masked: '139****2222',
        text: expect.stringContaining(caseNo),
      },
    ]);
    expect(rows[0].text).toContain('{ratingUrl}');
    const [link] = await database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM rating_link WHERE case_id = $1',
      [caseId],
    );
    expect(link.n).toBe(1);
  });

  it('when the SMS provider refuses a rating link, then the notice is marked failed and the job fails; its retry sends the same link once', async () => {
    // given
    const { caseId } = await createCase(database.db, { phone: '13900003333' });
    const sms = new FakeSms();
    sms.refuse = 'gateway down';
    const input = job({ caseId, handlingRound: 1 }, 'rating-refused-1');
    // when
    await expect(issueRatingLink.handle(input, { ...deps, sms })).rejects.toThrow('gateway down');
    const [failed] = await database.db.query<{ status: string; error: string }>(
      'SELECT status, error FROM notification WHERE job_key = $1',
      [input.jobKey],
    );
    sms.refuse = undefined;
    await issueRatingLink.handle(input, { ...deps, sms });
    await issueRatingLink.handle(input, { ...deps, sms });
    // then
    expect(failed).toEqual({ status: 'failed', error: 'gateway down' });
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0].idempotencyKey).toBe(`${input.jobKey}:petitioner:${caseId}`);
    const rows = await database.db.query<{ status: string }>('SELECT status FROM notification WHERE job_key = $1', [
      input.jobKey,
    ]);
    expect(rows).toEqual([{ status: 'sent' }]);
  });

  it("when an admin's rating-link text carries a phone number and the petitioner's name, then the SMS is screened and the link arrives intact", async () => {
    // given an override with a number written with spaces and the petitioner's name
    const { caseId } = await createCase(database.db, { phone: '13900004444', name: '钱多多' });
    await database.db.query(
      `INSERT INTO notification_template_override (template, zh, updated_by) VALUES ('rating-link', $1, 'admin')
       ON CONFLICT (template) DO UPDATE SET zh = EXCLUDED.zh`,
      ['钱多多您好，请点击 {ratingUrl} 评价，咨询电话 138 1234 5678。'],
    );
    const sms = new FakeSms();
    try {
      // when
      await issueRatingLink.handle(job({ caseId, handlingRound: 1 }, 'rating-screened-1'), { ...deps, sms });
    } finally {
      await database.db.query("DELETE FROM notification_template_override WHERE template = 'rating-link'");
    }
    // then the text has neither, and the link is the one whose token opens the rating
    const [sent] = sms.sent;
    expect(sent.text).not.toMatch(/138\s?1234\s?5678|钱多多/);
    const token = /\/rate\/([A-Za-z0-9_-]+)/.exec(sent.text)?.[1];
    const [link] = await database.db.query<{ case_id: string }>(
      'SELECT case_id FROM rating_link WHERE token_hash = $1',
      [hashToken(token ?? '')],
    );
    expect(link?.case_id).toBe(caseId);
  });

  it('when a key matter is published, then the notice has no phone or ID number and a masked name only with consent', async () => {
    const withConsent = await createCase(database.db, { name: '王小明', consent: true });
    const without = await createCase(database.db, { name: '李四', consent: false });
    await publishNotice.handle(
      job({ caseId: withConsent.caseId, result: '已更换电梯控制柜，联系电话13812345678' }),
      deps,
    );
    await publishNotice.handle(job({ caseId: without.caseId, result: '已修复' }), deps);
    const notices = await database.db.query<{
      case_no: string;
      outcome: string;
      petitioner_masked: string | null;
      compound_name: string;
    }>(
      'SELECT case_no, outcome, petitioner_masked, compound_name FROM notice_board WHERE case_id = ANY($1::uuid[]) ORDER BY case_no',
      [[withConsent.caseId, without.caseId]],
    );
    const byCase = Object.fromEntries(notices.map((n) => [n.case_no, n]));
    expect(byCase[withConsent.caseNo]).toMatchObject({
      outcome: '已更换电梯控制柜，联系电话***',
      petitioner_masked: '王**',
      compound_name: '幸福里小区',
    });
    expect(byCase[without.caseNo]).toMatchObject({ petitioner_masked: null });
  });

  it('when a key person enters the registry, then the least busy cadre leads the team; conversion needs consent', async () => {
    const { residentId } = await createCase(database.db);
    const [person] = await database.db.query<{ id: string }>(
      "INSERT INTO key_person (resident_id, reason) VALUES ($1, '一年内信访3次') RETURNING id",
      [residentId],
    );
    const team = await assignServiceTeam.handle(job({ personId: person.id }), deps);
    expect(team).toEqual({ serviceTeamLead: 'cadre-a', visitInterval: 'P30D' });
    expect(
      await recordConversion.handle(
        job({ personId: person.id, conversionRole: 'volunteer', conversionConsent: false }),
        deps,
      ),
    ).toEqual({ converted: false });
    expect(
      await recordConversion.handle(
        job({ personId: person.id, conversionRole: 'volunteer', conversionConsent: true }),
        deps,
      ),
    ).toEqual({ converted: true });
    await expect(
      recordConversion.handle(job({ personId: person.id, conversionRole: 'mayor', conversionConsent: true }), deps),
    ).rejects.toThrow(/conversionRole must be one of/);
  });

  it('when a case does not exist, then the job fails with a message a person can act on', async () => {
    await expect(
      closeCase.handle(
        job({ caseId: '00000000-0000-0000-0000-000000000000', resolved: true, rating: 'satisfied' }),
        deps,
      ),
    ).rejects.toThrow(/does not exist/);
  });
});
