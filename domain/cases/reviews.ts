/**
 * Review (复查, 信访工作条例 Art 35) and re-review (复核, Art 36) of a case's written opinion: the `case_review` rows, the
 * final cases a new petition on the same request is linked to, and what the case page and the dashboard read of them.
 * The case row itself changes only in writes.ts (a final repeat: {@link linkFinalRepeat} there).
 */
import type { Queryable } from '../../platform/db';
import type { Period } from './reports';

export type ReviewKind = 'review' | 're-review';
export type ReviewOutcome = 'upheld' | 'revised';

/**
 * The legal numbers of Art 35–36, in one place: the petitioner asks within `requestDays` calendar days of receiving
 * the opinion, and the request is answered within `answerDays` calendar days of it (both for review and re-review).
 */
export const REVIEW_LIMITS = { requestDays: 30, answerDays: 30 } as const;

/** A review or re-review as it is kept. */
export interface ReviewRow {
  id: string;
  case_id: string;
  kind: ReviewKind;
  reasons: string;
  requested_at: Date;
  opinion_received_at: string;
  due_at: Date;
  answered_at: Date | null;
  outcome: ReviewOutcome | null;
  opinion: string | null;
  process_instance_key: string | null;
}

const REVIEW_COLUMNS = `id, case_id, kind, reasons, requested_at, to_char(opinion_received_at, 'YYYY-MM-DD') AS opinion_received_at,
  due_at, answered_at, outcome, opinion, process_instance_key`;

/** The case's reviews, review first. */
export async function reviewsOfCase(db: Queryable, caseId: string): Promise<ReviewRow[]> {
  return db.query<ReviewRow>(
    `SELECT ${REVIEW_COLUMNS} FROM case_review WHERE case_id = $1 ORDER BY CASE kind WHEN 'review' THEN 0 ELSE 1 END`,
    [caseId],
  );
}

/** What a review request checks of its case: its status, whether it is a linked repeat, and when it was received. */
export async function caseForReview(
  db: Queryable,
  caseId: string,
): Promise<
  | {
      case_no: string;
      status: string;
      duplicate_of: string | null;
      received_at: Date;
      closed_at: Date | null;
      first_responder: string;
    }
  | undefined
> {
  const [row] = await db.query<{
    case_no: string;
    status: string;
    duplicate_of: string | null;
    received_at: Date;
    closed_at: Date | null;
    first_responder: string;
  }>(
    `SELECT c.case_no, c.status, c.duplicate_of, c.received_at, c.closed_at, u.username AS first_responder
     FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id WHERE c.id = $1`,
    [caseId],
  );
  return row;
}

/** A new review request; undefined when the case has one of this kind already (one of each kind per case). */
export async function insertReview(
  tx: Queryable,
  r: {
    caseId: string;
    kind: ReviewKind;
    reasons: string;
    requestedAt: string;
    requestedBy: string;
    opinionReceivedAt: string;
    dueAt: string;
  },
): Promise<{ id: string } | undefined> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO case_review (case_id, kind, reasons, requested_at, requested_by, opinion_received_at, due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id, kind) DO NOTHING RETURNING id`,
    [r.caseId, r.kind, r.reasons, r.requestedAt, r.requestedBy, r.opinionReceivedAt, r.dueAt],
  );
  return row;
}

/** The request on the case's timeline, by the staff member who entered it. */
export async function recordReviewRequested(
  tx: Queryable,
  caseId: string,
  detail: { kind: ReviewKind; reviewId: string; dueAt: string; opinionReceivedAt: string },
  username: string,
  at: string,
): Promise<void> {
  await tx.query(`INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, $2, $3, $4, $5)`, [
    caseId,
    `${detail.kind}-requested`,
    JSON.stringify(detail),
    username,
    at,
  ]);
}

/** The review's process started. */
export async function reviewProcessStarted(db: Queryable, reviewId: string, processInstanceKey: string): Promise<void> {
  await db.query('UPDATE case_review SET process_instance_key = $2 WHERE id = $1', [reviewId, processInstanceKey]);
}

/** The request is taken back because its process could not be started (the engine did not answer): staff ask again. */
export async function dropReview(db: Queryable, reviewId: string): Promise<void> {
  await db.query('DELETE FROM case_review WHERE id = $1 AND process_instance_key IS NULL', [reviewId]);
}

/**
 * The answer of a review, once (a retried job changes nothing): outcome and opinion at `at`; on the case's timeline
 * once per job. Answers the case and kind, or undefined when there is no such review.
 */
export async function recordReviewAnswer(
  tx: Queryable,
  a: { reviewId: string; outcome: ReviewOutcome; opinion: string; at: string; jobKey: string },
): Promise<{ case_id: string; kind: ReviewKind; due_at: Date } | undefined> {
  await tx.query(
    'UPDATE case_review SET answered_at = $2, outcome = $3, opinion = $4 WHERE id = $1 AND answered_at IS NULL',
    [a.reviewId, a.at, a.outcome, a.opinion],
  );
  const [row] = await tx.query<{ case_id: string; kind: ReviewKind; due_at: Date; answered_at: Date }>(
    'SELECT case_id, kind, due_at, answered_at FROM case_review WHERE id = $1',
    [a.reviewId],
  );
  if (!row) return undefined;
  await tx.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, job_key, created_at) VALUES ($1, $2, $3, 'system', $4, $5)
     ON CONFLICT (job_key) DO NOTHING`,
    [
      row.case_id,
      `${row.kind}-answered`,
      JSON.stringify({
        reviewId: a.reviewId,
        outcome: a.outcome,
        onTime: new Date(row.answered_at).getTime() <= new Date(row.due_at).getTime(),
      }),
      a.jobKey,
      a.at,
    ],
  );
  return row;
}

/** Whether the case is final: its re-review was answered (Art 36). */
export async function isFinalCase(db: Queryable, caseId: string): Promise<boolean> {
  const [row] = await db.query(
    "SELECT 1 FROM case_review WHERE case_id = $1 AND kind = 're-review' AND answered_at IS NOT NULL",
    [caseId],
  );
  return !!row;
}

/** Final cases (re-review answered) of the person with this phone or ID number, as the duplicate check shows them. */
export async function finalCasesOfPerson(
  db: Queryable,
  p: { phoneHash: Buffer | null; idNumberHash: Buffer | null; categoryCode: string; readerId: string },
): Promise<
  Array<{
    id: string;
    caseNo: string;
    category: string;
    status: string;
    receivedAt: Date;
    sameCategory: boolean;
    final: true;
  }>
> {
  return db.query(
    `SELECT c.id, c.case_no AS "caseNo", c.category, c.status, c.received_at AS "receivedAt",
            c.category_code = $3 AS "sameCategory", true AS final
     FROM petition_case c JOIN resident r ON r.id = c.resident_id
     JOIN case_review v ON v.case_id = c.id AND v.kind = 're-review' AND v.answered_at IS NOT NULL
     WHERE c.duplicate_of IS NULL
       AND ((r.phone_hash = $1 AND $1 IS NOT NULL) OR (r.id_number_hash = $2 AND $2 IS NOT NULL))
       AND c.accused_user_id IS DISTINCT FROM $4
     ORDER BY (c.category_code = $3) DESC, c.received_at DESC LIMIT 20`,
    [p.phoneHash, p.idNumberHash, p.categoryCode, p.readerId],
  );
}

/** The final link on both cases' timelines: the new petition linked as final, the final case's repeat. */
export async function recordFinalLink(
  tx: Queryable,
  link: { caseId: string; caseNo: string; finalId: string; finalCaseNo: string },
  username: string,
  at: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, 'linked-as-final', $2, $5, $6),
       ($3, 'final-repeat', $4, $5, $6)`,
    [
      link.caseId,
      JSON.stringify({ finalOf: link.finalId, finalCaseNo: link.finalCaseNo }),
      link.finalId,
      JSON.stringify({ repeatId: link.caseId, repeatCaseNo: link.caseNo }),
      username,
      at,
    ],
  );
}

/** The final case a petition is linked to, with its number; undefined when it is none. */
export async function finalLinkOf(db: Queryable, caseId: string): Promise<{ id: string; case_no: string } | undefined> {
  const [row] = await db.query<{ id: string; case_no: string }>(
    'SELECT f.id, f.case_no FROM petition_case c JOIN petition_case f ON f.id = c.final_of WHERE c.id = $1',
    [caseId],
  );
  return row;
}

/** The petitions linked to a final case (new petitions on the same request after its re-review). */
export async function finalRepeatsOf(db: Queryable, caseId: string): Promise<Array<{ id: string; case_no: string }>> {
  return db.query('SELECT id, case_no FROM petition_case WHERE final_of = $1 ORDER BY received_at', [caseId]);
}

/**
 * The case row as JSON, whatever its columns are (the case page reads the acceptance and extension columns of
 * migration 290 through it, null-safe while they are not there).
 */
export async function caseRowJson(db: Queryable, caseId: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await db.query<{ row: Record<string, unknown> }>(
    'SELECT to_jsonb(c) AS row FROM petition_case c WHERE c.id = $1',
    [caseId],
  );
  return row?.row;
}

/** What the petitioner was told, when: the notices to them (texts as stored: no rating link token). */
export async function petitionerNotices(
  db: Queryable,
  caseId: string,
): Promise<Array<{ template: string; channel: string; status: string; text: string; at: Date; sentAt: Date | null }>> {
  return db.query(
    `SELECT template, channel, status, text, created_at AS at, sent_at AS "sentAt" FROM notification
     WHERE case_id = $1 AND recipient_role = 'petitioner' ORDER BY created_at, template`,
    [caseId],
  );
}

/** The period's reviews and re-reviews: asked, answered by outcome, answered late, open past their due date. */
export interface ReviewFigures {
  kind: ReviewKind;
  requested: number;
  answered: number;
  upheld: number;
  revised: number;
  late: number;
  overdueOpen: number;
}

/** Reviews asked for or answered in the period, per kind; `now` tells the open ones past due. */
export async function reviewFigures(db: Queryable, p: Period, now: Date): Promise<ReviewFigures[]> {
  return db.query<ReviewFigures>(
    `SELECT k.kind,
            count(v.id) FILTER (WHERE v.requested_at >= $1 AND v.requested_at < $2)::int AS requested,
            count(v.id) FILTER (WHERE v.answered_at >= $1 AND v.answered_at < $2)::int AS answered,
            count(v.id) FILTER (WHERE v.answered_at >= $1 AND v.answered_at < $2 AND v.outcome = 'upheld')::int AS upheld,
            count(v.id) FILTER (WHERE v.answered_at >= $1 AND v.answered_at < $2 AND v.outcome = 'revised')::int AS revised,
            count(v.id) FILTER (WHERE v.answered_at >= $1 AND v.answered_at < $2 AND v.answered_at > v.due_at)::int AS late,
            count(v.id) FILTER (WHERE v.answered_at IS NULL AND v.due_at < $3 AND v.requested_at < $2)::int AS "overdueOpen"
     FROM (VALUES ('review'), ('re-review')) AS k(kind) LEFT JOIN case_review v ON v.kind = k.kind
     GROUP BY k.kind ORDER BY CASE k.kind WHEN 'review' THEN 0 ELSE 1 END`,
    [p.fromTs, p.toTs, now.toISOString()],
  );
}

/** The period's extensions of the handling deadline (Art 34), by the timeline's `extension-*` kinds. */
export async function extensionFigures(db: Queryable, p: Period): Promise<Record<string, number>> {
  const rows = await db.query<{ kind: string; n: number }>(
    `SELECT kind, count(*)::int AS n FROM case_event WHERE kind LIKE 'extension-%' AND created_at >= $1 AND created_at < $2
     GROUP BY kind ORDER BY kind`,
    [p.fromTs, p.toTs],
  );
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}
