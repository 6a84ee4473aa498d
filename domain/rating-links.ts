/**
 * Rating links (评价链接): a one-time link per case and round by which the petitioner rates without an account. Only
 * a hash of its token is kept for checking it; a stored rating notice carries `{ratingUrl}` where the link goes, and
 * the link is filled in only while it is shown (the outbox), so the token stays out of the notification table.
 */
import { createHash } from 'node:crypto';
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
