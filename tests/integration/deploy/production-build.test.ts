/**
 * The production build (`npm run build:app`: the server side compiled into dist/app, as the Docker image runs it):
 * the compiled app starts on its own, reads the models and pages from the project's root, runs the engine's steps on
 * their thread and the model lint on its thread (both compiled entries), and takes a petition to its first
 * responder's tasklist through the compiled workers. On PostgreSQL the compiled `workers-main` also starts as a process
 * of its own (docker-compose.yml's `workers` service); PGlite admits one process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, spawnWorkers, reportUnexpectedExit, type ChildApp } from '../../support/child-app';
import { freePort } from '../../support/ports';
import { until } from '../../support/engine';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = join(__dirname, '..', '..', '..');
const PASSWORD = 'production-build-password';
jest.setTimeout(3 * 60 * 1000);

describe('the production build (dist/app)', () => {
  let db: TestDatabase;
  let app: ChildApp | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-app.mjs')], { cwd: ROOT, stdio: 'pipe' });
    db = await createTestDatabase();
    env = testEnv(db, {
      PORT: String(await freePort()),
      ENGINE_API_PASSWORD: PASSWORD,
      PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DEMO_SEED: 'true',
      LOG_LEVEL: 'warn',
    });
    app = await spawnApp(env, 60000, [], { compiled: true });
  });
  afterAll(async () => {
    reportUnexpectedExit(app);
    await app?.kill('SIGKILL');
    await db?.drop();
  });

  async function signIn(username: string): Promise<Record<string, string>> {
    const res = await fetch(`${app!.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'demo-2026' }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Json;
    return { cookie: res.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': body.csrfToken as string };
  }

  async function call(as: Record<string, string>, method: string, path: string, body?: unknown) {
    const res = await fetch(`${app!.url}${path}`, {
      method,
      headers: { ...as, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  it('when built, then every server-side module and both thread entries are compiled JavaScript', () => {
    for (const file of [
      'server/main.js',
      'server/workers-main.js',
      'server/lint-worker.js',
      'engine/runtime/step-worker.js',
    ])
      expect(existsSync(join(ROOT, 'dist', 'app', file))).toBe(true);
    expect(readFileSync(join(ROOT, 'dist', 'app', 'server', 'main.js'), 'utf8')).not.toMatch(/\btsx\b/);
  });

  it('when a petition is filed on the compiled app, then its steps and workers take it to the first responder', async () => {
    const reception = await signIn('reception');
    const filed = await call(reception, 'POST', '/api/cases', {
      channel: 'walk-in',
      category: '路灯维修',
      description: '小区北门路灯不亮（生产构建）',
    });
    expect(filed.status).toBe(201);
    const task = await until(async () => {
      const { body } = await call(reception, 'GET', '/api/tasks?view=mine');
      return (body.items as Json[]).find((t) => t.case?.id === filed.body.id);
    }, 60000);
    expect(task.case.id).toBe(filed.body.id);
  });

  it('when an admin lints a model on the compiled app, then the lint thread answers with its problems', async () => {
    const admin = await signIn('admin');
    const content = readFileSync(join(ROOT, 'bpmn', 'petition-handling.bpmn'), 'utf8');
    const clean = await call(admin, 'POST', '/api/diagrams/petition-handling.bpmn/lint', { content });
    expect(clean.status).toBe(200);
    expect((clean.body.problems as Json[]).filter((p) => p.severity === 'error')).toEqual([]);
    const broken = content.replace(/<zeebe:taskDefinition type="[^"]+"/, '<zeebe:taskDefinition type=""');
    const found = await call(admin, 'POST', '/api/diagrams/petition-handling.bpmn/lint', { content: broken });
    expect(found.status).toBe(200);
    expect((found.body.problems as Json[]).some((p) => p.severity === 'error')).toBe(true);
  });

  (process.env.DATABASE_URL ? it : it.skip)(
    'when the compiled workers run as a process of their own (PostgreSQL), then they start against the engine',
    async () => {
      const workers = await spawnWorkers(
        testEnv(db, {
          ENGINE: 'camunda',
          ZEEBE_REST_ADDRESS: app!.url,
          CAMUNDA_AUTH_STRATEGY: 'BASIC',
          CAMUNDA_BASIC_AUTH_USERNAME: 'engine',
          CAMUNDA_BASIC_AUTH_PASSWORD: PASSWORD,
          PII_ENCRYPTION_KEY: env.PII_ENCRYPTION_KEY,
        }),
        60000,
        { compiled: true },
      );
      try {
        expect(workers.output()).toContain('workers started');
      } finally {
        await workers.kill('SIGKILL');
      }
    },
  );
});
