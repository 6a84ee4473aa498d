/**
 * The domain API through HTTP against the running app (real engine, real workers, real database): sign-in with
 * lock-out and CSRF, intake that starts the case's process, the tasklist with its forms validated and candidate
 * groups enforced, the one-time rating link, and the case page.
 */
import { piiCipher } from '../../../server/security/pii';
import { startEngine, until, type EngineHarness } from '../../support/engine';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A browser-like client: keeps the session cookie and sends the CSRF token it was given. */
class Session {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  }
  async signIn(username: string, password = 'demo-2026') {
    const res = await this.call('POST', '/api/session', { username, password });
    if (res.status !== 201) throw new Error(`sign-in of ${username} failed: ${JSON.stringify(res.body)}`);
    this.csrf = res.body.csrfToken as string;
    return this;
  }
}

describe('the domain API', () => {
  let h: EngineHarness;
  const as = (username: string) => new Session(h.server.url).signIn(username);
  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
  });
  afterAll(() => h.stop());

  async function taskOf(s: Session, view: 'mine' | 'queue', caseId: string, elementId: string): Promise<Json> {
    return until(async () => {
      const { body } = await s.call('GET', `/api/tasks?view=${view}`);
      return (body.items as Json[]).find((t) => t.case?.id === caseId && t.elementId === elementId);
    }, 20000);
  }

  it('when a password is wrong five times, then the account is locked, even for the right password, with a clear message', async () => {
    const s = new Session(h.server.url);
    for (let i = 0; i < 5; i++) expect((await s.call('POST', '/api/session', { username: 'grid7', password: 'wrong' })).status).toBe(401);
    const locked = await s.call('POST', '/api/session', { username: 'grid7', password: 'demo-2026' });
    expect(locked.status).toBe(423);
    expect(locked.body.detail).toMatch(/分钟后再试/);
    const unknown = await s.call('POST', '/api/session', { username: 'nobody', password: 'x' }, { 'accept-language': 'en' });
    expect(unknown.body).toMatchObject({ status: 401, detail: 'Wrong username or password.' });
  });

  it('when there is no session or no CSRF token, then requests are refused', async () => {
    const anonymous = new Session(h.server.url);
    expect((await anonymous.call('GET', '/api/tasks')).status).toBe(401);
    expect((await anonymous.call('POST', '/api/cases', {})).status).toBe(401);
    const s = await as('reception');
    const noToken = await s.call('POST', '/api/cases', { channel: 'walk-in', category: '路灯维修', description: 'x' }, { 'x-csrf-token': 'forged' });
    expect(noToken.status).toBe(403);
    expect((await s.call('GET', '/api/me')).body).toMatchObject({ username: 'reception', roles: ['reception'] });
  });

  it('when intake is invalid, then every problem is named and nothing is saved', async () => {
    const s = await as('reception');
    const before = await h.server.database.db.query('SELECT count(*)::int AS n FROM petition_case');
    const res = await s.call('POST', '/api/cases', { channel: 'fax', category: '', description: 'x', petitioner: { name: '王', phone: '123' } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/channel/);
    expect(JSON.stringify(res.body)).toMatch(/phone/);
    expect(await h.server.database.db.query('SELECT count(*)::int AS n FROM petition_case')).toEqual(before);
  });

  it('when a receptionist files a simple petition, then its process runs, the form is checked, and the petitioner rates once by the link', async () => {
    // given
    const reception = await as('reception');
    const [compound] = await h.server.database.db.query<{ id: string }>('SELECT id FROM compound ORDER BY name LIMIT 1');
    // when the petition is filed
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '路灯维修',
      description: '小区东门路灯不亮已一周',
      compoundId: compound.id,
      petitioner: { name: '王小明', phone: '13812345678', consentPublishName: false },
    });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ caseNo: expect.stringMatching(/^XF-\d{4}-\d{6}$/), processStarted: true });
    const caseId = filed.body.id as string;
    // then duplicates by the same phone find it
    const dup = await reception.call('GET', `/api/cases/duplicates?phone=13812345678&category=${encodeURIComponent('路灯维修')}`);
    expect(dup.body.items).toEqual([expect.objectContaining({ id: caseId, sameCategory: true })]);
    // and the first responder's classification task appears, and the form refuses what it does not allow
    const confirm = await taskOf(reception, 'mine', caseId, 'Task_ConfirmCaseClass');
    const detail = await reception.call('GET', `/api/tasks/${confirm.userTaskKey}`);
    expect(detail.body.form.components.length).toBeGreaterThan(0);
    const bad = await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, { variables: { caseClass: 'urgent', hacked: true } });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as Json[]).map((e) => e.field).sort()).toEqual(expect.arrayContaining(['caseClass', 'hacked', 'feedbackMode']));
    const ok = await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, { variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: false } });
    expect(ok.status).toBe(204);
    const coordinate = await taskOf(reception, 'mine', caseId, 'Task_CoordinateUnit');
    await reception.call('POST', `/api/tasks/${coordinate.userTaskKey}/complete`, { variables: { responsibleUnit: '市政路灯所', handlingResult: '已更换灯泡', resolved: true } });
    // when the petitioner opens the link from the SMS
    const [link] = await until(
      async () => {
        const rows = await h.server.database.db.query<{ token_enc: Buffer }>('SELECT token_enc FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL', [caseId]);
        return rows.length ? rows : undefined;
      },
      20000,
    );
    const token = piiCipher(h.server.secrets.piiKey).decrypt(link.token_enc);
    const resident = new Session(h.server.url);
    const page = await resident.call('GET', `/api/public/ratings/${token}`);
    expect(page.body).toMatchObject({ caseNo: filed.body.caseNo, outcome: '已更换灯泡' });
    expect(JSON.stringify(page.body)).not.toMatch(/138/);
    // then the rating is taken once, and the case closes
    expect((await resident.call('POST', `/api/public/ratings/${token}`, { rating: 'satisfied', comment: '很快' })).status).toBe(201);
    const again = await resident.call('POST', `/api/public/ratings/${token}`, { rating: 'dissatisfied' });
    expect(again.status).toBe(410);
    expect(again.body.detail).toMatch(/只能评价一次/);
    await until(async () => (await reception.call('GET', `/api/cases/${caseId}`)).body.process?.state === 'COMPLETED', 20000);
    const casePage = (await reception.call('GET', `/api/cases/${caseId}`)).body;
    expect(casePage).toMatchObject({ owner: { username: 'reception' }, petitioner: { name: '王**', phone: '138****5678' }, process: { state: 'COMPLETED' } });
    expect(casePage.clocks.internal.state).toBe('met');
    expect((casePage.timeline as Json[]).map((e) => e.kind)).toEqual(expect.arrayContaining(['registered', 'task-completed', 'rated', 'closed']));
  });

  it("when a difficult case waits in the street office's queue, then only street-office users see and claim it", async () => {
    // given
    const reception = await as('reception');
    const filed = await reception.call('POST', '/api/cases', { channel: 'phone', category: '历史遗留问题', description: '房产证办理遗留问题' });
    const caseId = filed.body.id as string;
    const confirm = await taskOf(reception, 'mine', caseId, 'Task_ConfirmCaseClass');
    await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, { variables: { caseClass: 'difficult', feedbackMode: 'visit', isKeyMatter: false } });
    const office = await as('street-office');
    const queued = await taskOf(office, 'queue', caseId, 'Task_SetUpCaseTeam');
    // when someone outside the street office looks for it or tries to claim it
    const member = await as('member');
    const theirQueue = (await member.call('GET', '/api/tasks?view=queue')).body.items as Json[];
    expect(theirQueue.some((t) => t.userTaskKey === queued.userTaskKey)).toBe(false);
    expect((await member.call('GET', `/api/tasks/${queued.userTaskKey}`)).status).toBe(404);
    expect((await member.call('POST', `/api/tasks/${queued.userTaskKey}/claim`)).status).toBe(404);
    expect((await reception.call('POST', `/api/tasks/${queued.userTaskKey}/claim`)).status).toBe(404);
    // then the street office claims it; completing before claiming is refused for others
    expect((await office.call('POST', `/api/tasks/${queued.userTaskKey}/claim`)).body).toMatchObject({ assignee: 'street-office' });
    const mine = await taskOf(office, 'mine', caseId, 'Task_SetUpCaseTeam');
    expect(mine.userTaskKey).toBe(queued.userTaskKey);
  });
});
