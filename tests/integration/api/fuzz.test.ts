/**
 * Property-based fuzzing of every route (fast-check): thousands of malformed bodies, queries and path values,
 * sent by a user holding every role (so that access checks do not hide the handlers) and by nobody. No answer is a
 * 5xx, every refusal is a problem detail, the app stays up, and nothing is written.
 */
import fc from 'fast-check';
import { ROUTES } from '../../../api';
import { ROLES } from '../../../api/route';
import { hashPassword } from '../../../server/security/password';
import { startEngine, type EngineHarness } from '../../support/engine';

const RUNS_PER_ROUTE = 150;
jest.setTimeout(5 * 60 * 1000);

/** Tables a request could write to; their row counts must not move. */
const TABLES = ['petition_case', 'resident', 'case_event', 'case_rating', 'rating_link', 'notice_board', 'key_person', 'app_user', 'user_role', 'notification'];

const weird = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom('', ' ', '0', '-1', '1e999', 'null', 'undefined', '../../etc/passwd', '%00', '\u0000', "'; DROP TABLE petition_case; --", '00000000-0000-0000-0000-000000000000', '9'.repeat(40), 'x'.repeat(5000)),
  fc.uuid().map(String),
  fc.bigInt().map(String),
);
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom('channel', 'category', 'description', 'petitioner', 'variables', 'rating', 'comment', 'username', 'password', 'compoundId', 'reason', 'view', 'limit'), fc.jsonValue({ maxDepth: 3 })),
);

describe('fuzzing every route', () => {
  let h: EngineHarness;
  let session: { cookie: string; csrf: string };
  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = (await h.server.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0].n;
    return out;
  };

  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
    const db = h.server.database.db;
    const [user] = await db.query<{ id: string }>("INSERT INTO app_user (username, display_name, password_hash) VALUES ('fuzzer', 'fuzzer', $1) RETURNING id", [
      await hashPassword('fuzz-password'),
    ]);
    for (const role of ROLES) await db.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [user.id, role]);
    const res = await fetch(`${h.server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'fuzzer', password: 'fuzz-password' }),
    });
    session = { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  });
  afterAll(() => h.stop());

  it('when every route gets malformed input, then no answer is a 5xx, each refusal is a problem detail, and nothing is written', async () => {
    const before = await counts();
    const failures: string[] = [];
    let sent = 0;
    // Signing out would end the fuzzer's session; it has no input to fuzz.
    for (const spec of ROUTES.filter((r) => !(r.method === 'delete' && r.path === '/session'))) {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            pathValues: fc.array(weird, { minLength: 3, maxLength: 3 }),
            query: fc.dictionary(fc.oneof(fc.constantFrom('view', 'limit', 'offset', 'mine', 'status', 'phone', 'idNumber', 'category'), fc.string()), weird, { maxKeys: 4 }),
            body: fc.oneof(jsonValue.map((v) => JSON.stringify(v)), fc.string(), fc.constantFrom('{', '[]', 'null', '{"variables":{"__proto__":{"x":1}}}')),
            signedIn: fc.boolean(),
          }),
          async ({ pathValues, query, body, signedIn }) => {
            let i = 0;
            const path = spec.path.replace(/:(\w+)/g, () => encodeURIComponent(pathValues[i++] ?? ''));
            const qs = new URLSearchParams(query).toString();
            const res = await fetch(`${h.server.url}/api${path}${qs ? `?${qs}` : ''}`, {
              method: spec.method.toUpperCase(),
              headers: {
                'content-type': 'application/json',
                'x-forwarded-for': `10.1.${sent % 250}.${Math.floor(sent / 250) % 250}`,
                ...(signedIn ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
              },
              body: spec.method === 'get' ? undefined : body,
            });
            sent++;
            const text = await res.text();
            if (res.status >= 500) failures.push(`${spec.method.toUpperCase()} ${path}?${qs} ${body.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`);
            else if (res.status >= 400 && !(res.headers.get('content-type') ?? '').includes('application/problem+json')) {
              failures.push(`${spec.method.toUpperCase()} ${path} → ${res.status} without a problem detail`);
            }
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(2000);
    // nothing was written (failed sign-ins of unknown names change nothing either)
    expect(await counts()).toEqual(before);
    // and the app still answers
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });
});
