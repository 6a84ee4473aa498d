import { FakeSms } from '../support/worker-deps';
import { randomBytes, randomUUID } from 'node:crypto';
import { NOTIFICATION_TEMPLATES } from '../../bpmn/job-types';
import { createLogger } from '../../platform/logger';
import { piiCipher } from '../../platform/pii';
import type { JobInput, SmsSender, WorkerDeps } from '../../workers/job';
import { TEMPLATES, renderNotification } from '../../domain/notification-templates';
import { notify } from '../../workers/send-notification';
import type { CaseForNotice, NewNotice, NotificationStore } from '../../domain/notifications';
import { excerpt } from '../../workers/sms/http-gateway';

const pii = piiCipher(randomBytes(32));
const PHONE = '13812345678';

/** The notification table in memory: unique per (job, recipient), as the database is. */
class MemoryStore implements NotificationStore {
  rows: Array<NewNotice & { id: string; providerMessageId?: string; error?: string }> = [];
  constructor(
    readonly cases: CaseForNotice[],
    readonly roles: Record<string, string[]> = {},
    readonly alerts: Record<string, string[]> = {},
  ) {}
  loadCases(ids: string[]) {
    return Promise.resolve(ids.flatMap((id) => this.cases.filter((c) => c.id === id)));
  }
  alertCaseIds(alertId: string) {
    return Promise.resolve(this.alerts[alertId] ?? []);
  }
  overrides: Record<string, string> = {};
  templateOverride(template: string) {
    return Promise.resolve(this.overrides[template] ?? null);
  }
  activeUsersWithRole(role: string) {
    return Promise.resolve(this.roles[role] ?? []);
  }
  claim(n: NewNotice) {
    const existing = this.rows.find((r) => r.jobKey === n.jobKey && r.recipientKey === n.recipientKey);
    if (existing) return Promise.resolve({ id: existing.id, status: existing.status });
    const row = { ...n, id: randomUUID() };
    this.rows.push(row);
    return Promise.resolve({ id: row.id, status: row.status });
  }
  markSent(id: string, r: { status: 'sent' | 'outbox'; providerMessageId?: string }) {
    Object.assign(this.row(id), { status: r.status, providerMessageId: r.providerMessageId, error: undefined });
    return Promise.resolve();
  }
  markFailed(id: string, r: { error: string }) {
    Object.assign(this.row(id), { status: 'failed', error: r.error });
    return Promise.resolve();
  }
  private row(id: string) {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new Error(`no row ${id}`);
    return row;
  }
}

function aCase(overrides: Partial<CaseForNotice> = {}): CaseForNotice {
  return {
    id: randomUUID(),
    caseNo: 'XF-2026-0001',
    category: '电梯故障',
    compound: '阳光小区',
    firstResponderId: randomUUID(),
    ownerName: '李娜',
    phoneEnc: pii.encrypt(PHONE),
    ...overrides,
  };
}

function deps(sms: SmsSender): WorkerDeps {
  return {
    db: undefined as never,
    log: createLogger('silent'),
    now: () => new Date('2026-03-02T02:00:00Z'),
    publicUrl: 'http://localhost:3000',
    timeZone: 'Asia/Shanghai',
    pii,
    sms,
    decide: () => Promise.reject(new Error('not used')),
    startProcessOnce: () => Promise.reject(new Error('not used')),
  };
}

function job(
  headers: Record<string, string>,
  variables: Record<string, unknown>,
  jobKey = '2251799813685249',
): JobInput {
  return { variables, headers, jobKey, processInstanceKey: '1', elementId: 'Task_SendAcceptanceNotice' };
}

describe('notification templates', () => {
  it('when every template of bpmn/job-types.ts is rendered, then it has Chinese and English text with the case number', () => {
    // given
    const params = {
      caseNo: 'XF-2026-0042',
      category: '物业管理',
      compound: '阳光小区',
      caseCount: 3,
      slaDueAt: '2026-03-02T06:30:00Z',
    };
    for (const template of Object.values(NOTIFICATION_TEMPLATES)) {
      // when
      const zh = renderNotification(template, params, 'zh', 'Asia/Shanghai');
      const en = renderNotification(template, params, 'en', 'Asia/Shanghai');
      // then
      expect(zh).toContain('XF-2026-0042');
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
      expect(en).toContain('XF-2026-0042');
      expect(en).toMatch(/^[\x20-\x7e\u4e00-\u9fff“”…]+$/);
    }
    expect(Object.keys(TEMPLATES).sort()).toEqual(Object.values(NOTIFICATION_TEMPLATES).sort());
  });

  it('when the acceptance notice is rendered, then it says accepted (Art 22–23) and gives the date of the handling opinion in the business time zone (Art 34)', () => {
    // given 2026-04-30T20:00Z is already 1 May in Shanghai
    const params = { caseNo: 'XF-1', legalReplyDueAt: '2026-03-16T20:00:00Z', legalDueAt: '2026-04-30T20:00:00Z' };
    // when
    const zh = renderNotification('acceptance', params, 'zh', 'Asia/Shanghai');
    const en = renderNotification('acceptance', params, 'en', 'Asia/Shanghai');
    // then
    expect(zh).toBe('您的信访事项（编号 XF-1）已受理，我们将于2026年5月1日前出具处理意见。查询进度请报编号。');
    expect(en).toBe(
      'Your petition (case XF-1) has been accepted; you will receive a handling opinion by 1 May 2026. Quote the case number when you ask about progress.',
    );
  });

  it('when the petition is not accepted, passed on or its limit extended, then the written notice gives the reason, the authority and the days', () => {
    // when
    const notAccepted = renderNotification(
      'not-accepted',
      { caseNo: 'XF-1', reason: '属于诉讼程序解决的事项。' },
      'zh',
      'Asia/Shanghai',
    );
    const passedOn = renderNotification(
      'passed-on',
      { caseNo: 'XF-1', authority: '区人力资源和社会保障局' },
      'zh',
      'Asia/Shanghai',
    );
    const extended = renderNotification(
      'extension-granted',
      { caseNo: 'XF-1', reason: '需现场勘验', extensionDays: 20, legalDueAt: '2026-05-21T16:00:00Z' },
      'zh',
      'Asia/Shanghai',
    );
    // then
    expect(notAccepted).toBe(
      '您的信访事项（编号 XF-1）经审查不予受理。理由：属于诉讼程序解决的事项。如有疑问，请向社区信访接待处咨询。',
    );
    expect(passedOn).toBe(
      '您的信访事项（编号 XF-1）不属于本社区的处理范围，已转送区人力资源和社会保障局处理。请向该机关了解办理情况。',
    );
    expect(extended).toBe(
      '您的信访事项（编号 XF-1）因需现场勘验，办理期限延长20日，我们将于2026年5月22日前出具处理意见。',
    );
  });

  it('when the registration receipt is rendered, then it says received and registered (not accepted), and the date the petitioner hears by, in the business time zone', () => {
    // given 2026-03-16T20:00Z is already the 17th in Shanghai
    const params = { caseNo: 'XF-1', legalReplyDueAt: '2026-03-16T20:00:00Z' };
    // when
    const zh = renderNotification('registered', params, 'zh', 'Asia/Shanghai');
    const en = renderNotification('registered', params, 'en', 'Asia/Shanghai');
    // then
    expect(zh).toBe(
      '您的信访事项已收到并登记，编号 XF-1。我们将于2026年3月17日前告知您是否受理及办理方式。查询进度请报编号。',
    );
    expect(zh).not.toContain('已受理');
    expect(en).toBe(
      'Your petition has been received and registered, case number XF-1. We will tell you by 17 Mar 2026 whether and how it will be handled. Quote the case number when you ask about progress.',
    );
  });

  it('when an optional date is missing, then the sentence that needs it is left out', () => {
    // when
    const zh = renderNotification('acceptance', { caseNo: 'XF-1' }, 'zh', 'Asia/Shanghai');
    const receipt = renderNotification('registered', { caseNo: 'XF-1' }, 'zh', 'Asia/Shanghai');
    // then
    expect(zh).toBe('您的信访事项（编号 XF-1）已受理。查询进度请报编号。');
    expect(receipt).toBe('您的信访事项已收到并登记，编号 XF-1。查询进度请报编号。');
  });
});

describe('send-notification', () => {
  const acceptance = { template: 'acceptance', recipient: 'petitioner' };

  it('when the petitioner is told of acceptance, then the SMS goes to the decrypted phone and the row keeps only the masked one', async () => {
    // given
    const c = aCase();
    const store = new MemoryStore([c]);
    const sms = new FakeSms();
    // when
    const result = await notify(job(acceptance, { caseId: c.id }), deps(sms), store);
    // then
    expect(sms.sent).toEqual([
      {
        to: PHONE,
        text: expect.stringContaining('XF-2026-0001'),
        idempotencyKey: `2251799813685249:petitioner:${c.id}`,
      },
    ]);
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({
      channel: 'sms',
      phoneMasked: '138****5678',
      status: 'sent',
      providerMessageId: 'm-1',
    });
    expect(JSON.stringify(store.rows)).not.toContain(PHONE);
    expect(result).toEqual({ lastNotification: { template: 'acceptance', recipient: 'petitioner', channel: 'sms' } });
    expect(JSON.stringify(result)).not.toMatch(/\d{7,}|李娜/);
  });

  it('when the job is retried after a crash between sending and completing, then nothing is sent twice', async () => {
    // given the first attempt sent and recorded the SMS
    const c = aCase();
    const store = new MemoryStore([c]);
    const sms = new FakeSms();
    await notify(job(acceptance, { caseId: c.id }), deps(sms), store);
    // when the engine hands out the same job again
    const result = await notify(job(acceptance, { caseId: c.id }), deps(sms), store);
    // then
    expect(sms.sent).toHaveLength(1);
    expect(store.rows).toHaveLength(1);
    expect(result).toEqual({ lastNotification: { template: 'acceptance', recipient: 'petitioner', channel: 'sms' } });
  });

  it('when the provider refuses, then the row is failed with its message and the job fails; the retry sends it once', async () => {
    // given
    const c = aCase();
    const store = new MemoryStore([c]);
    const sms = new FakeSms();
    sms.refuse = 'Alibaba Cloud SMS refused the message: isv.BUSINESS_LIMIT_CONTROL: 触发流控';
    // when
    await expect(notify(job(acceptance, { caseId: c.id }), deps(sms), store)).rejects.toThrow(
      'isv.BUSINESS_LIMIT_CONTROL',
    );
    // then
    expect(store.rows[0]).toMatchObject({ status: 'failed', error: sms.refuse });
    // when retried with the provider back
    sms.refuse = undefined;
    await notify(job(acceptance, { caseId: c.id }), deps(sms), store);
    // then
    expect(sms.sent).toHaveLength(1);
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({ status: 'sent', error: undefined });
  });

  it('when the provider is the outbox, then the row stays in the outbox for staff to pass on', async () => {
    // given
    const c = aCase();
    const store = new MemoryStore([c]);
    const outbox: SmsSender = { name: 'outbox', send: () => Promise.resolve({}) };
    // when
    await notify(job({ template: 'result', recipient: 'petitioner' }, { caseId: c.id }), deps(outbox), store);
    // then
    expect(store.rows[0]).toMatchObject({
      channel: 'sms',
      status: 'outbox',
      provider: 'outbox',
      phoneMasked: '138****5678',
    });
  });

  it('when the petitioner has no phone, then the first responder gets an inbox note to pass the text on, and the job completes', async () => {
    // given
    const c = aCase({ phoneEnc: null });
    const store = new MemoryStore([c]);
    const sms = new FakeSms();
    // when
    const result = await notify(
      job({ template: 'result', recipient: 'petitioner' }, { caseId: c.id }),
      deps(sms),
      store,
    );
    // then
    expect(sms.sent).toEqual([]);
    expect(store.rows[0]).toMatchObject({
      channel: 'inbox',
      recipientRole: 'petitioner',
      recipientUserId: c.firstResponderId,
      status: 'sent',
    });
    expect(store.rows[0].text).toMatch(/^信访人未登记手机号.*XF-2026-0001/);
    expect(result).toEqual({ lastNotification: { template: 'result', recipient: 'petitioner', channel: 'inbox' } });
  });

  it('when the leader is warned, then every active leader gets one inbox message naming the owner', async () => {
    // given
    const c = aCase();
    const store = new MemoryStore([c], { leader: ['u-1', 'u-2'] });
    // when
    await notify(
      job({ template: 'overdue-red', recipient: 'leader' }, { caseId: c.id, slaDueAt: '2026-03-02T06:30:00Z' }),
      deps(new FakeSms()),
      store,
    );
    await notify(job({ template: 'overdue-red', recipient: 'leader' }, { caseId: c.id }), deps(new FakeSms()), store);
    // then
    expect(store.rows.map((r) => [r.recipientUserId, r.channel])).toEqual([
      ['u-1', 'inbox'],
      ['u-2', 'inbox'],
    ]);
    expect(store.rows[0].text).toBe(
      '【红色预警】案件 XF-2026-0001（电梯故障）超期未办结，内部时限为2026年3月2日 14:30，首问责任人：李娜，请督办。',
    );
  });

  it('when an early warning covers several cases, then the leader gets one message listing them and each petitioner is told', async () => {
    // given
    const cases = [aCase({ caseNo: 'XF-1' }), aCase({ caseNo: 'XF-2' }), aCase({ caseNo: 'XF-3', phoneEnc: null })];
    const store = new MemoryStore(cases, { leader: ['u-1'] });
    const sms = new FakeSms();
    const variables = {
      caseIds: cases.map((c) => c.id),
      category: '电梯故障',
      compoundId: randomUUID(),
      ruleId: 'elevator',
    };
    // when
    await notify(job({ template: 'early-warning', recipient: 'leader' }, variables, 'k1'), deps(sms), store);
    const result = await notify(
      job({ template: 'joint-handling-result', recipient: 'petitioner' }, variables, 'k2'),
      deps(sms),
      store,
    );
    // then
    expect(store.rows[0]).toMatchObject({ caseId: null, recipientUserId: 'u-1' });
    expect(store.rows[0].text).toBe(
      '【智能预警】阳光小区近一个月“电梯故障”类投诉达 3 件（XF-1、XF-2、XF-3），请牵头物业、社区、维保单位三方联动处置。',
    );
    expect(sms.sent.map((m) => m.text)).toEqual([expect.stringContaining('XF-1'), expect.stringContaining('XF-2')]);
    expect(result).toEqual({
      lastNotification: { template: 'joint-handling-result', recipient: 'petitioner', channel: 'mixed' },
    });
  });

  it('when a complaint joined the alert after its process started, then its petitioner is told the joint result too', async () => {
    // given the process started with two cases and a third joined the alert since
    const cases = [aCase({ caseNo: 'XF-1' }), aCase({ caseNo: 'XF-2' }), aCase({ caseNo: 'XF-3' })];
    const alertId = randomUUID();
    const store = new MemoryStore(cases, {}, { [alertId]: cases.map((c) => c.id) });
    const sms = new FakeSms();
    // when
    await notify(
      job(
        { template: 'joint-handling-result', recipient: 'petitioner' },
        { alertId, caseIds: [cases[0].id, cases[1].id] },
      ),
      deps(sms),
      store,
    );
    // then
    expect(sms.sent.map((m) => m.text)).toEqual([
      expect.stringContaining('XF-1'),
      expect.stringContaining('XF-2'),
      expect.stringContaining('XF-3'),
    ]);
  });

  it("when an admin replaced a template's text, then that text goes out with its placeholders filled", async () => {
    // given
    const c = aCase({ caseNo: 'XF-2026-0099' });
    const store = new MemoryStore([c]);
    store.overrides.acceptance = '您的信访件{caseNo}（{category}）已受理，{legalReplyDueAt}前告知办理意见。{unknown}';
    const sms = new FakeSms();
    // when
    await notify(
      job(
        { template: 'acceptance', recipient: 'petitioner' },
        { caseId: c.id, legalReplyDueAt: '2026-03-16T15:59:59.999Z' },
      ),
      deps(sms),
      store,
    );
    // then
    expect(sms.sent[0].text).toBe('您的信访件XF-2026-0099（电梯故障）已受理，2026年3月16日前告知办理意见。{unknown}');
  });

  it('when nobody has the role, then the job fails naming it', async () => {
    // given
    const c = aCase();
    // when / then
    await expect(
      notify(
        job({ template: 'escalated', recipient: 'street-office' }, { caseId: c.id }),
        deps(new FakeSms()),
        new MemoryStore([c]),
      ),
    ).rejects.toThrow('No active user has the role "street-office"');
  });

  it.each([
    [
      { template: 'thanks', recipient: 'petitioner' },
      'The task header "template" is "thanks"; allowed: registered, acceptance, result',
    ],
    [{ template: 'result', recipient: 'mayor' }, 'The task header "recipient" is "mayor"'],
    [
      { template: 'overdue-red', recipient: 'petitioner' },
      'The template "overdue-red" is written for staff, not for recipient "petitioner"',
    ],
    [
      { template: 'acceptance', recipient: 'leader' },
      'The template "acceptance" is written for the petitioner, not for recipient "leader"',
    ],
  ])('when the headers are %j, then the job fails saying what is allowed', async (headers, message) => {
    // given
    const c = aCase();
    // when / then
    await expect(notify(job(headers, { caseId: c.id }), deps(new FakeSms()), new MemoryStore([c]))).rejects.toThrow(
      message,
    );
  });

  it('when the case id is missing or unknown, then the job fails naming the variable or the case', async () => {
    // given
    const store = new MemoryStore([]);
    const unknown = randomUUID();
    // when / then
    await expect(notify(job(acceptance, {}), deps(new FakeSms()), store)).rejects.toThrow('"caseId"');
    await expect(notify(job(acceptance, { caseId: 'XF-1' }), deps(new FakeSms()), store)).rejects.toThrow(
      'Case ids must be UUIDs',
    );
    await expect(notify(job(acceptance, { caseId: unknown }), deps(new FakeSms()), store)).rejects.toThrow(
      `Case ${unknown} does not exist`,
    );
  });
});

describe('provider error messages', () => {
  it('when a gateway echoes a phone number, then the excerpt masks it and is cut to 200 characters', () => {
    // when
    const text = excerpt(`{"error":"invalid number 13812345678"} ${'x'.repeat(300)}`);
    // then
    expect(text).toContain('138****5678');
    expect(text).not.toContain(PHONE);
    expect(text.length).toBeLessThanOrEqual(201);
  });
});

describe("a petitioner's text is public text", () => {
  it("when an admin's wording inserts a category typed with a phone number, then the SMS carries neither the number nor the case's people's names", async () => {
    // given a category typed at intake with a number in it, and an admin's text that shows it
    const c = aCase({ category: '电梯故障（王小明 139 0000 1111）', people: ['王小明'] });
    const store = new MemoryStore([c]);
    store.overrides.result = '您反映的“{category}”问题（编号 {caseNo}）已办结。';
    const sms = new FakeSms();
    // when
    await notify(job({ template: 'result', recipient: 'petitioner' }, { caseId: c.id }), deps(sms), store);
    // then what is sent and what is kept are screened alike
    expect(sms.sent.map((m) => m.text)).toEqual(['您反映的“电梯故障（*** ***）”问题（编号 XF-2026-0001）已办结。']);
    expect(store.rows.map((r) => r.text)).toEqual(['您反映的“电梯故障（*** ***）”问题（编号 XF-2026-0001）已办结。']);
  });
});
