/**
 * Review (复查, Art 35) and re-review (复核, Art 36) as processes of their own, with the real workers and the API, on a
 * clock pinned to real 2026 dates: reception enters the petitioner's request from the case (on day 29 after the
 * written opinion it is taken, on day 31 refused with the dates); the street office answers the review in its queue,
 * the 30-day clock warns the leader when it runs out, the petitioner gets the opinion by SMS; then the re-review, which
 * the leader answers; after it the case is final, and a new petition on the same request is linked as final, not
 * handled again. The case page shows the procedure, the legal clocks and what the petitioner was told; the dashboard and
 * the annual report count the reviews.
 */
import { randomUUID } from 'node:crypto';
import { maskPhone, piiCipher } from '../../../platform/pii';
import { startEngine, until, type Any, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

const SHANGHAI_9AM = (day: string) => Date.parse(`${day}T01:00:00Z`);

describe('review and re-review of a case, with the real workers', () => {
  let h: EngineHarness;
  let reception: Session;
  let streetOffice: Session;
  let leader: Session;
  const now = { consistency: { waitUpToMs: 0 } };
  const db = () => h.server.database.db;
  const pin = (day: string, at = SHANGHAI_9AM(day)) => h.client.pinClock({ timestamp: at });

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    reception = await new Session(h.server.url).signIn('reception');
    streetOffice = await new Session(h.server.url).signIn('street-office');
    leader = await new Session(h.server.url).signIn('leader');
  });
  afterAll(() => h.stop());

  const notices = (caseId: string) =>
    db().query<{ template: string; recipient_role: string; channel: string; text: string }>(
      'SELECT template, recipient_role, channel, text FROM notification WHERE case_id = $1 ORDER BY created_at, template',
      [caseId],
    );
  const waitForNotice = (caseId: string, template: string) =>
    until(async () => (await notices(caseId)).find((n) => n.template === template), 20000).catch(() => {
      throw new Error(`no ${template} notice for case ${caseId}`);
    });

  /** A closed case of a resident with a phone, as if its handling opinion was given on `closedDay`. */
  async function closedCase(phone: string, closedDay: string): Promise<{ id: string; caseNo: string }> {
    const cipher = piiCipher(h.server.secrets.piiKey);
    const [resident] = await db().query<{ id: string }>(
      `INSERT INTO resident (name, phone_enc, phone_hash, phone_masked) VALUES ('孙丽', $1, $2, $3) RETURNING id`,
      [cipher.encrypt(phone), cipher.lookupHash(phone), maskPhone(phone)],
    );
    const [{ id: receptionId }] = await db().query<{ id: string }>(
      "SELECT id FROM app_user WHERE username = 'reception'",
    );
    const caseNo = `XF-R-${randomUUID().slice(0, 8)}`;
    const [row] = await db().query<{ id: string }>(
      `INSERT INTO petition_case (case_no, channel, category, category_code, description, resident_id, first_responder_id,
         received_at, legal_due_at, status, closed_at, case_class)
       VALUES ($1, 'walk-in', '物业服务', 'property.service', '物业费争议', $2, $3, $4, $5, 'closed', $6, 'complex') RETURNING id`,
      [
        caseNo,
        resident.id,
        receptionId,
        new Date(SHANGHAI_9AM('2026-01-05')).toISOString(),
        '2026-03-06T16:00:00.000Z',
        new Date(SHANGHAI_9AM(closedDay)).toISOString(),
      ],
    );
    return { id: row.id, caseNo };
  }

  /** The street office's (or the leader's) task of the case in its queue: claimed and completed through the API. */
  async function answer(who: Session, caseNo: string, elementId: string, variables: Json): Promise<Json> {
    const task = await until(async () => {
      const { body } = await who.call('GET', '/api/tasks?view=queue');
      return (body.items as Json[] | undefined)?.find((t) => t.elementId === elementId && t.case?.caseNo === caseNo);
    }, 20000);
    expect((await who.call('POST', `/api/tasks/${task.userTaskKey}/claim`)).status).toBeLessThan(300);
    const done = await who.call('POST', `/api/tasks/${task.userTaskKey}/complete`, { variables });
    expect(done.status).toBeLessThan(300);
    return task;
  }

  const page = async (caseId: string) => (await reception.call('GET', `/api/cases/${caseId}`)).body;
  const clockOf = (p: Json, name: string) => (p.legalClocks as Json[]).find((k) => k.name === name)!;

  it('when a review is asked for on day 31 it is refused, on day 29 it runs its 30 days, then a re-review; after it a new petition on the same request is linked as final', async () => {
    // given a case whose written opinion the petitioner received on Monday 2026-03-02
    const phone = `138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const c = await closedCase(phone, '2026-03-02');
    const request = { reasons: '对物业费处理意见不服，认为计费依据有误', receivedOpinionAt: '2026-03-02' };

    // when reception enters the request on day 31 (2026-04-02)
    await pin('2026-04-02');
    const late = await reception.call('POST', `/api/cases/${c.id}/review`, request);
    // then it is refused, saying why, and nothing is stored
    expect(late.status).toBe(422);
    expect(late.body.detail).toContain('30日内');
    expect(late.body.detail).toContain('2026-04-01');
    expect(late.body.detail).toContain('第31日');
    expect((await page(c.id)).reviews).toEqual([]);

    // when it is entered on day 29 (2026-03-31)
    await pin('2026-03-31');
    const asked = await reception.call('POST', `/api/cases/${c.id}/review`, request);
    expect(asked.status).toBe(201);
    // then the case is under review, its clock runs 30 calendar days to the end of 2026-04-30 (Shanghai)
    expect(asked.body.procedure).toBe('review');
    expect(clockOf(asked.body, 'review')).toMatchObject({ dueAt: '2026-04-30T16:00:00.000Z', state: 'running' });
    // and the petitioner is told, with the date
    const received = await waitForNotice(c.id, 'review-requested');
    expect(received).toMatchObject({ recipient_role: 'petitioner', channel: 'sms' });
    expect(received.text).toContain('复查申请已收到');
    expect(received.text).toContain('2026年5月1日前'); // before 24:00 of 2026-04-30, as the acceptance notice words it
    // and a second review of the case is refused, as is a re-review before the review's answer
    const again = await reception.call('POST', `/api/cases/${c.id}/review`, request);
    expect(again.status).toBe(409);
    const early = await reception.call('POST', `/api/cases/${c.id}/review`, { ...request, kind: 're-review' });
    expect(early.status).toBe(409);

    // when the 30 days pass with no answer
    await pin('2026-05-01', Date.parse('2026-04-30T16:00:30Z'));
    // then the leader is warned, and the case page shows the review clock overdue
    const overdue = await waitForNotice(c.id, 'review-overdue');
    expect(overdue.recipient_role).toBe('leader');
    expect(clockOf(await page(c.id), 'review').state).toBe('overdue');

    // when the street office answers from its queue
    await answer(streetOffice, c.caseNo, 'Task_ReviewOpinion', {
      reviewOutcome: 'upheld',
      reviewOpinion: '经复查，原处理意见认定事实清楚，予以维持。',
    });
    // then the opinion goes to the petitioner, the first responder is told, and the clock shows it answered late
    const opinion = await waitForNotice(c.id, 'review-opinion');
    expect(opinion.text).toContain('维持原处理意见');
    expect(opinion.text).toContain('30日内请求复核');
    await waitForNotice(c.id, 'review-answered');
    const reviewed = await page(c.id);
    expect(reviewed.procedure).toBe('review-answered');
    expect(clockOf(reviewed, 'review').state).toBe('missed');
    expect(reviewed.reviews[0]).toMatchObject({ kind: 'review', outcome: 'upheld', reasons: request.reasons });

    // when the petitioner, having received the review opinion on 2026-05-01, asks for a re-review on 2026-05-06
    await pin('2026-05-06');
    const reAsked = await reception.call('POST', `/api/cases/${c.id}/review`, {
      kind: 're-review',
      reasons: '对复查意见仍不服',
      receivedOpinionAt: '2026-05-01',
    });
    expect(reAsked.status).toBe(201);
    expect(clockOf(reAsked.body, 're-review')).toMatchObject({ dueAt: '2026-06-05T16:00:00.000Z', state: 'running' });
    // then the leader answers it within its 30 days
    await pin('2026-05-20');
    await answer(leader, c.caseNo, 'Task_ReReviewOpinion', {
      reviewOutcome: 'revised',
      reviewOpinion: '经复核，变更原处理意见，由物业公司重新核算物业费。',
    });
    const final = await until(async () => {
      const p = await page(c.id);
      return p.procedure === 'final' && p;
    }, 20000);
    expect(clockOf(final, 're-review').state).toBe('met');
    // and the re-review opinion reaches the petitioner, saying it is final, and the first responder is told
    const opinions = await until(async () => {
      const sent = await notices(c.id);
      return sent.filter((n) => n.template === 'review-answered').length === 2 && sent;
    }, 20000);
    expect(opinions.filter((n) => n.template === 'review-opinion').map((n) => n.text)).toEqual([
      opinion.text,
      expect.stringContaining('复核意见为终局意见'),
    ]);
    // and the case page lists what the petitioner was told, in order
    expect(((await page(c.id)).notices as Json[]).map((n) => n.template)).toEqual([
      'review-requested',
      'review-opinion',
      'review-requested',
      'review-opinion',
    ]);
    // and no further review is taken
    expect((await reception.call('POST', `/api/cases/${c.id}/review`, { ...request, kind: 're-review' })).status).toBe(
      409,
    );

    // when the same petitioner petitions again on the same request
    const dupes = await reception.call('POST', '/api/cases/duplicates', { phone, category: '物业服务' });
    expect((dupes.body.items as Json[]).find((d) => d.id === c.id)).toMatchObject({ final: true });
    const repeat = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '物业服务',
      description: '物业费问题再次反映',
      petitioner: { phone },
      duplicateOf: c.id,
    });
    // then it is registered, linked to the final case as final, and not handled again
    expect(repeat.status).toBe(201);
    expect(repeat.body.linkedTo).toMatchObject({ id: c.id, caseNo: c.caseNo, final: true });
    const repeatPage = await page(repeat.body.id);
    expect(repeatPage).toMatchObject({
      status: 'closed',
      procedure: 'final-repeat',
      finalOf: { id: c.id, caseNo: c.caseNo },
    });
    expect(repeatPage.process.instanceKey).toBeNull();
    expect((await page(c.id)).finalRepeats).toEqual([{ id: repeat.body.id, caseNo: repeat.body.caseNo }]);

    // and the dashboard and the annual report count the review and the re-review
    const board = await leader.call('GET', '/api/dashboard?from=2026-01-01&to=2027-01-01');
    expect(board.body.procedures.reviews).toMatchObject({ requested: 1, answered: 1, upheld: 1, late: 1 });
    expect(board.body.procedures.reReviews).toMatchObject({ requested: 1, answered: 1, revised: 1, late: 0 });
    const annual = await leader.call('GET', '/api/reports/annual?year=2026');
    expect(annual.body.procedures.reReviews.answered).toBe(1);
  });

  it('when a review is asked for a case with no written opinion yet, then it is refused', async () => {
    // given an open case
    await pin('2026-03-02');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '路灯维修',
      description: '路灯不亮',
    });
    const reviews = async () =>
      (
        (await h.client.searchProcessInstances({ filter: { processDefinitionId: 'petition-review' } }, now))
          .items as Any[]
      ).length;
    const before = await reviews();
    // when
    const asked = await reception.call('POST', `/api/cases/${filed.body.id}/review`, {
      reasons: '不服',
      receivedOpinionAt: '2026-03-02',
    });
    // then
    expect(asked.status).toBe(409);
    expect(asked.body.detail).toContain('尚未出具书面处理意见');
    expect(await reviews()).toBe(before);
  });
});
