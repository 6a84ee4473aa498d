/**
 * More requests at once than the app takes on (MAX_REQUESTS_IN_FLIGHT, here 2): those past the limit are refused at
 * once with 503, Retry-After and a message a person understands (Chinese, or English for who asks in English), and
 * counted (petition_refusals_total{reason="overloaded"}); the ones taken are done in full and a refused one left
 * nothing behind; once the burst is over everything is answered again. Sign-ins hold their place for the tens of
 * milliseconds their password check takes (scrypt, off the main thread), which makes the overlap certain on both
 * databases; a burst of petitions alone would not overlap on PGlite, whose queries never wait for a socket.
 */
import { startEngine, type EngineHarness } from '../../support/engine';
import { Session } from '../../support/session';

const METRICS_TOKEN = 'metrics-token-for-overload-tests';
jest.setTimeout(2 * 60 * 1000);

describe('more API requests at once than the app takes on', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true', MAX_REQUESTS_IN_FLIGHT: '2', METRICS_TOKEN });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const overloaded = async () => {
    const text = await (
      await fetch(`${h.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    return Number(/^petition_refusals_total\{reason="overloaded"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  };
  const cases = async () =>
    (await h.server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM petition_case'))[0].n;
  const expectBusy = (a: { status: number; body: Record<string, unknown>; headers: Headers }, english: boolean) => {
    expect(a.headers.get('retry-after')).toBe('2');
    expect(a.headers.get('content-type')).toContain('application/problem+json');
    expect(a.body).toMatchObject(
      english
        ? { status: 503, title: 'Service unavailable', detail: expect.stringContaining('The system is busy') }
        : { status: 503, title: '服务暂不可用', detail: expect.stringContaining('系统繁忙') },
    );
  };

  it('when twelve people sign in at once, then those past the limit are refused at once with 503 and Retry-After, and the rest are signed in', async () => {
    const before = await overloaded();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        new Session(h.server.url).call(
          'POST',
          '/api/session',
          { username: 'cadre', password: 'demo-2026' },
          i % 2 ? { 'accept-language': 'en' } : {},
        ),
      ),
    );
    const signedIn = answers.filter((a) => a.status === 201);
    const refused = answers.map((a, i) => ({ a, english: i % 2 === 1 })).filter(({ a }) => a.status === 503);
    expect(signedIn.length + refused.length).toBe(12);
    expect(signedIn.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of signedIn) expect(a.body).toMatchObject({ username: 'cadre', csrfToken: expect.any(String) });
    for (const { a, english } of refused) expectBusy(a, english);
    expect((await overloaded()) - before).toBe(refused.length);
  });

  it('when petitions are filed while the app is full, then the refused ones leave nothing behind and the taken ones are filed in full', async () => {
    const reception = await new Session(h.server.url).signIn('reception');
    const [countedBefore, casesBefore] = [await overloaded(), await cases()];
    // when two sign-ins hold the app's places and ten petitions come meanwhile
    const signIns = [1, 2].map(() =>
      new Session(h.server.url).call('POST', '/api/session', { username: 'cadre', password: 'demo-2026' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    const filings = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        reception.call('POST', '/api/cases', {
          channel: 'walk-in',
          category: '路灯维修',
          description: `路灯不亮（${i}）`,
        }),
      ),
    );
    const all = [...(await Promise.all(signIns)), ...filings];
    // then some were refused, cleanly, and exactly the petitions answered 201 exist
    const refused = all.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(all.every((a) => a.status === 503 || a.status === 201)).toBe(true);
    for (const a of refused) expectBusy(a, false);
    const filed = filings.filter((a) => a.status === 201);
    for (const a of filed) expect(a.body).toMatchObject({ id: expect.any(String), caseNo: expect.any(String) });
    expect((await cases()) - casesBefore).toBe(filed.length);
    expect((await overloaded()) - countedBefore).toBe(refused.length);
    // when the burst is over, then requests are answered again, one after another
    for (let i = 0; i < 5; i++) expect((await reception.call('GET', '/api/tasks?view=mine')).status).toBe(200);
    expect(
      (
        await reception.call('POST', '/api/cases', {
          channel: 'walk-in',
          category: '路灯维修',
          description: '路灯不亮（之后）',
        })
      ).status,
    ).toBe(201);
  });
});
