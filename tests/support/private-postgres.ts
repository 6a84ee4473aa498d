/**
 * A PostgreSQL server of the test's own, for tests that stop and start the database (the machine's shared server
 * at 127.0.0.1:5432 is used by others and is never touched). `initdb` in a temporary folder, trust authentication,
 * a free loopback port, `pg_ctl start/stop`. PostgreSQL refuses to run as root: when the tests run as root, the
 * folder is given to the `postgres` user and the commands run through `runuser -u postgres --`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './ports';

const run = promisify(execFile);

export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m <mode>` (fast: open sessions are ended with admin_shutdown, as on a real restart). */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** Stops the server (immediately) and removes its folder. */
  destroy(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): Promise<string>;
}

/** Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/<version>/bin. Undefined if nowhere. */
export function postgresBinaries(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('initdb/pg_ctl not found on PATH nor in /usr/lib/postgresql/*/bin');
  const asRoot = userInfo().uid === 0;
  const folder = mkdtempSync(join(tmpdir(), 'private-pg-'));
  const data = join(folder, 'data');
  const logFile = join(folder, 'server.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(folder, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(folder, 0o700);
  // As root, every server command runs as the postgres user.
  const pg = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), args);

  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // Durability settings off: the test is about the server going away, not about surviving a power cut.
  const options = [
    `-p ${port}`,
    `-k ${folder}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
  let running = false;
  const self: PrivatePostgres = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const client = new Client({ connectionString: self.url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return self.url(name);
    },
    async start() {
      await pg('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '30', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      running = false;
    },
    async destroy() {
      if (running || existsSync(join(data, 'postmaster.pid'))) await self.stop('immediate').catch(() => undefined);
      rmSync(folder, { recursive: true, force: true });
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
  };
  try {
    await self.start();
  } catch (error) {
    const log = await self.log();
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`the private PostgreSQL did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
  return self;
}
