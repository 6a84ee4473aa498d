/**
 * `npm run bench:session -- <database-url>`: what one step of the embedded engine's core costs for an instance woken
 * from its stored state (a task completed, a rating, a timer), and what a waiting instance costs in memory and in
 * storage.
 *
 * Reads the waiting instances of a database the app has worked on (e.g. one kept by `BENCH_KEEP=1 npm run
 * bench:e2e`), takes one instance per process and place where it waits, and for each: the stored state's size (the
 * core's state and the local variables, as in the row's `runtime`), the CPU time of one step from that state (the
 * core's part of a step, without the database: 2,000 rounds after 200 to warm up), and the heap 1,000 such states
 * hold when loaded (after a full collection). Run with `--expose-gc` (the npm script does).
 */
import { Client } from 'pg';
import { parseBpmn, type ProcessModel } from '../engine/model/process-model';
import { Step } from '../engine/core/step';
import { isCoreState } from '../engine/core/state';
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
  ).rows.filter((row) => isCoreState(row.runtime.engine));
  await db.end();

  const models = new Map<string, ProcessModel>();
  const shapes = new Map<string, Row>();
  for (const row of rows) {
    const waits = (row.runtime.open ?? []).map((o) => o.kind).sort();
    const elements = Object.values((row.runtime.engine as { els: Record<string, { e: string }> }).els)
      .map((el) => el.e)
      .sort();
    const shape = `${row.process_id}: ${elements.slice(1).join(', ')} (${waits.join(', ')})`;
    if (!shapes.has(shape)) shapes.set(shape, row);
  }
  console.log(
    '| process: where it waits | stored state | step from it (CPU) | loaded state (heap) |\n|---|---|---|---|',
  );
  for (const [shape, row] of [...shapes.entries()].sort()) {
    if (!models.has(row.process_id))
      for (const m of await parseBpmn(row.resource_name, row.content)) models.set(m.processId, m);
    const model = models.get(row.process_id)!;
    const text = JSON.stringify(row.runtime);
    const step = () => {
      // As a step does: the stored row parsed, one step run on it (resume: the instance re-derives every wait).
      const stored = JSON.parse(text) as StoredRuntime;
      const result = new Step({
        model,
        stored,
        variables: row.variables,
        action: { kind: 'resume' },
        now: new Date(),
        decide: () => null,
      }).run();
      if (result.outcome !== 'waiting')
        throw new Error(`${row.key}: ${result.outcome} ${JSON.stringify(result.incident)}`);
      return JSON.stringify(result.runtime).length;
    };
    for (let i = 0; i < 200; i++) step();
    const rounds = 2000;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < rounds; i++) step();
    const cpu = process.cpuUsage(cpu0);
    const stepMs = (cpu.user + cpu.system) / 1000 / rounds;
    gc();
    const before = process.memoryUsage().heapUsed;
    const held = Array.from({ length: 1000 }, () => ({
      runtime: JSON.parse(text) as unknown,
      variables: structuredClone(row.variables),
    }));
    gc();
    const perInstance = (process.memoryUsage().heapUsed - before) / held.length;
    console.log(
      `| ${shape} | ${(text.length / 1024).toFixed(2)} kB | ${stepMs.toFixed(3)} ms | ${(perInstance / 1024).toFixed(1)} kB |`,
    );
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
