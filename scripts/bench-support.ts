/**
 * What the load and end-to-end benchmarks share: a fresh database of their own (created, then dropped), the app in a
 * child process on loopback with known secrets, browser-like sessions (cookie and CSRF token), polling, percentiles
 * and the app's memory read from inside it (a preload that writes process.memoryUsage() to a file).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { spawnApp, spawnWorkers, type ChildApp, type ChildWorkers } from '../tests/support/child-app';
import { freePort } from '../tests/support/ports';
import { piiCipher, type PiiCipher } from '../platform/pii';

export const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const DEMO_PASSWORD = 'demo-2026';

/**
 * How `npm start` runs node (package.json's start script, after its build step): the environment it sets before
 * `node` and node's options before the entry. The benchmarks run the app with the same options.
 */
export function startCommand(): { env: Record<string, string>; nodeArgs: string[] } {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = pkg.scripts.start.split('&&').pop()!.trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0 || !/\.(js|ts)$/.test(words[words.length - 1]))
    throw new Error(
      `package.json's start script does not end with "[NAME=value ...] node [options] <entry>": ${pkg.scripts.start}`,
    );
  return {
    env: Object.fromEntries(words.slice(0, node).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)])),
    nodeArgs: words.slice(node + 1, -1),
  };
}

export type Json = Record<string, unknown>;

/** A database of the benchmark's own on DATABASE_URL's server: nobody else's data is touched. */
export async function freshDatabase(prefix: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      const a = new Client({ connectionString: SERVER_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface BenchApp {
  app: ChildApp;
  url: string;
  env: Record<string, string>;
  cipher: PiiCipher;
  /** The app's own memory samples (rss, heapUsed, heapTotal, external in bytes, t in ms since epoch). */
  /** The app's memory samples, every 5 s, from each of its processes (`pid`). */
  memory(): Array<{ t: number; pid: number; rss: number; heapUsed: number; heapTotal: number; external: number }>;
  /** The app's processes: one, or with BENCH_SPLIT the engine, the workers and the front app. */
  pids(): number[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The app (ENGINE=embedded, workers in the app) in a child process, listening on 127.0.0.1 only.
 *
 * BENCH_SPLIT=1: three processes on the same database, so that two cores both work — the engine (an app with
 * ENGINE=embedded and no workers; its memory is what `memory()` reads), the job workers (`npm run workers`) and the
 * app the benchmark talks to (ENGINE=camunda, reaching that engine over HTTP as it would reach a Camunda cluster).
 */
/**
 * The benchmarks run on today's date, and a difficult case's 15 working days (or a key person's year) may reach past
 * the last year the State Council has published (the calendar then refuses to guess: an incident until an admin adds
 * the year). In the benchmark's own database only, the two years after today's get the plain week (Mon–Fri) as a
 * stand-in, marked as an admin's entry; a real deployment adds the published holidays instead.
 */
async function standInYears(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const year = new Date().getUTCFullYear();
    const added = await db.query<{ year: number }>(
      `INSERT INTO work_calendar_year (year, source, complete) SELECT y, 'admin', true FROM unnest($1::int[]) y
       ON CONFLICT (year) DO NOTHING RETURNING year`,
      [[year + 1, year + 2]],
    );
    if (added.rows.length > 0)
      console.log(
        `calendar: ${added.rows.map((r) => r.year).join(', ')} added as plain weeks (no holidays), for this benchmark's database only`,
      );
  } finally {
    await db.end();
  }
}

export async function startBenchApp(databaseUrl: string, extra: Record<string, string> = {}): Promise<BenchApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-app-'));
  // A database kept by an earlier run (BENCH_KEEP=1) is read with the key it printed.
  const piiKey = process.env.PII_ENCRYPTION_KEY ?? randomBytes(32).toString('hex');
  const memoryFile = join(dataDir, 'memory.jsonl');
  const start = startCommand();
  const env: Record<string, string> = {
    // What `npm start` sets before node (package.json: the allocator's setting, see BENCHMARKS.md).
    ...start.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    ENGINE: 'embedded',
    WORKERS_IN_APP: 'true',
    DEMO_SEED: 'true',
    DEPLOY_MODELS: 'true',
    SMS_PROVIDER: 'outbox',
    ENGINE_API_PASSWORD: randomBytes(12).toString('hex'),
    SESSION_SECRET: randomBytes(24).toString('hex'),
    PII_ENCRYPTION_KEY: piiKey,
    BENCH_MEMORY_FILE: memoryFile,
    BENCH_MEMORY_INTERVAL_MS: '5000',
    // BENCH_ALLOC_PROF=<dir>: where the app allocates, freed objects included (scripts/alloc-probe.cjs).
    NODE_OPTIONS: [
      `--require ${join(__dirname, 'memory-probe.cjs')}`,
      ...(process.env.BENCH_ALLOC_PROF ? [`--require ${join(__dirname, 'alloc-probe.cjs')}`] : []),
    ].join(' '),
    ...(process.env.BENCH_ALLOC_PROF ? { BENCH_ALLOC_PROF: process.env.BENCH_ALLOC_PROF } : {}),
    // The engine's settings, the number of app processes and the limit on requests in hand, when the run is about them.
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] =>
          (e[0].startsWith('ENGINE_') || e[0] === 'APP_PROCESSES' || e[0] === 'MAX_REQUESTS_IN_FLIGHT') &&
          e[1] !== undefined,
      ),
    ),
    ...extra,
  };
  // BENCH_CPU_PROF=<dir> / BENCH_HEAP_PROF=<dir>: the app writes a V8 CPU profile / sampling heap profile (what is
  // still allocated, by where it was allocated) there each time it stops (open either in Chrome's DevTools).
  // BENCH_NODE_ARGS: node's options for the app, by default those `npm start` runs it with.
  const nodeArgs = [
    ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? start.nodeArgs),
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ...(process.env.BENCH_HEAP_PROF ? ['--heap-prof', `--heap-prof-dir=${process.env.BENCH_HEAP_PROF}`] : []),
  ];
  const split = process.env.BENCH_SPLIT === '1';
  // In the split, the engine keeps its address across restarts: the app and the workers are pointed at it.
  const enginePort = split ? String(await freePort()) : '0';
  const engineEnv = split ? { ...env, PORT: enginePort, WORKERS_IN_APP: 'false' } : env;
  const camunda = {
    ENGINE: 'camunda',
    ZEEBE_REST_ADDRESS: `http://127.0.0.1:${enginePort}`,
    CAMUNDA_AUTH_STRATEGY: 'BASIC',
    CAMUNDA_BASIC_AUTH_USERNAME: 'engine',
    CAMUNDA_BASIC_AUTH_PASSWORD: env.ENGINE_API_PASSWORD,
    NODE_OPTIONS: '',
    BENCH_MEMORY_FILE: '',
  };
  let front: ChildApp | undefined;
  let workers: ChildWorkers | undefined;
  const startAll = async () => {
    const engine = await spawnApp({ ...engineEnv, ENGINE_API_USERNAME: 'engine' }, 120_000, nodeArgs);
    if (!split) return engine;
    workers = await spawnWorkers({ ...env, ...camunda, PUBLIC_URL: engine.url, WORKERS_IN_APP: 'false' }, 120_000);
    front = await spawnApp(
      { ...env, ...camunda, WORKERS_IN_APP: 'false', DEPLOY_MODELS: 'false', DEMO_SEED: 'false' },
      120_000,
      nodeArgs,
    );
    return engine;
  };
  const stopAll = async (engine: ChildApp) => {
    await front?.kill('SIGTERM').catch(() => undefined);
    await workers?.kill('SIGTERM').catch(() => undefined);
    await engine.kill('SIGTERM').catch(() => undefined);
  };
  let app = await startAll();
  await standInYears(databaseUrl);
  const bench: BenchApp = {
    app,
    url: front?.url ?? app.url,
    env,
    cipher: piiCipher(Buffer.from(piiKey, 'hex')),
    memory: () =>
      existsSync(memoryFile)
        ? readFileSync(memoryFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as ReturnType<BenchApp['memory']>[number])
        : [],
    // With APP_PROCESSES > 1 the app's processes are children of the one started here.
    pids: () =>
      withDescendants([app, workers, front].flatMap((child) => (child?.process.pid ? [child.process.pid] : []))),
    async restart() {
      await stopAll(app);
      rmSync(memoryFile, { force: true });
      app = await startAll();
      bench.app = app;
      bench.url = front?.url ?? app.url;
    },
    async stop() {
      await stopAll(app);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return bench;
}

/** The processes and every process they started, from /proc. */
function withDescendants(pids: number[]): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const all = new Set(pids);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (all.has(parent) && !all.has(pid)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  return [...all];
}

/**
 * CPU time (user + system) of a process in ms, from /proc (0 when it has gone). `withEnded`: also that of its children
 * that have ended (and were waited for), such as PostgreSQL's backends of connections closed meanwhile.
 */
export function cpuMs(pid: number, withEnded = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (withEnded ? Number(fields[13]) + Number(fields[14]) : 0);
    return (ticks * 1000) / 100; // clock ticks of 1/100 s
  } catch {
    return 0;
  }
}

/**
 * CPU time of every `postgres` process on this machine in ms (0 without a server here, or without pgrep), with that of
 * the backends that ended (counted in their parent's): a connection closed during a run still counts.
 */
export function postgresCpuMs(): number {
  let pids: number[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'postgres']).toString().trim().split('\n').map(Number);
  } catch {
    // no PostgreSQL server on this machine (or pgrep missing): not counted
  }
  return pids.reduce((sum, pid) => sum + cpuMs(pid, true), 0);
}

/** Busy and total time of all cores, in clock ticks, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0); // idle and iowait
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Where the CPU went during a stretch of load: started now, read with the number of requests served. Per request,
 * the app's processes, PostgreSQL and this benchmark's own process (the load generator), and how busy the machine's
 * cores were. On a noisy machine these are steadier than latencies, and they tell which side ran out.
 */
export function cpuMeter(bench: BenchApp): (requests: number) => string {
  const app0 = bench.pids().reduce((sum, pid) => sum + cpuMs(pid), 0);
  const pg0 = postgresCpuMs();
  const me0 = process.cpuUsage();
  const m0 = machineTicks();
  return (requests) => {
    const app = bench.pids().reduce((sum, pid) => sum + cpuMs(pid), 0) - app0;
    const pg = postgresCpuMs() - pg0;
    const me = process.cpuUsage(me0);
    const m1 = machineTicks();
    const per = (ms: number) => (requests > 0 ? (ms / requests).toFixed(2) : '-');
    const busy = m1.total > m0.total ? ((100 * (m1.busy - m0.busy)) / (m1.total - m0.total)).toFixed(0) : '-';
    return `CPU per request: app ${per(app)} ms, PostgreSQL ${per(pg)} ms, load generator ${per((me.user + me.system) / 1000)} ms; cores busy ${busy} %`;
  };
}

/** A browser-like client: keeps the session cookie and sends the CSRF token it was given. */
export class Session {
  cookie = '';
  csrf = '';
  constructor(
    public base: string,
    readonly username = '',
  ) {}
  headers(json = true): Record<string, string> {
    return {
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(this.cookie ? { cookie: this.cookie } : {}),
      ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
    };
  }
  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...this.headers(body !== undefined), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  }
  static async signIn(base: string, username: string): Promise<Session> {
    const s = new Session(base, username);
    const res = await s.call('POST', '/api/session', { username, password: DEMO_PASSWORD });
    if (res.status !== 201) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    s.csrf = res.body.csrfToken as string;
    return s;
  }
}

export async function until<T>(
  check: () => Promise<T | undefined | false | null>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const CATEGORIES: Array<[string, number]> = [
  ['垃圾清运', 14],
  ['路灯维修', 10],
  ['环境卫生', 12],
  ['邻里纠纷', 12],
  ['物业管理', 14],
  ['物业合同纠纷', 5],
  ['公共区域改造', 5],
  ['电梯故障', 8],
  ['停车管理', 8],
  ['噪音扰民', 6],
  ['历史遗留问题', 3],
  ['跨区域纠纷', 1],
  ['政策落实', 2],
];
export const SIMPLE_CATEGORIES = ['垃圾清运', '路灯维修', '环境卫生', '邻里纠纷', '停车管理', '噪音扰民'];
export const CHANNELS: Array<[string, number]> = [
  ['walk-in', 35],
  ['phone', 25],
  ['hotline-12345', 20],
  ['wechat', 12],
  ['grid-report', 8],
];
/** Staff who file petitions and so own cases (first responders). */
export const FIRST_RESPONDERS = [
  'reception',
  'cadre',
  'secretary',
  'grid1',
  'grid2',
  'grid3',
  'grid4',
  'grid5',
  'grid6',
  'grid7',
];

export function weighted<T>(items: Array<[T, number]>): T {
  const total = items.reduce((a, [, w]) => a + w, 0);
  let r = Math.random() * total;
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[items.length - 1][0];
}

export const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

let phoneCounter = Math.floor(Math.random() * 1e6);
/** A petition as reception takes it: a distinct petitioner (a fresh phone number), a compound, a category. */
export function intakeBody(compoundIds: string[], category = weighted(CATEGORIES)): Json {
  phoneCounter = (phoneCounter + 7919) % 1e8;
  const withPetitioner = Math.random() < 0.8;
  return {
    channel: weighted(CHANNELS),
    category,
    description: `${category}：居民反映问题，请尽快处理（压测）`,
    compoundId: pick(compoundIds),
    ...(withPetitioner
      ? {
          petitioner: {
            name: `${pick(['王', '李', '张', '刘', '陈', '杨', '赵', '黄'])}${pick(['秀英', '建国', '小明', '桂兰', '志强', '丽', '伟'])}`,
            phone: `139${String(phoneCounter).padStart(8, '0')}`,
          },
        }
      : {}),
  };
}

/** The app's machine: cores, load, memory (written next to the figures). */
export function machine(): string {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown cpu';
  const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return `${cores} cores (${cpus}), load average ${load}, node ${process.version}`;
}

export function table(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(keys),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => String(r[k])))),
  ].join('\n');
}
