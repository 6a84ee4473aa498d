/**
 * Only one process may run the embedded engine on a database: its scheduler and job hand-out assume they are
 * alone. On PostgreSQL a session-level advisory lock, held by a dedicated connection, says so and is released by
 * the server the moment the holder dies (also on SIGKILL). PGlite needs none: its folder lock already admits a
 * single process.
 */
import { Client } from 'pg';
import { hostname } from 'node:os';

const LOCK_ID = 727_274_001; // an arbitrary constant shared by every engine process of this project

export class EngineLockedError extends Error {
  constructor(holder: string) {
    super(
      `Another process already runs the embedded engine on this database (${holder}). ` +
        'Stop it first, or point ENGINE=camunda at a cluster if several app processes are needed.',
    );
    this.name = 'EngineLockedError';
  }
}

export async function acquireEngineLock(databaseUrl: string): Promise<() => Promise<void>> {
  const me = `petition-engine ${hostname()} pid ${process.pid}`;
  const client = new Client({ connectionString: databaseUrl, application_name: me });
  await client.connect();
  client.on('error', () => undefined); // a lost connection drops the lock; the next start will say so
  const [{ locked }] = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LOCK_ID])).rows;
  if (!locked) {
    const holder = await client.query<{ application_name: string; backend_start: Date }>(
      `SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted LIMIT 1`,
      [LOCK_ID],
    );
    await client.end();
    const h = holder.rows[0];
    throw new EngineLockedError(h ? `${h.application_name || 'unknown'}, since ${h.backend_start.toISOString()}` : 'unknown holder');
  }
  return async () => {
    await client.end().catch(() => undefined);
  };
}
