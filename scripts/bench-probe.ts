/**
 * `npm run bench:probe -- <database-url>`: what one request costs, one at a time, on a database the app has worked on
 * (e.g. one kept by `BENCH_KEEP=1 npm run bench:load`, 100,000 cases). For each route: the latency (p50), the app's
 * CPU time per request (from /proc, so it counts the work a request leaves behind, such as the steps and jobs after an
 * intake), PostgreSQL's CPU time per request (every `postgres` process on this machine) and the SQL statements the
 * app sent per request and the engine calls it made to its own /v2 (both counted by scripts/query-count.cjs, preloaded
 * into the app), with the most frequent ones.
 *
 * On a shared, noisy machine the CPU times per request are steadier than latencies under load: compare two versions
 * by probing them one after the other. Intakes add cases to the database.
 *
 * Options (environment): BENCH_PROBE_REQUESTS (200 per read route; intakes a quarter of it), BENCH_PROBE_TOP (5 statements and engine calls listed per route).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  FIRST_RESPONDERS,
  Session,
  cpuMs,
  intakeBody,
  machine,
  percentile,
  pick,
  postgresCpuMs,
  startBenchApp,
  table,
} from './bench-support';

const REQUESTS = Number(process.env.BENCH_PROBE_REQUESTS ?? 200);
const TOP = Number(process.env.BENCH_PROBE_TOP ?? 5);

async function main() {
  const url = process.argv[2];
  if (!url) throw new Error('usage: npm run bench:probe -- <database-url> (a database the app has worked on)');
  const countFile = join(mkdtempSync(join(tmpdir(), 'bench-probe-')), 'queries.json');
  const bench = await startBenchApp(url, {
    NODE_OPTIONS: `--require ${join(__dirname, 'memory-probe.cjs')} --require ${join(__dirname, 'query-count.cjs')}`,
    BENCH_QUERY_COUNT_FILE: countFile,
  });
  const db = new Client({ connectionString: url });
  try {
    await db.connect();
    const pid = bench.app.process.pid!;
    const sessions = new Map<string, Session>();
    for (const u of [...FIRST_RESPONDERS, 'street-office', 'leader'])
      sessions.set(u, await Session.signIn(bench.url, u));
    const caseIds = (
      await db.query<{ id: string }>('SELECT id FROM petition_case ORDER BY random() LIMIT 5000')
    ).rows.map((r) => r.id);
    const compounds = (await db.query<{ id: string }>('SELECT id FROM compound')).rows.map((r) => r.id);
    // The case centre's filtered pages as staff ask them: a category, a grid, a status, overdue, due soon, a rating,
    // received in a month, a name, a phone, a case number, a second page; each in a typical order.
    const grids = (await db.query<{ id: string }>('SELECT id FROM grid')).rows.map((r) => r.id);
    const caseNos = (
      await db.query<{ case_no: string }>('SELECT case_no FROM petition_case ORDER BY random() LIMIT 200')
    ).rows.map((r) => r.case_no);
    const caseCentreQueries = [
      `category=${encodeURIComponent('物业服务')}`,
      `gridId=${pick(grids)}&status=closed`,
      `gridId=${pick(grids)}&sort=due`,
      'status=handling&sort=due',
      'due=overdue',
      'due=within&dueWithinDays=3',
      'rating=dissatisfied',
      'caseClass=complex&keyMatter=true',
      'receivedFrom=2024-03-01&receivedTo=2024-03-31',
      `q=${encodeURIComponent('王秀英')}`,
      'q=13912345678',
      `q=${pick(caseNos)}`,
      'sort=case-no',
      'sort=received-asc&status=closed',
    ];
    const probes: Array<{ route: string; requests: number; call: () => Promise<number> }> = [
      {
        route: 'GET /api/tasks?view=mine',
        requests: REQUESTS,
        call: () => get(pick(FIRST_RESPONDERS), '/api/tasks?view=mine'),
      },
      {
        route: 'GET /api/tasks?view=queue',
        requests: REQUESTS,
        call: () => get('street-office', '/api/tasks?view=queue'),
      },
      { route: 'GET /api/cases/:id', requests: REQUESTS, call: () => get('leader', `/api/cases/${pick(caseIds)}`) },
      { route: 'GET /api/cases (case centre)', requests: REQUESTS, call: () => get('leader', '/api/cases') },
      {
        route: 'GET /api/cases?<filters>',
        requests: REQUESTS,
        call: () => get(pick(['leader', ...FIRST_RESPONDERS]), `/api/cases?${pick(caseCentreQueries)}`),
      },
      {
        route: 'GET /api/street-office/queue',
        requests: Math.ceil(REQUESTS / 10),
        call: () => get('street-office', '/api/street-office/queue'),
      },
      { route: 'GET /api/dashboard', requests: Math.ceil(REQUESTS / 10), call: () => get('leader', '/api/dashboard') },
      {
        route: 'POST /api/cases',
        requests: Math.ceil(REQUESTS / 4),
        call: async () => (await sessions.get('reception')!.call('POST', '/api/cases', intakeBody(compounds))).status,
      },
    ];
    async function get(user: string, path: string): Promise<number> {
      const res = await fetch(`${bench.url}${path}`, { headers: sessions.get(user)!.headers(false) });
      await res.arrayBuffer();
      return res.status;
    }
    type Counts = Record<string, number>;
    const counted = async (): Promise<{ sql: Counts; engine: Counts }> => {
      process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 200));
      return JSON.parse(readFileSync(countFile, 'utf8')) as { sql: Counts; engine: Counts };
    };
    const top = (counts: Counts, requests: number) =>
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .slice(0, TOP)
        .map(([text, n]) => `  ${(n / requests).toFixed(2).padStart(6)}  ${text}`)
        .join('\n');
    const sum = (counts: Counts) => Object.values(counts).reduce((a, b) => a + b, 0);
    const rows: Array<Record<string, string | number>> = [];
    const tops: string[] = [];
    for (const probe of probes) {
      for (let i = 0; i < 10; i++) await probe.call(); // warm up
      await new Promise((r) => setTimeout(r, 1000));
      await counted();
      const app0 = cpuMs(pid);
      const pg0 = postgresCpuMs();
      const times: number[] = [];
      for (let i = 0; i < probe.requests; i++) {
        const t = performance.now();
        const status = await probe.call();
        times.push(performance.now() - t);
        if (status >= 300) throw new Error(`${probe.route}: ${status}`);
      }
      // What a request leaves behind (an intake's steps and jobs) is counted too: the app settles first.
      await new Promise((r) => setTimeout(r, probe.route.startsWith('POST') ? 3000 : 200));
      const { sql, engine } = await counted();
      rows.push({
        route: probe.route,
        requests: probe.requests,
        'p50 ms': percentile(times, 50).toFixed(1),
        'p95 ms': percentile(times, 95).toFixed(1),
        'app CPU ms': ((cpuMs(pid) - app0) / probe.requests).toFixed(1),
        'Postgres CPU ms': ((postgresCpuMs() - pg0) / probe.requests).toFixed(1),
        'SQL statements': (sum(sql) / probe.requests).toFixed(1),
        'engine calls': (sum(engine) / probe.requests).toFixed(1),
      });
      tops.push(
        `${probe.route}:\n${top(sql, probe.requests)}\n  engine calls (in process, /v2):\n${top(engine, probe.requests)}`,
      );
    }
    console.log(
      `\nOne request at a time (app CPU includes its idle work: job polling, about 15 ms a second):\n\n${table(rows)}\n`,
    );
    console.log(`Most frequent statements and engine calls per request:\n\n${tops.join('\n\n')}\n\n${machine()}`);
  } finally {
    await db.end().catch(() => undefined);
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
