/**
 * Signed-in sessions (user_session): kept by a hash of their id (the cookie's value), with their CSRF token and
 * when they expire. The cookie itself and signing in are the routes' (api/auth.ts).
 */
import type { Queryable } from '../platform/db';

/** The user a live session belongs to (an active account), with their roles and the session's CSRF token. */
export interface SessionRow {
  id: string;
  username: string;
  display_name: string;
  csrf_token: string;
  roles: string[];
}

/** The session's user, if the session (by its id's hash) is live and its account active. */
export async function sessionUser(db: Queryable, idHash: Buffer): Promise<SessionRow | undefined> {
  const rows = await db.query<SessionRow>(
    `SELECT u.id, u.username, u.display_name, s.csrf_token,
                COALESCE(array_agg(r.role_id ORDER BY r.role_id) FILTER (WHERE r.role_id IS NOT NULL), '{}') AS roles
         FROM user_session s JOIN app_user u ON u.id = s.user_id AND u.active
         LEFT JOIN user_role r ON r.user_id = u.id
         WHERE s.id_hash = $1 AND s.expires_at > now()
         GROUP BY u.id, s.csrf_token`,
    [idHash],
  );
  return rows[0];
}

/** A new session of the user, live for `hours` from now. */
export async function openSession(
  db: Queryable,
  s: { idHash: Buffer; userId: string; csrfToken: string; hours: number },
): Promise<void> {
  await db.query(
    `INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [s.idHash, s.userId, s.csrfToken, s.hours],
  );
}

/** The session (by its id's hash) ends: signed out. */
export async function endSession(db: Queryable, idHash: Buffer): Promise<void> {
  await db.query('DELETE FROM user_session WHERE id_hash = $1', [idHash]);
}
