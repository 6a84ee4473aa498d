/**
 * What the workers told people about cases, read with the case: the staff inbox and the SMS outbox (notifications
 * with their case's number, and only of cases that do not accuse the reader, Art 30), passing a text on by hand, the
 * case's rating links, and the public notice board (never an accusation's).
 */
import type { Queryable } from '../../platform/db';
import type { NotificationParams } from '../notification-templates';

/** A notification with its case's number, as the inbox and the outbox list it. */
export interface NotificationRow {
  id: string;
  template: string;
  text: string;
  params: NotificationParams;
  case_id: string | null;
  case_no: string | null;
  created_at: Date;
  read_at: Date | null;
  sent_at: Date | null;
  status: string;
  phone_masked: string | null;
  error: string | null;
}

const COLUMNS =
  'n.id, n.template, n.text, n.params, n.case_id, c.case_no, n.created_at, n.read_at, n.sent_at, n.status, n.phone_masked, n.error';

/** Cases accusing the reader do not exist for them (Art 30), in notifications either. */
const VISIBLE = '(n.case_id IS NULL OR c.accused_user_id IS DISTINCT FROM $1)';

/** The reader's inbox, newest first (200 at most; `unreadOnly`: those not read yet). */
export async function inboxNotices(db: Queryable, userId: string, unreadOnly: boolean): Promise<NotificationRow[]> {
  return db.query<NotificationRow>(
    `SELECT ${COLUMNS}
         FROM notification n LEFT JOIN petition_case c ON c.id = n.case_id
         WHERE n.channel = 'inbox' AND n.recipient_user_id = $1 AND ${VISIBLE} ${unreadOnly ? 'AND n.read_at IS NULL' : ''}
         ORDER BY n.created_at DESC LIMIT 200`,
    [userId],
  );
}

/** How many notices of the reader's inbox are unread. */
export async function inboxUnreadCount(db: Queryable, userId: string): Promise<number> {
  const [{ unread }] = await db.query<{ unread: number }>(
    `SELECT count(*)::int AS unread FROM notification n LEFT JOIN petition_case c ON c.id = n.case_id
         WHERE n.channel = 'inbox' AND n.recipient_user_id = $1 AND n.read_at IS NULL AND ${VISIBLE}`,
    [userId],
  );
  return unread;
}

/**
 * Texts to petitioners no SMS provider sent, newest first (200 at most): of the reader's cases (`all`: of every
 * case), with a rating notice's link token (encrypted) while its link is open at `nowIso`.
 */
export async function outboxNotices(
  db: Queryable,
  readerId: string,
  all: boolean,
  nowIso: string,
): Promise<Array<NotificationRow & { link_token_enc: Buffer | null }>> {
  return db.query<NotificationRow & { link_token_enc: Buffer | null }>(
    `SELECT ${COLUMNS}, CASE WHEN l.used_at IS NULL AND l.expires_at > $3 THEN l.token_enc END AS link_token_enc
         FROM notification n JOIN petition_case c ON c.id = n.case_id
         LEFT JOIN rating_link l ON n.template = 'rating-link' AND l.job_key = n.job_key
         WHERE n.channel = 'sms' AND n.status IN ('outbox', 'failed') AND ${VISIBLE}
           AND (c.first_responder_id = $1 OR $2)
         ORDER BY n.created_at DESC LIMIT 200`,
    [readerId, all, nowIso],
  );
}

/**
 * A text of the outbox was passed on by hand: marked sent, if it waits in the outbox of one of the reader's cases
 * (`all`: of any case) that does not accuse them. Answers when, or undefined when there is no such text.
 */
export async function markPassedOn(
  db: Queryable,
  notificationId: string,
  readerId: string,
  all: boolean,
): Promise<{ sent_at: Date } | undefined> {
  const [row] = await db.query<{ sent_at: Date }>(
    `UPDATE notification n SET status = 'sent', provider = 'manual', sent_at = now(), error = NULL
         FROM petition_case c
         WHERE n.id = $1 AND c.id = n.case_id AND n.channel = 'sms' AND n.status IN ('outbox', 'failed')
           AND (c.first_responder_id = $2 OR $3) AND c.accused_user_id IS DISTINCT FROM $2
         RETURNING n.sent_at`,
    [notificationId, readerId, all],
  );
  return row;
}

/** A text waiting in the outbox, with its case's owner and accused and the petitioner's encrypted phone. */
export interface OutboxMessage {
  case_id: string;
  first_responder_id: string;
  accused_user_id: string | null;
  resident_id: string | null;
  phone_enc: Buffer | null;
}

/** The text of the outbox with this id (SMS of a case, not yet passed on), or undefined. */
export async function outboxMessage(db: Queryable, notificationId: string): Promise<OutboxMessage | undefined> {
  const [row] = await db.query<OutboxMessage>(
    `SELECT n.case_id, c.first_responder_id, c.accused_user_id, c.resident_id, r.phone_enc
         FROM notification n JOIN petition_case c ON c.id = n.case_id LEFT JOIN resident r ON r.id = c.resident_id
         WHERE n.id = $1 AND n.channel = 'sms' AND n.status IN ('outbox', 'failed')`,
    [notificationId],
  );
  return row;
}

/** The case's latest rating link still open at `nowIso` (unused, not expired), with the case's owner; or undefined. */
export async function openRatingLinkOfCase(
  db: Queryable,
  caseId: string,
  nowIso: string,
): Promise<{ token_enc: Buffer; expires_at: Date; round: number; first_responder_id: string } | undefined> {
  const [row] = await db.query<{
    token_enc: Buffer;
    expires_at: Date;
    round: number;
    first_responder_id: string;
  }>(
    `SELECT l.token_enc, l.expires_at, l.round, c.first_responder_id FROM rating_link l JOIN petition_case c ON c.id = l.case_id
         WHERE l.case_id = $1 AND l.used_at IS NULL AND l.expires_at > $2 ORDER BY l.created_at DESC LIMIT 1`,
    [caseId, nowIso],
  );
  return row;
}

/** A rating link as the rating page opens it, with what the page shows of its case. */
export interface RatingLinkRow {
  case_id: string;
  round: number;
  expires_at: Date;
  used_at: Date | null;
  case_no: string;
  category: string;
  process_instance_key: string | null;
}

/** The rating link with this token hash (used or not, expired or not), or undefined. */
export async function ratingLinkByTokenHash(db: Queryable, tokenHash: Buffer): Promise<RatingLinkRow | undefined> {
  const [row] = await db.query<RatingLinkRow>(
    `SELECT l.case_id, l.round, l.expires_at, l.used_at, c.case_no, c.category, c.process_instance_key
     FROM rating_link l JOIN petition_case c ON c.id = l.case_id WHERE l.token_hash = $1`,
    [tokenHash],
  );
  return row;
}

/** A notice on the public board, as stored (screened when it was published). */
export interface NoticeBoardRow {
  caseId: string;
  caseNo: string;
  category: string;
  compound: string | null;
  outcome: string;
  petitioner: string | null;
  publishedAt: Date;
}

/** A page of the notice board, newest first; never a notice of an accusation (Art 30), even if a row for one exists. */
export async function noticeBoardRows(db: Queryable, limit: number, offset: number): Promise<NoticeBoardRow[]> {
  return db.query<NoticeBoardRow>(
    `SELECT n.case_id AS "caseId", n.case_no AS "caseNo", n.category, n.compound_name AS compound, n.outcome, n.petitioner_masked AS petitioner,
            n.published_at AS "publishedAt"
     FROM notice_board n JOIN petition_case c ON c.id = n.case_id
     WHERE NOT c.accusation AND c.accused_user_id IS NULL
     ORDER BY n.published_at DESC LIMIT $1 OFFSET $2`,
    [limit, offset],
  );
}
