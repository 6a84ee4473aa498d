/**
 * Fixed-window limits per client address (and per account, or account and address: sign-in lock-outs), counted in
 * the database (table rate_limit): every app process on one database counts together, and a restart does not grant
 * the allowance again. Windows run on the database's clock, the one clock all processes share.
 */
import type { Queryable } from '../platform/db';

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
const windowOf = (row: { count: number; retry_after: number }): RateWindow => ({
  count: row.count,
  retryAfterSeconds: Math.max(1, row.retry_after),
});

/**
 * Counts one hit for `key` in `scope` and returns the window it fell in (a new one when the last has ended).
 * `holdFrom`: the count from which the window is stretched to end a whole `windowMs` after this hit, so that a lock-out
 * reached late in a window lasts its full time rather than what was left of the window.
 */
export async function countHit(
  db: Queryable,
  scope: string,
  key: string,
  windowMs: number,
  holdFrom?: number,
): Promise<RateWindow> {
  const [row] = await db.query<{ count: number; retry_after: number }>(
    `INSERT INTO rate_limit AS r (scope, key, count, reset_at) VALUES ($1, $2, 1, now() + make_interval(secs => $3))
     ON CONFLICT (scope, key) DO UPDATE SET
       count = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.count + 1 END,
       reset_at = CASE WHEN r.reset_at <= now() THEN EXCLUDED.reset_at
                       WHEN r.count + 1 >= $4::int THEN greatest(r.reset_at, EXCLUDED.reset_at)
                       ELSE r.reset_at END
     RETURNING ${WINDOW_COLUMNS}`,
    [scope, key, windowMs / 1000, holdFrom ?? null],
  );
  if (Date.now() - lastCleanup > CLEANUP_EVERY_MS) {
    lastCleanup = Date.now();
    await db.query('DELETE FROM rate_limit WHERE reset_at <= now()');
  }
  return windowOf(row);
}

/** Forgets the windows of `scope` whose key is `key` or starts with `prefix` (an admin lifting a lock-out). */
export async function forget(
  db: Queryable,
  scope: string,
  match: { key: string } | { prefix: string },
): Promise<number> {
  const rows = await db.query<{ key: string }>(
    'key' in match
      ? 'DELETE FROM rate_limit WHERE scope = $1 AND key = $2 RETURNING key'
      : 'DELETE FROM rate_limit WHERE scope = $1 AND starts_with(key, $2) RETURNING key',
    [scope, 'key' in match ? match.key : match.prefix],
  );
  return rows.length;
}

/** The current windows of several scope and key pairs in one query, in the order asked (undefined where there is none). */
export async function currentWindows(
  db: Queryable,
  asked: Array<{ scope: string; key: string }>,
): Promise<Array<RateWindow | undefined>> {
  const rows = await db.query<{ scope: string; key: string; count: number; retry_after: number }>(
    `SELECT scope, key, ${WINDOW_COLUMNS} FROM rate_limit
     WHERE (scope, key) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND reset_at > now()`,
    [asked.map((a) => a.scope), asked.map((a) => a.key)],
  );
  return asked.map((a) => {
    const row = rows.find((r) => r.scope === a.scope && r.key === a.key);
    return row ? windowOf(row) : undefined;
  });
}

/** The current window of `key` in `scope`, without counting a hit; undefined when there is none. */
export async function currentWindow(db: Queryable, scope: string, key: string): Promise<RateWindow | undefined> {
  const [row] = await db.query<{ count: number; retry_after: number }>(
    `SELECT ${WINDOW_COLUMNS} FROM rate_limit WHERE scope = $1 AND key = $2 AND reset_at > now()`,
    [scope, key],
  );
  return row ? windowOf(row) : undefined;
}
