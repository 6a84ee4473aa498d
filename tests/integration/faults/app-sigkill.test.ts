/**
 * The app killed with SIGKILL under load, again and again. The app runs as a child process (ENGINE=embedded, the
 * workers inside, PostgreSQL, SMS through the generic HTTP gateway played by a stand-in that records every message
 * with its idempotency key). Three clients file petitions through `POST /api/cases` without pause; the app is
 * killed at random moments four times and started again on the same database and address. Filings in flight when
 * it dies fail (no answer); none may be half-done. Once the last start has settled: every petition that got a 201
 * is in `petition_case`; every case row (also those whose answer was lost) has exactly one process instance, has
 * reached the first responder's classification, and got its registration receipt once — one `notification` row, one
 * idempotency key at the gateway (a repeated request under the same key is what idempotency is for, and counted).
 *
 * PostgreSQL only: the test kills and restarts a process that shares the database with the test (PGlite admits one
 * process). The engine's own crash test (tests/integration/engine/crash.test.ts) kills the engine under a
 * synthetic model; this one kills the whole app on the real policy, through the domain API.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../platform/config';
import { createEngineClient } from '../../../platform/engine-client';
import type { Secrets } from '../../../platform/secrets';
import { openDatabase, type Database } from '../../../platform/data-source';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, type ChildApp, reportUnexpectedExit } from '../../support/child-app';
import { freePort } from '../../support/ports';
import { FilingLoad, sleep } from '../../support/filing-load';
import { SmsGatewayStandIn } from '../../support/sms-gateway';
import { auditCases, problemsOf } from '../../support/case-audit';
import { until, type Any } from '../../support/engine';

const KILLS = 4;
const PASSWORD = 'app-sigkill-password';
const onPostgres = !!process.env.DATABASE_URL;
jest.setTimeout(5 * 60 * 1000);

(onPostgres ? describe : describe.skip)('the app killed with SIGKILL under load (PostgreSQL)', () => {
  let db: TestDatabase;
  let database: Database | undefined;
  let app: ChildApp | undefined;
  let running: FilingLoad | undefined;
  let env: Record<string, string>;
  const gateway = new SmsGatewayStandIn();

  beforeAll(async () => {
    [db] = await Promise.all([createTestDatabase(), gateway.start()]);
    env = testEnv(db, {
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ENGINE_API_PASSWORD: PASSWORD,
      PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      WORKERS_IN_APP: 'true',
      DEPLOY_MODELS: 'true',
      DEMO_SEED: 'true',
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: gateway.url,
    });
  });
  afterAll(async () => {
    reportUnexpectedExit(app);
    await running?.stop();
    await app?.kill('SIGKILL');
    await database?.close();
    await gateway.stop();
    await db.drop();
  });

  it('when the app is killed at random moments during filing, then every accepted petition has one process, nothing is half-done and no notice goes out twice', async () => {
    // given the app and three clients filing steadily
    app = await spawnApp(env);
    const url = app.url;
    const load = (running = new FilingLoad({ url, clients: 3, pauseMs: 0, failurePauseMs: 200, phonePrefix: '3' }));
    load.start();

    // when it is killed at random moments and started again each time
    const kills: Array<{ at: number; restartMs: number }> = [];
    for (let i = 0; i < KILLS; i++) {
      await sleep(1000 + Math.random() * 2500);
      const at = Date.now();
      await app.kill('SIGKILL');
      app = await spawnApp(env);
      kills.push({ at, restartMs: Date.now() - at });
    }
    await sleep(4000);
    await load.stop();
    const lastKillAt = kills[kills.length - 1].at;

    // then every accepted petition is in the database
    database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, migrate: false });
    const opened = database;
    const query = <T>(sql: string, params?: unknown[]) => opened.db.query<T>(sql, params);
    const rows = await query<{ id: string; description: string }>('SELECT id, description FROM petition_case');
    const ids = new Set(rows.map((r) => r.id));
    expect(load.accepted().filter((a) => !ids.has(a.id!))).toEqual([]);
    // and a failed filing either left nothing or a whole case (checked with the others below)
    const failedButSaved = load.failed().filter((a) => rows.some((r) => r.description.endsWith(a.marker)));

    // and once settled (a start claimed or a job taken by a killed process is taken up again after 60 s), every
    // case has exactly one process at classification, and got its registration receipt once
    const client: Any = createEngineClient(loadConfig(env), { engineApiPassword: PASSWORD } as Secrets, url).client;
    const audit = await until(async () => {
      const a = await auditCases(query, client, gateway);
      return Object.keys(problemsOf(a)).length === 0 ? a : undefined;
    }, 150_000).catch(async () => {
      const a = await auditCases(query, client, gateway);
      throw new Error(`not settled: ${JSON.stringify(problemsOf(a))}\napp output:\n${app!.output().slice(-5000)}`);
    });
    const figures = {
      kills: kills.length,
      restartMs: kills.map((k) => k.restartMs),
      attempts: load.attempts.length,
      accepted: load.accepted().length,
      failed: load.failed().length,
      failuresByStatus: load.failuresByStatus(),
      failureKinds: count(load.failed().map((a) => a.error ?? String(a.status))),
      failedButSaved: failedButSaved.length,
      caseRows: audit.cases,
      settledAfterLastKillMs: Date.now() - lastKillAt,
      smsRequests: gateway.requests.length,
      smsDelivered: gateway.delivered.length,
      smsRepeatedUnderSameKey: audit.repeatedSmsRequests,
    };
    console.log(`app SIGKILL figures: ${JSON.stringify(figures, null, 2)}`);
    expect(audit.cases).toBe(load.accepted().length + failedButSaved.length);
    // a filing either got an answer or none: a refusal with a status (a 4xx, a 500) would be a bug, not a crash
    expect(load.failed().filter((a) => a.status !== 0 && a.status !== 503)).toEqual([]);
    // one registration receipt SMS delivered per petitioner
    expect(gateway.delivered.length).toBe(audit.cases);
  });
});

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
