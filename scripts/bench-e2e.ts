/**
 * `npm run bench:e2e [-- --minutes 10 --lanes 8]`: petitions per second from intake to closure on the simple path,
 * with the workers in the app, and whether the app's memory grows once it is steady.
 *
 * A fresh database of its own (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432/test, dropped at the
 * end), the app in a child process on 127.0.0.1 (ENGINE=embedded, workers in the app). Each lane is one staff member
 * working one petition at a time, as people do, through the API only: file it (POST /api/cases), find the
 * classification task in their tasklist and complete it as simple with SMS feedback, find the coordination task and
 * complete it as resolved; the petitioner then opens the rating link from the SMS (read from rating_link and
 * decrypted, as the SMS would carry it) and rates satisfied (POST /api/public/ratings/:token); the workers close the
 * case. Latency is intake to the case's closed_at. The app's RSS and heap are sampled every 5 s from inside it.
 * Every fourth petition is a key matter, so its result (naming the petitioner, as staff write) goes on the notice board.
 *
 * BENCH_KEEP=1 keeps the database (its URL and personal-data key are printed); BENCH_LOG=<file> runs the app at
 * LOG_LEVEL=info and writes all it printed to the file. Together they let `npm run check:public-text -- <url> --log
 * <file>` look for phone and ID numbers in what the run made public and logged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Pool } from 'pg';
import {
  FIRST_RESPONDERS,
  SIMPLE_CATEGORIES,
  Session,
  freshDatabase,
  intakeBody,
  machine,
  percentile,
  pick,
  startBenchApp,
  table,
  until,
  type BenchApp,
  type Json,
} from './bench-support';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const MINUTES = arg('minutes', 10);
const LANES = arg('lanes', 8);
const POLL_MS = 250;
const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

interface Done {
  filedAt: number;
  closedAt: number;
  /** Seconds each stage took: intake answered, classification task seen, coordination task seen, link sent, closed. */
  steps: number[];
}

const STEPS = ['intake answer', 'to classification task', 'to coordination task', 'to rating link', 'rating to closed'];

async function main() {
  log(`bench:e2e — ${MINUTES} min, ${LANES} lanes; ${machine()}`);
  const database = await freshDatabase('bench_e2e');
  let bench: BenchApp | undefined;
  const db = new Pool({ connectionString: database.url, max: 4 });
  try {
    bench = await startBenchApp(database.url, process.env.BENCH_LOG ? { LOG_LEVEL: 'info' } : {});
    const compounds = (await db.query<{ id: string }>('SELECT id FROM compound')).rows.map((r) => r.id);
    const sessions = new Map<string, Session>();
    for (const u of FIRST_RESPONDERS) sessions.set(u, await Session.signIn(bench.url, u));
    const app = bench;
    const done: Done[] = [];
    const failures: string[] = [];
    let address = 0;
    const start = Date.now();
    const deadline = start + MINUTES * 60_000;
    const rssOf = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.app.process.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const procRss: Array<{ t: number; rss: number }> = [];
    const sampler = setInterval(() => {
      try {
        procRss.push({ t: Date.now(), rss: rssOf() });
      } catch {
        // the app has gone: the lanes will say so
      }
    }, 5000);
    const progress = setInterval(
      () => log(`${done.length} closed, ${failures.length} failed, RSS ${(rssOf() / 1048576).toFixed(0)} MB`),
      60_000,
    );

    const task = (s: Session, caseId: string, elementId: string) =>
      until(
        async () =>
          ((await s.call('GET', '/api/tasks?view=mine')).body.items as Json[]).find(
            (t) => (t.case as Json | null)?.id === caseId && t.elementId === elementId,
          ),
        120_000,
        `${elementId} of ${caseId}`,
        POLL_MS,
      );
    const complete = async (s: Session, key: unknown, variables: Json) => {
      const res = await s.call('POST', `/api/tasks/${String(key)}/complete`, { variables });
      if (res.status !== 204) throw new Error(`completion: ${res.status} ${JSON.stringify(res.body)}`);
    };

    let filings = 0;
    async function petition(s: Session): Promise<Done> {
      const filedAt = Date.now();
      const marks = [filedAt];
      const mark = () => marks.push(Date.now());
      const body = intakeBody(compounds, pick(SIMPLE_CATEGORIES));
      const keyMatter = ++filings % 4 === 0;
      const name = (body.petitioner as Json | undefined)?.name;
      const filed = await s.call('POST', '/api/cases', body);
      if (filed.status !== 201) throw new Error(`intake: ${filed.status} ${JSON.stringify(filed.body)}`);
      const caseId = filed.body.id as string;
      mark();
      const decision = await task(s, caseId, 'Task_AcceptanceDecision');
      await complete(s, decision.userTaskKey, { acceptanceDecision: 'accepted' });
      const confirm = await task(s, caseId, 'Task_ConfirmCaseClass');
      mark();
      await complete(s, confirm.userTaskKey, { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: keyMatter });
      const coordinate = await task(s, caseId, 'Task_CoordinateUnit');
      mark();
      const handlingResult = typeof name === 'string' ? `已上门向${name}说明，处理完毕` : '已处理完毕';
      await complete(s, coordinate.userTaskKey, { responsibleUnit: '物业公司', handlingResult, resolved: true });
      const link = await until(
        async () =>
          (
            await db.query<{ token_enc: Buffer }>(
              'SELECT token_enc FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL',
              [caseId],
            )
          ).rows[0],
        120_000,
        `the rating link of ${caseId}`,
        POLL_MS,
      );
      mark();
      address++;
      const resident = new Session(app.url);
      const rated = await resident.call(
        'POST',
        `/api/public/ratings/${app.cipher.decrypt(link.token_enc)}`,
        { rating: 'satisfied', comment: '' },
        // each petitioner from their own address (the app trusts X-Forwarded-For from loopback, as behind its proxy)
        { 'x-forwarded-for': `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}` },
      );
      if (rated.status !== 201) throw new Error(`rating: ${rated.status} ${JSON.stringify(rated.body)}`);
      const closed = await until(
        async () =>
          (
            await db.query<{ closed_at: Date }>(
              "SELECT closed_at FROM petition_case WHERE id = $1 AND status = 'closed'",
              [caseId],
            )
          ).rows[0],
        120_000,
        `${caseId} to close`,
        POLL_MS,
      );
      const closedAt = new Date(closed.closed_at).getTime();
      marks.push(closedAt);
      return { filedAt, closedAt, steps: marks.slice(1).map((m, i) => (m - marks[i]) / 1000) };
    }

    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const s = sessions.get(FIRST_RESPONDERS[lane % FIRST_RESPONDERS.length])!;
        while (Date.now() < deadline) {
          try {
            done.push(await petition(s));
          } catch (error) {
            failures.push((error as Error).message);
            if (failures.length > 50)
              throw new Error(`too many failures:\n${failures.slice(-5).join('\n')}`, { cause: error });
          }
        }
      }),
    );
    clearInterval(sampler);
    clearInterval(progress);
    const seconds = (Date.now() - start) / 1000;

    const latencies = done.map((d) => (d.closedAt - d.filedAt) / 1000);
    const steady = done.filter((d) => d.closedAt >= start + 60_000 && d.closedAt <= deadline);
    const steadySeconds = (deadline - start - 60_000) / 1000;
    console.log(
      `\nPetitions closed: ${done.length} in ${seconds.toFixed(0)} s; failed: ${failures.length}${failures.length ? ` (last: ${failures.at(-1)})` : ''}`,
    );
    console.log(
      `throughput: ${(done.length / seconds).toFixed(2)} petitions/s overall, ${(steady.length / steadySeconds).toFixed(2)} petitions/s closed after the first minute`,
    );
    console.log(
      `intake to closure: p50 ${percentile(latencies, 50).toFixed(2)} s, p95 ${percentile(latencies, 95).toFixed(2)} s, p99 ${percentile(latencies, 99).toFixed(2)} s, max ${Math.max(...latencies).toFixed(2)} s`,
    );

    console.log(
      `stages (p50 / p95 s, polling every ${POLL_MS} ms): ${STEPS.map(
        (name, i) =>
          `${name} ${percentile(
            done.map((d) => d.steps[i]),
            50,
          ).toFixed(2)} / ${percentile(
            done.map((d) => d.steps[i]),
            95,
          ).toFixed(2)}`,
      ).join('; ')}`,
    );

    // Memory: the app's own samples (process.memoryUsage every 5 s), shown every 30 s; growth compares thirds.
    const samples = app.memory().filter((m) => m.t >= start);
    const series = samples
      .filter((_, i) => i % 6 === 0)
      .map((m) => ({
        minute: ((m.t - start) / 60000).toFixed(1),
        'rss MB': (m.rss / 1048576).toFixed(0),
        'heap used MB': (m.heapUsed / 1048576).toFixed(0),
        'heap total MB': (m.heapTotal / 1048576).toFixed(0),
        'external MB': (m.external / 1048576).toFixed(0),
        'closed so far': done.filter((d) => d.closedAt <= m.t).length,
      }));
    console.log(`\nApp memory (every 30 s):\n\n${table(series)}\n`);
    const third = Math.floor(samples.length / 3);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const mb = (x: number) => (x / 1048576).toFixed(0);
    const second = samples.slice(third, 2 * third);
    const last = samples.slice(2 * third);
    const rss2 = mean(second.map((m) => m.rss));
    const rss3 = mean(last.map((m) => m.rss));
    const heap2 = mean(second.map((m) => m.heapUsed));
    const heap3 = mean(last.map((m) => m.heapUsed));
    console.log(
      `mean RSS second third ${mb(rss2)} MB, last third ${mb(rss3)} MB (${(((rss3 - rss2) / rss2) * 100).toFixed(1)} %)`,
    );
    console.log(
      `mean heap used second third ${mb(heap2)} MB, last third ${mb(heap3)} MB (${(((heap3 - heap2) / heap2) * 100).toFixed(1)} %)`,
    );
    const rssProc = procRss.map((p) => p.rss);
    if (rssProc.length)
      console.log(`RSS from /proc: min ${mb(Math.min(...rssProc))} MB, max ${mb(Math.max(...rssProc))} MB`);
    console.log(`\n${machine()}`);
  } finally {
    await db.end().catch(() => undefined);
    await bench?.stop();
    if (process.env.BENCH_LOG && bench) writeFileSync(process.env.BENCH_LOG, bench.app.output());
    if (process.env.BENCH_KEEP)
      console.log(
        `database kept: ${database.url} (its personal data is encrypted with PII_ENCRYPTION_KEY=${bench?.env.PII_ENCRYPTION_KEY})`,
      );
    else await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
