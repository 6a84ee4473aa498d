/**
 * Staff accounts: sign-in with username and password (scrypt), lock-out after repeated failures, a session cookie
 * (random id, only its hash stored) and a per-session CSRF token that every state-changing request must echo in the
 * `X-CSRF-Token` header.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { z } from 'zod';
import { Problem, refusal } from '../server/http/problem';
import { hashPassword, verifyPassword } from '../server/security/password';

let dummy: Promise<string> | undefined;
/** A hash of a random password, made once: what an unknown username is checked against. */
const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));
import type { ApiDeps } from './deps';
import { route, type RouteSpec } from './route';
import { countHit, currentWindow } from './rate-limit';

export const SESSION_COOKIE = 'xf_session';
const SESSION_HOURS = 12;
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
/** Failed sign-ins one client address may make in a window, whatever the accounts tried (guessing across accounts). */
export const MAX_FAILED_SIGN_INS_PER_ADDRESS = 20;
const ADDRESS_WINDOW_MS = LOCK_MINUTES * 60_000;

/** The limit's scope in rate_limit: failed sign-ins per client address (a proxy in front may add its own limits). */
const SIGN_IN_FAILURES = 'sign-in-failures';

async function refuseBusyAddress(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const window = await currentWindow(deps.db, SIGN_IN_FAILURES, req.ip ?? 'unknown');
  if (!window || window.count < MAX_FAILED_SIGN_INS_PER_ADDRESS) return;
  const seconds = window.retryAfterSeconds;
  res.setHeader('Retry-After', String(seconds));
  throw refusal(
    'rate-limited',
    new Problem(
      429,
      { zh: '登录尝试过于频繁', en: 'Too many sign-in attempts' },
      { zh: `此地址登录失败次数过多，请 ${Math.ceil(seconds / 60)} 分钟后再试。`, en: `Too many failed sign-ins from this address: try again in ${Math.ceil(seconds / 60)} minutes.` },
      { retryAfterSeconds: seconds },
    ),
  );
}

const countFailure = (deps: ApiDeps, req: Request) => countHit(deps.db, SIGN_IN_FAILURES, req.ip ?? 'unknown', ADDRESS_WINDOW_MS);

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  csrfToken: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: SessionUser;
  }
}

const hashId = (id: string) => createHash('sha256').update(id).digest();

/** Reads the session cookie into `req.user` (the routes check access and, for changes, the CSRF token). */
export function authenticate(deps: ApiDeps) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const id = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (id && /^[\w-]{20,100}$/.test(id)) {
      const rows = await deps.db.query<{ id: string; username: string; display_name: string; csrf_token: string; roles: string[] }>(
        `SELECT u.id, u.username, u.display_name, s.csrf_token,
                COALESCE(array_agg(r.role_id ORDER BY r.role_id) FILTER (WHERE r.role_id IS NOT NULL), '{}') AS roles
         FROM user_session s JOIN app_user u ON u.id = s.user_id AND u.active
         LEFT JOIN user_role r ON r.user_id = u.id
         WHERE s.id_hash = $1 AND s.expires_at > now()
         GROUP BY u.id, s.csrf_token`,
        [hashId(id)],
      );
      const row = rows[0];
      if (row) req.user = { id: row.id, username: row.username, displayName: row.display_name, roles: row.roles, csrfToken: row.csrf_token };
    }
    next();
  };
}

const SignIn = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict();

export const authRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/session',
    tag: 'accounts',
    summary: 'Sign in (five wrong passwords lock the account for 15 minutes; twenty failures from one address pause it for 15 minutes)',
    access: 'public',
    body: SignIn,
    status: 201,
    async handle({ deps, req, res, body: { username, password } }) {
      await refuseBusyAddress(deps, req, res);
      const [user] = await deps.db.query<{ id: string; password_hash: string; locked_until: Date | null; active: boolean }>(
        'SELECT id, password_hash, locked_until, active FROM app_user WHERE username = $1',
        [username.toLowerCase()],
      );
      if (user?.locked_until && new Date(user.locked_until) > new Date()) {
        const minutes = Math.ceil((new Date(user.locked_until).getTime() - Date.now()) / 60000);
        await countFailure(deps, req);
        throw refusal('locked', new Problem(
          423,
          { zh: '账户已锁定', en: 'Account locked' },
          { zh: `密码错误次数过多，请 ${minutes} 分钟后再试。`, en: `Too many wrong passwords: try again in ${minutes} minutes.` },
        ));
      }
      // An unknown or inactive account costs the same hashing as a real one, so the answer's timing does not tell
      // which usernames exist.
      const ok = user?.active ? await verifyPassword(password, user.password_hash) : await verifyPassword(password, await dummyHash()).then(() => false);
      if (!user || !ok) {
        if (user) {
          await deps.db.query(
            `UPDATE app_user SET failed_logins = failed_logins + 1,
               locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) END
             WHERE id = $1`,
            [user.id, MAX_FAILED_LOGINS, LOCK_MINUTES],
          );
        }
        await countFailure(deps, req);
        throw refusal('sign-in-failed', new Problem(401, { zh: '登录失败', en: 'Sign-in failed' }, { zh: '用户名或密码不正确。', en: 'Wrong username or password.' }));
      }
      await deps.db.query('UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1', [user.id]);
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      await deps.db.query(
        `INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
        [hashId(sessionId), user.id, csrfToken, SESSION_HOURS],
      );
      res.setHeader(
        'Set-Cookie',
        serializeCookie(SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: SESSION_HOURS * 3600, secure: deps.secureCookies }),
      );
      return me(deps, user.id, csrfToken);
    },
  }),
  route({
    method: 'get',
    path: '/session',
    tag: 'accounts',
    summary: 'Whether this browser is signed in (the sign-in page asks before showing the form)',
    access: 'public',
    async handle({ deps, req }) {
      return req.user ? { signedIn: true, ...(await me(deps, req.user.id, req.user.csrfToken)) } : { signedIn: false };
    },
  }),
  route({
    method: 'delete',
    path: '/session',
    tag: 'accounts',
    summary: 'Sign out',
    access: 'signed-in',
    async handle({ deps, req, res }) {
      const id = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
      if (id) await deps.db.query('DELETE FROM user_session WHERE id_hash = $1', [hashId(id)]);
      res.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 }));
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/me',
    tag: 'accounts',
    summary: 'The signed-in user, with roles and the CSRF token',
    access: 'signed-in',
    handle: ({ deps, user }) => me(deps, user.id, user.csrfToken),
  }),
];

async function me(deps: ApiDeps, userId: string, csrfToken: string) {
  const [row] = await deps.db.query<{ username: string; display_name: string; roles: string[] }>(
    `SELECT u.username, u.display_name, COALESCE(array_agg(r.role_id ORDER BY r.role_id) FILTER (WHERE r.role_id IS NOT NULL), '{}') AS roles
     FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id WHERE u.id = $1 GROUP BY u.id`,
    [userId],
  );
  return { username: row.username, displayName: row.display_name, roles: row.roles, csrfToken };
}
