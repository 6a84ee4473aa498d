/**
 * The outbox shows texts to petitioners masked; the staff member who must pass one on reveals its full number on an
 * explicit action (issue 23, item 4): `POST /api/outbox/{id}/reveal-phone` answers the number to the message's
 * case's first responder and to admins, writes a pii_access_log row for each reveal, and refuses everyone else with
 * 403 without writing anything. A case accusing the reader does not exist for them (Art 30).
 */
import { startEngine, until, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

jest.setTimeout(3 * 60 * 1000);

describe('revealing the number of a text in the outbox', () => {
  let h: EngineHarness;
  const as = (username: string) => new Session(h.server.url).signIn(username);
  const db = () => h.server.database.db;
  const accessLog = (caseId: string) =>
    db().query<{ username: string; fields: string[]; purpose: string }>(
      'SELECT u.username, l.fields, l.purpose FROM pii_access_log l JOIN app_user u ON u.id = l.user_id WHERE l.case_id = $1 ORDER BY l.at',
      [caseId],
    );

  beforeAll(async () => {
    // the default SMS setting: texts wait in the outbox for the first responder
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true', SMS_PROVIDER: 'outbox' });
  });
  afterAll(() => h.stop());

  /** Files a petition as reception and waits for its acceptance text in reception's outbox. */
  async function fileAndWait(
    reception: Session,
    phone: string,
    extra: Json = {},
  ): Promise<{ caseId: string; messageId: string }> {
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '噪音扰民',
      description: '楼下商铺夜间噪音',
      petitioner: { name: '上官云', phone },
      ...extra,
    });
    expect(filed.status).toBe(201);
    const caseId = filed.body.id as string;
    const message = await until(
      async () =>
        ((await reception.call('GET', '/api/outbox')).body.items as Json[]).find(
          (m) => (m.case as Json | null)?.id === caseId,
        ),
      30000,
    );
    return { caseId, messageId: message.id as string };
  }

  it("when the case's first responder or an admin reveals a waiting text's number, then they get it and each reveal is logged", async () => {
    // given a text waiting in the first responder's outbox, masked
    const reception = await as('reception');
    const phone = '13699990001';
    const { caseId, messageId } = await fileAndWait(reception, phone);
    const listed = ((await reception.call('GET', '/api/outbox')).body.items as Json[]).find((m) => m.id === messageId)!;
    expect(listed.phoneMasked).toBe('136****0001');

    // when she reveals it, and an admin does
    const mine = await reception.call('POST', `/api/outbox/${messageId}/reveal-phone`);
    const admins = await (await as('admin')).call('POST', `/api/outbox/${messageId}/reveal-phone`);

    // then both get the full number, and pii_access_log holds one row per reveal: who, the phone, and the message
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ id: messageId, phone });
    expect(admins.body).toEqual({ id: messageId, phone });
    expect(await accessLog(caseId)).toEqual([
      { username: 'reception', fields: ['phone'], purpose: expect.stringContaining(messageId) },
      { username: 'admin', fields: ['phone'], purpose: expect.stringContaining(messageId) },
    ]);
    // and once the text is passed on there is nothing left to reveal
    expect((await reception.call('POST', `/api/outbox/${messageId}/passed-on`)).status).toBe(200);
    expect((await reception.call('POST', `/api/outbox/${messageId}/reveal-phone`)).status).toBe(404);
    expect(await accessLog(caseId)).toHaveLength(2);
  });

  it('when another staff member asks for the number, then they are refused with 403 and nothing is logged', async () => {
    // given a text waiting in reception's outbox
    const reception = await as('reception');
    const { caseId, messageId } = await fileAndWait(reception, '13699990002');

    // when a cadre (who may use the outbox, but is not this case's first responder), a leader and a 1+X member ask
    const refused: Array<{ who: string; status: number; body: Json }> = [];
    for (const who of ['cadre', 'leader', 'member']) {
      const res = await (
        await as(who)
      ).call('POST', `/api/outbox/${messageId}/reveal-phone`, undefined, { 'accept-language': 'en' });
      refused.push({ who, status: res.status, body: res.body });
    }

    // then each is a 403 problem without the number, and pii_access_log has no row for the case
    expect(refused.map((r) => [r.who, r.status])).toEqual([
      ['cadre', 403],
      ['leader', 403],
      ['member', 403],
    ]);
    expect(refused[0].body.detail).toBe(
      "Only the case's first responder (or an admin) may see the full number of a text to pass on.",
    );
    expect(JSON.stringify(refused)).not.toContain('13699990002');
    expect(await accessLog(caseId)).toEqual([]);
  });

  it('when an admin accused by the petition asks for its number, then the message does not exist for them and nothing is logged', async () => {
    // given a petition accusing the admin, its text waiting in reception's outbox
    const reception = await as('reception');
    const { caseId, messageId } = await fileAndWait(reception, '13699990003', {
      accusation: true,
      accusedUsername: 'admin',
    });

    // when the admin asks for the number
    const res = await (await as('admin')).call('POST', `/api/outbox/${messageId}/reveal-phone`);

    // then it is a 404 as for a message that does not exist, and nothing is logged
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('13699990003');
    expect(await accessLog(caseId)).toEqual([]);
  });
});
