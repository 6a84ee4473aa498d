/**
 * `npm run workers` as its own process, as it runs beside a Camunda cluster: here pointed at an app's embedded engine
 * over HTTP (ENGINE=camunda, basic auth), sharing the app's PostgreSQL. The engine is killed (SIGKILL) and
 * restarted on the same address; the workers ride out the outage and take up the work again by themselves; SIGTERM
 * stops them cleanly. PGlite admits one process, so this runs on PostgreSQL only (CI runs the suite on both).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../../platform/config';
import { createEngineClient } from '../../../platform/engine-client';
import { openDatabase, type Database } from '../../../platform/data-source';
import { piiCipher } from '../../../platform/pii';
import type { Secrets } from '../../../platform/secrets';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, type ChildApp } from '../../support/child-app';
import { freePort } from '../../support/ports';
import { createCase } from '../../support/case-fixtures';
import { now, until, type Any } from '../../support/engine';

const ROOT = join(__dirname, '..', '..', '..');
const PASSWORD = 'workers-process-password';
const PII_KEY = randomBytes(32).toString('hex');
const onPostgres = !!process.env.DATABASE_URL;
jest.setTimeout(3 * 60 * 1000);

(onPostgres ? describe : describe.skip)('npm run workers as its own process (PostgreSQL)', () => {
  let db: TestDatabase;
  let database: Database;
  let app: ChildApp | undefined;
  let workers: ChildProcess | undefined;
  let workersOutput = '';
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    env = testEnv(db, {
      PORT: String(port),
      ENGINE_API_USERNAME: 'engine',
      ENGINE_API_PASSWORD: PASSWORD,
      PII_ENCRYPTION_KEY: PII_KEY,
      WORKERS_IN_APP: 'false',
      DEPLOY_MODELS: 'true',
      DEMO_SEED: 'true',
      LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    workers?.kill('SIGKILL');
    await app?.kill('SIGKILL');
    await database?.close();
    await db.drop();
  });

  const client = (): Any =>
    createEngineClient(loadConfig(env), { engineApiPassword: PASSWORD } as Secrets, app!.url).client;

  /** Files a petition (the case row, then its process) and waits until the workers have taken it to classification. */
  async function fileAndAwaitClassification(): Promise<void> {
    const petition = await createCase(database.db, { cipher: piiCipher(Buffer.from(PII_KEY, 'hex')) });
    const c = client();
    const { processInstanceKey } = await c.createProcessInstance({
      processDefinitionId: 'petition-handling',
      variables: {
        caseId: petition.caseId,
        caseNo: petition.caseNo,
        channel: 'walk-in',
        category: '电梯故障',
        firstResponder: 'reception',
      },
    });
    await until(async () => {
      const { items } = await c.searchUserTasks(
        { filter: { processInstanceKey, elementId: 'Task_AcceptanceDecision' } },
        now,
      );
      return items.length > 0;
    }, 60000).catch(() => {
      throw new Error(`the workers did not take the petition to classification; their output:\n${workersOutput}`);
    });
    // the registration receipt went out through the workers' own database connection
    const sent = await database.db.query("SELECT 1 FROM notification WHERE case_id = $1 AND template = 'registered'", [
      petition.caseId,
    ]);
    expect(sent).toHaveLength(1);
  }

  it('when the engine is killed and comes back, then the workers carry on by themselves; SIGTERM stops them cleanly', async () => {
    // given the app (its engine, no workers inside) and the workers as their own process
    app = await spawnApp(env);
    database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, migrate: false });
    workers = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'workers-main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...env,
        LOG_LEVEL: 'info',
        ENGINE: 'camunda',
        ZEEBE_REST_ADDRESS: app.url,
        CAMUNDA_AUTH_STRATEGY: 'BASIC',
        CAMUNDA_BASIC_AUTH_USERNAME: 'engine',
        CAMUNDA_BASIC_AUTH_PASSWORD: PASSWORD,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.stdout!.on('data', (chunk: Buffer) => (workersOutput += chunk.toString()));
    workers.stderr!.on('data', (chunk: Buffer) => (workersOutput += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => workers!.once('exit', (code) => resolve(code)));
    await until(() => Promise.resolve(workersOutput.includes('workers started')), 60000).catch(() => {
      throw new Error(`the workers did not start:\n${workersOutput}`);
    });
    await fileAndAwaitClassification();

    // when the engine dies and stays away for a while
    await app.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(workers.exitCode).toBeNull();
    // and comes back on the same address
    app = await spawnApp(env);
    // then the workers take up new work without being restarted
    await fileAndAwaitClassification();

    // when they are asked to stop
    workers.kill('SIGTERM');
    // then they stop cleanly, saying so
    expect(await exited).toBe(0);
    expect(workersOutput).toContain('workers stopping');
  });
});
