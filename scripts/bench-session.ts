/**
 * `npm run bench:session -- <database-url>`: what one cold step of the embedded engine costs — an instance woken
 * from its stored state (a task completed, a rating, a timer) — and what a live instance costs in memory.
 *
 * Reads the waiting instances of a database the app has worked on (e.g. one kept by `BENCH_KEEP=1 npm run
 * bench:load`), takes one instance per process and place where it waits, and for each: the stored state's size,
 * the mean time to recover it and store it again (200 rounds, after 20 to warm up; the engine's part of a step,
 * without the database), and the heap one live session holds (100 kept at once, after a full collection).
 * Run with `--expose-gc` (the npm script does).
 */
import { Client } from 'pg';
import { parseBpmn, type ProcessModel } from '../engine/model/process-model';
import { InstanceSession } from '../engine/runtime/session';
import type { StoredRuntime, Variables } from '../engine/runtime/types';

interface Row {
  key: string;
  process_id: string;
  content: string;
  resource_name: string;
  variables: Variables;
  runtime: StoredRuntime;
}

async function main() {
  const url = process.argv[2] ?? process.env.DATABASE_URL;
  if (!url) throw new Error('usage: npm run bench:session -- <database-url>');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const db = new Client({ connectionString: url });
  await db.connect();
  const rows = (
    await db.query<Row>(
      `SELECT i.key::text, i.process_id, r.content, r.resource_name, i.variables, i.runtime
         FROM engine_instance i JOIN engine_resource r ON r.key = i.definition_key
        WHERE i.state = 'ACTIVE' AND i.runtime IS NOT NULL AND NOT i.has_incident ORDER BY i.key LIMIT 5000`,
    )
  ).rows;
  await db.end();

  const models = new Map<string, ProcessModel>();
  const shapes = new Map<string, Row>();
  for (const row of rows) {
    const waits = (row.runtime.open ?? []).map((o) => o.executionId.replace(/_[0-9a-f]+$/, '')).sort();
    const shape = `${row.process_id} ${waits.join(', ')}`;
    if (!shapes.has(shape)) shapes.set(shape, row);
  }
  console.log('| process: where it waits | stored state | cold step | live session |\n|---|---|---|---|');
  for (const [shape, row] of [...shapes.entries()].sort()) {
    if (!models.has(row.process_id)) for (const m of await parseBpmn(row.resource_name, row.content)) models.set(m.processId, m);
    const model = models.get(row.process_id)!;
    const wake = async (engine: unknown) => {
      const session = new InstanceSession(model);
      const result = await session.step({ stored: { ...row.runtime, engine }, variables: row.variables, action: { kind: 'resume' }, now: new Date() });
      if (result.outcome !== 'waiting') throw new Error(`${row.key}: ${result.outcome} ${JSON.stringify(result.incident)}`);
      return { session, result };
    };
    // One round first: a state stored by an earlier version is stored as this version stores it.
    const first = await wake(row.runtime.engine);
    first.session.dispose();
    const stored = first.result.runtime.engine;
    for (let i = 0; i < 20; i++) (await wake(stored)).session.dispose();
    const rounds = 200;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) (await wake(stored)).session.dispose();
    const stepMs = (performance.now() - t0) / rounds;
    const settled = async () => {
      // Collect until the heap stops shrinking: a disposed session is garbage once the timeouts it left have run.
      let last = Infinity;
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        gc();
        const used = process.memoryUsage().heapUsed;
        if (used >= last - 64 * 1024) return used;
        last = used;
      }
      return last;
    };
    // What 100 live sessions hold: the heap with them, less the heap once they are disposed and collected.
    const live: InstanceSession[] = [];
    for (let i = 0; i < 100; i++) live.push((await wake(stored)).session);
    const withLive = await settled();
    for (const s of live.splice(0)) s.dispose();
    const perSession = (withLive - (await settled())) / 100;
    console.log(`| ${shape} | ${(JSON.stringify(stored).length / 1024).toFixed(1)} kB | ${stepMs.toFixed(2)} ms | ${(perSession / 1048576).toFixed(2)} MB |`);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
