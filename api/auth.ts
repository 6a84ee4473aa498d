/**
 * Staff accounts: sign-in with username and password (scrypt), lock-out after repeated failures (per account and
 * client address, so that someone else's guesses do not lock the owner out; see `refuseLockedOut`), a session cookie
 * (random id, only its hash stored) and a per-session CSRF token that every state-changing request must echo in the
 * `X-CSRF-Token` header.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { z } from 'zod';
import { Problem, refusal } from '../platform/problem';
import { hashPassword, verifyPassword } from '../platform/password';

let dummy: Promise<string> | undefined;
/** A hash of a random password, made once: what an unknown username is checked against. */
const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));
import type { ApiDeps } from './deps';
import { route, type RouteSpec } from './route';
import { countHit, currentWindow, currentWindows, forget } from '../domain/rate-limit';
import {
  ACCOUNT_ADDRESS_FAILURES,
  ACCOUNT_FAILURES,
  KNOWN_ADDRESS_DAYS,
  KNOWN_ADDRESSES,
  LOCK_MINUTES,
  MAX_FAILED_LOGINS,
  MAX_FAILED_LOGINS_PER_ACCOUNT,
} from '../domain/sign-in-locks';
import { endSession, openSession, sessionUser } from '../domain/sessions';
import { accountForSignIn, userWithRoles } from '../domain/users';

export {
  KNOWN_ADDRESS_DAYS,
  LOCK_MINUTES,
  MAX_FAILED_LOGINS,
  MAX_FAILED_LOGINS_PER_ACCOUNT,
} from '../domain/sign-in-locks';

export const SESSION_COOKIE = 'xf_session';
const SESSION_HOURS = 12;
/** Failed sign-ins one client address may make in a window, whatever the accounts tried (guessing across accounts). */
export const MAX_FAILED_SIGN_INS_PER_ADDRESS = 20;
const ADDRESS_WINDOW_MS = LOCK_MINUTES * 60_000;

/** The limit's scope in rate_limit: failed sign-ins per client address (a proxy in front may add its own limits). */
const SIGN_IN_FAILURES = 'sign-in-failures';
const addressKey = (userId: string, address: string) => `${userId} ${address}`;
const clientAddress = (req: Request) => req.ip ?? 'unknown';

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
      {
        zh: `此地址登录失败次数过多，请 ${Math.ceil(seconds / 60)} 分钟后再试。`,
        en: `Too many failed sign-ins from this address: try again in ${Math.ceil(seconds / 60)} minutes.`,
      },
      { retryAfterSeconds: seconds },
    ),
  );
}

const countFailure = (deps: ApiDeps, req: Request) =>
  countHit(deps.db, SIGN_IN_FAILURES, clientAddress(req), ADDRESS_WINDOW_MS);

/**
 * Refuses (423, the password not checked) an account locked out for this address: five wrong passwords for it from
 * this address, or ten from all addresses together while this one is not among those it signed in from before. Each
 * lock lasts LOCK_MINUTES from the failure that reached it; an admin may lift it (`unlockAccount`).
 */
async function refuseLockedOut(deps: ApiDeps, req: Request, res: Response, userId: string): Promise<void> {
  const key = addressKey(userId, clientAddress(req));
  const [here, everywhere, known] = await currentWindows(deps.db, [
    { scope: ACCOUNT_ADDRESS_FAILURES, key },
    { scope: ACCOUNT_FAILURES, key: userId },
    { scope: KNOWN_ADDRESSES, key },
  ]);
  let seconds: number;
  let detail: { zh: string; en: string };
  if (here && here.count >= MAX_FAILED_LOGINS) {
    seconds = here.retryAfterSeconds;
    const minutes = Math.ceil(seconds / 60);
    detail = {
      zh: `此地址对该账户的密码错误次数过多，请 ${minutes} 分钟后再试，或请管理员解锁。`,
      en: `Too many wrong passwords for this account from this address: try again in ${minutes} minutes, or ask an admin to unlock it.`,
    };
  } else if (everywhere && everywhere.count >= MAX_FAILED_LOGINS_PER_ACCOUNT && !known) {
    seconds = everywhere.retryAfterSeconds;
    const minutes = Math.ceil(seconds / 60);
    detail = {
      zh: `该账户近期密码错误次数过多，暂时只能从以前登录过的地址登录。请 ${minutes} 分钟后再试，或请管理员解锁。`,
      en: `Too many wrong passwords for this account lately: for now it signs in only from addresses it signed in from before. Try again in ${minutes} minutes, or ask an admin to unlock it.`,
    };
  } else return;
  await countFailure(deps, req);
  res.setHeader('Retry-After', String(seconds));
  throw refusal(
    'locked',
    new Problem(423, { zh: '账户已锁定', en: 'Account locked' }, detail, { retryAfterSeconds: seconds }),
  );
}

/** Counts a wrong password for an account, from this address and from everywhere. */
async function countAccountFailure(deps: ApiDeps, req: Request, userId: string): Promise<void> {
  const windowMs = LOCK_MINUTES * 60_000;
  await countHit(
    deps.db,
    ACCOUNT_ADDRESS_FAILURES,
    addressKey(userId, clientAddress(req)),
    windowMs,
    MAX_FAILED_LOGINS,
  );
  await countHit(deps.db, ACCOUNT_FAILURES, userId, windowMs, MAX_FAILED_LOGINS_PER_ACCOUNT);
}

/**
 * A successful sign-in: this address's failures for the account are forgotten and the address is known to it. The
 * account's failures from everywhere are not: the owner signing in must not reopen the account to guessers.
 */
async function rememberSignIn(deps: ApiDeps, req: Request, userId: string): Promise<void> {
  const key = addressKey(userId, clientAddress(req));
  await forget(deps.db, ACCOUNT_ADDRESS_FAILURES, { key });
  await countHit(deps.db, KNOWN_ADDRESSES, key, KNOWN_ADDRESS_DAYS * 86_400_000);
}

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
      const row = await sessionUser(deps.db, hashId(id));
      if (row)
        req.user = {
          id: row.id,
          username: row.username,
          displayName: row.display_name,
          roles: row.roles,
          csrfToken: row.csrf_token,
        };
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
    summary:
      'Sign in (five wrong passwords for an account from one address lock it for that address for 15 minutes; ten from all addresses limit it to addresses it signed in from before for 15 minutes; twenty failures from one address pause that address for 15 minutes)',
    access: 'public',
    body: SignIn,
    status: 201,
    async handle({ deps, req, res, body: { username, password } }) {
      await refuseBusyAddress(deps, req, res);
      const user = await accountForSignIn(deps.db, username.toLowerCase());
      if (user) await refuseLockedOut(deps, req, res, user.id);
      // An unknown or inactive account costs the same hashing as a real one, so the answer's timing does not tell
      // which usernames exist.
      const ok = user?.active
        ? await verifyPassword(password, user.password_hash)
        : await verifyPassword(password, await dummyHash()).then(() => false);
      if (!user || !ok) {
        if (user) await countAccountFailure(deps, req, user.id);
        await countFailure(deps, req);
        throw refusal(
          'sign-in-failed',
          new Problem(
            401,
            { zh: '登录失败', en: 'Sign-in failed' },
            { zh: '用户名或密码不正确。', en: 'Wrong username or password.' },
          ),
        );
      }
      await rememberSignIn(deps, req, user.id);
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      await openSession(deps.db, { idHash: hashId(sessionId), userId: user.id, csrfToken, hours: SESSION_HOURS });
      res.setHeader(
        'Set-Cookie',
        serializeCookie(SESSION_COOKIE, sessionId, {
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
          maxAge: SESSION_HOURS * 3600,
          secure: deps.secureCookies,
        }),
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
      if (id) await endSession(deps.db, hashId(id));
      res.setHeader(
        'Set-Cookie',
        serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 }),
      );
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
  const row = (await userWithRoles(deps.db, userId))!;
  return { username: row.username, displayName: row.display_name, roles: row.roles, csrfToken };
}
