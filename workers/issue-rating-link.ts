/**
 * issue-rating-link: a one-time link, per case and round, that lets the petitioner rate without an account. Only a
 * hash of the token is kept for checking it; the token itself is kept encrypted, so that a job retried after a
 * crash can still send the same link (and never a second one). The link goes out by SMS; it is never put into
 * process variables, which operators can read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { required, type JobWorker } from './job';
import { durationMs, loadCase, recordEvent } from './cases';

/** How long a rating link stays open (an ISO duration; the model's timer waits as long before the phone callback). */
export const RATING_WINDOW = 'P3D';

export const hashToken = (token: string) => createHash('sha256').update(token).digest();

export function ratingLinkText(caseNo: string, url: string, expiresAt: Date): string {
  const until = expiresAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  return `【社区信访】您反映的问题（编号${caseNo}）已办理，请对办理结果进行评价：${url} （${until}前有效，仅可使用一次）`;
}

export const issueRatingLink: JobWorker = {
  type: 'issue-rating-link',
  async handle({ variables, jobKey }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    const round = typeof variables.handlingRound === 'number' ? variables.handlingRound : 1;
    const window = typeof variables.ratingWindowOverride === 'string' ? variables.ratingWindowOverride : RATING_WINDOW;
    const now = deps.now();
    const link = await deps.db.transaction(async (tx) => {
      const [existing] = await tx.query<{ token_enc: Buffer; expires_at: Date; sent_at: Date | null }>(
        'SELECT token_enc, expires_at, sent_at FROM rating_link WHERE job_key = $1',
        [jobKey],
      );
      if (existing) return { token: deps.pii.decrypt(existing.token_enc), expiresAt: new Date(existing.expires_at), sent: existing.sent_at !== null };
      const token = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + durationMs(window));
      // A new round's link replaces the unused links of earlier rounds.
      await tx.query('UPDATE rating_link SET used_at = $2 WHERE case_id = $1 AND used_at IS NULL', [caseId, now.toISOString()]);
      await tx.query(
        'INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [hashToken(token), caseId, round, jobKey, deps.pii.encrypt(token), expiresAt.toISOString()],
      );
      return { token, expiresAt, sent: false };
    });
    if (!link.sent) {
      const petition = await loadCase(deps.db, caseId);
      const [resident] = petition.resident_id
        ? await deps.db.query<{ phone_enc: Buffer | null }>('SELECT phone_enc FROM resident WHERE id = $1', [petition.resident_id])
        : [];
      const url = `${deps.publicUrl.replace(/\/$/, '')}/rate/${link.token}`;
      if (resident?.phone_enc) {
        await deps.sms.send({ to: deps.pii.decrypt(resident.phone_enc), text: ratingLinkText(petition.case_no, url, link.expiresAt), idempotencyKey: jobKey });
      }
      await deps.db.query('UPDATE rating_link SET sent_at = $2 WHERE job_key = $1', [jobKey, deps.now().toISOString()]);
      await deps.db.query("UPDATE petition_case SET status = 'rating', updated_at = now() WHERE id = $1 AND status <> 'closed'", [caseId]);
      await recordEvent(deps.db, caseId, 'rating-link-issued', { round, expiresAt: link.expiresAt.toISOString(), sms: Boolean(resident?.phone_enc) }, jobKey);
    }
    return { ratingWindow: window, ratingLinkExpiresAt: link.expiresAt.toISOString() };
  },
};
