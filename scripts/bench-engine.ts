/**
 * `npm run bench:engine`: the embedded engine's figures, measured in one run beside a baseline.
 *
 * 1. Throughput: instances per second through a two-service-task model, end to end (create over REST, two SDK job
 *    workers, every step stored in Postgres; the clients in a process of their own, scripts/bench-engine-clients.ts), beside raw bpmn-engine running the same model in memory with
 *    services that answer at once. The ratio is the figure (aim >= 2). ENGINE_STEP_THREAD=false runs the steps on the
 *    app's thread (default: the step thread, as the app does).
 * 2. Scale: 100,000 instances waiting on user tasks (BENCH_WAITING); restart-to-ready time, the slowest of 20 task
 *    completions after it, and the app's resident memory.
 *
 * Postgres: DATABASE_URL (a fresh database is created on that server), else postgres://postgres@127.0.0.1:5432/test.
 * BENCH_INSTANCES (default 2000) and BENCH_WAITING (default 100000) change the sizes.
 */
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Engine } from 'bpmn-engine';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { start } from '../server/server';
import { spawnApp } from '../tests/support/child-app';
import { createEngineClient } from '../platform/engine-client';
import { loadConfig } from '../platform/config';
import type { Secrets } from '../platform/secrets';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2000);
const WAITING = Number(process.env.BENCH_WAITING ?? 100_000);
const FIXTURES = join(__dirname, '..', 'tests', 'fixtures', 'engine');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = new Client({ connectionString: SERVER_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Raw bpmn-engine, same model, parsed once, services answering at once. */
async function rawBaseline(n: number): Promise<number> {
  const source = readFileSync(join(FIXTURES, 'two-service-tasks.bpmn'), 'utf8');
  const first = new Engine({ name: 'raw', source });
  const [definition] = await first.getDefinitions();
  const sourceContext = (definition as unknown as { context: { sourceContext?: unknown } }).context?.sourceContext;
  function Service() {
    return { execute: (_m: unknown, callback: (e: unknown, r: unknown) => void) => callback(null, {}) };
  }
  const run = () =>
    new Promise<void>((resolve, reject) => {
      const engine = new Engine({
        name: 'raw',
        ...(sourceContext ? { sourceContext } : { source }),
        extensions: {
          svc(activity: { type: string; behaviour: { Service?: unknown } }) {
            if (activity.type === 'bpmn:ServiceTask') activity.behaviour.Service = Service;
          },
        },
      } as never);
      engine.once('end', () => resolve());
      engine.once('error', reject);
      void engine.execute();
    });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await run();
  return n / ((performance.now() - t0) / 1000);
}

/** CPU seconds a process has used so far (user + system, from /proc). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 a second)
}

async function endToEnd(
  n: number,
): Promise<{ perSecond: number; database: string; cpuShare: number; clientCpuShare: number }> {
  const database = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    DEMO_SEED: 'false',
    ENGINE_STEP_THREAD: process.env.ENGINE_STEP_THREAD ?? 'true',
  };
  const server = await start({ env });
  let clients: ChildProcess | undefined;
  try {
    const { client } = createEngineClient(server.config, server.secrets, server.url);
    const c = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await c.deployResourcesFromFiles([join(FIXTURES, 'two-service-tasks.bpmn')]);
    // The creators and the job workers run in a process of their own (as a deployment's clients do), over REST.
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    clients = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_CLIENT_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CLIENT_PROF}`] : []),
        '--import',
        'tsx',
        join(__dirname, 'bench-engine-clients.ts'),
      ],
      {
        env: {
          ...process.env,
          BENCH_URL: server.url,
          BENCH_ENGINE_PASSWORD: server.secrets.engineApiPassword,
          BENCH_INSTANCES: String(n),
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const failed = new Promise<never>((_, reject) =>
      clients!.once('exit', (code) => reject(new Error(`the bench's clients ended (${code})`))),
    );
    for (;;) {
      const [row] = await server.database.db.query<{ n: string }>(
        "SELECT count(*) AS n FROM engine_instance WHERE state = 'COMPLETED'",
      );
      if (Number(row.n) >= n) break;
      await Promise.race([new Promise((r) => setTimeout(r, 20)), failed]);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const clientCpu = cpuSecondsOf(clients.pid!);
    failed.catch(() => undefined);
    return {
      perSecond: n / seconds,
      database: server.database.description,
      cpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
      // (includes the clients' start: loading the SDK, about a second)
      clientCpuShare: clientCpu / seconds,
    };
  } finally {
    if (clients && clients.exitCode === null) {
      // SIGTERM: the clients exit on their own (and write their CPU profile with BENCH_CLIENT_PROF=<dir>).
      const exited = new Promise((resolve) => clients!.once('exit', resolve));
      clients.kill('SIGTERM');
      const timer = setTimeout(() => clients!.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await server.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitingScale(n: number) {
  const database = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    DEMO_SEED: 'false',
    ENGINE_API_PASSWORD: 'bench-password-1234',
  };
  let app = await spawnApp(env);
  try {
    const c = createEngineClient(loadConfig(env), { engineApiPassword: env.ENGINE_API_PASSWORD } as Secrets, app.url)
      .client as unknown as Record<string, (...args: unknown[]) => Promise<Record<string, string>>>;
    await c.deployResourcesFromFiles([join(FIXTURES, 'user-task.bpmn'), join(FIXTURES, 'review.form')]);
    const template = await c.createProcessInstance({
      processDefinitionId: 'user-task',
      variables: { firstResponder: 'cadre' },
    });
    // Clone the real waiting instance n-1 times in SQL (creating 100,000 through the API would take the whole run):
    // every copy has the same stored state, element instance and user task rows as the original, with new keys.
    const db = new Client({ connectionString: database.url });
    await db.connect();
    const t = BigInt(template.processInstanceKey);
    await db.query(`
      WITH k AS (SELECT g, ${t} + 10000000 + g * 10 AS ik FROM generate_series(1, ${n - 1}) g)
      INSERT INTO engine_instance (key, definition_key, process_id, state, variables, runtime, start_date)
      SELECT k.ik, i.definition_key, i.process_id, i.state, i.variables, i.runtime, i.start_date FROM k, engine_instance i WHERE i.key = ${t}`);
    await db.query(`
      INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date)
      SELECT i.key + e.key - ${t}, i.key, e.execution_id, e.element_id, e.element_name, e.element_type, e.state, e.start_date
      FROM engine_instance i, engine_element e WHERE e.instance_key = ${t} AND i.key <> ${t}`);
    await db.query(`
      INSERT INTO engine_user_task (key, instance_key, element_key, execution_id, element_id, name, state, assignee, candidate_groups,
        candidate_users, priority, custom_headers, creation_date, form_key, form_id, definition_key, process_id, process_version, process_name)
      SELECT i.key + u.key - ${t}, i.key, i.key + u.element_key - ${t}, u.execution_id, u.element_id, u.name, u.state, u.assignee,
        u.candidate_groups, u.candidate_users, u.priority, u.custom_headers, u.creation_date, u.form_key, u.form_id, i.definition_key, i.process_id, u.process_version, u.process_name
      FROM engine_instance i, engine_user_task u WHERE u.instance_key = ${t} AND i.key <> ${t}`);
    const [{ count }] = (
      await db.query<{ count: string }>("SELECT count(*) FROM engine_user_task WHERE state = 'CREATED'")
    ).rows;
    await db.end();
    // Restart: kill, start, time until ready.
    await app.kill('SIGKILL');
    const t0 = performance.now();
    app = await spawnApp(env);
    for (;;) {
      if ((await fetch(`${app.url}/readyz`)).status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = performance.now() - t0;
    const c2 = createEngineClient(loadConfig(env), { engineApiPassword: env.ENGINE_API_PASSWORD } as Secrets, app.url)
      .client as unknown as Record<string, (...args: unknown[]) => Promise<{ items: Array<Record<string, string>> }>>;
    // Work on a few of the cloned cases, and search the tasklist, then read the app's memory.
    const page = await c2.searchUserTasks(
      { filter: { state: 'CREATED', assignee: 'cadre' }, page: { limit: 50 } },
      { consistency: { waitUpToMs: 0 } },
    );
    // Each completion timed: a task of any of the waiting instances, its instance loaded from its stored state.
    const completionMs: number[] = [];
    for (const task of page.items.slice(0, 20)) {
      const c0 = performance.now();
      await c2.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true } });
      completionMs.push(performance.now() - c0);
    }
    const status = readFileSync(`/proc/${app.process.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const sorted = [...completionMs].sort((a, b) => a - b);
    return {
      waitingTasks: Number(count),
      readyMs,
      rssMb: rssKb / 1024,
      completedAfterRestart: completionMs.length,
      firstCompletionMs: completionMs[0],
      medianCompletionMs: sorted[Math.floor(sorted.length / 2)],
      slowestLaterMs: Math.max(...completionMs.slice(1)),
    };
  } finally {
    await app.kill('SIGKILL');
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  process.env.CAMUNDA_LOG_LEVEL = 'error';
  console.log(`node ${process.version}, ${INSTANCES} instances, ${WAITING} waiting`);
  const raw = process.env.BENCH_SKIP_RAW ? NaN : await rawBaseline(INSTANCES);
  console.log(`raw bpmn-engine in memory:           ${raw.toFixed(0)} instances/s`);
  const ours = await endToEnd(INSTANCES);
  console.log(
    `embedded engine, SDK workers, ${ours.database.startsWith('postgres') ? 'Postgres' : ours.database}: ${ours.perSecond.toFixed(0)} instances/s`,
  );
  console.log(
    `  app process CPU while running:     ${(ours.cpuShare * 100).toFixed(0)} % of one core (clients' process: ${(ours.clientCpuShare * 100).toFixed(0)} %)`,
  );
  console.log(`ratio (ours / raw):                  ${(ours.perSecond / raw).toFixed(2)}  (aim >= 2, hope 5)`);
  if (process.env.BENCH_ONLY === 'throughput') return;
  const scale = await waitingScale(WAITING);
  console.log(`waiting user tasks:                  ${scale.waitingTasks}`);
  console.log(`restart (SIGKILL) to ready:          ${(scale.readyMs / 1000).toFixed(2)} s  (aim < 5 s)`);
  console.log(
    `task completions after restart (${scale.completedAfterRestart}): first ${scale.firstCompletionMs.toFixed(1)} ms (models parsed, code warmed), median ${scale.medianCompletionMs.toFixed(1)} ms, slowest after the first ${scale.slowestLaterMs.toFixed(1)} ms  (aim < 50 ms)`,
  );
  console.log(
    `app resident memory after restart and ${scale.completedAfterRestart} completions: ${scale.rssMb.toFixed(0)} MB  (aim < 500 MB)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
