/**
 * Fixed-window limits per client address, counted in the database (table rate_limit): every app process on one
 * database counts together, and a restart does not grant the allowance again. Windows run on the database's clock,
 * the one clock all processes share.
 */
import type { Queryable } from '../server/data/db';

export interface RateWindow {
  /** Hits counted in the current window. */
  count: number;
  /** Seconds until the window ends. */
  retryAfterSeconds: number;
}

/** How often a process removes windows that ended (each process at most this often, after a hit). */
const CLEANUP_EVERY_MS = 10 * 60_000;
let lastCleanup = 0;

/** The columns a window is read from, and the window they make. */
const WINDOW_COLUMNS = 'count, ceil(extract(epoch FROM reset_at - now()))::int AS retry_after';
const windowOf = (row: { count: number; retry_after: number }): RateWindow => ({ count: row.count, retryAfterSeconds: Math.max(1, row.retry_after) });

/** Counts one hit for `key` in `scope` and returns the window it fell in (a new one when the last has ended). */
export async function countHit(db: Queryable, scope: string, key: string, windowMs: number): Promise<RateWindow> {
  const [row] = await db.query<{ count: number; retry_after: number }>(
    `INSERT INTO rate_limit AS r (scope, key, count, reset_at) VALUES ($1, $2, 1, now() + make_interval(secs => $3))
     ON CONFLICT (scope, key) DO UPDATE SET
       count = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.count + 1 END,
       reset_at = CASE WHEN r.reset_at <= now() THEN EXCLUDED.reset_at ELSE r.reset_at END
     RETURNING ${WINDOW_COLUMNS}`,
    [scope, key, windowMs / 1000],
  );
  if (Date.now() - lastCleanup > CLEANUP_EVERY_MS) {
    lastCleanup = Date.now();
    await db.query('DELETE FROM rate_limit WHERE reset_at <= now()');
  }
  return windowOf(row);
}

/** The current window of `key` in `scope`, without counting a hit; undefined when there is none. */
export async function currentWindow(db: Queryable, scope: string, key: string): Promise<RateWindow | undefined> {
  const [row] = await db.query<{ count: number; retry_after: number }>(
    `SELECT ${WINDOW_COLUMNS} FROM rate_limit WHERE scope = $1 AND key = $2 AND reset_at > now()`,
    [scope, key],
  );
  return row ? windowOf(row) : undefined;
}
