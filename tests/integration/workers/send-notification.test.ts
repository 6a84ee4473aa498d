import { FakeSms, testWorkerDeps } from '../../support/worker-deps';
import { randomBytes, randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '../../../platform/data-source';
import { maskPhone, piiCipher } from '../../../platform/pii';
import type { JobInput, SmsSender, WorkerDeps } from '../../../workers/job';
import { sendNotification } from '../../../workers/send-notification';
import { outboxSender } from '../../../workers/sms';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const pii = piiCipher(randomBytes(32));

describe('send-notification on the database', () => {
  let testDb: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({ databaseUrl: testDb.env.DATABASE_URL, dataDir: testDb.env.DATA_DIR });
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  const deps = (sms: SmsSender): WorkerDeps => testWorkerDeps({ db: database.db, pii, sms });

  const job = (
    headers: Record<string, string>,
    variables: Record<string, unknown>,
    jobKey = String(Date.now() + Math.random()),
  ): JobInput => ({
    variables,
    headers,
    jobKey,
    processInstanceKey: '1',
    elementId: 'Task_Notify',
  });

  async function aUser(roles: string[] = ['reception']): Promise<string> {
    const username = `u-${randomBytes(4).toString('hex')}`;
    const [user] = await database.db.query<{ id: string }>(
      `INSERT INTO app_user (username, display_name, password_hash) VALUES ($1, '李娜', 'x') RETURNING id`,
      [username],
    );
    for (const role of roles)
      await database.db.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [user.id, role]);
    return user.id;
  }

  async function aCase(phone: string | null): Promise<{ caseId: string; caseNo: string; firstResponderId: string }> {
    const firstResponderId = await aUser();
    const [resident] = await database.db.query<{ id: string }>(
      `INSERT INTO resident (name, phone_enc, phone_hash, phone_masked) VALUES ('王小明', $1, $2, $3) RETURNING id`,
      [phone ? pii.encrypt(phone) : null, phone ? pii.lookupHash(phone) : null, phone ? maskPhone(phone) : null],
    );
    const caseNo = `XF-2026-${randomBytes(3).toString('hex')}`;
    const [c] = await database.db.query<{ id: string }>(
      `INSERT INTO petition_case (case_no, channel, category, description, resident_id, first_responder_id)
       VALUES ($1, 'walk-in', '电梯故障', '电梯停运三天', $2, $3) RETURNING id`,
      [caseNo, resident.id, firstResponderId],
    );
    return { caseId: c.id, caseNo, firstResponderId };
  }

  const rowsOf = (jobKey: string) =>
    database.db.query<Record<string, unknown>>(
      `SELECT case_id, template, recipient_role, recipient_user_id, channel, phone_masked, text, params, status, provider,
              provider_message_id, error, sent_at
       FROM notification WHERE job_key = $1 ORDER BY recipient_key`,
      [jobKey],
    );

  it('when the petitioner is told of acceptance, then the SMS is sent and recorded with the masked phone only', async () => {
    // given
    const { caseId, caseNo } = await aCase('13812345678');
    const sms = new FakeSms();
    const acceptance = job(
      { template: 'acceptance', recipient: 'petitioner' },
      { caseId, legalDueAt: '2026-04-30T16:00:00Z' },
    );
    // when
    const result = await sendNotification.handle(acceptance, deps(sms));
    // then
    expect(result).toEqual({ lastNotification: { template: 'acceptance', recipient: 'petitioner', channel: 'sms' } });
    expect(sms.sent).toEqual([expect.objectContaining({ to: '13812345678', text: expect.stringContaining(caseNo) })]);
    const rows = await rowsOf(acceptance.jobKey);
    expect(rows).toEqual([
      expect.objectContaining({
        case_id: caseId,
        channel: 'sms',
        recipient_role: 'petitioner',
        phone_masked: '138****5678',
        status: 'sent',
        provider: 'fake',
        provider_message_id: 'm-1',
        params: expect.objectContaining({ caseNo, legalDueAt: '2026-04-30T16:00:00Z' }),
      }),
    ]);
    expect(rows[0].text).toContain('2026年5月1日前出具处理意见');
    expect(JSON.stringify(rows)).not.toContain('13812345678');
  });

  it('when the same job runs again after a crash before completing, then no second SMS and no second row', async () => {
    // given
    const { caseId } = await aCase('13912345678');
    const sms = new FakeSms();
    const result = job({ template: 'result', recipient: 'petitioner' }, { caseId });
    await sendNotification.handle(result, deps(sms));
    // when
    await sendNotification.handle(result, deps(sms));
    // then
    expect(sms.sent).toHaveLength(1);
    expect(await rowsOf(result.jobKey)).toHaveLength(1);
  });

  it('when the provider refuses, then the row records the failure and the job fails with the provider message', async () => {
    // given
    const { caseId } = await aCase('13712345678');
    const sms = new FakeSms();
    sms.refuse = 'SMS gateway (SMS_HTTP_URL) answered 503: busy';
    const result = job({ template: 'result', recipient: 'petitioner' }, { caseId });
    // when
    await expect(sendNotification.handle(result, deps(sms))).rejects.toThrow(
      'SMS gateway (SMS_HTTP_URL) answered 503: busy',
    );
    // then
    expect(await rowsOf(result.jobKey)).toEqual([
      expect.objectContaining({ status: 'failed', error: sms.refuse, sent_at: null }),
    ]);
    // when the retry succeeds
    sms.refuse = undefined;
    await sendNotification.handle(result, deps(sms));
    // then
    expect(await rowsOf(result.jobKey)).toEqual([
      expect.objectContaining({ status: 'sent', error: null, provider_message_id: 'm-1' }),
    ]);
  });

  it('when the outbox is the provider, then the message waits in the outbox', async () => {
    // given
    const { caseId } = await aCase('13612345678');
    const result = job({ template: 'result', recipient: 'petitioner' }, { caseId });
    // when
    await sendNotification.handle(result, deps(outboxSender));
    // then
    expect(await rowsOf(result.jobKey)).toEqual([
      expect.objectContaining({ channel: 'sms', status: 'outbox', provider: 'outbox', sent_at: null }),
    ]);
  });

  it('when the petitioner has no phone, then the first responder gets an inbox note and the job completes', async () => {
    // given
    const { caseId, caseNo, firstResponderId } = await aCase(null);
    const sms = new FakeSms();
    const result = job({ template: 'result', recipient: 'petitioner' }, { caseId });
    // when
    const output = await sendNotification.handle(result, deps(sms));
    // then
    expect(output).toEqual({ lastNotification: { template: 'result', recipient: 'petitioner', channel: 'inbox' } });
    expect(sms.sent).toEqual([]);
    const [row] = await rowsOf(result.jobKey);
    expect(row).toMatchObject({
      channel: 'inbox',
      recipient_user_id: firstResponderId,
      phone_masked: null,
      status: 'sent',
    });
    expect(row.text).toMatch(new RegExp(`^信访人未登记手机号.*${caseNo}`));
  });

  it('when the first responder and the leaders are warned, then each gets one inbox message, also on a retry', async () => {
    // given
    const { caseId, caseNo, firstResponderId } = await aCase('13512345678');
    const leaders = [await aUser(['leader']), await aUser(['leader'])];
    const inactive = await aUser(['leader']);
    await database.db.query('UPDATE app_user SET active = false WHERE id = $1', [inactive]);
    const yellow = job(
      { template: 'overdue-yellow', recipient: 'first-responder' },
      { caseId, slaDueAt: '2026-03-02T06:30:00Z' },
    );
    const red = job({ template: 'overdue-red', recipient: 'leader' }, { caseId, slaDueAt: '2026-03-02T06:30:00Z' });
    // when
    await sendNotification.handle(yellow, deps(new FakeSms()));
    await sendNotification.handle(red, deps(new FakeSms()));
    await sendNotification.handle(red, deps(new FakeSms()));
    // then
    expect(await rowsOf(yellow.jobKey)).toEqual([
      expect.objectContaining({
        channel: 'inbox',
        recipient_role: 'first-responder',
        recipient_user_id: firstResponderId,
        status: 'sent',
      }),
    ]);
    const redRows = await rowsOf(red.jobKey);
    expect(redRows.map((r) => r.recipient_user_id).sort()).toEqual([...leaders].sort());
    expect(redRows[0].text).toBe(
      `【红色预警】案件 ${caseNo}（电梯故障）超期未办结，内部时限为2026年3月2日 14:30，首问责任人：李娜，请督办。`,
    );
  });

  it('when the same job and recipient are written twice, then the database keeps one row', async () => {
    // given
    const insert = () =>
      database.db.query(
        `INSERT INTO notification (job_key, recipient_key, template, recipient_role, channel, text, status)
         VALUES ('k-dup', 'petitioner:x', 'result', 'petitioner', 'sms', 't', 'outbox')`,
      );
    await insert();
    // when / then
    await expect(insert()).rejects.toThrow(/notification_once_per_job|duplicate key/);
  });

  it('when an id is not a case, then the job fails naming it', async () => {
    // given
    const caseId = randomUUID();
    // when / then
    await expect(
      sendNotification.handle(
        job({ template: 'closed', recipient: 'first-responder' }, { caseId }),
        deps(new FakeSms()),
      ),
    ).rejects.toThrow(`Case ${caseId} does not exist`);
  });
});
