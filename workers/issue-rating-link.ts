/**
 * issue-rating-link: a one-time link, per case and round, that lets the petitioner rate without an account. Only a
 * hash of the token is kept for checking it; the token itself is kept encrypted, so that a job retried after a
 * crash can still send the same link (and never a second one). It is never put into process variables, which
 * operators can read.
 *
 * The link goes to the petitioner as a notice like every other (template `rating-link`): a `notification` row,
 * written once per job, then sent through the configured provider — or, with SMS_PROVIDER=outbox, left in the outbox
 * for the first responder to pass on; a petitioner without a phone number gets an inbox note to their first responder
 * instead. The stored row carries the text with `{ratingUrl}` where the link goes: the token stays out of the
 * notification table, and the outbox fills the link in while it is open (`withRatingUrl`).
 */
import { randomBytes } from 'node:crypto';
import { required, type JobWorker, type WorkerDeps } from './job';
import { awaitingRating, durationMs, recordEvent } from '../domain/cases';
import {
  noPhoneNote,
  renderNotification,
  renderOverride,
  type NotificationParams,
} from '../domain/notification-templates';
import { textPetitioner } from './send-notification';
import { sqlNotificationStore } from '../domain/notifications';
import { screenPublicText } from '../domain/public-text';
import {
  ON_THE_CASE_PAGE,
  RATING_URL_MARK,
  RATING_WINDOW,
  closeUnusedLinks,
  hashToken,
  insertLink,
  linkOfJob,
  linkSent,
} from '../domain/rating-links';
import { JOB_TYPES } from '../bpmn/job-types';

/** The job's rating link: a new one's token, or the one an earlier try of the job stored (and whether it was sent). */
interface RatingLink {
  token: string;
  expiresAt: Date;
  sent: boolean;
}

/**
 * The link this job issues for the case's round: the one an earlier try stored, else a new one (valid for `window`)
 * that replaces the unused links of earlier rounds.
 */
async function storedLink(
  deps: WorkerDeps,
  job: { jobKey: string; caseId: string; round: number; window: string; now: Date },
): Promise<RatingLink> {
  const { jobKey, caseId, round, window, now } = job;
  return deps.db.transaction(async (tx) => {
    const existing = await linkOfJob(tx, jobKey);
    if (existing)
      return {
        token: deps.pii.decrypt(existing.token_enc),
        expiresAt: new Date(existing.expires_at),
        sent: existing.sent_at !== null,
      };
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + durationMs(window));
    // A new round's link replaces the unused links of earlier rounds.
    await closeUnusedLinks(tx, caseId, now.toISOString());
    await insertLink(tx, {
      tokenHash: hashToken(token),
      caseId,
      round,
      jobKey,
      tokenEnc: deps.pii.encrypt(token),
      expiresAt: expiresAt.toISOString(),
    });
    return { token, expiresAt, sent: false };
  });
}

/**
 * Sends the link to the petitioner (or, without a phone number, an inbox note to their first responder), marks it
 * sent, and records that the case awaits its rating.
 */
async function sendLink(
  deps: WorkerDeps,
  job: { jobKey: string; caseId: string; round: number },
  link: RatingLink,
): Promise<void> {
  const { jobKey, caseId, round } = job;
  const store = sqlNotificationStore(deps.db);
  const [petition] = await store.loadCases([caseId]);
  if (!petition)
    throw new Error(`Case ${caseId} does not exist: the process refers to a case that is not in the database`);
  const url = `${deps.publicUrl.replace(/\/$/, '')}/rate/${link.token}`;
  const params: NotificationParams = { caseNo: petition.caseNo, ratingLinkExpiresAt: link.expiresAt.toISOString() };
  const override = await store.templateOverride('rating-link');
  // Screened like every text to the public (an admin's override may carry anything), with the link put in after
  // screening so that the random token is never taken for a number and altered.
  const screened = screenPublicText(
    override
      ? renderOverride(override, { ...params, ratingUrl: RATING_URL_MARK }, deps.timeZone)
      : renderNotification('rating-link', { ...params, ratingUrl: RATING_URL_MARK }, 'zh', deps.timeZone),
    petition.people ?? [],
  );
  const text = (ratingUrl: string) => screened.split(RATING_URL_MARK).join(ratingUrl);
  const notice = {
    jobKey,
    recipientKey: `petitioner:${caseId}`,
    caseId,
    template: 'rating-link' as const,
    recipientRole: 'petitioner' as const,
    params,
  };
  if (!petition.phoneEnc) {
    await store.claim({
      ...notice,
      recipientUserId: petition.firstResponderId,
      channel: 'inbox',
      phoneMasked: null,
      text: noPhoneNote(text(ON_THE_CASE_PAGE), 'zh'),
      status: 'sent',
      provider: null,
      at: deps.now(),
    });
  } else {
    const phone = deps.pii.decrypt(Buffer.from(petition.phoneEnc));
    // The row keeps the text with the link's place, never the token.
    const failure = await textPetitioner(deps, store, notice, phone, {
      stored: text(RATING_URL_MARK),
      sent: text(url),
    });
    if (failure) throw failure;
  }
  await linkSent(deps.db, jobKey, deps.now().toISOString());
  await awaitingRating(deps.db, caseId);
  await recordEvent(
    deps.db,
    caseId,
    'rating-link-issued',
    { round, expiresAt: link.expiresAt.toISOString(), sms: Boolean(petition.phoneEnc) },
    jobKey,
    deps.now(),
  );
}

/** Issues the case's rating link for the round and sends it, once per job however often the job is tried. */
export const issueRatingLink: JobWorker = {
  type: JOB_TYPES.issueRatingLink,
  async handle({ variables, jobKey }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    const round = typeof variables.handlingRound === 'number' ? variables.handlingRound : 1;
    const window = typeof variables.ratingWindowOverride === 'string' ? variables.ratingWindowOverride : RATING_WINDOW;
    const link = await storedLink(deps, { jobKey, caseId, round, window, now: deps.now() });
    if (!link.sent) await sendLink(deps, { jobKey, caseId, round }, link);
    return { ratingWindow: window, ratingLinkExpiresAt: link.expiresAt.toISOString() };
  },
};
