/**
 * The case repository's hot statements, hand-written on the app's Db surface (platform/db.ts: named, prepared
 * statements) against the same through TypeORM's Repository API (an EntitySchema of petition_case), in one run on a
 * fresh database of the benchmark's own (DATABASE_URL's server, default the local one): reading a case by id, as
 * every worker and the case page do, and moving its status, as the case's transitions do. Rounds alternate between
 * the two so that the machine's noise falls on both; the figures are the median round's wall time and this
 * process's CPU per statement. docs/decisions/0032-case-repository-on-prepared-statements.md reads them.
 *
 *   npm run bench:typeorm [-- --ops 3000 --rounds 6]
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { DataSource, EntitySchema } from 'typeorm';
import { openDatabase } from '../platform/data-source';
import { seedDemoCommunity } from '../server/seed';
import { freshDatabase } from './bench-support';
import type { CaseRow } from '../domain/cases';

/** The case's row as the repository reads it (domain/cases), with the column a transition sets. */
type CaseEntity = CaseRow & { updated_at: Date };

const PetitionCase = new EntitySchema<CaseEntity>({
  name: 'PetitionCase',
  tableName: 'petition_case',
  columns: {
    id: { type: 'uuid', primary: true },
    case_no: { type: 'text' },
    category: { type: 'text' },
    status: { type: 'text' },
    handling_round: { type: 'int' },
    received_at: { type: 'timestamptz' },
    resident_id: { type: 'uuid', nullable: true },
    compound_id: { type: 'uuid', nullable: true },
    first_responder_id: { type: 'uuid' },
    updated_at: { type: 'timestamptz' },
  },
});

const READ = `SELECT id, case_no, category, status, handling_round, received_at, resident_id, compound_id, first_responder_id
     FROM petition_case WHERE id = $1`;
const MOVE = 'UPDATE petition_case SET status = $2, updated_at = now() WHERE id = $1';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ops: { type: 'string' }, rounds: { type: 'string' } } });
  const ops = Number(values.ops ?? 3000);
  const rounds = Number(values.rounds ?? 6);
  const fresh = await freshDatabase('bench_typeorm');
  const database = await openDatabase({ databaseUrl: fresh.url, dataDir: '.data' });
  const cleanups: Array<() => Promise<void>> = [];
  try {
    await seedDemoCommunity(database.db);
    const [responder] = await database.db.query<{ id: string }>('SELECT id FROM app_user ORDER BY username LIMIT 1');
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = randomUUID();
      ids.push(id);
      await database.db.query(
        `INSERT INTO petition_case (id, case_no, channel, category, description, first_responder_id) VALUES ($1, $2, 'walk-in', '路灯维修', '基准', $3)`,
        [id, `BENCH-${i}`, responder.id],
      );
    }
    // TypeORM with the entity, on a pool of the same size as the app's (platform/data-source.ts).
    const orm = await new DataSource({
      type: 'postgres',
      url: fresh.url,
      entities: [PetitionCase],
      extra: { max: 20 },
    }).initialize();
    cleanups.push(() => orm.destroy());
    const repo = orm.getRepository(PetitionCase);
    const variants: Record<string, (i: number) => Promise<unknown>> = {
      'read, prepared statement': (i) => database.db.query(READ, [ids[i % ids.length]]),
      'read, TypeORM findOneBy': (i) => repo.findOneBy({ id: ids[i % ids.length] }),
      'move, prepared statement': (i) => database.db.query(MOVE, [ids[i % ids.length], i % 2 ? 'handling' : 'rating']),
      'move, TypeORM update': (i) =>
        repo.update(
          { id: ids[i % ids.length] },
          {
            status: i % 2 ? 'handling' : 'rating',
            updated_at: () => 'now()',
          },
        ),
    };
    const results = new Map<string, Array<{ wallUs: number; cpuUs: number }>>();
    for (const name of Object.keys(variants)) for (let i = 0; i < 200; i++) await variants[name](i); // warm-up
    for (let round = 0; round < rounds; round++)
      for (const [name, run] of Object.entries(variants)) {
        const cpu = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < ops; i++) await run(i);
        const wallUs = Number(process.hrtime.bigint() - t0) / 1000 / ops;
        const used = process.cpuUsage(cpu);
        (results.get(name) ?? results.set(name, []).get(name)!).push({
          wallUs,
          cpuUs: (used.user + used.system) / ops,
        });
      }
    console.log(`${ops} statements a round, ${rounds} rounds, one at a time; the median round:`);
    for (const [name, all] of results) {
      const median = [...all].sort((a, b) => a.wallUs - b.wallUs)[Math.floor(all.length / 2)];
      console.log(
        `  ${name.padEnd(28)} ${median.wallUs.toFixed(0).padStart(5)} µs a statement, ${median.cpuUs.toFixed(0).padStart(4)} µs of this process's CPU`,
      );
    }
  } finally {
    for (const cleanup of cleanups) await cleanup();
    await database.close();
    await fresh.drop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
