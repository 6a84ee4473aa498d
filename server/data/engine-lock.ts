/**
 * Only one process may run the embedded engine on a database: its scheduler and job hand-out assume they are
 * alone. On PostgreSQL a session-level advisory lock, held by a dedicated connection, says so and is released by
 * the server the moment the holder dies (also on SIGKILL); a lock lost with its connection when the database
 * restarts is taken again once it answers. PGlite needs none: its folder lock already admits a
 * single process.
 */
import { Client } from 'pg';
import { hostname } from 'node:os';
import { CONNECT_TIMEOUT_MS } from '../../platform/db';

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

export interface EngineLockEvents {
  /** The lock's connection broke (the database restarted or went away): the lock is not held right now. */
  onLost?: (error: Error) => void;
  /** The lock was taken again on a new connection. */
  onRetaken?: () => void;
  /** The database is back but another process holds the lock: two engines may now run on one database. */
  onTakenByOther?: (holder: string) => void;
}

/**
 * Takes the lock, or throws EngineLockedError. A lock lost with its connection (a database restart ends every
 * session) is taken again as soon as the database answers, every `retakeMs`, so that a second engine started
 * after the outage is still refused.
 */
export async function acquireEngineLock(
  databaseUrl: string,
  events: EngineLockEvents = {},
  retakeMs = 2000,
): Promise<() => Promise<void>> {
  const me = `petition-engine ${hostname()} pid ${process.pid}`;
  let released = false;
  let timer: NodeJS.Timeout | undefined;
  let client = await take(databaseUrl, me);
  if (typeof client === 'string') throw new EngineLockedError(client);

  const watch = (held: Client) => {
    let lost = false;
    const onLost = (error: Error) => {
      if (lost || released) return;
      lost = true;
      held.end().catch(() => undefined);
      events.onLost?.(error);
      timer = setTimeout(retake, retakeMs);
    };
    held.on('error', onLost);
    held.on('end', () => onLost(new Error('the engine lock connection ended')));
  };
  const retake = async () => {
    if (released) return;
    const next = await take(databaseUrl, me).catch(() => undefined);
    if (released) {
      if (next instanceof Client) await next.end().catch(() => undefined);
      return;
    }
    if (next instanceof Client) {
      client = next;
      watch(next);
      events.onRetaken?.();
      return;
    }
    if (typeof next === 'string') events.onTakenByOther?.(next);
    timer = setTimeout(retake, retakeMs);
  };
  watch(client);
  return async () => {
    released = true;
    clearTimeout(timer);
    if (client instanceof Client) await client.end().catch(() => undefined);
  };
}

/** A connection holding the lock, or the holder's description when another process has it. */
async function take(databaseUrl: string, me: string): Promise<Client | string> {
  // A server that accepts the connection but never answers must not hold the retake for good.
  const client = new Client({
    connectionString: databaseUrl,
    application_name: me,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined); // until watched: a connection lost while taking the lock just fails the take
  await client.connect();
  try {
    const [{ locked }] = (
      await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LOCK_ID])
    ).rows;
    if (locked) return client;
    const holder = await client.query<{ application_name: string; backend_start: Date }>(
      `SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted LIMIT 1`,
      [LOCK_ID],
    );
    await client.end();
    const h = holder.rows[0];
    return h ? `${h.application_name || 'unknown'}, since ${h.backend_start.toISOString()}` : 'unknown holder';
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
