/**
 * Intake while the engine is away: the app runs with ENGINE=camunda against a second, separately started process
 * (an embedded engine with the workers), exactly the SDK path a Camunda cluster gets. The engine is killed; a
 * petition filed meanwhile is saved and answered at once, marked as not started; when the engine is back on its
 * address, the app's starter gives the case its process — one process, never none, never two. PostgreSQL only
 * (two processes share the database; PGlite admits one).
 */
import { randomBytes } from 'node:crypto';
import { start, type RunningServer } from '../../../server/server';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, type ChildApp } from '../../support/child-app';
import { freePort } from '../../support/ports';
import { until } from '../../support/engine';

const PASSWORD = 'intake-outage-password';
const onPostgres = !!process.env.DATABASE_URL;
jest.setTimeout(3 * 60 * 1000);

(onPostgres ? describe : describe.skip)('intake while the engine is unreachable (ENGINE=camunda, PostgreSQL)', () => {
  let db: TestDatabase;
  let engine: ChildApp | undefined;
  let app: RunningServer | undefined;
  let engineEnv: Record<string, string>;
  const piiKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase();
    engineEnv = testEnv(db, {
      PORT: String(await freePort()),
      ENGINE_API_USERNAME: 'engine',
      ENGINE_API_PASSWORD: PASSWORD,
      PII_ENCRYPTION_KEY: piiKey,
      WORKERS_IN_APP: 'true',
      DEPLOY_MODELS: 'true',
      DEMO_SEED: 'true',
      LOG_LEVEL: 'warn',
    });
    engine = await spawnApp(engineEnv);
    app = await start({
      env: testEnv(db, {
        ENGINE: 'camunda',
        ZEEBE_REST_ADDRESS: engine.url,
        CAMUNDA_AUTH_STRATEGY: 'BASIC',
        CAMUNDA_BASIC_AUTH_USERNAME: 'engine',
        CAMUNDA_BASIC_AUTH_PASSWORD: PASSWORD,
        PII_ENCRYPTION_KEY: piiKey,
        WORKERS_IN_APP: 'false',
        DEPLOY_MODELS: 'true',
        DEMO_SEED: 'true',
      }),
    });
  });
  afterAll(async () => {
    await app?.stop();
    await engine?.kill('SIGKILL');
    await db.drop();
  });

  it('when a petition is filed while the engine is down, then the case is kept and gets its one process once the engine is back', async () => {
    // given a receptionist signed in at the app
    const signIn = await fetch(`${app!.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'reception', password: 'demo-2026' }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const file = async (description: string) => {
      const res = await fetch(`${app!.url}/api/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ channel: 'phone', category: '噪音扰民', description }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; processStarted: boolean };
    };
    const processOf = async (caseId: string) =>
      (
        await app!.database.db.query<{ key: string | null }>(
          'SELECT process_instance_key AS key FROM petition_case WHERE id = $1',
          [caseId],
        )
      )[0].key;
    // and a petition filed while all is well starts at once, through the SDK against the other process
    const before = await file('夜间施工噪音');
    expect(before.processStarted).toBe(true);

    // when the engine dies and a petition is filed
    await engine!.kill('SIGKILL');
    const during = await file('广场舞音响过大');
    // then it is saved, said to be waiting for its process
    expect(during.processStarted).toBe(false);
    expect(await processOf(during.id)).toBeNull();
    const readiness = await fetch(`${app!.url}/readyz`);
    expect(readiness.status).toBe(503);

    // when the engine comes back on its address
    engine = await spawnApp(engineEnv);
    // then the starter gives the case its process, and there is exactly one
    const key = await until(() => processOf(during.id), 60000);
    const search = await fetch(`${engine.url}/v2/variables/search`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`engine:${PASSWORD}`).toString('base64')}`,
      },
      body: JSON.stringify({ filter: { name: 'caseId', value: JSON.stringify(during.id) } }),
    });
    const found = (await search.json()) as { items: Array<{ processInstanceKey: string }> };
    expect(found.items.map((i) => i.processInstanceKey)).toEqual([key]);
    // and the workers of the engine process take it on to classification
    await until(async () => {
      const tasks = await fetch(`${app!.url}/api/tasks?view=mine`, { headers: { cookie } });
      const { items } = (await tasks.json()) as { items: Array<{ case: { id: string } | null; elementId: string }> };
      return items.some((t) => t.case?.id === during.id && t.elementId === 'Task_AcceptanceDecision');
    }, 60000);
  });
});
