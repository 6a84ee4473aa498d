/**
 * Staff accounts (app_user) and their roles (user_role) as admins keep them: the accounts as the API shows them
 * (with until when each is locked out of signing in), adding one, and changing one.
 */
import type { Queryable } from '../platform/db';
import { lockedUntilSql } from './sign-in-locks';

const USER_SQL = `
  SELECT u.id, u.username, u.display_name AS "displayName", u.active, ${lockedUntilSql('u.id')} AS "lockedUntil",
         COALESCE(array_agg(r.role_id ORDER BY r.role_id) FILTER (WHERE r.role_id IS NOT NULL), '{}') AS roles
  FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id`;

/** Every staff account with its roles, by username. */
export async function listUsers(db: Queryable): Promise<Record<string, unknown>[]> {
  return db.query(`${USER_SQL} GROUP BY u.id ORDER BY u.username`);
}

/** One staff account with its roles, as {@link listUsers} shows it. */
export async function userById(db: Queryable, userId: string): Promise<Record<string, unknown> | undefined> {
  const [user] = await db.query(`${USER_SQL} WHERE u.id = $1 GROUP BY u.id`, [userId]);
  return user;
}

/** Whether an account has the username. */
export async function usernameTaken(db: Queryable, username: string): Promise<boolean> {
  const [taken] = await db.query('SELECT 1 FROM app_user WHERE username = $1', [username]);
  return taken !== undefined;
}

/** Whether there is such an account. */
export async function userExists(db: Queryable, userId: string): Promise<boolean> {
  const [exists] = await db.query('SELECT 1 FROM app_user WHERE id = $1', [userId]);
  return exists !== undefined;
}

/** A new account (its password already hashed) with its roles; answers its id. Run it in a transaction. */
export async function insertUser(
  tx: Queryable,
  u: { username: string; displayName: string; passwordHash: string; roles: readonly string[] },
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    'INSERT INTO app_user (username, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id',
    [u.username, u.displayName, u.passwordHash],
  );
  for (const role of new Set(u.roles))
    await tx.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [row.id, role]);
  return row.id;
}

/**
 * An account changed: what is given (null keeps it) of its name, active flag and password hash — a new password also
 * clears its failed sign-ins and lock.
 */
export async function updateUser(
  tx: Queryable,
  userId: string,
  u: { displayName: string | null; active: boolean | null; passwordHash: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE app_user SET display_name = COALESCE($2, display_name), active = COALESCE($3, active),
             password_hash = COALESCE($4, password_hash),
             failed_logins = CASE WHEN $4::text IS NULL THEN failed_logins ELSE 0 END,
             locked_until = CASE WHEN $4::text IS NULL THEN locked_until END, updated_at = now()
           WHERE id = $1`,
    [userId, u.displayName, u.active, u.passwordHash],
  );
}

/** The account's roles replaced by `roles`. Run it in a transaction. */
export async function replaceRoles(tx: Queryable, userId: string, roles: readonly string[]): Promise<void> {
  await tx.query('DELETE FROM user_role WHERE user_id = $1', [userId]);
  for (const role of new Set(roles))
    await tx.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [userId, role]);
}

/** Ends every session of the account (signed out everywhere). */
export async function endSessions(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM user_session WHERE user_id = $1', [userId]);
}

/** The account's username, if there is such an account. */
export async function usernameOf(db: Queryable, userId: string): Promise<{ username: string } | undefined> {
  const [user] = await db.query<{ username: string }>('SELECT username FROM app_user WHERE id = $1', [userId]);
  return user;
}

/** The id of the account with the username, if there is one. */
export async function userIdByUsername(db: Queryable, username: string): Promise<{ id: string } | undefined> {
  const [user] = await db.query<{ id: string }>('SELECT id FROM app_user WHERE username = $1', [username]);
  return user;
}

/** What signing in checks of the account with the username: its id, password hash and whether it is active. */
export async function accountForSignIn(
  db: Queryable,
  username: string,
): Promise<{ id: string; password_hash: string; active: boolean } | undefined> {
  const [user] = await db.query<{ id: string; password_hash: string; active: boolean }>(
    'SELECT id, password_hash, active FROM app_user WHERE username = $1',
    [username],
  );
  return user;
}

/** The account's username, display name and roles (undefined when there is no such account). */
export async function userWithRoles(
  db: Queryable,
  userId: string,
): Promise<{ username: string; display_name: string; roles: string[] } | undefined> {
  const [row] = await db.query<{ username: string; display_name: string; roles: string[] }>(
    `SELECT u.username, u.display_name, COALESCE(array_agg(r.role_id ORDER BY r.role_id) FILTER (WHERE r.role_id IS NOT NULL), '{}') AS roles
     FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id WHERE u.id = $1 GROUP BY u.id`,
    [userId],
  );
  return row;
}

/** The id of the active account with the username that may own cases (reception, cadre, secretary, grid worker). */
export async function possibleOwner(db: Queryable, username: string): Promise<{ id: string } | undefined> {
  const [target] = await db.query<{ id: string }>(
    `SELECT u.id FROM app_user u WHERE u.username = $1 AND u.active
       AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role_id IN ('reception', 'cadre', 'secretary', 'grid-worker'))`,
    [username],
  );
  return target;
}

/** The staff roles with their Chinese and English names. */
export async function allRoles(db: Queryable): Promise<Array<{ id: string; name_zh: string; name_en: string }>> {
  return db.query<{ id: string; name_zh: string; name_en: string }>('SELECT id, name_zh, name_en FROM role');
}

/** The usernames' accounts with their display names. */
export async function displayNames(
  db: Queryable,
  usernames: string[],
): Promise<Array<{ username: string; display_name: string }>> {
  return db.query<{ username: string; display_name: string }>(
    'SELECT username, display_name FROM app_user WHERE username = ANY($1)',
    [usernames],
  );
}
