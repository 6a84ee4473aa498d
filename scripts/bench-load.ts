/**
 * `npm run bench:load`: the app under a realistic mix of requests, with 100,000 cases in its database.
 *
 * 1. A fresh PostgreSQL database of its own (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432/test),
 *    the app in a child process (ENGINE=embedded, workers in the app, 127.0.0.1 only, demo users).
 * 2. Five template cases go through the API to five places of the simple and difficult paths (waiting for
 *    classification, for coordination, for the petitioner's rating, in the street office's queue, closed). Then
 *    BENCH_CASES (default 100,000) cases are written in SQL: each is a copy of one template — its case row, timeline,
 *    notifications and its whole engine state (instances, element instances, jobs, user tasks, timers, message
 *    subscriptions) with new keys and ids, its own category, channel, compound, first responder, petitioner and
 *    date — so every copy is a case the engine and the API can carry on with. The app is restarted on it.
 * 3. One runner per route at once (loopback, bounded by time and by the tasks and links there are): intake, tasklist
 *    (mine, queue), claims, completions with valid form data, ratings by link, dashboard, case pages. Run A holds the
 *    reads at 200 requests/s with the writes beside them at a realistic rate, each route's requests arriving at
 *    random moments as independent users' do (open loop, see paced()); run B is autocannon with connections per
 *    route and no rate: the most the app serves. Run R, before run A, sends run A's reads alone at the same rate:
 *    what the read path can do without writes. A warm-up with the same reads comes first, shown apart.
 * 4. Per route: requests/s and p50/p95/p99 latency of the 2xx answers (measured per response), non-2xx counts.
 *    The aim: p99 < 100 ms for tasklist and case reads at 200 requests/s.
 *
 * Options (environment): BENCH_CASES (100000), BENCH_RATED_SECONDS (60), BENCH_MAX_SECONDS (30), BENCH_READ_RATE (200),
 * BENCH_WRITE_SCALE (1: run A's writes and dashboard reads at their rates; 0.5 at half of them),
 * BENCH_WARMUP_SECONDS (15: the reads at their rate after the restart, shown apart), APP_PROCESSES (the app's setting),
 * BENCH_RUNS=C adds run C, the reads alone from BENCH_READ_CONNECTIONS (4) connections without a rate (closed loop): what a
 * read costs the app and PostgreSQL, without the backlog a held rate can leave after a restart.
 * BENCH_KEEP=1 keeps the database (for EXPLAIN) and prints its URL and the key its personal data is encrypted with.
 * BENCH_DATABASE=<url> runs on such a kept database instead of seeding one (with PII_ENCRYPTION_KEY set to its key; it
 * is kept, and run A and B's writes stay in it); BENCH_RUNS (R,A,B) names the runs to make, e.g. BENCH_RUNS=R to
 * compare two builds of the read path alternated on one database within minutes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { hashToken } from '../domain/rating-links';
import {
  CATEGORIES,
  CHANNELS,
  FIRST_RESPONDERS,
  Session,
  cpuMeter,
  freshDatabase,
  intakeBody,
  machine,
  percentile,
  pick,
  startBenchApp,
  table,
  until,
  weighted,
  type BenchApp,
  type Json,
} from './bench-support';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const RATED_SECONDS = Number(process.env.BENCH_RATED_SECONDS ?? 60);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 30);
const READ_RATE = Number(process.env.BENCH_READ_RATE ?? 200);
/** Run A's writes (and dashboard reads) at this multiple of their rates: the reads' tail beside fewer or more writes. */
const WRITE_SCALE = Number(process.env.BENCH_WRITE_SCALE ?? 1);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 15);
const REUSED = process.env.BENCH_DATABASE;
const READ_CONNECTIONS = Number(process.env.BENCH_READ_CONNECTIONS ?? 4);
const RUNS = new Set(
  (process.env.BENCH_RUNS ?? 'R,A,B')
    .toUpperCase()
    .split(',')
    .map((r) => r.trim()),
);
/** How many of the cases are open, and where they wait (the rest are closed). */
// Classification is done the day a case comes in, coordination within 24 hours, the street office claims its cases
// soon: few cases wait there. Most open cases wait for the petitioner's rating (a three-day window).
const OPEN = {
  confirm: Math.round(CASES * 0.003),
  coordinate: Math.round(CASES * 0.003),
  rating: Math.round(CASES * 0.012),
  queue: Math.round(CASES * 0.002),
};
const READERS = ['reception', 'cadre', 'secretary', 'street-office', 'leader'];

type TemplateName = 'confirm' | 'coordinate' | 'rating' | 'queue' | 'closed';

const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

async function main() {
  const started = Date.now();
  log(`bench:load — ${CASES} cases; ${machine()}`);
  const database = REUSED ? { url: REUSED, drop: () => Promise.resolve() } : await freshDatabase('bench_load');
  let bench: BenchApp | undefined;
  const db = new Client({ connectionString: database.url });
  try {
    bench = await startBenchApp(database.url);
    await db.connect();
    const users = [...new Set([...FIRST_RESPONDERS, ...READERS])];
    const sessions = new Map<string, Session>();
    for (const u of users) sessions.set(u, await Session.signIn(bench.url, u));
    const compounds = (await db.query<{ id: string }>('SELECT id FROM compound ORDER BY name')).rows.map((r) => r.id);

    if (REUSED) {
      log(`on the kept database ${REUSED}`);
    } else {
      log('templates: five cases through the API');
      const templates = await makeTemplates(bench, db, sessions, compounds);
      log('seeding in SQL');
      const t0 = Date.now();
      const counts = await seed(db, bench, templates, compounds);
      log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s:`, counts);
      await bench.restart();
      for (const s of sessions.values()) s.base = bench.url;
      log(`app restarted at ${bench.url}`);
    }

    const pools = await loadPools(db, bench);
    log(
      `pools: ${pools.confirm.length} classifications, ${pools.coordinate.length} coordinations, ${pools.claims.length} queue tasks, ${pools.ratings.length} rating links`,
    );
    const caseIds = (await db.query<{ id: string }>('SELECT id FROM petition_case')).rows.map((r) => r.id);
    const mix = runners(sessions, pools, caseIds, compounds);

    // Each read alone, one after another, on the idle app: what a request costs without any queueing.
    const idle: Array<Record<string, string | number>> = [];
    for (const runner of mix.filter((r) => r.route.startsWith('GET'))) {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const req = runner.next();
        const t = performance.now();
        const res = await fetch(`${bench.url}${req.path}`, { method: req.method, headers: req.headers });
        await res.arrayBuffer();
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${runner.route}: ${res.status}`);
      }
      idle.push({
        route: runner.route,
        'p50 ms': percentile(times, 50).toFixed(1),
        'max ms': Math.max(...times).toFixed(1),
      });
    }
    console.log(`\nIdle, one request at a time (20 each):\n\n${table(idle)}\n`);

    // The same reads at the same rate with no writes beside them: what the read path alone can do.
    const readRoutes = (route: unknown) =>
      String(route).startsWith('GET /api/tasks') || String(route).startsWith('GET /api/cases/');
    // The aim, judged for the reads alone (run R) and with the writes beside them (run A): each p99 under 100 ms.
    const verdict = (when: string, rows: Array<Record<string, string | number>>) => {
      const aim = rows.filter((r) => readRoutes(r.route));
      const met = aim.every((r) => Number(r['p99 ms']) < 100);
      console.log(
        `\naim p99 < 100 ms for tasklist and case reads at ${READ_RATE} req/s, ${when}: ${met ? 'MET' : 'MISSED'} (${aim.map((r) => `${r.route} ${r['p99 ms']} ms`).join(', ')})`,
      );
    };
    // The app was just restarted: its code is not yet optimised and its caches are empty. The first seconds under
    // load are shown on their own (what a restart during the day looks like), then the runs measure the warm app.
    log(`warm-up: reads alone at ${READ_RATE} req/s, ${WARMUP_SECONDS} s`);
    const warm = await runMix(
      bench.url,
      mix.filter((r) => readRoutes(r.route)),
      WARMUP_SECONDS,
      true,
    );
    console.log(
      `\nWarm-up after the restart — the reads at ${READ_RATE} req/s, ${WARMUP_SECONDS} s (not counted below):\n\n${table(warm)}\n`,
    );

    if (RUNS.has('R')) {
      log(`run R: reads alone at ${READ_RATE} req/s, ${RATED_SECONDS} s`);
      const meter = cpuMeter(bench);
      const readsAlone = await runMix(
        bench.url,
        mix.filter((r) => readRoutes(r.route)),
        RATED_SECONDS,
        true,
      );
      console.log(`\nRun R — the reads of run A alone, held at ${READ_RATE} req/s, ${RATED_SECONDS} s:\n`);
      console.log(table(readsAlone));
      console.log(`\n${meter(served(readsAlone))}`);
      verdict('the reads alone (run R)', readsAlone);
    }
    if (RUNS.has('C')) {
      log(`run C: reads alone from ${READ_CONNECTIONS} connections, no rate, ${RATED_SECONDS} s`);
      const meter = cpuMeter(bench);
      // Each read's share of the connections is its share of the held rate (35 % mine, 15 % queue, 50 % case pages), at least one.
      const reads = mix
        .filter((r) => readRoutes(r.route))
        .map((r) => ({ ...r, connections: Math.max(1, Math.round((READ_CONNECTIONS * r.rate) / READ_RATE)) }));
      const closed = await runMix(bench.url, reads, RATED_SECONDS, false);
      console.log(`\nRun C — the reads alone, closed loop (connections as listed), ${RATED_SECONDS} s:\n`);
      console.log(table(closed));
      console.log(`\n${meter(served(closed))}`);
    }
    if (RUNS.has('A')) {
      log(`run A: reads at ${READ_RATE} req/s, writes beside them, ${RATED_SECONDS} s`);
      const meter = cpuMeter(bench);
      const rated = await runMix(bench.url, mix, RATED_SECONDS, true);
      console.log(
        `\nRun A — reads held at ${READ_RATE} req/s (tasklist mine/queue, case pages), writes at their own rates, ${RATED_SECONDS} s:\n`,
      );
      console.log(table(rated));
      console.log(`\n${meter(served(rated))} (reads and writes together)`);
      verdict("with run A's writes beside them", rated);
    }
    if (RUNS.has('B')) {
      log(`run B: maximum throughput, ${MAX_SECONDS} s`);
      // The tasks run A's intakes and completions created join what is left.
      Object.assign(pools, await loadPools(db, bench));
      log(
        `pools: ${pools.confirm.length} classifications, ${pools.coordinate.length} coordinations, ${pools.claims.length} queue tasks, ${pools.ratings.length} rating links`,
      );
      const meter = cpuMeter(bench);
      const max = await runMix(bench.url, mix, MAX_SECONDS, false);
      console.log(`\nRun B — no rate limit (connections per route as listed), ${MAX_SECONDS} s:\n`);
      console.log(table(max));
      const total = max.reduce((a, r) => a + Number(r['req/s']), 0);
      console.log(`\ntotal: ${total.toFixed(0)} req/s; ${meter(served(max))} (reads and writes together)`);
    }
    // The last sample of each of the app's processes.
    const last = [...new Map(bench.memory().map((m) => [m.pid, m])).values()];
    if (last.length > 0) {
      const mb = (bytes: number) => (bytes / 1048576).toFixed(0);
      const sum = (key: 'rss' | 'heapUsed') => last.reduce((total, m) => total + m[key], 0);
      console.log(
        `app memory at the end: RSS ${mb(sum('rss'))} MB, heap used ${mb(sum('heapUsed'))} MB${last.length > 1 ? ` (${last.length} processes)` : ''}`,
      );
    }
    console.log(`\n${machine()}; whole run ${((Date.now() - started) / 60000).toFixed(1)} min`);
  } finally {
    await db.end().catch(() => undefined);
    await bench?.stop();
    if (process.env.BENCH_KEEP)
      console.log(
        `database kept: ${database.url} (its personal data is encrypted with PII_ENCRYPTION_KEY=${bench?.env.PII_ENCRYPTION_KEY})`,
      );
    else await database.drop();
  }
}

// ------------------------------------------------------------------------------------------------ templates

interface Template {
  caseId: string;
  /** Every engine instance of the case: its process and the ones it called. */
  instanceKeys: string[];
}

async function makeTemplates(
  bench: BenchApp,
  db: Client,
  sessions: Map<string, Session>,
  compounds: string[],
): Promise<Record<TemplateName, Template>> {
  const reception = sessions.get('reception')!;
  const office = sessions.get('street-office')!;
  const file = async (category: string, compound: string, phone: string) => {
    const res = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category,
      description: `${category}：模板案件`,
      compoundId: compound,
      petitioner: { name: '王小明', phone },
    });
    if (res.status !== 201) throw new Error(`intake failed: ${res.status} ${JSON.stringify(res.body)}`);
    const id = res.body.id as string;
    // Every template case is accepted first (Art 22–23), as its first responder decides.
    const decision = await task(reception, 'mine', id, 'Task_AcceptanceDecision');
    await complete(reception, decision.userTaskKey, { acceptanceDecision: 'accepted' });
    return id;
  };
  const task = (s: Session, view: string, caseId: string, elementId: string) =>
    until(
      async () =>
        ((await s.call('GET', `/api/tasks?view=${view}`)).body.items as Json[]).find(
          (t) => (t.case as Json | null)?.id === caseId && t.elementId === elementId,
        ),
      30000,
      `${elementId} of ${caseId}`,
    );
  const complete = async (s: Session, key: unknown, variables: Json) => {
    const res = await s.call('POST', `/api/tasks/${String(key)}/complete`, { variables });
    if (res.status !== 204) throw new Error(`completion failed: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const classify = (caseClass: string, feedbackMode: string) => ({ caseClass, feedbackMode, isKeyMatter: false });
  const coordinate = { responsibleUnit: '市政路灯所', handlingResult: '已更换灯泡，恢复照明', resolved: true };
  const link = (caseId: string) =>
    until(
      async () =>
        (
          await db.query<{ token_enc: Buffer }>(
            'SELECT token_enc FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL',
            [caseId],
          )
        ).rows[0],
      30000,
      `the rating link of ${caseId}`,
    );

  const ids = {} as Record<TemplateName, string>;
  ids.confirm = await file('路灯维修', compounds[0], '13700000001');
  await task(reception, 'mine', ids.confirm, 'Task_ConfirmCaseClass');

  ids.coordinate = await file('垃圾清运', compounds[1], '13700000002');
  await complete(
    reception,
    (await task(reception, 'mine', ids.coordinate, 'Task_ConfirmCaseClass')).userTaskKey,
    classify('simple', 'sms'),
  );
  await task(reception, 'mine', ids.coordinate, 'Task_CoordinateUnit');

  ids.rating = await file('环境卫生', compounds[2], '13700000003');
  await complete(
    reception,
    (await task(reception, 'mine', ids.rating, 'Task_ConfirmCaseClass')).userTaskKey,
    classify('simple', 'sms'),
  );
  await complete(reception, (await task(reception, 'mine', ids.rating, 'Task_CoordinateUnit')).userTaskKey, coordinate);
  await link(ids.rating);

  ids.queue = await file('历史遗留问题', compounds[3], '13700000004');
  await complete(
    reception,
    (await task(reception, 'mine', ids.queue, 'Task_ConfirmCaseClass')).userTaskKey,
    classify('difficult', 'visit'),
  );
  await task(office, 'queue', ids.queue, 'Task_SetUpCaseTeam');

  ids.closed = await file('邻里纠纷', compounds[4], '13700000005');
  await complete(
    reception,
    (await task(reception, 'mine', ids.closed, 'Task_ConfirmCaseClass')).userTaskKey,
    classify('simple', 'sms'),
  );
  await complete(reception, (await task(reception, 'mine', ids.closed, 'Task_CoordinateUnit')).userTaskKey, coordinate);
  const token = bench.cipher.decrypt((await link(ids.closed)).token_enc);
  const rated = await new Session(bench.url).call('POST', `/api/public/ratings/${token}`, {
    rating: 'satisfied',
    comment: '',
  });
  if (rated.status !== 201) throw new Error(`rating failed: ${rated.status} ${JSON.stringify(rated.body)}`);

  const result = {} as Record<TemplateName, Template>;
  for (const [name, caseId] of Object.entries(ids) as Array<[TemplateName, string]>) {
    // Quiet: no job left to do in the case's instances (the workers have finished what the last step started).
    const instanceKeys = await until(
      async () => {
        const { rows } = await db.query<{ key: string; busy: boolean; state: string }>(
          `WITH RECURSIVE tree AS (
             SELECT i.key FROM engine_instance i JOIN petition_case c ON c.process_instance_key::bigint = i.key WHERE c.id = $1
             UNION ALL SELECT i.key FROM engine_instance i JOIN tree t ON i.parent_instance_key = t.key)
           SELECT t.key::text, EXISTS (SELECT 1 FROM engine_job j WHERE j.instance_key = t.key AND j.state IN ('ACTIVATABLE', 'ACTIVATED')) AS busy,
                  (SELECT state FROM engine_instance WHERE key = t.key) AS state
           FROM tree t`,
          [caseId],
        );
        if (rows.length === 0 || rows.some((r) => r.busy)) return undefined;
        if (name === 'closed' && rows[0].state !== 'COMPLETED') return undefined;
        return rows.map((r) => r.key);
      },
      60000,
      `template ${name} to be quiet`,
      200,
    );
    result[name] = { caseId, instanceKeys };
  }
  return result;
}

// ------------------------------------------------------------------------------------------------ seed

async function seed(db: Client, bench: BenchApp, templates: Record<TemplateName, Template>, compounds: string[]) {
  const n = CASES - Object.keys(templates).length;
  const [{ last }] = (await db.query<{ last: string }>('SELECT last_value::text AS last FROM engine_key_seq')).rows;
  const [{ min }] = (await db.query<{ min: string }>('SELECT min(key)::text AS min FROM engine_resource')).rows;
  // Every key handed out so far lies in [min, last + 1000): a copy's keys are the template's plus ord * stride.
  const stride = BigInt(last) + 2000n - BigInt(min);

  await db.query('CREATE TEMP TABLE tpl (name text PRIMARY KEY, case_id uuid NOT NULL)');
  await db.query('CREATE TEMP TABLE tpl_instance (name text NOT NULL, key bigint NOT NULL)');
  for (const [name, t] of Object.entries(templates)) {
    await db.query('INSERT INTO tpl VALUES ($1, $2)', [name, t.caseId]);
    await db.query('INSERT INTO tpl_instance SELECT $1, unnest($2::bigint[])', [name, t.instanceKeys]);
  }

  // The cases' own choices, drawn here: template (where the case stands), category, channel, compound, first
  // responder, petitioner, date received, handling days and rating of the closed ones.
  const cols = {
    ord: [] as number[],
    id: [] as string[],
    template: [] as string[],
    category: [] as string[],
    channel: [] as string[],
    compound: [] as string[],
    responder: [] as string[],
    petitioner: [] as Array<string | null>,
    received: [] as string[],
    days: [] as number[],
    rating: [] as string[],
  };
  const order: TemplateName[] = [];
  for (const [name, count] of Object.entries(OPEN) as Array<[TemplateName, number]>)
    for (let i = 0; i < count; i++) order.push(name);
  while (order.length < n) order.push('closed');
  const now = Date.now();
  const historyStart = Date.parse('2022-01-01T08:00:00+08:00');
  for (let i = 0; i < n; i++) {
    const template = order[i];
    const category = template === 'queue' ? pick(['历史遗留问题', '跨区域纠纷', '政策落实']) : weighted(CATEGORIES);
    // Closed cases over the years since 2022; open ones received in the last 60 days (the legal handling time).
    const received =
      template === 'closed'
        ? historyStart + Math.random() * (now - 20 * 86400000 - historyStart)
        : now - Math.random() * 60 * 86400000;
    cols.ord.push(i + 1);
    cols.id.push(randomUUID());
    cols.template.push(template);
    cols.category.push(category);
    cols.channel.push(weighted(CHANNELS));
    cols.compound.push(pick(compounds));
    cols.responder.push(pick(FIRST_RESPONDERS));
    cols.petitioner.push(
      Math.random() < 0.75
        ? `${pick(['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'])}${pick(['秀英', '建国', '桂兰', '志强', '丽', '伟', '敏', '军'])}`
        : null,
    );
    cols.received.push(new Date(received).toISOString());
    cols.days.push(1 + Math.floor(Math.random() * 10));
    cols.rating.push(
      weighted([
        ['satisfied', 85],
        ['basically-satisfied', 12],
        ['dissatisfied', 3],
      ]),
    );
  }
  await db.query(
    `CREATE TEMP TABLE seed AS
     SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::timestamptz[], $10::int[], $11::text[])
       AS s(ord, id, template, category, channel, compound_id, username, petitioner, received_at, days, rating)`,
    [
      cols.ord,
      cols.id,
      cols.template,
      cols.category,
      cols.channel,
      cols.compound,
      cols.responder,
      cols.petitioner,
      cols.received,
      cols.days,
      cols.rating,
    ],
  );
  await db.query(`ALTER TABLE seed ADD COLUMN off bigint, ADD COLUMN case_no text, ADD COLUMN first_responder_id uuid, ADD COLUMN resident_id uuid, ADD COLUMN shift interval,
    ADD COLUMN t_case uuid, ADD COLUMN t_user uuid, ADD COLUMN t_username text, ADD COLUMN t_case_no text`);
  await db.query(
    `UPDATE seed SET off = ord::bigint * $1::bigint, resident_id = CASE WHEN petitioner IS NOT NULL THEN gen_random_uuid() END`,
    [stride.toString()],
  );
  await db.query(`UPDATE seed s SET first_responder_id = u.id FROM app_user u WHERE u.username = s.username`);
  await db.query(`UPDATE seed s SET t_case = c.id, t_user = c.first_responder_id, t_username = u.username, t_case_no = c.case_no, shift = s.received_at - c.received_at
    FROM tpl t JOIN petition_case c ON c.id = t.case_id JOIN app_user u ON u.id = c.first_responder_id WHERE t.name = s.template`);
  await db.query(`WITH o AS (SELECT ord, nextval('petition_case_no_seq') AS n FROM (SELECT ord FROM seed ORDER BY received_at) x)
    UPDATE seed s SET case_no = 'XF-' || to_char(s.received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-' || lpad(o.n::text, 6, '0') FROM o WHERE o.ord = s.ord`);
  await db.query('CREATE INDEX ON seed (template)');
  await db.query('ANALYZE seed');

  // Residents (names and masked phones; the encrypted numbers are left out: nothing in the load reads them).
  await db.query(`INSERT INTO resident (id, name, compound_id, phone_hash, phone_masked, created_at, updated_at)
    SELECT resident_id, petitioner, compound_id, decode(md5(resident_id::text), 'hex'), '139****' || lpad((ord % 10000)::text, 4, '0'), received_at, received_at
    FROM seed WHERE resident_id IS NOT NULL`);
  // Engine state first (the case rows point at their instance).
  await db.query(`INSERT INTO engine_instance (key, definition_key, process_id, state, variables, runtime, pending_action, has_incident, parent_instance_key,
      parent_execution_id, propagate_child_variables, start_date, end_date, taken_flows)
    SELECT i.key + s.off, i.definition_key, i.process_id, i.state,
      CASE WHEN i.variables ? 'caseId' THEN i.variables || jsonb_build_object('caseId', s.id::text, 'caseNo', s.case_no, 'category', s.category, 'channel', s.channel,
        'firstResponder', s.username) ELSE i.variables END,
      i.runtime, i.pending_action, i.has_incident, i.parent_instance_key + s.off, i.parent_execution_id, i.propagate_child_variables,
      i.start_date + s.shift, i.end_date + s.shift, i.taken_flows
    FROM seed s JOIN tpl_instance t ON t.name = s.template JOIN engine_instance i ON i.key = t.key`);
  await db.query(`INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, incident_key, start_date, end_date)
    SELECT e.key + s.off, e.instance_key + s.off, e.execution_id, e.element_id, e.element_name, e.element_type, e.state, NULL, e.start_date + s.shift, e.end_date + s.shift
    FROM seed s JOIN tpl_instance t ON t.name = s.template JOIN engine_element e ON e.instance_key = t.key`);
  await db.query(`INSERT INTO engine_job (key, instance_key, element_key, execution_id, element_id, type, state, retries, custom_headers, worker, deadline, available_at,
      error_message, locals, created_at)
    SELECT j.key + s.off, j.instance_key + s.off, j.element_key + s.off, j.execution_id, j.element_id, j.type, j.state, j.retries, j.custom_headers, j.worker,
      j.deadline + s.shift, j.available_at + s.shift, j.error_message, j.locals, j.created_at + s.shift
    FROM seed s JOIN tpl_instance t ON t.name = s.template JOIN engine_job j ON j.instance_key = t.key`);
  await db.query(`INSERT INTO engine_user_task (key, instance_key, element_key, execution_id, element_id, name, state, assignee, candidate_groups, candidate_users,
      due_date, follow_up_date, form_key, form_id, external_form_reference, priority, custom_headers, creation_date, completion_date, definition_key, process_id,
      process_version, process_name)
    SELECT u.key + s.off, u.instance_key + s.off, u.element_key + s.off, u.execution_id, u.element_id, u.name, u.state,
      CASE WHEN u.assignee = s.t_username THEN s.username ELSE u.assignee END, u.candidate_groups, u.candidate_users,
      u.due_date, u.follow_up_date, u.form_key, u.form_id, u.external_form_reference, u.priority, u.custom_headers, u.creation_date + s.shift, u.completion_date + s.shift,
      u.definition_key, u.process_id, u.process_version, u.process_name
    FROM seed s JOIN tpl_instance t ON t.name = s.template JOIN engine_user_task u ON u.instance_key = t.key`);
  // Open timers keep the template's due time (in the future): a copy received weeks ago does not fire at once.
  await db.query(`INSERT INTO engine_timer (key, instance_key, execution_id, element_id, due_at, state)
    SELECT m.key + s.off, m.instance_key + s.off, m.execution_id, m.element_id, CASE WHEN m.state = 'ACTIVE' THEN m.due_at ELSE m.due_at + s.shift END, m.state
    FROM seed s JOIN tpl_instance t ON t.name = s.template JOIN engine_timer m ON m.instance_key = t.key`);
  await db.query(`INSERT INTO engine_subscription (key, instance_key, execution_id, element_id, message_name, correlation_key, state)
    SELECT m.key + s.off, m.instance_key + s.off, m.execution_id, m.element_id, m.message_name,
      CASE WHEN m.correlation_key = s.t_case::text THEN s.id::text ELSE m.correlation_key END, m.state
    FROM seed s JOIN tpl_instance t ON t.name = s.template JOIN engine_subscription m ON m.instance_key = t.key`);
  const [{ top }] = (await db.query<{ top: string }>('SELECT max(key)::text AS top FROM engine_element')).rows;
  const [{ topInstance }] = (
    await db.query<{ topInstance: string }>('SELECT max(key)::text AS "topInstance" FROM engine_instance')
  ).rows;
  const high = [top, topInstance, (BigInt(last) + BigInt(n + 1) * stride).toString()]
    .map(BigInt)
    .reduce((a, b) => (a > b ? a : b));
  await db.query(`SELECT setval('engine_key_seq', $1::bigint)`, [(high + 1000n).toString()]);

  // The cases, their timelines, notifications, ratings and the open rating links.
  await db.query(`INSERT INTO petition_case (id, case_no, channel, category, description, resident_id, compound_id, first_responder_id, case_class, is_key_matter, status,
      handling_round, process_instance_key, received_at, sla_due_at, legal_due_at, closed_at, created_at, updated_at, accusation, key_person_id)
    SELECT s.id, s.case_no, s.channel, s.category, s.category || '：居民反映的问题，请协调处理。', s.resident_id, s.compound_id, s.first_responder_id, c.case_class,
      c.is_key_matter, c.status, c.handling_round, (c.process_instance_key::bigint + s.off)::text, s.received_at, c.sla_due_at + s.shift, c.legal_due_at + s.shift,
      c.closed_at + s.shift + s.days * interval '1 day', s.received_at, s.received_at, false, NULL
    FROM seed s JOIN petition_case c ON c.id = s.t_case`);
  await db.query(`INSERT INTO case_event (case_id, kind, detail, actor, job_key, created_at)
    SELECT s.id, e.kind,
      CASE WHEN e.kind = 'closed' THEN e.detail || jsonb_build_object('handlingWorkingDays', s.days, 'handlingHours', s.days * 24, 'onTimeInternal', s.days <= 7)
           WHEN e.kind = 'rated' THEN e.detail || jsonb_build_object('rating', s.rating) ELSE e.detail END,
      CASE WHEN e.actor = s.t_username THEN s.username ELSE e.actor END,
      CASE WHEN e.job_key ~ '^[0-9]+$' THEN (e.job_key::bigint + s.off)::text END,
      e.created_at + s.shift + CASE WHEN e.kind IN ('rated', 'closed') THEN s.days * interval '1 day' ELSE interval '0' END
    FROM seed s JOIN case_event e ON e.case_id = s.t_case`);
  await db.query(`INSERT INTO notification (job_key, recipient_key, case_id, template, recipient_role, recipient_user_id, channel, phone_masked, text, params, status,
      provider, provider_message_id, error, read_at, created_at, sent_at)
    SELECT CASE WHEN n.job_key ~ '^[0-9]+$' THEN (n.job_key::bigint + s.off)::text ELSE n.job_key || '-' || s.ord END,
      replace(replace(n.recipient_key, s.t_case::text, s.id::text), s.t_user::text, s.first_responder_id::text), s.id, n.template, n.recipient_role,
      CASE WHEN n.recipient_user_id = s.t_user THEN s.first_responder_id ELSE n.recipient_user_id END, n.channel, n.phone_masked,
      replace(n.text, s.t_case_no, s.case_no), replace(n.params::text, s.t_case_no, s.case_no)::jsonb, n.status, n.provider, n.provider_message_id, n.error, n.read_at,
      n.created_at + s.shift, n.sent_at + s.shift
    FROM seed s JOIN notification n ON n.case_id = s.t_case`);
  await db.query(`INSERT INTO case_rating (case_id, round, rating, comment, source, created_at)
    SELECT s.id, r.round, s.rating, NULL, r.source, r.created_at + s.shift + s.days * interval '1 day' FROM seed s JOIN case_rating r ON r.case_id = s.t_case`);
  // A closed case was rated through its link: the link stays, used (nothing reads its token again, so the copies
  // keep the template's). One per closed case, as in a community's database.
  await db.query(
    `INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, sent_at, expires_at, used_at, created_at)
     SELECT sha256(convert_to(s.id::text || ':' || l.round, 'UTF8')), s.id, l.round, (l.job_key::bigint + s.off)::text, l.token_enc, l.sent_at + s.shift,
       l.expires_at + s.shift + s.days * interval '1 day', l.used_at + s.shift + s.days * interval '1 day', l.created_at + s.shift
     FROM seed s JOIN rating_link l ON l.case_id = s.t_case WHERE s.template = 'closed'`,
  );
  const waiting = (await db.query<{ ord: number }>(`SELECT ord FROM seed WHERE template = 'rating'`)).rows.map(
    (r) => r.ord,
  );
  const tokens = waiting.map(() => randomBytes(24).toString('base64url'));
  await db.query(
    `INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, sent_at, expires_at, created_at)
     SELECT k.hash, s.id, l.round, (l.job_key::bigint + s.off)::text, k.enc, l.sent_at + s.shift, l.expires_at, l.created_at + s.shift
     FROM unnest($1::int[], $2::bytea[], $3::bytea[]) AS k(ord, hash, enc) JOIN seed s ON s.ord = k.ord JOIN rating_link l ON l.case_id = s.t_case`,
    [waiting, tokens.map((t) => hashToken(t)), tokens.map((t) => bench.cipher.encrypt(t))],
  );
  // Vacuumed as well as analysed: a database that gathered 100,000 cases over months has been vacuumed by autovacuum
  // (visibility map set, hint bits written); one just bulk-loaded would have the first reads do that work.
  await db.query('VACUUM (ANALYZE)');
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0].n);
  return {
    cases: await count('SELECT count(*) AS n FROM petition_case'),
    open: await count("SELECT count(*) AS n FROM petition_case WHERE status <> 'closed'"),
    instances: await count('SELECT count(*) AS n FROM engine_instance'),
    waitingUserTasks: await count("SELECT count(*) AS n FROM engine_user_task WHERE state = 'CREATED'"),
    elementInstances: await count('SELECT count(*) AS n FROM engine_element'),
    caseEvents: await count('SELECT count(*) AS n FROM case_event'),
    residents: await count('SELECT count(*) AS n FROM resident'),
  };
}

// ------------------------------------------------------------------------------------------------ load

interface Pools {
  confirm: Array<{ key: string; assignee: string }>;
  coordinate: Array<{ key: string; assignee: string }>;
  claims: string[];
  ratings: string[];
}

async function loadPools(db: Client, bench: BenchApp): Promise<Pools> {
  const tasks = async (elementId: string) =>
    (
      await db.query<{ key: string; assignee: string }>(
        `SELECT key::text, assignee FROM engine_user_task WHERE element_id = $1 AND state = 'CREATED' AND assignee IS NOT NULL ORDER BY random()`,
        [elementId],
      )
    ).rows;
  const claims = (
    await db.query<{ key: string }>(
      `SELECT key::text FROM engine_user_task WHERE element_id = 'Task_SetUpCaseTeam' AND state = 'CREATED' AND assignee IS NULL ORDER BY random()`,
    )
  ).rows.map((r) => r.key);
  const links = (
    await db.query<{ token_enc: Buffer }>(
      'SELECT token_enc FROM rating_link WHERE used_at IS NULL AND expires_at > now() ORDER BY random()',
    )
  ).rows;
  return {
    confirm: await tasks('Task_ConfirmCaseClass'),
    coordinate: await tasks('Task_CoordinateUnit'),
    claims,
    ratings: links.map((l) => bench.cipher.decrypt(l.token_enc)),
  };
}

interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Runner {
  route: string;
  /** Requests per second in run A (reads share READ_RATE). */
  rate: number;
  /** Connections in run B. */
  connections: number;
  /** How many requests there is material for (tasks, links), if bounded. */
  left?: () => number;
  next(): Req;
}

function runners(sessions: Map<string, Session>, pools: Pools, caseIds: string[], compounds: string[]): Runner[] {
  const as = (username: string, json = false) => sessions.get(username)!.headers(json);
  const take = <T>(pool: T[]) => {
    const item = pool.pop();
    if (item === undefined) throw new Error('pool exhausted');
    return item;
  };
  let address = 0;
  return [
    {
      route: 'GET /api/tasks?view=mine',
      rate: READ_RATE * 0.35,
      connections: 8,
      next: () => ({ method: 'GET', path: '/api/tasks?view=mine', headers: as(pick(FIRST_RESPONDERS)) }),
    },
    {
      route: 'GET /api/tasks?view=queue',
      rate: READ_RATE * 0.15,
      connections: 4,
      next: () => ({
        method: 'GET',
        path: '/api/tasks?view=queue',
        headers: as(pick(['street-office', 'cadre', 'secretary'])),
      }),
    },
    {
      route: 'GET /api/cases/:id',
      rate: READ_RATE * 0.5,
      connections: 8,
      next: () => ({ method: 'GET', path: `/api/cases/${pick(caseIds)}`, headers: as(pick(READERS)) }),
    },
    {
      route: 'POST /api/cases',
      rate: 5 * WRITE_SCALE,
      connections: 4,
      next: () => {
        const user = pick(FIRST_RESPONDERS);
        return {
          method: 'POST',
          path: '/api/cases',
          headers: as(user, true),
          body: JSON.stringify(intakeBody(compounds)),
        };
      },
    },
    {
      route: 'POST /api/tasks/:key/claim',
      rate: 1 * WRITE_SCALE,
      connections: 2,
      left: () => pools.claims.length,
      next: () => ({
        method: 'POST',
        path: `/api/tasks/${take(pools.claims)}/claim`,
        headers: as('street-office', true),
        body: '{}',
      }),
    },
    {
      route: 'POST /api/tasks/:key/complete (classify)',
      rate: 2 * WRITE_SCALE,
      connections: 2,
      left: () => pools.confirm.length,
      next: () => {
        const t = take(pools.confirm);
        return {
          method: 'POST',
          path: `/api/tasks/${t.key}/complete`,
          headers: as(t.assignee, true),
          body: JSON.stringify({ variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: false } }),
        };
      },
    },
    {
      route: 'POST /api/tasks/:key/complete (coordinate)',
      rate: 2 * WRITE_SCALE,
      connections: 2,
      left: () => pools.coordinate.length,
      next: () => {
        const t = take(pools.coordinate);
        return {
          method: 'POST',
          path: `/api/tasks/${t.key}/complete`,
          headers: as(t.assignee, true),
          body: JSON.stringify({
            variables: { responsibleUnit: '物业公司', handlingResult: '已清理并恢复', resolved: true },
          }),
        };
      },
    },
    {
      route: 'POST /api/public/ratings/:token',
      rate: 3 * WRITE_SCALE,
      connections: 2,
      left: () => pools.ratings.length,
      next: () => {
        // Residents rate from their own phones: each from its own address (the app trusts X-Forwarded-For from loopback, as behind its proxy).
        address++;
        return {
          method: 'POST',
          path: `/api/public/ratings/${take(pools.ratings)}`,
          headers: {
            'content-type': 'application/json',
            'x-forwarded-for': `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
          },
          body: JSON.stringify({
            rating: weighted([
              ['satisfied', 85],
              ['basically-satisfied', 12],
              ['dissatisfied', 3],
            ]),
            comment: '',
          }),
        };
      },
    },
    {
      route: 'GET /api/dashboard',
      rate: 1 * WRITE_SCALE,
      connections: 1,
      next: () => ({ method: 'GET', path: '/api/dashboard', headers: as(pick(['leader', 'secretary'])) }),
    },
  ];
}

/** Requests answered 2xx in a run, over its routes. */
const served = (rows: Array<Record<string, string | number>>) => rows.reduce((sum, r) => sum + Number(r.requests), 0);

async function runMix(
  url: string,
  mix: Runner[],
  seconds: number,
  rated: boolean,
): Promise<Array<Record<string, string | number>>> {
  return Promise.all(mix.map((runner) => (rated ? paced(url, runner, seconds) : flatOut(url, runner, seconds))));
}

/** One result row: requests answered 2xx per second and their latency percentiles, other answers counted. */
function row(
  route: string,
  extra: Record<string, string | number>,
  latencies: number[],
  seconds: number,
  other: string,
): Record<string, string | number> {
  return {
    route,
    ...extra,
    requests: latencies.length,
    'req/s': (latencies.length / seconds).toFixed(1),
    'p50 ms': percentile(latencies, 50).toFixed(0),
    'p95 ms': percentile(latencies, 95).toFixed(0),
    'p99 ms': percentile(latencies, 99).toFixed(0),
    'max ms': latencies.length ? Math.max(...latencies).toFixed(0) : '-',
    'non-2xx': other || '0',
  };
}

/**
 * Requests at a held rate, as independent users send them: arrivals at random moments (a Poisson process, exponential
 * gaps averaging 1/rate), each sent when it arrives whatever is still in flight (open loop), over keep-alive
 * connections opened as needed. A request's latency counts from its arrival, so time spent waiting for a connection
 * is counted too. (autocannon's own rate is a per-second allowance per connection, spent back to back at the start
 * of each second: 20 connections then send a second's requests in a burst, which is not a held rate.)
 */
async function paced(url: string, runner: Runner, seconds: number): Promise<Record<string, string | number>> {
  const rate = runner.rate;
  const target = { 'target/s': Math.round(rate * 10) / 10 };
  if (rate <= 0) return row(runner.route, target, [], seconds, 'rate 0');
  const budget = Math.min(runner.left?.() ?? Infinity, Math.ceil(rate * seconds * 1.5));
  if (budget < 1) return row(runner.route, target, [], seconds, 'no material left');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const base = new URL(url);
  const latencies: number[] = [];
  const codes = new Map<string, number>();
  const count = (what: string) => codes.set(what, (codes.get(what) ?? 0) + 1);
  const inFlight = new Set<Promise<void>>();
  const send = (arrival: number) => {
    const req = runner.next();
    const done = new Promise<void>((resolve) => {
      const outgoing = http.request(
        {
          host: base.hostname,
          port: base.port,
          path: req.path,
          method: req.method,
          headers: req.body ? { ...req.headers, 'content-length': Buffer.byteLength(req.body) } : req.headers,
          agent,
          timeout: 30_000,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) latencies.push(performance.now() - arrival);
            else count(String(status));
            resolve();
          });
          res.on('error', () => (count('errors'), resolve()));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
      outgoing.on(
        'error',
        (error: NodeJS.ErrnoException) => (
          count(error.message === 'timeout' ? 'timeouts' : `errors (${error.code ?? error.message})`),
          resolve()
        ),
      );
      outgoing.end(req.body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  const start = performance.now();
  const end = start + seconds * 1000;
  let next = start;
  let sent = 0;
  while (sent < budget) {
    next += -Math.log(1 - Math.random()) * (1000 / rate);
    if (next >= end) break;
    const wait = next - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (runner.left && runner.left() < 1) break;
    send(next);
    sent++;
  }
  await Promise.all(inFlight);
  agent.destroy();
  const other = [...codes.entries()].map(([code, k]) => `${k}×${code}`).join(' ');
  // Per second of the whole run, until the last answer: an app that falls behind answers over a longer time.
  return row(runner.route, target, latencies, (performance.now() - start) / 1000, other);
}

/** Closed loop with autocannon: every connection sends its next request as soon as the last one is answered. */
function flatOut(url: string, runner: Runner, seconds: number): Promise<Record<string, string | number>> {
  return new Promise((resolve, reject) => {
    const connections = runner.connections;
    const budget = runner.left?.() ?? Infinity;
    if (budget < connections + 1) {
      resolve(row(runner.route, { conns: connections }, [], seconds, 'no material left'));
      return;
    }
    const latencies: number[] = [];
    const codes = new Map<number, number>();
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        ...(Number.isFinite(budget) ? { maxOverallRequests: budget - connections } : {}),
        timeout: 30,
        requests: [{ setupRequest: (req) => ({ ...req, ...runner.next() }) }],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const other = [...codes.entries()].filter(([c]) => c < 200 || c >= 300).map(([c, k]) => `${k}×${c}`);
        if (result.errors) other.push(`${result.errors} errors`);
        if (result.timeouts) other.push(`${result.timeouts} timeouts`);
        resolve(row(runner.route, { conns: connections }, latencies, result.duration || seconds, other.join(' ')));
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      codes.set(statusCode, (codes.get(statusCode) ?? 0) + 1);
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
