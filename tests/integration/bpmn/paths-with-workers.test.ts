/**
 * Every path of the policy models with the real workers running in the app against the real database: the test
 * plays only the people (staff completing their tasks, the petitioner's rating message) and the clock (pinned,
 * never waited on). Deadlines, notices, rating links, screening, second handling, closing, service teams and
 * conversions are the workers' own work. The last test prints flow-node and sequence-flow coverage per model and
 * fails on any element no path reached.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { piiCipher, maskPhone } from '../../../platform/pii';
import { parseBpmn, type ProcessModel } from '../../../engine/model/process-model';
import { MESSAGES, PROCESS_IDS } from '../../../bpmn/job-types';
import { now, startEngine, TEST_EPOCH, until, type Any, type EngineHarness } from '../../support/engine';
import { Session } from '../../support/session';

const BPMN_DIR = join(__dirname, '..', '..', '..', 'bpmn');
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const T0 = TEST_EPOCH;

describe('every path of the policy models, with the real workers', () => {
  let h: EngineHarness;
  let c: Any;
  let receptionId: string;
  beforeAll(async () => {
    // given the app with its workers, the demo community (staff of every role) and the models deployed on start
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    c = h.client;
    [{ id: receptionId }] = await db().query<{ id: string }>("SELECT id FROM app_user WHERE username = 'reception'");
  });
  afterAll(() => h.stop());
  // Every test runs on a pinned clock, from a working Monday morning in Shanghai of a year the calendar holds: no
  // path depends on the machine's date.
  beforeEach(() => pin(T0));
  afterEach(() => c.resetClock());

  const db = () => h.server.database.db;
  let pinnedAt = T0;
  const pin = (at: number | string) => {
    pinnedAt = typeof at === 'string' ? Date.parse(at) : at;
    return c.pinClock({ timestamp: pinnedAt });
  };

  // ------------------------------------------------------------------ reading where things are

  /** What an instance is doing, for a failure message that says where it stopped. */
  const whereIs = async (processInstanceKey: string) => {
    const elements = (
      (await c.searchElementInstances({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items as Any[]
    ).map((e) => e.elementId);
    const incidents = (
      (await c.searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items as Any[]
    ).map((i) => `${i.elementId}: ${i.errorType} ${i.errorMessage}`);
    return JSON.stringify({ elements, incidents });
  };
  const variablesOf = async (processInstanceKey: string): Promise<Record<string, Any>> =>
    Object.fromEntries(
      ((await c.searchVariables({ filter: { processInstanceKey }, page: { limit: 200 } }, now)).items as Any[]).map(
        (v) => [v.name, JSON.parse(v.value)],
      ),
    );

  /** The one open task of an element whose instance (the case's or one it called) has `name` = `value`. */
  async function openTask(elementId: string, name: string, value: string, diagnose?: string): Promise<Any> {
    try {
      return await until(async () => {
        const { items } = await c.searchUserTasks(
          { filter: { elementId, state: 'CREATED' }, page: { limit: 100 } },
          now,
        );
        for (const task of items as Any[]) {
          const found = await c.searchVariables(
            { filter: { processInstanceKey: task.processInstanceKey, name, value: JSON.stringify(value) } },
            now,
          );
          if (found.items.length > 0) return task;
        }
        return undefined;
      }, 20000);
    } catch {
      throw new Error(
        `no open task ${elementId} for ${name}=${value}${diagnose ? `; the instance is at ${await whereIs(diagnose)}` : ''}`,
      );
    }
  }
  const complete = (task: Any, variables: Record<string, unknown> = {}): Promise<Any> =>
    c.completeUserTask({ userTaskKey: task.userTaskKey, variables });
  const completeTask = async (elementId: string, caseId: string, variables: Record<string, unknown>, pik?: string) =>
    complete(await openTask(elementId, 'caseId', caseId, pik), variables);

  const stateIs = (processInstanceKey: string, state: string) =>
    until(async () => (await c.getProcessInstance({ processInstanceKey }, now)).state === state, 20000).catch(
      async () => {
        throw new Error(
          `instance ${processInstanceKey} is not ${state}; it is at ${await whereIs(processInstanceKey)}`,
        );
      },
    );
  const notices = (caseId: string) =>
    db().query<{ template: string; recipient_user_id: string | null; channel: string }>(
      'SELECT template, recipient_user_id, channel FROM notification WHERE case_id = $1 ORDER BY created_at, template',
      [caseId],
    );
  const waitForNotice = (caseId: string, template: string) =>
    until(async () => (await notices(caseId)).some((n) => n.template === template), 20000).catch(() => {
      throw new Error(`no ${template} notice for case ${caseId}`);
    });

  // ------------------------------------------------------------------ playing people

  const cipher = () => piiCipher(h.server.secrets.piiKey);
  async function newCompound(): Promise<string> {
    const code = `P${randomUUID().slice(0, 8)}`;
    const [grid] = await db().query<{ id: string }>(
      "INSERT INTO grid (code, name) VALUES ($1, '测试网格') RETURNING id",
      [code],
    );
    const [compound] = await db().query<{ id: string }>(
      "INSERT INTO compound (grid_id, name, households) VALUES ($1, '和平里小区', 120) RETURNING id",
      [grid.id],
    );
    return compound.id;
  }
  async function newResident(compoundId: string, consent = false): Promise<string> {
    const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const [row] = await db().query<{ id: string }>(
      `INSERT INTO resident (name, compound_id, phone_enc, phone_hash, phone_masked, consent_publish_name)
       VALUES ('赵敏', $1, $2, $3, $4, $5) RETURNING id`,
      [compoundId, cipher().encrypt(phone), cipher().lookupHash(phone), maskPhone(phone), consent],
    );
    return row.id;
  }

  /** Files a petition as intake does: the case row (owned by the demo receptionist), then its process. */
  async function file(category: string, where: { compoundId?: string; residentId?: string; receivedAt?: string } = {}) {
    const compoundId = where.compoundId ?? (await newCompound());
    const residentId = where.residentId ?? (await newResident(compoundId));
    const caseNo = `XF-P-${randomUUID().slice(0, 8)}`;
    const [row] = await db().query<{ id: string }>(
      `INSERT INTO petition_case (case_no, channel, category, description, resident_id, compound_id, first_responder_id, received_at)
       VALUES ($1, 'walk-in', $2, '反映问题', $3, $4, $5, $6) RETURNING id`,
      [caseNo, category, residentId, compoundId, receptionId, where.receivedAt ?? new Date(pinnedAt).toISOString()],
    );
    const { processInstanceKey } = await c.createProcessInstance({
      processDefinitionId: PROCESS_IDS.petitionHandling,
      variables: { caseId: row.id, caseNo, channel: 'walk-in', category, firstResponder: 'reception' },
    });
    // As intake records it: the case page finds its process, and the case starter does not start another.
    await db().query('UPDATE petition_case SET process_instance_key = $2 WHERE id = $1', [
      row.id,
      String(processInstanceKey),
    ]);
    return { caseId: row.id, caseNo, processInstanceKey: String(processInstanceKey), compoundId, residentId };
  }

  /** The first responder decides within the 15 days (Art 22–23): accepted unless told otherwise. */
  const decideAcceptance = (caseId: string, pik: string, decision: Record<string, unknown> = {}) =>
    completeTask('Task_AcceptanceDecision', caseId, { acceptanceDecision: 'accepted', ...decision }, pik);
  /** The case accepted, then routed by the first responder. */
  const confirmClass = async (
    caseId: string,
    pik: string,
    decision: { caseClass: string; feedbackMode: string; isKeyMatter?: boolean },
  ) => {
    await decideAcceptance(caseId, pik);
    return completeTask('Task_ConfirmCaseClass', caseId, { isKeyMatter: false, ...decision }, pik);
  };

  /** The petitioner rates by the link of round `round` (the link's SMS is sent first, so the message may wait in the buffer). */
  async function rate(caseId: string, round: number, rating: string, comment = '') {
    await until(
      async () =>
        (
          await db().query<{ n: number }>(
            'SELECT count(*)::int AS n FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL',
            [caseId],
          )
        )[0].n >= round,
      20000,
    ).catch(() => {
      throw new Error(`no rating link of round ${round} for case ${caseId}`);
    });
    await c.publishMessage({
      name: MESSAGES.satisfactionRated,
      correlationKey: caseId,
      timeToLive: 600000,
      variables: { rating, comment },
    });
  }

  async function closed(caseId: string, pik: string) {
    await stateIs(pik, 'COMPLETED');
    const [row] = await db().query<{ status: string }>('SELECT status FROM petition_case WHERE id = $1', [caseId]);
    expect(row.status).toBe('closed');
    await waitForNotice(caseId, 'closed');
  }

  // ------------------------------------------------------------------ petition-handling

  it('when a simple key matter is handled and rated satisfied, then the result goes out by SMS and on the notice board, and the case closes', async () => {
    // given
    const { caseId, processInstanceKey } = await file('路灯维修');
    // when
    await confirmClass(caseId, processInstanceKey, { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: true });
    const coordinate = await openTask('Task_CoordinateUnit', 'caseId', caseId, processInstanceKey);
    expect(coordinate).toMatchObject({ assignee: 'reception', dueDate: expect.any(String) });
    await complete(coordinate, { responsibleUnit: '市政路灯所', handlingResult: '已更换灯泡', resolved: true });
    await rate(caseId, 1, 'satisfied');
    // then
    await closed(caseId, processInstanceKey);
    expect(await db().query('SELECT case_no FROM notice_board WHERE case_id = $1', [caseId])).toHaveLength(1);
    expect((await notices(caseId)).map((n) => n.template)).toEqual(
      expect.arrayContaining(['registered', 'acceptance', 'result', 'closed']),
    );
    const vars = await variablesOf(processInstanceKey);
    expect(vars).toMatchObject({
      closingReason: 'resolved',
      noticePublished: true,
      earlyWarningAlertIds: [],
      keyPersonId: null,
    });
  });

  it('when a complex case is accepted before National Day 2026, then its 5 working days end on the adjusted Saturday; the 1+X group works in parallel, runs late, and the result is phoned', async () => {
    // given a petition on Monday 2026-09-28, 10:00 in Shanghai
    await pin('2026-09-28T02:00:00Z');
    const { caseId, processInstanceKey } = await file('物业合同纠纷', { receivedAt: '2026-09-28T02:00:00Z' });
    await confirmClass(caseId, processInstanceKey, { caseClass: 'complex', feedbackMode: 'phone' });
    // then the internal deadline skips the holiday (10-01..10-07) and ends with the adjusted workday 10-10
    const form = await openTask('Task_FormWorkingGroup', 'caseId', caseId, processInstanceKey);
    const vars = await variablesOf(processInstanceKey);
    expect(vars.slaDueAt).toBe('2026-10-10T16:00:00.000Z');
    expect(form).toMatchObject({ candidateGroups: ['cadre'], dueDate: '2026-10-10T16:00:00.000Z' });
    // when the cadre forms the group, then each member has a task of their own, all at once
    await complete(form, { members: ['member', 'cadre'] });
    const opinions = await until(async () => {
      const { items } = await c.searchUserTasks(
        { filter: { elementId: 'Task_MemberOpinion', state: 'CREATED', processInstanceKey: form.processInstanceKey } },
        now,
      );
      return items.length === 2 ? (items as Any[]) : undefined;
    });
    expect(opinions.map((t) => t.assignee).sort()).toEqual(['cadre', 'member']);
    // when the group is late (past the due date, then past the red date), the first responder and then the leader are told
    await pin(Date.parse(vars.slaDueAt) + HOUR);
    await waitForNotice(caseId, 'overdue-yellow');
    await pin(Date.parse(vars.slaRedAt) + HOUR);
    await waitForNotice(caseId, 'overdue-red');
    for (const task of opinions) await complete(task, { opinion: `${task.assignee}：建议调解` });
    await completeTask('Task_DraftSolution', caseId, { solution: '物业退还多收费用', resolved: true });
    // then the first responder phones the result, and the rating closes the case
    await completeTask('Task_FeedbackInPerson', caseId, { feedbackChannel: 'phone', feedbackGiven: true });
    await rate(caseId, 1, 'basically-satisfied');
    await closed(caseId, processInstanceKey);
    expect((await variablesOf(processInstanceKey)).opinions).toEqual(['member：建议调解', 'cadre：建议调解']);
  });

  it('when a difficult case is escalated, then the street office claims it from its queue, runs late, gives its opinion and the result is delivered by a visit', async () => {
    // given
    const { caseId, processInstanceKey } = await file('历史遗留问题');
    await confirmClass(caseId, processInstanceKey, { caseClass: 'difficult', feedbackMode: 'visit' });
    // when the street office is told and its queue holds the case
    await waitForNotice(caseId, 'escalated');
    const setUp = await openTask('Task_SetUpCaseTeam', 'caseId', caseId, processInstanceKey);
    expect(setUp).toMatchObject({ candidateGroups: ['street-office'] });
    expect(setUp.assignee).toBeUndefined();
    await c.assignUserTask({ userTaskKey: setUp.userTaskKey, assignee: 'street-office', allowOverride: false });
    await complete(setUp, { teamDepartments: ['housing', 'justice'] });
    // and the team is late
    const vars = await variablesOf(processInstanceKey);
    await pin(Date.parse(vars.slaDueAt) + HOUR);
    await waitForNotice(caseId, 'overdue-yellow');
    await pin(Date.parse(vars.slaRedAt) + HOUR);
    await waitForNotice(caseId, 'overdue-red');
    await completeTask('Task_TeamOpinion', caseId, { teamOpinion: '按原规划补办手续', resolved: true });
    // then the first responder hears of it and visits the petitioner
    await waitForNotice(caseId, 'team-opinion');
    await completeTask('Task_FeedbackInPerson', caseId, { feedbackChannel: 'visit', feedbackGiven: true });
    await rate(caseId, 1, 'satisfied');
    await closed(caseId, processInstanceKey);
  });

  it('when a simple case passes its 24 hours, then the first responder is warned (yellow), later the leader (red), and the task stays open', async () => {
    // given
    const t0 = T0;
    const { caseId, processInstanceKey } = await file('垃圾清运');
    await confirmClass(caseId, processInstanceKey, { caseClass: 'simple', feedbackMode: 'sms' });
    const coordinate = await openTask('Task_CoordinateUnit', 'caseId', caseId, processInstanceKey);
    const vars = await variablesOf(processInstanceKey);
    expect(Date.parse(vars.slaDueAt) - t0).toBe(24 * HOUR);
    // when
    await pin(t0 + DAY + 1000);
    await waitForNotice(caseId, 'overdue-yellow');
    expect((await notices(caseId)).filter((n) => n.template === 'overdue-red')).toEqual([]);
    await pin(Date.parse(vars.slaRedAt) + 1000);
    await waitForNotice(caseId, 'overdue-red');
    // then the task is still the first responder's
    expect((await c.getUserTask({ userTaskKey: coordinate.userTaskKey }, now)).state).toBe('CREATED');
    const [leader] = await db().query<{ id: string }>("SELECT id FROM app_user WHERE username = 'leader'");
    expect((await notices(caseId)).find((n) => n.template === 'overdue-red')?.recipient_user_id).toBe(leader.id);
    await complete(coordinate, { resolved: true });
    await rate(caseId, 1, 'satisfied');
    await closed(caseId, processInstanceKey);
  });

  it('when the petitioner does not rate within the window, then the first responder records the rating in a phone callback', async () => {
    // given
    const t0 = T0;
    const { caseId, processInstanceKey } = await file('环境卫生');
    await confirmClass(caseId, processInstanceKey, { caseClass: 'simple', feedbackMode: 'sms' });
    await completeTask('Task_CoordinateUnit', caseId, { resolved: true });
    await until(async () => (await variablesOf(processInstanceKey)).ratingWindow === 'P3D', 20000);
    // when three days pass
    await pin(t0 + 3 * DAY + HOUR);
    // then
    const callback = await openTask('Task_PhoneCallback', 'caseId', caseId, processInstanceKey);
    expect(callback.assignee).toBe('reception');
    await complete(callback, { rating: 'basically-satisfied', comment: '还算及时' });
    await closed(caseId, processInstanceKey);
    const ratings = await db().query<{ rating: string }>('SELECT rating FROM case_rating WHERE case_id = $1', [caseId]);
    expect(ratings).toEqual([{ rating: 'basically-satisfied' }]);
  });

  it('when the petitioner is dissatisfied once, then the secretary handles it again in round 2 and a satisfied rating closes it', async () => {
    // given
    const { caseId, processInstanceKey } = await file('邻里纠纷');
    await confirmClass(caseId, processInstanceKey, { caseClass: 'simple', feedbackMode: 'sms' });
    await completeTask('Task_CoordinateUnit', caseId, { resolved: false });
    // when
    await rate(caseId, 1, 'dissatisfied', '没人来看过');
    // then
    const second = await openTask('Task_SecondHandling', 'caseId', caseId, processInstanceKey);
    expect(second.candidateGroups).toContain('secretary');
    const [row] = await db().query<{ handling_round: number }>(
      'SELECT handling_round FROM petition_case WHERE id = $1',
      [caseId],
    );
    expect(row.handling_round).toBe(2);
    await complete(second, { secondHandlingResult: '重新调解，双方达成协议', resolved: true });
    await rate(caseId, 2, 'satisfied');
    await closed(caseId, processInstanceKey);
    const ratings = await db().query<{ round: number; rating: string }>(
      'SELECT round, rating FROM case_rating WHERE case_id = $1 ORDER BY round',
      [caseId],
    );
    expect(ratings).toEqual([
      { round: 1, rating: 'dissatisfied' },
      { round: 2, rating: 'satisfied' },
    ]);
  });

  it('when the petitioner is dissatisfied twice, then the street office takes it on the difficult deadline, both rounds run late, and the case closes with the review remedy', async () => {
    // given round 1 dissatisfied
    const { caseId, processInstanceKey } = await file('噪音扰民');
    await confirmClass(caseId, processInstanceKey, { caseClass: 'simple', feedbackMode: 'sms' });
    await completeTask('Task_CoordinateUnit', caseId, { resolved: false });
    await rate(caseId, 1, 'dissatisfied');
    // when the second handling runs late
    const second = await openTask('Task_SecondHandling', 'caseId', caseId, processInstanceKey);
    let vars = await variablesOf(processInstanceKey);
    await pin(Date.parse(vars.slaDueAt) + HOUR);
    await until(async () => (await notices(caseId)).filter((n) => n.template === 'overdue-yellow').length === 1, 20000);
    await pin(Date.parse(vars.slaRedAt) + HOUR);
    await until(async () => (await notices(caseId)).filter((n) => n.template === 'overdue-red').length === 1, 20000);
    await complete(second, { secondHandlingResult: '再次协调', resolved: false });
    await rate(caseId, 2, 'dissatisfied');
    // then it is escalated on the difficult class's deadline, and runs late there too
    const setUp = await openTask('Task_SetUpCaseTeam', 'caseId', caseId, processInstanceKey);
    vars = await variablesOf(processInstanceKey);
    await pin(Date.parse(vars.slaDueAt) + HOUR);
    await until(async () => (await notices(caseId)).filter((n) => n.template === 'overdue-yellow').length === 2, 20000);
    await pin(Date.parse(vars.slaRedAt) + HOUR);
    await until(async () => (await notices(caseId)).filter((n) => n.template === 'overdue-red').length === 2, 20000);
    await c.assignUserTask({ userTaskKey: setUp.userTaskKey, assignee: 'street-office', allowOverride: false });
    await complete(setUp, { teamDepartments: ['urban-management'] });
    await completeTask('Task_TeamOpinion', caseId, { teamOpinion: '施工时间调整为白天', resolved: true });
    await rate(caseId, 3, 'dissatisfied');
    // then after the third round the case closes; the petitioner's remedy is a review
    await closed(caseId, processInstanceKey);
    expect(await variablesOf(processInstanceKey)).toMatchObject({ closingReason: 'review-remedy', handlingRound: 3 });
  });

  it('when close-case finds the case not resolved, then it goes back to handling and is closed only once resolved (不解决不销号)', async () => {
    // given a satisfied rating on an unresolved case
    const { caseId, processInstanceKey } = await file('路面破损');
    await confirmClass(caseId, processInstanceKey, { caseClass: 'simple', feedbackMode: 'sms' });
    await completeTask('Task_CoordinateUnit', caseId, { resolved: false });
    await rate(caseId, 1, 'satisfied');
    // when close-case refuses, the case is handled again, and only that step is active (the rating steps are done)
    const again = await openTask('Task_CoordinateUnit', 'caseId', caseId, processInstanceKey);
    const active = (
      (await c.searchElementInstances({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items as Any[]
    ).map((e) => e.elementId);
    expect(active.sort()).toEqual(['Task_CoordinateUnit', 'petition-handling']);
    await complete(again, { handlingResult: '已修补', resolved: true });
    const [row] = await db().query<{ status: string }>('SELECT status FROM petition_case WHERE id = $1', [caseId]);
    expect(row.status).not.toBe('closed');
    await rate(caseId, 2, 'satisfied');
    // then
    await closed(caseId, processInstanceKey);
  });

  /** The open rating link of the case in its first responder's SMS outbox, once `count` rating notices are there. */
  async function linkInOutbox(staff: Session, caseId: string, count: number): Promise<string> {
    try {
      return await until(async () => {
        const { body } = await staff.call('GET', '/api/outbox');
        const items = (body.items as Any[]).filter((n) => n.case?.id === caseId && n.template === 'rating-link');
        if (items.length < count) return undefined;
        // Only one link of a case is open at a time; the stored text of the others says they are no longer valid.
        const open = items.map((n) => /\/rate\/([\w-]{16,64})/.exec(n.text as string)?.[1]).filter(Boolean);
        return open.length === 1 ? open[0] : undefined;
      }, 20000);
    } catch {
      throw new Error(`no rating link number ${count} in the outbox for case ${caseId}`);
    }
  }
  const rateByLink = (token: string, rating: string) =>
    fetch(`${h.server.url}/api/public/ratings/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rating }),
    });

  it('when close-case sends a case rated by link back (不解决不销号), then each rating link reaches the SMS outbox once and the second link rates the resolved case', async () => {
    // given an unresolved case whose petitioner rates it satisfied by the link from the outbox (SMS_PROVIDER=outbox)
    const reception = await new Session(h.server.url).signIn('reception');
    const { caseId, processInstanceKey } = await file('路面破损');
    await confirmClass(caseId, processInstanceKey, { caseClass: 'simple', feedbackMode: 'sms' });
    await completeTask('Task_CoordinateUnit', caseId, { resolved: false }, processInstanceKey);
    const first = await linkInOutbox(reception, caseId, 1);
    expect((await rateByLink(first, 'satisfied')).status).toBe(201);
    // when close-case refuses, and the case is handled again and resolved
    await completeTask('Task_CoordinateUnit', caseId, { handlingResult: '已修补', resolved: true }, processInstanceKey);
    // then the new link is in the outbox and rates (its rating is not taken for a repeat of the first)
    const second = await linkInOutbox(reception, caseId, 2);
    expect(second).not.toBe(first);
    const rated = await rateByLink(second, 'basically-satisfied');
    expect(rated.status).toBe(201);
    await closed(caseId, processInstanceKey);
    // and each link went out as one notice, stored without its token
    const rows = await db().query<{ job_key: string; channel: string; status: string; text: string }>(
      "SELECT job_key, channel, status, text FROM notification WHERE case_id = $1 AND template = 'rating-link'",
      [caseId],
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.job_key)).size).toBe(2);
    for (const row of rows) {
      expect(row).toMatchObject({ channel: 'sms', status: 'outbox' });
      expect(row.text).toContain('{ratingUrl}');
      expect(row.text).not.toContain(first);
      expect(row.text).not.toContain(second);
    }
    const ratings = await db().query('SELECT round, rating, source FROM case_rating WHERE case_id = $1', [caseId]);
    expect(ratings).toEqual([{ round: 1, rating: 'basically-satisfied', source: 'link' }]);
  });

  it('when a petition received on Monday gets its process only days later (engine away), then the 15 days run from the receipt, the 60 from the acceptance, and the SMS says accepted only once it is', async () => {
    // given a case received on Monday T0, saved while the engine was away, and the clock on Thursday
    await pin(T0 + 3 * DAY);
    const compoundId = await newCompound();
    const residentId = await newResident(compoundId);
    const [row] = await db().query<{ id: string }>(
      `INSERT INTO petition_case (case_no, channel, category, description, resident_id, compound_id, first_responder_id, received_at, created_at)
       VALUES ($1, 'phone', '停车管理', '反映问题', $2, $3, $4, $5, now() - interval '1 minute') RETURNING id`,
      [`XF-P-${randomUUID().slice(0, 8)}`, residentId, compoundId, receptionId, new Date(T0).toISOString()],
    );
    // when the case starter starts its process
    const pik = await until(async () => {
      const [c2] = await db().query<{ process_instance_key: string | null }>(
        'SELECT process_instance_key FROM petition_case WHERE id = $1',
        [row.id],
      );
      return c2.process_instance_key ?? undefined;
    }, 20000);
    // then the 15 days to decide count from Monday 2026-03-02 (not from Thursday), to 24:00 in Shanghai
    const decision = await openTask('Task_AcceptanceDecision', 'caseId', row.id, pik);
    expect(decision).toMatchObject({ assignee: 'reception', dueDate: '2026-03-17T16:00:00.000Z' });
    const vars = await variablesOf(pik);
    expect(vars.receivedAt).toBe(new Date(T0).toISOString());
    expect(vars.legalReplyDueAt).toBe('2026-03-17T16:00:00.000Z');
    expect(vars.legalDueAt).toBeUndefined();
    const [due] = await db().query<{ acceptance_due_at: Date; legal_due_at: Date | null }>(
      'SELECT acceptance_due_at, legal_due_at FROM petition_case WHERE id = $1',
      [row.id],
    );
    expect(due).toEqual({ acceptance_due_at: new Date('2026-03-17T16:00:00.000Z'), legal_due_at: null });
    // and the petitioner is told it is received and registered, and by when they hear whether it is accepted; nothing
    // tells them it is accepted before it is
    const receipt = await db().query<{ channel: string; text: string }>(
      "SELECT channel, text FROM notification WHERE case_id = $1 AND template = 'registered'",
      [row.id],
    );
    expect(receipt).toHaveLength(1);
    expect(receipt[0].channel).toBe('sms');
    // (24:00 of 17 March is the start of the 18th: "before the 18th")
    expect(receipt[0].text).toContain('已收到并登记');
    expect(receipt[0].text).toContain('我们将于2026年3月18日前告知您是否受理及办理方式');
    expect(receipt[0].text).not.toContain('已受理');
    expect((await notices(row.id)).map((n) => n.template)).not.toContain('acceptance');
    // when the first responder accepts it on Thursday
    await complete(decision, { acceptanceDecision: 'accepted' });
    await waitForNotice(row.id, 'acceptance');
    // then the 60 days run from the acceptance (Thursday 2026-03-05) to 24:00 of 4 May
    expect((await variablesOf(pik)).legalDueAt).toBe('2026-05-04T16:00:00.000Z');
    const [sms] = await db().query<{ channel: string; text: string }>(
      "SELECT channel, text FROM notification WHERE case_id = $1 AND template = 'acceptance'",
      [row.id],
    );
    expect(sms.channel).toBe('sms');
    // (24:00 of 4 May is the start of the 5th: "before the 5th")
    expect(sms.text).toContain('已受理，我们将于2026年5月5日前出具处理意见');
    await c.cancelProcessInstance({ processInstanceKey: pik });
  });

  it('when a petitioner gives a phone number but no name, then intake keeps it (未留姓名): the SMS goes to them and a later petition finds the same resident', async () => {
    // given
    const reception = await new Session(h.server.url).signIn('reception');
    const phone = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    // when
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '噪音扰民',
      description: '夜间施工',
      petitioner: { phone },
    });
    // then
    expect(filed.status).toBe(201);
    const [kept] = await db().query<{ name: string | null; phone_masked: string; resident_id: string }>(
      'SELECT r.name, r.phone_masked, c.resident_id FROM petition_case c JOIN resident r ON r.id = c.resident_id WHERE c.id = $1',
      [filed.body.id],
    );
    expect(kept).toMatchObject({ name: null, phone_masked: maskPhone(phone) });
    await waitForNotice(filed.body.id as string, 'registered');
    expect((await notices(filed.body.id as string)).find((n) => n.template === 'registered')?.channel).toBe('sms');
    const page = await reception.call('GET', `/api/cases/${filed.body.id}`);
    expect(page.body.petitioner).toEqual({ name: null, phone: maskPhone(phone) });
    // and the same number with a name later is the same resident, now named
    const again = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '噪音扰民',
      description: '又来反映',
      petitioner: { name: '钱多多', phone },
    });
    expect(again.status).toBe(201);
    const [same] = await db().query<{ resident_id: string; name: string }>(
      'SELECT c.resident_id, r.name FROM petition_case c JOIN resident r ON r.id = c.resident_id WHERE c.id = $1',
      [again.body.id],
    );
    expect(same).toEqual({ resident_id: kept.resident_id, name: '钱多多' });
    // and a petitioner with nothing given is refused with a message saying what to give
    const empty = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '噪音扰民',
      description: '夜间施工',
      petitioner: { name: ' ' },
    });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请填写信访人的姓名、手机号或身份证号中的至少一项');
    for (const id of [filed.body.id, again.body.id]) {
      const [{ process_instance_key: key }] = await db().query<{ process_instance_key: string }>(
        'SELECT process_instance_key FROM petition_case WHERE id = $1',
        [id],
      );
      await c.cancelProcessInstance({ processInstanceKey: key });
    }
  });

  it('when a difficult case classified on 2026-12-20 needs 2027, then admins see it waiting with the reason, and adding 2027 computes its deadline (2027-01-11)', async () => {
    // given a difficult case classified on Sunday 2026-12-20; the calendar holds 2026 only
    await pin('2026-12-20T02:00:00Z');
    const admin = await new Session(h.server.url).signIn('admin');
    const { caseId, caseNo, processInstanceKey } = await file('历史遗留问题', { receivedAt: '2026-12-20T02:00:00Z' });
    // when the first responder confirms the class
    await confirmClass(caseId, processInstanceKey, { caseClass: 'difficult', feedbackMode: 'visit' });
    // then the deadline job is an incident at once (no retry can help), and the case page says why
    await until(
      async () =>
        ((await c.searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items as Any[]).length ===
        1,
      20000,
    );
    const page = await admin.call('GET', `/api/cases/${caseId}`);
    expect(page.body.clocks.internal.waitsForCalendar).toMatchObject({
      year: 2027,
      reason: { zh: expect.stringContaining('2027年的节假日安排尚未录入') },
    });
    const waiting = await admin.call('GET', '/api/calendar/waiting');
    expect(waiting.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ case: { id: caseId, caseNo }, year: 2027, yearAdded: false })]),
    );
    // when an admin adds 2027 with New Year's Day as its only holiday near it
    const added = await admin.call('PUT', '/api/calendar/2027', {
      days: [{ day: '2027-01-01', isWorkday: false, name: '元旦' }],
    });
    // then the deadline is computed: 15 working days after 2026-12-20, skipping 2027-01-01, end on 2027-01-11
    expect(added.status).toBe(200);
    expect(added.body.waitingRetried).toBe(1);
    await openTask('Task_SetUpCaseTeam', 'caseId', caseId, processInstanceKey);
    expect((await variablesOf(processInstanceKey)).slaDueAt).toBe('2027-01-11T16:00:00.000Z');
    expect((await admin.call('GET', `/api/cases/${caseId}`)).body.clocks.internal).toMatchObject({
      dueAt: '2027-01-11T16:00:00.000Z',
      waitsForCalendar: null,
    });
    expect((await admin.call('GET', '/api/calendar/waiting')).body.items).toEqual([]);
    await c.cancelProcessInstance({ processInstanceKey });
  });

  // ------------------------------------------------------------------ screening: early warning and key persons

  it('when the third elevator complaint in one compound arrives within 30 days, then one joint handling runs to the petitioners being told', async () => {
    // given three residents of one compound complain of the elevator
    const compoundId = await newCompound();
    const cases = [];
    for (let i = 0; i < 3; i++) cases.push(await file('电梯故障', { compoundId }));
    // then one alert and one joint handling, with the leader alerted
    const alertId = await until(async () => {
      const rows = await db().query<{ id: string; process_instance_key: string | null }>(
        'SELECT a.id, a.process_instance_key FROM early_warning_alert a WHERE a.place_id = $1',
        [compoundId],
      );
      return rows.length === 1 && rows[0].process_instance_key ? rows[0].id : undefined;
    }, 20000);
    const [alert] = await db().query<{ process_instance_key: string }>(
      'SELECT process_instance_key FROM early_warning_alert WHERE id = $1',
      [alertId],
    );
    const pik = alert.process_instance_key;
    await until(
      async () => (await db().query("SELECT 1 FROM notification WHERE template = 'early-warning'")).length > 0,
      20000,
    );
    // when the three parties act, the leader sends it back once, they act again and the leader confirms
    const parties = ['Task_PropertyCompanyAction', 'Task_CommunityAction', 'Task_MaintenanceAction'];
    for (const id of parties) await complete(await openTask(id, 'alertId', alertId, pik));
    await complete(await openTask('Task_LeaderConfirm', 'alertId', alertId, pik), { confirmed: false });
    for (const id of parties) await complete(await openTask(id, 'alertId', alertId, pik));
    await complete(await openTask('Task_LeaderConfirm', 'alertId', alertId, pik), { confirmed: true });
    // then every petitioner of the alert is told
    await stateIs(pik, 'COMPLETED');
    for (const petition of cases) await waitForNotice(petition.caseId, 'joint-handling-result');
    for (const petition of cases) await c.cancelProcessInstance({ processInstanceKey: petition.processInstanceKey });
  });

  it('when a resident petitions a third time within a year, then they enter the registry and their care runs: team, visits on a timer, a conversion, and the exit', async () => {
    // given three petitions of one resident about different matters
    const compoundId = await newCompound();
    const residentId = await newResident(compoundId);
    const petitions = [];
    for (const category of ['物业服务', '停车管理', '绿化养护'])
      petitions.push(await file(category, { compoundId, residentId }));
    // then the registry holds them once, with their care process
    const person = await until(async () => {
      const rows = await db().query<{ id: string; process_instance_key: string | null }>(
        "SELECT id, process_instance_key FROM key_person WHERE resident_id = $1 AND status = 'active'",
        [residentId],
      );
      return rows[0]?.process_instance_key ? rows[0] : undefined;
    }, 20000);
    const pik = person.process_instance_key!;
    // when the team lead visits (the service team is assigned by the worker) without proposing a conversion
    const t0 = T0;
    const visit = await openTask('Task_CareVisit', 'personId', person.id, pik);
    expect(visit.assignee).toBe('cadre');
    await complete(visit, { visitDone: true, conversionProposed: false });
    // then the next visit comes after the interval, proposing a conversion this time
    await pin(t0 + 30 * DAY + HOUR);
    await complete(await openTask('Task_CareVisit', 'personId', person.id, pik), {
      visitDone: true,
      conversionProposed: true,
    });
    await complete(await openTask('Task_ConfirmConversion', 'personId', person.id, pik), {
      conversionRole: 'volunteer',
      conversionConsent: true,
    });
    await until(
      async () =>
        (await db().query("SELECT 1 FROM key_person WHERE id = $1 AND conversion_role = 'volunteer'", [person.id]))
          .length > 0,
      20000,
    );
    // when they leave the registry while the next visit is awaited
    await until(
      async () =>
        (
          (
            await c.searchElementInstances(
              { filter: { processInstanceKey: pik, elementId: 'Gateway_AwaitNextVisit', state: 'ACTIVE' } },
              now,
            )
          ).items as Any[]
        ).length > 0,
      20000,
    );
    await c.publishMessage({ name: MESSAGES.keyPersonExited, correlationKey: person.id });
    await stateIs(pik, 'COMPLETED');
    for (const petition of petitions)
      await c.cancelProcessInstance({ processInstanceKey: petition.processInstanceKey });
  });

  it('when a key person leaves during a visit or while a conversion is being confirmed, then the open task is cancelled and the care ends', async () => {
    for (const during of ['visit', 'conversion'] as const) {
      // given a person entered by staff, with their care running
      const residentId = await newResident(await newCompound());
      const [person] = await db().query<{ id: string }>(
        "INSERT INTO key_person (resident_id, reason) VALUES ($1, 'higher-level-visit') RETURNING id",
        [residentId],
      );
      const { processInstanceKey: pik } = await c.createProcessInstance({
        processDefinitionId: PROCESS_IDS.keyPersonCare,
        variables: { personId: person.id },
      });
      const visit = await openTask('Task_CareVisit', 'personId', person.id, String(pik));
      let open = visit;
      if (during === 'conversion') {
        await complete(visit, { visitDone: true, conversionProposed: true });
        open = await openTask('Task_ConfirmConversion', 'personId', person.id, String(pik));
      }
      // when
      await c.publishMessage({ name: MESSAGES.keyPersonExited, correlationKey: person.id });
      // then
      await stateIs(String(pik), 'COMPLETED');
      expect((await c.getUserTask({ userTaskKey: open.userTaskKey }, now)).state).toBe('CANCELED');
    }
  });

  // ------------------------------------------------------------------ the law's procedures (信访工作条例)

  const caseRow = async (caseId: string) =>
    (
      await db().query<Record<string, Any>>(
        `SELECT status, acceptance_decision, accepted_at, acceptance_due_at, legal_due_at, return_due_at, case_class,
                extension_days, extension_reason, extended_at, withdrawn_at, withdrawal_reason
         FROM petition_case WHERE id = $1`,
        [caseId],
      )
    )[0];
  const timeline = async (caseId: string) =>
    db().query<{ kind: string; detail: Any; actor: string }>(
      'SELECT kind, detail, actor FROM case_event WHERE case_id = $1 ORDER BY created_at, id',
      [caseId],
    );
  const kinds = async (caseId: string) => (await timeline(caseId)).map((e) => e.kind);
  const textOf = async (caseId: string, template: string) => {
    await waitForNotice(caseId, template);
    const [row] = await db().query<{ text: string; channel: string }>(
      'SELECT text, channel FROM notification WHERE case_id = $1 AND template = $2',
      [caseId, template],
    );
    return row;
  };
  const noTask = async (elementId: string, pik: string) =>
    until(
      async () =>
        (
          (await c.searchUserTasks({ filter: { processInstanceKey: pik, elementId, state: 'CREATED' } }, now))
            .items as Any[]
        ).length === 0,
      20000,
    );

  it('when the first responder accepts within the 15 days, then the acceptance SMS goes out only then and the 60 days run from the acceptance (Art 22–23, 34)', async () => {
    // given a petition received on Monday 2026-03-02
    const { caseId, processInstanceKey } = await file('物业服务');
    const decision = await openTask('Task_AcceptanceDecision', 'caseId', caseId, processInstanceKey);
    expect(decision).toMatchObject({ assignee: 'reception', dueDate: '2026-03-17T16:00:00.000Z' });
    expect((await caseRow(caseId)).acceptance_decision).toBeNull();
    await waitForNotice(caseId, 'registered');
    expect((await notices(caseId)).map((n) => n.template)).not.toContain('acceptance');
    // when it is accepted on Tuesday 2026-03-10, within the 15 days
    await pin('2026-03-10T02:00:00Z');
    await complete(decision, { acceptanceDecision: 'accepted' });
    // then the petitioner is told in writing, with the date of the opinion: 60 days from the acceptance
    const sms = await textOf(caseId, 'acceptance');
    expect(sms).toMatchObject({
      channel: 'sms',
      text: expect.stringContaining('已受理，我们将于2026年5月10日前出具处理意见'),
    });
    await openTask('Task_ConfirmCaseClass', 'caseId', caseId, processInstanceKey);
    expect(await caseRow(caseId)).toMatchObject({
      status: 'registered',
      acceptance_decision: 'accepted',
      accepted_at: new Date('2026-03-10T02:00:00Z'),
      legal_due_at: new Date('2026-05-09T16:00:00.000Z'),
    });
    expect(await kinds(caseId)).toContain('accepted');
    await c.cancelProcessInstance({ processInstanceKey });
  });

  it('when a petition is not accepted, or passed on to the authority that may handle it, then the case ends with its reason recorded and the petitioner is told in writing', async () => {
    // given two petitions
    const refused = await file('劳动争议');
    const passed = await file('社保待遇');
    // when the first responder does not accept the one and passes the other on
    await decideAcceptance(refused.caseId, refused.processInstanceKey, {
      acceptanceDecision: 'not-accepted',
      acceptanceReason: '已进入劳动仲裁程序，应依法定途径解决。',
    });
    await decideAcceptance(passed.caseId, passed.processInstanceKey, {
      acceptanceDecision: 'passed-on',
      passedOnTo: '区人力资源和社会保障局',
      acceptanceReason: '属社保经办机构职责',
    });
    // then each process ends, no acceptance is announced, and each petitioner gets the written notice
    await stateIs(refused.processInstanceKey, 'COMPLETED');
    await stateIs(passed.processInstanceKey, 'COMPLETED');
    expect((await textOf(refused.caseId, 'not-accepted')).text).toContain(
      '经审查不予受理。理由：已进入劳动仲裁程序，应依法定途径解决。',
    );
    expect((await textOf(passed.caseId, 'passed-on')).text).toContain('已转送区人力资源和社会保障局处理');
    for (const id of [refused.caseId, passed.caseId])
      expect((await notices(id)).map((n) => n.template)).not.toContain('acceptance');
    // and the case records why
    expect(await caseRow(refused.caseId)).toMatchObject({
      status: 'not-accepted',
      acceptance_decision: 'not-accepted',
    });
    expect(await caseRow(passed.caseId)).toMatchObject({ status: 'not-accepted', acceptance_decision: 'passed-on' });
    expect((await timeline(refused.caseId)).find((e) => e.kind === 'not-accepted')).toMatchObject({
      actor: 'reception',
      detail: { reason: '已进入劳动仲裁程序，应依法定途径解决。' },
    });
    expect((await timeline(passed.caseId)).find((e) => e.kind === 'passed-on')?.detail).toMatchObject({
      authority: '区人力资源和社会保障局',
    });
    // and nothing more can be done to them
    const reception = await new Session(h.server.url).signIn('reception');
    const late = await reception.call('POST', `/api/cases/${refused.caseId}/withdraw`, { reason: '不再反映' });
    expect(late.status).toBe(409);
    expect(late.text).toContain('未予受理');
  });

  it('when the unit handling objects within 5 working days, then the case goes back to the first responder to route again; an objection after 5 working days is refused (Art 23)', async () => {
    // given a simple case routed on Monday 2026-03-02
    const reception = await new Session(h.server.url).signIn('reception');
    const cadre = await new Session(h.server.url).signIn('cadre');
    const { caseId, processInstanceKey: pik } = await file('违章搭建');
    await confirmClass(caseId, pik, { caseClass: 'simple', feedbackMode: 'sms' });
    const coordinate = await openTask('Task_CoordinateUnit', 'caseId', caseId, pik);
    expect((await caseRow(caseId)).return_due_at).toEqual(new Date('2026-03-09T16:00:00.000Z'));
    // when the unit objects on Friday, within its 5 working days
    await pin('2026-03-06T02:00:00Z');
    const back = await reception.call('POST', `/api/cases/${caseId}/return`, { reasons: '属城管执法职责，非本单位' });
    expect(back.status).toBe(202);
    // then the task ends and the first responder routes the case again
    const again = await openTask('Task_ConfirmCaseClass', 'caseId', caseId, pik);
    expect(again.assignee).toBe('reception');
    expect((await c.getUserTask({ userTaskKey: coordinate.userTaskKey }, now)).state).toBe('CANCELED');
    expect(await caseRow(caseId)).toMatchObject({ status: 'registered', case_class: null, return_due_at: null });
    expect((await timeline(caseId)).find((e) => e.kind === 'returned')).toMatchObject({
      actor: 'reception',
      detail: { reasons: '属城管执法职责，非本单位', caseClass: 'simple' },
    });
    // when it is routed to a 1+X group, which objects too, on the next Monday
    await complete(again, { caseClass: 'complex', feedbackMode: 'phone', isKeyMatter: false });
    const form = await openTask('Task_FormWorkingGroup', 'caseId', caseId, pik);
    expect((await caseRow(caseId)).return_due_at).toEqual(new Date('2026-03-13T16:00:00.000Z'));
    await pin('2026-03-09T02:00:00Z');
    expect((await cadre.call('POST', `/api/cases/${caseId}/return`, { reasons: '涉及区住建委审批' })).status).toBe(202);
    // then the group's process ends and the case is back with the first responder
    await stateIs(String(form.processInstanceKey), 'TERMINATED');
    const third = await openTask('Task_ConfirmCaseClass', 'caseId', caseId, pik);
    expect((await kinds(caseId)).filter((k) => k === 'returned')).toHaveLength(2);
    // when it is routed again and the unit objects only after its 5 working days (to Monday 2026-03-16)
    await complete(third, { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: false });
    const last = await openTask('Task_CoordinateUnit', 'caseId', caseId, pik);
    await pin('2026-03-17T02:00:00Z');
    const late = await reception.call('POST', `/api/cases/${caseId}/return`, { reasons: '仍认为不属本单位' });
    // then it is refused, saying why, and nothing changes
    expect(late.status).toBe(409);
    expect(late.text).toContain('已超过交办之日起5个工作日的异议期限（2026年3月16日24时止），不能退回');
    expect((await c.getUserTask({ userTaskKey: last.userTaskKey }, now)).state).toBe('CREATED');
    expect((await kinds(caseId)).filter((k) => k === 'returned')).toHaveLength(2);
    expect((await caseRow(caseId)).status).toBe('handling');
    await c.cancelProcessInstance({ processInstanceKey: pik });
  });

  it('when the legal limit is extended as the leader approves, then the legal due date moves by the days granted, the petitioner is told, and a second extension is refused (Art 34)', async () => {
    // given a complex case accepted on Monday 2026-03-02: its opinion is due at 24:00 on 1 May
    const cadre = await new Session(h.server.url).signIn('cadre');
    const leader = await new Session(h.server.url).signIn('leader');
    const { caseId, processInstanceKey: pik } = await file('物业合同纠纷');
    await confirmClass(caseId, pik, { caseClass: 'complex', feedbackMode: 'phone' });
    await openTask('Task_FormWorkingGroup', 'caseId', caseId, pik);
    expect((await caseRow(caseId)).legal_due_at).toEqual(new Date('2026-05-01T16:00:00.000Z'));
    // when an extension of 10 days is asked for and the leader refuses it
    const ask = (days: number, reasons: string) =>
      cadre.call('POST', `/api/cases/${caseId}/extension`, { days, reasons });
    expect((await ask(10, '等待鉴定结论')).status).toBe(202);
    const first = await openTask('Task_ApproveExtension', 'caseId', caseId, pik);
    expect(first.candidateGroups).toEqual(['leader']);
    expect((await ask(5, '重复申请')).status).toBe(409);
    await pin('2026-03-03T02:00:00Z');
    await complete(first, { extensionApproved: false, extensionDecisionNote: '请按期办结' });
    await until(async () => (await kinds(caseId)).includes('extension-refused'), 20000);
    expect((await caseRow(caseId)).extension_days).toBeNull();
    // and then 20 days are asked for and granted
    await pin('2026-04-20T02:00:00Z');
    expect((await ask(20, '需现场勘验并听证')).status).toBe(202);
    const second = await openTask('Task_ApproveExtension', 'caseId', caseId, pik);
    await pin('2026-04-21T02:00:00Z');
    await complete(second, { extensionApproved: true, extensionGrantedDays: 20, extensionDecisionNote: '同意' });
    // then the legal due date moves by 20 days, in the process, on the case and on its page
    await until(async () => (await caseRow(caseId)).extension_days === 20, 20000);
    expect(await caseRow(caseId)).toMatchObject({
      legal_due_at: new Date('2026-05-21T16:00:00.000Z'),
      extension_reason: '需现场勘验并听证',
      extended_at: new Date('2026-04-21T02:00:00Z'),
    });
    expect((await variablesOf(pik)).legalDueAt).toBe('2026-05-21T16:00:00.000Z');
    expect((await leader.call('GET', `/api/cases/${caseId}`)).body.clocks.legal.dueAt).toBe('2026-05-21T16:00:00.000Z');
    // and the petitioner is told, with the reason and the new date
    expect((await textOf(caseId, 'extension-granted')).text).toBe(
      `您的信访事项（编号 ${(await db().query<{ case_no: string }>('SELECT case_no FROM petition_case WHERE id = $1', [caseId]))[0].case_no}）因需现场勘验并听证，办理期限延长20日，我们将于2026年5月22日前出具处理意见。`,
    );
    expect((await kinds(caseId)).filter((k) => k.startsWith('extension-'))).toEqual([
      'extension-requested',
      'extension-refused',
      'extension-requested',
      'extension-granted',
    ]);
    // when a second extension is asked for, then it is refused and nothing changes
    const again = await ask(10, '再次延期');
    expect(again.status).toBe(409);
    expect(again.text).toContain('已延期一次（20日），不能再次延期');
    await noTask('Task_ApproveExtension', pik);
    await c.cancelProcessInstance({ processInstanceKey: pik });
  });

  it('when the petitioner withdraws mid-1+X, then every open task, timer and called process of the case ends and the case records why', async () => {
    // given a complex case whose 1+X members are giving opinions, with an extension awaiting the leader
    const reception = await new Session(h.server.url).signIn('reception');
    const { caseId, processInstanceKey: pik } = await file('公共区域改造');
    await confirmClass(caseId, pik, { caseClass: 'complex', feedbackMode: 'phone' });
    const form = await openTask('Task_FormWorkingGroup', 'caseId', caseId, pik);
    await complete(form, { members: ['member', 'cadre'] });
    const group = String(form.processInstanceKey);
    const opinions = await until(async () => {
      const { items } = await c.searchUserTasks(
        { filter: { elementId: 'Task_MemberOpinion', state: 'CREATED', processInstanceKey: group } },
        now,
      );
      return items.length === 2 ? (items as Any[]) : undefined;
    });
    expect(
      (await reception.call('POST', `/api/cases/${caseId}/extension`, { days: 15, reasons: '意见分歧' })).status,
    ).toBe(202);
    const approval = await openTask('Task_ApproveExtension', 'caseId', caseId, pik);
    // when the petitioner withdraws, entered by the receptionist
    await pin('2026-03-04T06:00:00Z');
    const withdrawn = await reception.call('POST', `/api/cases/${caseId}/withdraw`, { reason: '已与物业自行协商解决' });
    expect(withdrawn.status).toBe(202);
    // then the case's process ends, its called 1+X process is terminated, and no task or timer is left
    await stateIs(pik, 'COMPLETED');
    await stateIs(group, 'TERMINATED');
    for (const task of [...opinions, approval])
      expect((await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).state).toBe('CANCELED');
    for (const key of [pik, group]) {
      const { items } = await c.searchElementInstances({ filter: { processInstanceKey: key, state: 'ACTIVE' } }, now);
      expect(items).toEqual([]);
    }
    // and the case records why, on its row and its timeline
    expect(await caseRow(caseId)).toMatchObject({
      status: 'withdrawn',
      withdrawn_at: new Date('2026-03-04T06:00:00Z'),
      withdrawal_reason: '已与物业自行协商解决',
    });
    expect((await timeline(caseId)).find((e) => e.kind === 'withdrawn')).toMatchObject({
      actor: 'reception',
      detail: { reason: '已与物业自行协商解决' },
    });
    // and a second withdrawal is refused
    const twice = await reception.call('POST', `/api/cases/${caseId}/withdraw`, { reason: '再次撤回' });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('已撤回');
  });

  // ------------------------------------------------------------------ petition-review

  it('when a review and then a re-review run past their 30 days, then the leader is warned, and each opinion still reaches the petitioner', async () => {
    // given a closed case (its written opinion given) of a petitioner with a phone
    const compoundId = await newCompound();
    const residentId = await newResident(compoundId);
    const [petition] = await db().query<{ id: string; case_no: string }>(
      `INSERT INTO petition_case (case_no, channel, category, description, resident_id, compound_id, first_responder_id, received_at, status, closed_at)
       VALUES ($1, 'walk-in', '物业服务', '反映问题', $2, $3, $4, $5, 'closed', $5) RETURNING id, case_no`,
      [`XF-P-${randomUUID().slice(0, 8)}`, residentId, compoundId, receptionId, new Date(T0).toISOString()],
    );
    for (const [kind, elementId, group] of [
      ['review', 'Task_ReviewOpinion', 'street-office'],
      ['re-review', 'Task_ReReviewOpinion', 'leader'],
    ] as const) {
      // and the request, as api/reviews.ts enters it: its row, then its process with the 30-day due date
      const reviewDueAt = new Date(pinnedAt + 30 * DAY).toISOString();
      const [review] = await db().query<{ id: string }>(
        `INSERT INTO case_review (case_id, kind, reasons, requested_at, opinion_received_at, due_at)
         VALUES ($1, $2, '不服处理意见', $3, $4, $5) RETURNING id`,
        [
          petition.id,
          kind,
          new Date(pinnedAt).toISOString(),
          new Date(pinnedAt).toISOString().slice(0, 10),
          reviewDueAt,
        ],
      );
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: PROCESS_IDS.petitionReview,
        variables: {
          caseId: petition.id,
          caseNo: petition.case_no,
          kind,
          firstResponder: 'reception',
          reviewId: review.id,
          reviewDueAt,
        },
      });
      const pik = String(processInstanceKey);
      await waitForNotice(petition.id, 'review-requested');
      const task = await openTask(elementId, 'reviewId', review.id, pik);
      expect(task.candidateGroups).toEqual([group]);
      expect(Date.parse(task.dueDate)).toBe(Date.parse(reviewDueAt));
      // when its 30 days pass unanswered
      await pin(pinnedAt + 31 * DAY);
      // then the leader is warned, and the task stays open
      await until(
        async () =>
          (await notices(petition.id)).filter((n) => n.template === 'review-overdue').length ===
          (kind === 'review' ? 1 : 2),
        20000,
      );
      // when it is answered late
      await complete(task, { reviewOutcome: kind === 'review' ? 'upheld' : 'revised', reviewOpinion: '书面意见' });
      // then the opinion is recorded and reaches the petitioner, and the first responder is told
      await stateIs(pik, 'COMPLETED');
      const [answered] = await db().query<{ outcome: string; answered_at: Date | null }>(
        'SELECT outcome, answered_at FROM case_review WHERE id = $1',
        [review.id],
      );
      expect(answered.outcome).toBe(kind === 'review' ? 'upheld' : 'revised');
      expect(answered.answered_at).not.toBeNull();
    }
    const sent = await notices(petition.id);
    expect(sent.filter((n) => n.template === 'review-opinion').map((n) => n.channel)).toEqual(['sms', 'sms']);
    expect(sent.filter((n) => n.template === 'review-answered')).toHaveLength(2);
  });

  // ------------------------------------------------------------------ coverage

  it('when every path has run, then every flow node and sequence flow of every model was reached', async () => {
    const models: ProcessModel[] = [];
    for (const f of readdirSync(BPMN_DIR)
      .filter((x) => x.endsWith('.bpmn'))
      .sort())
      models.push(...(await parseBpmn(f, readFileSync(join(BPMN_DIR, f), 'utf8'))));
    const lines: string[] = ['flow-node and sequence-flow coverage (real workers):'];
    const missing: string[] = [];
    for (const model of models) {
      const nodes = new Set(model.elements.keys());
      const flows = new Set(model.flows.keys());
      const reachedNodes = new Set<string>();
      const reachedFlows = new Set<string>();
      const { items: instances } = await c.searchProcessInstances(
        { filter: { processDefinitionId: model.processId }, page: { limit: 1000 } },
        now,
      );
      for (const instance of instances as Any[]) {
        const { items } = await c.searchElementInstances(
          { filter: { processInstanceKey: instance.processInstanceKey }, page: { limit: 1000 } },
          now,
        );
        for (const e of items as Any[]) reachedNodes.add(e.elementId);
        const taken = await c.getProcessInstanceSequenceFlows({ processInstanceKey: instance.processInstanceKey }, now);
        for (const f of taken.items as Any[]) reachedFlows.add(f.sequenceFlowId);
      }
      const nodesHit = [...nodes].filter((id) => reachedNodes.has(id));
      const flowsHit = [...flows].filter((id) => reachedFlows.has(id));
      lines.push(
        `  ${model.processId.padEnd(30)} flow nodes ${nodesHit.length}/${nodes.size}  sequence flows ${flowsHit.length}/${flows.size}  (${instances.length} instances)`,
      );
      for (const id of [...nodes, ...flows])
        if (!reachedNodes.has(id) && !reachedFlows.has(id)) missing.push(`${model.processId}#${id}`);
    }
    process.stdout.write(`\n${lines.join('\n')}\n${missing.length ? `  not reached: ${missing.join(', ')}\n` : ''}\n`);
    expect(missing).toEqual([]);
  });
});
