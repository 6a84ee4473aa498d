/**
 * Property-based fuzzing of every route (fast-check): thousands of malformed bodies, queries and path values,
 * sent by a user holding every role (so that access checks do not hide the handlers) and by nobody. No answer is a
 * 5xx, every refusal is a problem detail, the app stays up, and nothing is written. Every route of ROUTES must have
 * been fuzzed (a new route cannot be left out), and what was sent, per route and status, is written to
 * test-results/fuzz-report.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ROUTES } from '../../../api';
import { ROLES } from '../../../api/route';
import { hashPassword } from '../../../platform/password';
import { startEngine, type EngineHarness } from '../../support/engine';

const RUNS_PER_ROUTE = 150;
jest.setTimeout(5 * 60 * 1000);

/** Tables a request could write to; their row counts must not move. */
const TABLES = [
  'petition_case',
  'resident',
  'case_event',
  'case_rating',
  'rating_link',
  'notice_board',
  'key_person',
  'app_user',
  'user_role',
  'notification',
  'pii_access_log',
];

const weird = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e999',
    'null',
    'undefined',
    '../../etc/passwd',
    '%00',
    '\u0000',
    "'; DROP TABLE petition_case; --",
    '00000000-0000-0000-0000-000000000000',
    '9'.repeat(40),
    'x'.repeat(5000),
  ),
  fc.uuid().map(String),
  fc.bigInt().map(String),
);
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(
    fc.constantFrom(
      'channel',
      'category',
      'description',
      'petitioner',
      'variables',
      'rating',
      'comment',
      'username',
      'password',
      'compoundId',
      'reason',
      'view',
      'limit',
    ),
    fc.jsonValue({ maxDepth: 3 }),
  ),
);

describe('fuzzing every route', () => {
  let h: EngineHarness;
  let session: { cookie: string; csrf: string };
  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of TABLES)
      out[t] = (await h.server.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0].n;
    return out;
  };

  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
    const db = h.server.database.db;
    const [user] = await db.query<{ id: string }>(
      "INSERT INTO app_user (username, display_name, password_hash) VALUES ('fuzzer', 'fuzzer', $1) RETURNING id",
      [await hashPassword('fuzz-password')],
    );
    for (const role of ROLES)
      await db.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [user.id, role]);
    const res = await fetch(`${h.server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'fuzzer', password: 'fuzz-password' }),
    });
    session = {
      cookie: res.headers.get('set-cookie')!.split(';')[0],
      csrf: ((await res.json()) as { csrfToken: string }).csrfToken,
    };
  });
  afterAll(() => h.stop());

  it('when every route gets malformed input, then no answer is a 5xx, each refusal is a problem detail, and nothing is written', async () => {
    const before = await counts();
    const failures: string[] = [];
    let sent = 0;
    /** route → requests sent and the statuses answered */
    const report: Record<string, { sent: number; signedIn: number; statuses: Record<string, number> }> = {};
    for (const spec of ROUTES) {
      const name = `${spec.method.toUpperCase()} ${spec.path}`;
      const entry: (typeof report)[string] = (report[name] = { sent: 0, signedIn: 0, statuses: {} });
      // Signing out would end the fuzzer's session: that route is fuzzed without it.
      const signOut = spec.method === 'delete' && spec.path === '/session';
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            pathValues: fc.array(weird, { minLength: 3, maxLength: 3 }),
            query: fc.dictionary(
              fc.oneof(
                fc.constantFrom('view', 'limit', 'offset', 'mine', 'status', 'phone', 'idNumber', 'category'),
                fc.string(),
              ),
              weird,
              { maxKeys: 4 },
            ),
            body: fc.oneof(
              jsonValue.map((v) => JSON.stringify(v)),
              fc.string(),
              fc.constantFrom('{', '[]', 'null', '{"variables":{"__proto__":{"x":1}}}'),
            ),
            signedIn: fc.boolean(),
          }),
          async ({ pathValues, query, body, signedIn: wanted }) => {
            const signedIn = wanted && !signOut;
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
            entry.sent++;
            if (signedIn) entry.signedIn++;
            entry.statuses[res.status] = (entry.statuses[res.status] ?? 0) + 1;
            const text = await res.text();
            if (res.status >= 500)
              failures.push(
                `${spec.method.toUpperCase()} ${path}?${qs} ${body.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`,
              );
            else if (
              res.status >= 400 &&
              !(res.headers.get('content-type') ?? '').includes('application/problem+json')
            ) {
              failures.push(`${spec.method.toUpperCase()} ${path} → ${res.status} without a problem detail`);
            }
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    const dir = join(__dirname, '..', '..', '..', 'test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'fuzz-report.json'),
      `${JSON.stringify({ runsPerRoute: RUNS_PER_ROUTE, routes: Object.keys(report).length, sent, report }, null, 2)}\n`,
    );
    const byStatus: Record<string, number> = {};
    for (const r of Object.values(report))
      for (const [status, n] of Object.entries(r.statuses)) byStatus[status] = (byStatus[status] ?? 0) + n;
    console.log(
      `fuzz: ${sent} requests over ${Object.keys(report).length} routes (${RUNS_PER_ROUTE} each); answers by status ${JSON.stringify(byStatus)}; per route in test-results/fuzz-report.json`,
    );
    expect(failures.slice(0, 10)).toEqual([]);
    // every route of the API was fuzzed, each with every run
    expect(Object.keys(report).sort()).toEqual(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort());
    expect(
      Object.entries(report)
        .filter(([, r]) => r.sent < RUNS_PER_ROUTE)
        .map(([name]) => name),
    ).toEqual([]);
    expect(sent).toBe(RUNS_PER_ROUTE * ROUTES.length);
    // nothing was written (failed sign-ins of unknown names change nothing either)
    expect(await counts()).toEqual(before);
    // and the app still answers
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });
});
