/**
 * The database: PostgreSQL through node-postgres when DATABASE_URL is set, otherwise embedded PGlite in DATA_DIR.
 * Both run the same TypeORM migrations; repositories use the `Db` surface built over the same connection.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { PGliteDriver, getPGliteInstance } from 'typeorm-pglite';
import type { Pool } from 'pg';
import { mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { migrations } from '../migrations';
import { CONNECT_TIMEOUT_MS, type Db, pgliteDb, postgresDb } from './db';

export interface Database {
  dataSource: DataSource;
  db: Db;
  /** Where the data lives, with any password hidden: for logs and error messages. */
  description: string;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Opens the database and runs pending migrations unless told not to. */
export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  migrate?: boolean;
  /** DATABASE_PREPARED_STATEMENTS (PostgreSQL server only; default true). */
  preparedStatements?: boolean;
}): Promise<Database> {
  const migrate = opts.migrate ?? true;
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, migrate, opts.preparedStatements);
  return openPglite(resolve(opts.dataDir, 'pglite'), migrate);
}

async function openPostgres(url: string, migrate: boolean, preparedStatements?: boolean): Promise<Database> {
  const description = describeDatabaseUrl(url);
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'schema_migrations',
    // No JIT compilation: the app's queries are short, and on the dashboard's aggregates at 100,000 cases compiling
    // cost more than it saved (25–30 ms a query; the dashboard read 247 → 189 ms without it). A URL's own `options`
    // parameter still wins.
    // A connection not opened within CONNECT_TIMEOUT_MS counts as the server not answering (see db.ts).
    extra: { max: 20, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, options: '-c jit=off' },
  });
  try {
    await dataSource.initialize();
  } catch (cause) {
    throw new DatabaseUnavailableError(
      `Cannot connect to the database at ${description} (DATABASE_URL): ${reason(cause)}`,
      { cause },
    );
  }
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  // A server that goes away must not crash the process: queries fail and /readyz reports it.
  pool.on('error', () => undefined);
  const database: Database = {
    dataSource,
    db: postgresDb(pool, { preparedStatements }),
    description,
    close: () => dataSource.destroy(),
  };
  if (migrate) await runMigrations(database);
  return database;
}

async function openPglite(dir: string, migrate: boolean): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  const releaseLock = lockFolder(dir);
  const dataSource = new DataSource({
    type: 'postgres',
    driver: new PGliteDriver({ dataDir: dir }).driver,
    migrations,
    migrationsTableName: 'schema_migrations',
  });
  try {
    await dataSource.initialize();
  } catch (cause) {
    releaseLock();
    throw new DatabaseUnavailableError(`Cannot open the embedded database in ${dir} (DATA_DIR): ${reason(cause)}`, {
      cause,
    });
  }
  const pg = await getPGliteInstance();
  const database: Database = {
    dataSource,
    db: pgliteDb(pg),
    description: `embedded PGlite in ${dir}`,
    close: async () => {
      await dataSource.destroy();
      releaseLock();
    },
  };
  if (migrate) await runMigrations(database);
  return database;
}

export async function runMigrations(database: Database): Promise<string[]> {
  const done = await database.dataSource.runMigrations({ transaction: 'each' });
  return done.map((m) => m.name);
}

/**
 * PGlite has no server to arbitrate: two processes writing one folder would corrupt it.
 * A lock file with the owner's pid refuses a second process clearly and is taken over when its owner is gone.
 */
function lockFolder(dir: string): () => void {
  const file = join(dir, '..', 'pglite.lock');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new DatabaseUnavailableError(
        `The embedded database in ${dir} is in use by another process (pid ${pid}). Stop it or use another DATA_DIR.`,
      );
    }
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message || String(code);
  }
  return String(error);
}
