/**
 * APP_PROCESSES=2: `npm start`'s process supervises two processes answering on one port — the lead (the embedded
 * engine, the workers) and a replica that answers the engine's reads from the database and passes its commands to
 * the lead. Through the port, as users and Prometheus reach it: the engine's /v2 wants its credentials in either
 * process; /metrics counts every process's requests whichever process is asked; with the lead SIGKILLed the
 * replica still answers the tasklist and accepts petitions, the lead is started again, and every petition gets its
 * process; SIGTERM stops every process and SIGKILL of the supervisor leaves none behind (the engine's lock is free).
 * PostgreSQL only (PGlite admits one process: the configuration refuses it, see the unit tests).
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, reportUnexpectedExit, type ChildApp } from '../../support/child-app';
import { freePort } from '../../support/ports';
import { until } from '../../support/engine';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PASSWORD = 'app-processes-password';
const METRICS_TOKEN = 'app-processes-metrics-token';
const onPostgres = !!process.env.DATABASE_URL;
jest.setTimeout(4 * 60 * 1000);

/** One request on a connection of its own: the supervisor hands each new connection to the next process. */
function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<{ status: number; body: Json; text: string; cookie?: string }> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent: false,
        headers: {
          ...headers,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: Json = {};
          try {
            parsed = text ? (JSON.parse(text) as Json) : {};
          } catch {
            // not JSON (metrics)
          }
          resolve({
            status: res.statusCode ?? 0,
            body: parsed,
            text,
            cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function signIn(base: string, username: string) {
  const res = await call(base, 'POST', '/api/session', {}, { username, password: 'demo-2026' });
  if (res.status !== 201) throw new Error(`sign-in of ${username} failed: ${res.status} ${res.text}`);
  return { cookie: res.cookie ?? '', csrf: res.body.csrfToken as string };
}

/** The processes the supervisor started (Linux: /proc/<pid>/task/<pid>/children). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

(onPostgres ? describe : describe.skip)('APP_PROCESSES=2: a lead and a replica on one port (PostgreSQL)', () => {
  let db: TestDatabase;
  let app: ChildApp | undefined;
  let admin: Client;
  let base = '';
  let env: Record<string, string>;
  const engineAuth = `Basic ${Buffer.from(`engine:${PASSWORD}`).toString('base64')}`;

  /** The app's process that holds the engine's lock (its connection is named after it). */
  const leadPid = async () => {
    const { rows } = await admin.query<{ application_name: string }>(
      "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objid = 727274001 AND l.granted AND a.datname = current_database()",
    );
    const match = /pid ([0-9]+)/.exec(rows[0]?.application_name ?? '');
    return match ? Number(match[1]) : undefined;
  };
  /** Until the supervisor says so (its log): after a start, every process answers; after a death, the process is back. */
  const logged = (what: 'all processes answer' | 'process started again', after = 0) =>
    until(() => Promise.resolve(app!.output().slice(after).includes(`"msg":"${what}"`)), 60000);

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new Client({ connectionString: db.env.DATABASE_URL });
    await admin.connect();
    env = testEnv(db, {
      PORT: String(await freePort()),
      APP_PROCESSES: '2',
      LOG_LEVEL: 'info',
      ENGINE_API_PASSWORD: PASSWORD,
      PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      METRICS_TOKEN,
      DEMO_SEED: 'true',
    });
    app = await spawnApp(env);
    base = app.url;
    await logged('all processes answer');
  });
  afterAll(async () => {
    reportUnexpectedExit(app);
    const pid = app?.process.pid;
    const children = pid && alive(pid) ? childrenOf(pid) : [];
    await app?.kill('SIGKILL');
    for (const child of children) if (alive(child)) process.kill(child, 'SIGKILL');
    await admin?.end();
    await db?.drop();
  });

  it('when the engine API is called without its credentials on any process, then it is refused; with them, either answers', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await call(base, 'GET', '/v2/topology')).status).toBe(401);
      expect((await call(base, 'POST', '/v2/user-tasks/search', {}, {})).status).toBe(401);
      const topology = await call(base, 'GET', '/v2/topology', { authorization: engineAuth });
      expect(topology.status).toBe(200);
      expect(topology.body.brokers).toHaveLength(1);
      const search = await call(
        base,
        'POST',
        '/v2/process-definitions/search',
        { authorization: engineAuth },
        { filter: { processDefinitionId: 'petition-handling' } },
      );
      expect(search.status).toBe(200);
      expect(search.body.items.length).toBeGreaterThan(0);
    }
  });

  it('when requests were spread over both processes, then /metrics counts all of them whichever process answers it', async () => {
    const metricsOf = async () => {
      const res = await call(base, 'GET', '/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}:\n${app!.output().slice(-4000)}`);
      return Number(
        /^http_requests_total\{method="GET",route="\/healthz",status="200"\} ([0-9]+)$/m.exec(res.text)?.[1] ?? 0,
      );
    };
    const before = await metricsOf();
    // when twenty requests go out, each on a connection of its own (ten to each process)
    for (let i = 0; i < 20; i++) expect((await call(base, 'GET', '/healthz')).status).toBe(200);
    // then every scrape, from either process, counts all twenty
    for (let i = 0; i < 4; i++) expect((await metricsOf()) - before).toBe(20);
  });

  it('when the lead is SIGKILLed, then the replica still answers the tasklist and accepts petitions, the lead comes back and every petition gets its process', async () => {
    const reception = await signIn(base, 'reception');
    const as = { cookie: reception.cookie, 'x-csrf-token': reception.csrf };
    const petition = (n: number) => ({
      channel: 'walk-in',
      category: '路灯维修',
      description: `小区北门路灯不亮（${n}）`,
    });
    const filed: string[] = [];
    const onTasklist = (count: number) =>
      until(async () => {
        const { body } = await call(base, 'GET', '/api/tasks?view=mine', as);
        const mine = (body.items as Json[]).filter((t) => filed.includes(t.case?.id as string));
        return mine.length === count ? mine : undefined;
      }, 60000);
    // given a petition filed with both processes up, waiting for its first responder (no job of it in a worker's
    // hands when the lead dies: such a job would wait out its timeout before another worker may take it)
    const first = await call(base, 'POST', '/api/cases', as, petition(0));
    expect(first.status).toBe(201);
    filed.push(first.body.id as string);
    await onTasklist(1);
    const lead = await leadPid();
    expect(lead).toBeDefined();
    expect(childrenOf(app!.process.pid!)).toContain(lead);
    const replica = childrenOf(app!.process.pid!).find((pid) => pid !== lead)!;

    // when the lead dies
    const mark = app!.output().length;
    process.kill(lead!, 'SIGKILL');
    await until(() => Promise.resolve(!alive(lead!)), 10000);
    // then the replica answers reads and takes petitions (saved; their process starts once the engine is back)
    for (let i = 1; i <= 4; i++) {
      expect((await call(base, 'GET', '/api/tasks?view=mine', as)).status).toBe(200);
      const res = await call(base, 'POST', '/api/cases', as, petition(i));
      expect(res.status).toBe(201);
      filed.push(res.body.id as string);
    }
    // and the lead is started again, takes the engine's lock, and both answer
    await logged('process started again', mark);
    const next = await leadPid();
    expect(next).toBeDefined();
    expect(next).not.toBe(lead);
    expect(childrenOf(app!.process.pid!)).toContain(replica);
    // and every petition has its process: the first responder's acceptance decision is on the tasklist
    await until(async () => {
      const { rows } = await admin.query<{ n: string }>(
        'SELECT count(*) AS n FROM petition_case WHERE id = ANY($1::uuid[]) AND process_instance_key IS NOT NULL',
        [filed],
      );
      return Number(rows[0].n) === filed.length;
    }, 60000);
    const tasks = await onTasklist(filed.length);
    expect(new Set(tasks.map((t) => t.elementId))).toEqual(new Set(['Task_AcceptanceDecision']));
  });

  it('when the supervisor is stopped, then every process stops; when it is SIGKILLed, then none is left behind holding the engine', async () => {
    // SIGTERM: all stop, cleanly
    const children = childrenOf(app!.process.pid!);
    await app!.kill('SIGTERM');
    expect(app!.process.exitCode).toBe(0);
    await until(() => Promise.resolve(children.every((pid) => !alive(pid))), 30000);
    // SIGKILL of a new supervisor: its processes notice and stop, and the engine's lock is free for the next start
    app = await spawnApp(env);
    await logged('all processes answer');
    const next = childrenOf(app.process.pid!);
    await app.kill('SIGKILL');
    await until(() => Promise.resolve(next.every((pid) => !alive(pid))), 30000);
    await until(async () => (await leadPid()) === undefined, 30000);
  });
});
