/**
 * The case's writes: the petition case (信访件) row and its timeline change only here. Every change of a case is a
 * named operation (numbered and filed, its process started, handed on, its deadlines and class recorded, rating,
 * second handling, closed, linked to a key person); routes and workers call these, and
 * `tests/unit/case-writes.test.ts` fails on SQL that writes `petition_case` anywhere else. The statuses a case passes
 * through, in order: registered → handling (or escalated, for a difficult case) → rating → second-handling
 * (dissatisfied) → closed; or it ends not accepted (not-accepted: also when passed on) or withdrawn.
 */
import type { Queryable } from '../../platform/db';

/**
 * An entry on the case's timeline, written by a worker's job once (a retried job writes nothing more), at `at` on the
 * business clock (the engine's, which a test or a drill may pin), not the database's.
 */
export async function recordEvent(
  db: Queryable,
  caseId: string,
  kind: string,
  detail: Record<string, unknown>,
  jobKey: string,
  at: Date,
  actor = 'system',
): Promise<void> {
  await db.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, job_key, created_at) VALUES ($1, $2, $3, $6, $4, $5) ON CONFLICT (job_key) DO NOTHING`,
    [caseId, kind, JSON.stringify(detail), jobKey, at.toISOString(), actor],
  );
}

/** The statuses a case passes through (the column's values). */
export type CaseStatus =
  'registered' | 'handling' | 'escalated' | 'rating' | 'second-handling' | 'closed' | 'not-accepted' | 'withdrawn';

/** The statuses of a case whose process has ended: nothing more happens to it. */
export const ENDED_STATUSES: readonly CaseStatus[] = ['closed', 'not-accepted', 'withdrawn'];

/** The next case number of the year: XF-<year>-<serial of six digits>, the serial counting on over the years. */
export async function nextCaseNo(tx: Queryable, year: string): Promise<string> {
  const [{ n }] = await tx.query<{ n: string }>("SELECT nextval('petition_case_no_seq')::text AS n");
  return `XF-${year}-${n.padStart(6, '0')}`;
}

/** A new case at intake (its number from {@link nextCaseNo}); answers its id and receipt time. */
export async function insertCase(
  tx: Queryable,
  c: {
    caseNo: string;
    channel: string;
    /** The name staff saw, and the dictionary code it stands for. */
    category: string;
    categoryCode: string;
    description: string;
    residentId: string | null;
    compoundId: string | null;
    firstResponderId: string;
    duplicateOf: string | null;
    receivedAt: string;
    accusation: boolean;
    accusedUserId: string | null;
  },
): Promise<{ id: string; received_at: Date }> {
  const [row] = await tx.query<{ id: string; received_at: Date }>(
    `INSERT INTO petition_case (case_no, channel, category, description, resident_id, compound_id, first_responder_id, duplicate_of, received_at, accusation, accused_user_id, category_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id, received_at`,
    [
      c.caseNo,
      c.channel,
      c.category,
      c.description,
      c.residentId,
      c.compoundId,
      c.firstResponderId,
      c.duplicateOf,
      c.receivedAt,
      c.accusation,
      c.accusedUserId,
      c.categoryCode,
    ],
  );
  return row;
}

/**
 * Claims the start of a case's process for `claimSeconds` (one starter at a time; a claim older than that is taken
 * over), marking the start attempted. Answers what the start needs, or undefined when the case has a process, is a
 * linked repeat, or someone else holds the claim. `retry`: an earlier attempt was made.
 */
export async function claimProcessStart(db: Queryable, caseId: string, claimSeconds: number) {
  const [claimed] = await db.query<{
    case_no: string;
    channel: string;
    category: string;
    category_code: string;
    username: string;
    received_at: Date;
    retry: boolean;
  }>(
    `WITH before AS (SELECT process_start_attempted FROM petition_case WHERE id = $1 FOR UPDATE)
     UPDATE petition_case c SET process_start_claimed_at = now(), process_start_attempted = true
     FROM app_user u, before b
     WHERE c.id = $1 AND u.id = c.first_responder_id AND c.process_instance_key IS NULL AND c.duplicate_of IS NULL
       AND (c.process_start_claimed_at IS NULL OR c.process_start_claimed_at < now() - make_interval(secs => $2))
     RETURNING c.case_no, c.channel, c.category, c.category_code, u.username, c.received_at, b.process_start_attempted AS retry`,
    [caseId, claimSeconds],
  );
  return claimed;
}

/** The case's process started: its instance is recorded and the claim released. */
export async function processStarted(db: Queryable, caseId: string, processInstanceKey: string): Promise<void> {
  await db.query('UPDATE petition_case SET process_instance_key = $2, process_start_claimed_at = NULL WHERE id = $1', [
    caseId,
    processInstanceKey,
  ]);
}

/** The start failed: the claim is released for the next attempt. */
export async function processStartFailed(db: Queryable, caseId: string): Promise<void> {
  await db.query(
    'UPDATE petition_case SET process_start_claimed_at = NULL WHERE id = $1 AND process_instance_key IS NULL',
    [caseId],
  );
}

/** The case is handed to another first responder. */
export async function transferOwner(tx: Queryable, caseId: string, userId: string): Promise<void> {
  await tx.query('UPDATE petition_case SET first_responder_id = $2, updated_at = now() WHERE id = $1', [
    caseId,
    userId,
  ]);
}

/** The legal deadline (the opinion's, from receipt) the process computed. */
export async function recordLegalDeadline(db: Queryable, caseId: string, legalDueAt: unknown): Promise<void> {
  await db.query('UPDATE petition_case SET legal_due_at = $2, updated_at = now() WHERE id = $1', [caseId, legalDueAt]);
}

/** The legal date by which the petitioner must hear whether the petition is accepted (Art 22–23). */
export async function recordAcceptanceDue(db: Queryable, caseId: string, acceptanceDueAt: unknown): Promise<void> {
  await db.query('UPDATE petition_case SET acceptance_due_at = $2, updated_at = now() WHERE id = $1', [
    caseId,
    acceptanceDueAt,
  ]);
}

/**
 * A handling round begins with its deadline: the case's class is the first one confirmed since it was routed (an
 * escalation computes with the difficult class's limit), and a registered case is now handled — escalated when it is
 * difficult. `returnDueAt`: until when the unit handling may object to the assignment (Art 23).
 */
export async function handlingStarted(
  db: Queryable,
  caseId: string,
  h: { slaDueAt: unknown; caseClass: unknown; isKeyMatter: boolean | null; returnDueAt: unknown },
): Promise<void> {
  await db.query(
    `UPDATE petition_case SET sla_due_at = $2, case_class = COALESCE(case_class, $3), is_key_matter = COALESCE($4, is_key_matter),
       status = CASE WHEN status = 'closed' THEN status WHEN $3 = 'difficult' THEN 'escalated' WHEN status = 'registered' THEN 'handling' ELSE status END,
       return_due_at = $5, updated_at = now() WHERE id = $1`,
    [caseId, h.slaDueAt, h.caseClass, h.isKeyMatter, h.returnDueAt],
  );
}

/**
 * The first responder's acceptance decision (Art 22–23) at `at`: accepted (the 60 days run from then), or not
 * accepted / passed on, which ends the case. A case that has ended is not changed.
 */
export async function acceptanceDecided(
  tx: Queryable,
  caseId: string,
  decision: 'accepted' | 'not-accepted' | 'passed-on',
  at: string,
): Promise<void> {
  await tx.query(
    `UPDATE petition_case SET acceptance_decision = $2, accepted_at = CASE WHEN $2 = 'accepted' THEN $3::timestamptz END,
       status = CASE WHEN $2 = 'accepted' THEN status ELSE 'not-accepted' END, updated_at = now()
     WHERE id = $1 AND status NOT IN ('closed', 'not-accepted', 'withdrawn')`,
    [caseId, decision, at],
  );
}

/** The unit handling returned the case (Art 23): it waits for the first responder to route it again. */
export async function caseReturned(tx: Queryable, caseId: string): Promise<void> {
  await tx.query(
    `UPDATE petition_case SET status = 'registered', case_class = NULL, sla_due_at = NULL, return_due_at = NULL, updated_at = now()
     WHERE id = $1 AND status NOT IN ('closed', 'not-accepted', 'withdrawn')`,
    [caseId],
  );
}

/** The leader extended the legal limit (Art 34), once: false when the case had been extended already. */
export async function extensionGranted(
  tx: Queryable,
  caseId: string,
  e: { days: number; reason: string | null; legalDueAt: string; at: string },
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE petition_case SET extension_days = $2, extension_reason = $3, legal_due_at = $4, extended_at = $5, updated_at = now()
     WHERE id = $1 AND extension_days IS NULL RETURNING id`,
    [caseId, e.days, e.reason, e.legalDueAt, e.at],
  );
  return rows.length > 0;
}

/** The petitioner withdrew the petition at `at`, for `reason` (a case that has ended is not changed). */
export async function caseWithdrawn(tx: Queryable, caseId: string, reason: string, at: string): Promise<void> {
  await tx.query(
    `UPDATE petition_case SET status = 'withdrawn', withdrawn_at = $3, withdrawal_reason = $2, updated_at = now()
     WHERE id = $1 AND status NOT IN ('closed', 'not-accepted', 'withdrawn')`,
    [caseId, reason, at],
  );
}

/** The petitioner was sent a rating link: the case waits for the rating (unless it was closed meanwhile). */
export async function awaitingRating(db: Queryable, caseId: string): Promise<void> {
  await db.query(
    "UPDATE petition_case SET status = 'rating', updated_at = now() WHERE id = $1 AND status <> 'closed'",
    [caseId],
  );
}

/** The petitioner was dissatisfied: the case's handling round `round` goes to the party secretary. */
export async function secondHandlingStarted(tx: Queryable, caseId: string, round: number): Promise<void> {
  await tx.query(
    "UPDATE petition_case SET handling_round = $2, status = 'second-handling', updated_at = now() WHERE id = $1",
    [caseId, round],
  );
}

/** The case is closed at `closedAt` (once: a closed case stays as it was closed). */
export async function closeCase(tx: Queryable, caseId: string, closedAt: string): Promise<void> {
  await tx.query(
    "UPDATE petition_case SET status = 'closed', closed_at = $2, updated_at = now() WHERE id = $1 AND status <> 'closed'",
    [caseId, closedAt],
  );
}

/** A repeat petition of a person in the key-person registry is counted as theirs. */
export async function linkKeyPerson(tx: Queryable, caseId: string, keyPersonId: string): Promise<void> {
  await tx.query('UPDATE petition_case SET key_person_id = $2 WHERE id = $1', [caseId, keyPersonId]);
}

/** The case's first timeline entry: registered by the user `username` at its receipt, with its channel and repeat. */
export async function recordRegistered(
  tx: Queryable,
  caseId: string,
  detail: { channel: string; duplicateOf: string | null },
  username: string,
  receivedAt: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, 'registered', $2, $3, $4)`,
    [caseId, JSON.stringify(detail), username, receivedAt],
  );
}

/** The petitioner's rating by link, kept as the round's rating (a later link of the round replaces it). */
export async function recordLinkRating(
  db: Queryable,
  r: { caseId: string; round: number; rating: string; comment: string | null; at: string },
): Promise<void> {
  await db.query(
    // A later link of the same round (after close-case sent the case back) rates the handling as it ended: its
    // rating replaces the earlier one of the round.
    `INSERT INTO case_rating (case_id, round, rating, comment, source, created_at) VALUES ($1, $2, $3, $4, 'link', $5)
     ON CONFLICT (case_id, round) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, source = EXCLUDED.source, created_at = EXCLUDED.created_at`,
    [r.caseId, r.round, r.rating, r.comment, r.at],
  );
}

/** The rating by link on the case's timeline, by the petitioner. */
export async function recordRated(
  db: Queryable,
  caseId: string,
  detail: { round: number; rating: string },
  at: string,
): Promise<void> {
  await db.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, 'rated', $2, 'petitioner', $3)`,
    [caseId, JSON.stringify(detail), at],
  );
}

/** The case's handing on, on its timeline: from and to whom, why, by whom, at `at`. */
export async function recordOwnerTransferred(
  tx: Queryable,
  caseId: string,
  detail: { from: string; to: string; reason: string },
  by: string,
  at: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, 'owner-transferred', $2, $3, $4)`,
    [caseId, JSON.stringify(detail), by, at],
  );
}

/** The case's open rating link was shown to the user `username` (to give the petitioner), on its timeline. */
export async function recordRatingLinkShown(
  db: Queryable,
  caseId: string,
  detail: { round: number },
  username: string,
  at: string,
): Promise<void> {
  await db.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, 'rating-link-shown', $2::text::jsonb, $3, $4)`,
    [caseId, JSON.stringify(detail), username, at],
  );
}

/** A task of the case completed by the user `username`, on its timeline. */
export async function recordTaskCompleted(
  db: Queryable,
  caseId: string,
  detail: { elementId: string; name: string },
  username: string,
  at: string,
): Promise<void> {
  await db.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, 'task-completed', $2, $3, $4)`,
    [caseId, JSON.stringify(detail), username, at],
  );
}

/** A task of the case handed on by the user `username` (to whom, with a note), on its timeline. */
export async function recordTaskHandedOn(
  db: Queryable,
  caseId: string,
  detail: { name: string; to: string; note: string | null },
  username: string,
  at: string,
): Promise<void> {
  await db.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, created_at) VALUES ($1, 'task-handed-on', $2, $3, $4)`,
    [caseId, JSON.stringify(detail), username, at],
  );
}

/** The round's rating as staff recorded it (a phone callback), unless the round has one. */
export async function recordStaffRating(
  tx: Queryable,
  r: { caseId: string; round: number; rating: string; comment: string | null; at: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO case_rating (case_id, round, rating, comment, source, created_at) VALUES ($1, $2, $3, $4, 'staff', $5) ON CONFLICT (case_id, round) DO NOTHING`,
    [r.caseId, r.round, r.rating, r.comment, r.at],
  );
}

/** The round rated dissatisfied, as staff recorded it, unless the round has a rating. */
export async function recordDissatisfied(
  tx: Queryable,
  caseId: string,
  round: number,
  comment: string | null,
  at: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO case_rating (case_id, round, rating, comment, source, created_at) VALUES ($1, $2, 'dissatisfied', $3, 'staff', $4)
         ON CONFLICT (case_id, round) DO NOTHING`,
    [caseId, round, comment, at],
  );
}

/**
 * A new petition on the same request as a final case (its re-review answered, Art 36): linked to it as final (and as
 * its repeat, so no process starts for it) and closed at once, not handled again (不再受理). No 'closed' event: it
 * counts in no handling figures.
 */
export async function linkFinalRepeat(tx: Queryable, caseId: string, finalId: string, at: string): Promise<void> {
  await tx.query(
    "UPDATE petition_case SET final_of = $2, duplicate_of = $2, status = 'closed', closed_at = $3, updated_at = now() WHERE id = $1",
    [caseId, finalId, at],
  );
}
