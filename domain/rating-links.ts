/**
 * Rating links (评价链接): a one-time link per case and round by which the petitioner rates without an account. Only
 * a hash of its token is kept for checking it; a stored rating notice carries `{ratingUrl}` where the link goes, and
 * the link is filled in only while it is shown (the outbox), so the token stays out of the notification table.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../platform/db';
import { renderNotification } from './notification-templates';

/** How long a rating link stays open (an ISO duration; the model's timer waits as long before the phone callback). */
export const RATING_WINDOW = 'P3D';

export const hashToken = (token: string) => createHash('sha256').update(token).digest();

/** Where the link goes in the stored text of a rating notice. */
export const RATING_URL_MARK = '{ratingUrl}';
/** What a first responder without an SMS to pass on is pointed to (the case page shows the open link and its QR code). */
export const ON_THE_CASE_PAGE = '（评价链接及二维码见案件页“评价链接”）';
/** What the outbox shows for a link that was used, replaced or has expired. */
export const LINK_CLOSED = { zh: '（该评价链接已失效）', en: '(this rating link is no longer valid)' } as const;

/** The built-in Chinese text of the rating notice. */
export function ratingLinkText(caseNo: string, url: string, expiresAt: Date, timeZone = 'Asia/Shanghai'): string {
  return renderNotification(
    'rating-link',
    { caseNo, ratingUrl: url, ratingLinkExpiresAt: expiresAt.toISOString() },
    'zh',
    timeZone,
  );
}

/** A stored rating notice's text with its link filled in (`null`: the link is closed), for staff to pass on. */
export function withRatingUrl(text: string, url: string | null): string {
  return text.split(RATING_URL_MARK).join(url ?? LINK_CLOSED.zh);
}

/** The link a job stored (its token encrypted), when it expires and when it was sent, if the job stored one. */
export async function linkOfJob(
  db: Queryable,
  jobKey: string,
): Promise<{ token_enc: Buffer; expires_at: Date; sent_at: Date | null } | undefined> {
  const [existing] = await db.query<{ token_enc: Buffer; expires_at: Date; sent_at: Date | null }>(
    'SELECT token_enc, expires_at, sent_at FROM rating_link WHERE job_key = $1',
    [jobKey],
  );
  return existing;
}

/** The case's unused links are closed as used at `at` (a new round's link replaces them). */
export async function closeUnusedLinks(db: Queryable, caseId: string, at: string): Promise<void> {
  await db.query('UPDATE rating_link SET used_at = $2 WHERE case_id = $1 AND used_at IS NULL', [caseId, at]);
}

/** A new link of the case's round, issued by the job: its token's hash, the token encrypted, when it expires. */
export async function insertLink(
  db: Queryable,
  l: { tokenHash: Buffer; caseId: string; round: number; jobKey: string; tokenEnc: Buffer; expiresAt: string },
): Promise<void> {
  await db.query(
    'INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [l.tokenHash, l.caseId, l.round, l.jobKey, l.tokenEnc, l.expiresAt],
  );
}

/** The job's link was sent at `at`. */
export async function linkSent(db: Queryable, jobKey: string, at: string): Promise<void> {
  await db.query('UPDATE rating_link SET sent_at = $2 WHERE job_key = $1', [jobKey, at]);
}

/**
 * Uses the link (by its token's hash) at `at`, if it is unused and open then; answers its case, round and the job
 * that issued it, or undefined when it was not.
 */
export async function useLink(
  db: Queryable,
  tokenHash: Buffer,
  at: string,
): Promise<{ case_id: string; round: number; job_key: string } | undefined> {
  const [used] = await db.query<{ case_id: string; round: number; job_key: string }>(
    'UPDATE rating_link SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING case_id, round, job_key',
    [tokenHash, at],
  );
  return used;
}

/** The link is open again (its rating was not delivered). */
export async function reopenLink(db: Queryable, tokenHash: Buffer): Promise<void> {
  await db.query('UPDATE rating_link SET used_at = NULL WHERE token_hash = $1', [tokenHash]);
}
