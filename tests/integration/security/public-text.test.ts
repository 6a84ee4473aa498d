/**
 * What leaves for the public carries no phone or ID number and no name of the case's people, however staff wrote
 * them (spaces, dashes, full-width digits), and an accusation never goes on the notice board (Art 30). Staff who type
 * such a number into a task form are refused at the form; text that reached the process variables another way (the
 * engine's own API, as Camunda's Tasklist would complete a task) is screened on the board, on the rating page and as
 * the board is read. The app runs with its workers and the demo community, on a clock pinned to a 2026 working day.
 */
import { hashToken } from '../../../domain/rating-links';
import { findPersonalData } from '../../../domain/public-text';
import { now, startEngine, until, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

jest.setTimeout(3 * 60 * 1000);

/** Monday 2026-03-02, 09:00 in Shanghai. */
const T0 = Date.parse('2026-03-02T01:00:00Z');
const PETITIONER = { name: '欧阳明远', phone: '13912340001' };
/** The handling result: one number with spaces, one in full-width digits; the petitioner named with a space. */
const LEAKY_RESULT =
  '已修复。电话 139 0000 1111，手机１３９００００１１１１，身份证 1101-0519-8001-0100-1X，已告知欧阳 明远';

describe('public text and the notice board', () => {
  let h: EngineHarness;
  const as = (username: string) => new Session(h.server.url).signIn(username);
  const db = () => h.server.database.db;
  let compoundId: string;

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    await h.client.pinClock({ timestamp: T0 });
    [{ id: compoundId }] = await db().query<{ id: string }>('SELECT id FROM compound ORDER BY name LIMIT 1');
  });
  afterAll(async () => {
    await h.client.resetClock();
    await h.stop();
  });

  async function file(reception: Session, extra: Json = {}): Promise<{ id: string; caseNo: string }> {
    const res = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '电梯故障',
      description: '3号楼电梯经常停运',
      compoundId,
      petitioner: { ...PETITIONER, consentPublishName: false },
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; caseNo: string };
  }

  async function taskOf(s: Session, caseId: string, elementId: string): Promise<Json> {
    return until(async () => {
      const { body } = await s.call('GET', '/api/tasks?view=mine');
      return (body.items as Json[]).find((t) => t.case?.id === caseId && t.elementId === elementId);
    }, 30000);
  }

  /** Files a petition and classifies it as a simple key matter, answered by SMS; the coordination task. */
  async function keyMatterAtCoordination(reception: Session, extra: Json = {}) {
    const filed = await file(reception, extra);
    const decision = await taskOf(reception, filed.id, 'Task_AcceptanceDecision');
    await reception.call('POST', `/api/tasks/${decision.userTaskKey}/complete`, {
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await taskOf(reception, filed.id, 'Task_ConfirmCaseClass');
    const classified = await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, {
      variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: true },
    });
    expect(classified.status).toBe(204);
    return { ...filed, coordinate: await taskOf(reception, filed.id, 'Task_CoordinateUnit') };
  }

  /** Mobile and ID numbers in a public text, after the same normalisation the screening uses. */
  const leaks = (text: unknown) =>
    findPersonalData(JSON.stringify(text)).filter((f) => f.kind === 'mobile' || f.kind === 'id-number');

  it('when staff type a phone or ID number into a task form, then it is refused naming the field, and the task stays open', async () => {
    // given a key matter at its coordination step
    const reception = await as('reception');
    const { coordinate } = await keyMatterAtCoordination(reception);
    // when the handling result holds numbers written with spaces and full-width digits
    const refused = await reception.call('POST', `/api/tasks/${coordinate.userTaskKey}/complete`, {
      variables: {
        responsibleUnit: '物业公司 0755-8888 6666',
        handlingResult: '电话 139 0000 1111，手机１３９００００１１１１',
        resolved: true,
      },
    });
    // then it is refused as a problem detail in Chinese naming both fields
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/“办理结果”中不能填写电话号码或身份证号/);
    expect((refused.body.errors as Json[]).map((e) => e.field).sort()).toEqual(['handlingResult', 'responsibleUnit']);
    // and nothing was completed: the task is still open and holds no such variable
    const task = await h.client.getUserTask({ userTaskKey: coordinate.userTaskKey }, now);
    expect(task.state).toBe('CREATED');
    const vars = await h.client.searchVariables(
      { filter: { processInstanceKey: coordinate.processInstanceKey }, page: { limit: 200 } },
      now,
    );
    expect((vars.items as Json[]).map((v) => v.name)).not.toContain('handlingResult');
    // when the same text is written without numbers, then it is accepted
    const ok = await reception.call('POST', `/api/tasks/${coordinate.userTaskKey}/complete`, {
      variables: { responsibleUnit: '物业公司', handlingResult: '已修复，维保单位已更换控制柜', resolved: true },
    });
    expect(ok.status).toBe(204);
  });

  it('when a key matter ends with numbers and names in its variables, then the board and the rating page show neither', async () => {
    // given a key matter whose handling result reached the process without the app's form check (the engine's API)
    const reception = await as('reception');
    const { id, caseNo, coordinate } = await keyMatterAtCoordination(reception);
    await h.client.completeUserTask({
      userTaskKey: coordinate.userTaskKey,
      variables: { responsibleUnit: '物业公司', handlingResult: LEAKY_RESULT, resolved: true },
    });
    // when the workers publish it on the board
    const notice = await until(async () => {
      const { body } = await new Session(h.server.url).call('GET', '/api/public/notices?limit=100');
      return (body.items as Json[]).find((n) => n.caseNo === caseNo);
    }, 30000);
    // then the board shows the outcome without the numbers or the petitioner's name, stored that way too
    expect(notice.outcome).toBe('已修复。电话 ***，手机***，身份证 ***，已告知***');
    const [stored] = await db().query<{ outcome: string }>('SELECT outcome FROM notice_board WHERE case_id = $1', [id]);
    expect(stored.outcome).toBe(notice.outcome);
    // and the rating page shows the same outcome, screened
    const token = `ratingTokenPublicText${Date.now()}`;
    await db().query(
      `INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, sent_at, expires_at) VALUES ($1, $2, 1, $3, $4, '2026-03-02T01:00:00Z', '2099-01-01T00:00:00Z')`,
      [hashToken(token), id, `job-${token}`, Buffer.from('x')],
    );
    const page = await new Session(h.server.url).call('GET', `/api/public/ratings/${token}`);
    expect(page.status).toBe(200);
    expect(page.body.outcome).toBe('已修复。电话 ***，手机***，身份证 ***，已告知***');
    expect(leaks(page.body)).toEqual([]);
    expect(JSON.stringify(page.body)).not.toMatch(/欧阳/);
  });

  it('when a notice row holds numbers written before screening, then the board screens them as it is read', async () => {
    // given a row as an older version wrote it
    const reception = await as('reception');
    const { id, caseNo } = await file(reception);
    await db().query(
      `INSERT INTO notice_board (case_id, round, case_no, category, compound_name, outcome) VALUES ($1, 1, $2, '电梯故障', '幸福里小区', $3)`,
      [id, caseNo, '联系 139-0000-1111 或 ＋８６ １３９ ００００ １１１１，欧阳明远'],
    );
    // when the public reads the board
    const { body } = await new Session(h.server.url).call('GET', '/api/public/notices?limit=100');
    // then the row shows no number and no name
    const row = (body.items as Json[]).find((n) => n.caseNo === caseNo)!;
    expect(row.outcome).toBe('联系 *** 或 ＋***，***');
    expect(leaks(body.items)).toEqual([]);
  });

  it('when an accusation is a key matter, then it never goes on the board: not written by the worker, not shown if a row exists', async () => {
    // given an accusation against a staff member, classified as a key matter
    const reception = await as('reception');
    const { id, caseNo, coordinate } = await keyMatterAtCoordination(reception, {
      category: '干部作风',
      accusation: true,
      accusedUsername: 'cadre',
    });
    // when it is handled and passes the board's step
    const done = await reception.call('POST', `/api/tasks/${coordinate.userTaskKey}/complete`, {
      variables: { responsibleUnit: '街道纪工委', handlingResult: '已转交核查', resolved: true },
    });
    expect(done.status).toBe(204);
    const withheld = await until(
      async () =>
        (
          await db().query<{ detail: Json }>(
            "SELECT detail FROM case_event WHERE case_id = $1 AND kind = 'notice-withheld'",
            [id],
          )
        )[0],
      30000,
    );
    // then the case records why, and nothing was written to the board
    expect(withheld.detail).toMatchObject({ reason: 'accusation' });
    expect(await db().query('SELECT 1 FROM notice_board WHERE case_id = $1', [id])).toEqual([]);
    // and a row that exists anyway (written by another path) is not shown
    await db().query(
      `INSERT INTO notice_board (case_id, round, case_no, category, compound_name, outcome) VALUES ($1, 1, $2, '干部作风', '幸福里小区', '已核查')`,
      [id, caseNo],
    );
    const { body } = await new Session(h.server.url).call('GET', '/api/public/notices?limit=100');
    expect((body.items as Json[]).map((n) => n.caseNo)).not.toContain(caseNo);
  });
});
