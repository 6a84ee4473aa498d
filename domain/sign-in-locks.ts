/**
 * Sign-in lock-outs as the rate_limit table keeps them: the limits, the scopes the failures are counted in, lifting
 * an account's locks, and the SQL that tells until when an account is locked. Counting and refusing sign-ins is the
 * sign-in route's (api/auth.ts).
 */
import type { Queryable } from '../platform/db';
import { forget } from './rate-limit';

/** Wrong passwords for one account from one address before that address is locked out of that account. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
/**
 * Wrong passwords for one account from all addresses together in LOCK_MINUTES before the account takes sign-ins only
 * from addresses it signed in from before (KNOWN_ADDRESS_DAYS), for LOCK_MINUTES: guessing one password from many
 * addresses gets no more than this many tries per quarter hour, and the owner at a known address is not locked out.
 */
export const MAX_FAILED_LOGINS_PER_ACCOUNT = 10;
/** How long an address an account signed in from stays known to it (each window counts from its first sign-in). */
export const KNOWN_ADDRESS_DAYS = 90;

/** Scopes in rate_limit, keyed `<user id> <address>` or `<user id>`: failures per account and address, per account, and the addresses an account signed in from. */
export const ACCOUNT_ADDRESS_FAILURES = 'sign-in-failures-account-address';
export const ACCOUNT_FAILURES = 'sign-in-failures-account';
export const KNOWN_ADDRESSES = 'sign-in-known-address';

/** Lifts every lock-out of an account (from single addresses and for new addresses): an admin's unlock, a new password. */
export async function unlockAccount(db: Queryable, userId: string): Promise<void> {
  await forget(db, ACCOUNT_ADDRESS_FAILURES, { prefix: `${userId} ` });
  await forget(db, ACCOUNT_FAILURES, { key: userId });
}

/** SQL: until when the account whose id is the SQL expression `userId` is locked out somewhere, or null. */
export const lockedUntilSql = (
  userId: string,
) => `(SELECT max(l.reset_at) FROM rate_limit l WHERE l.reset_at > now() AND (
    (l.scope = '${ACCOUNT_ADDRESS_FAILURES}' AND starts_with(l.key, ${userId}::text || ' ') AND l.count >= ${MAX_FAILED_LOGINS})
    OR (l.scope = '${ACCOUNT_FAILURES}' AND l.key = ${userId}::text AND l.count >= ${MAX_FAILED_LOGINS_PER_ACCOUNT})))`;
