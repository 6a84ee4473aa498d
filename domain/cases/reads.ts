/**
 * Lookups of one case: the row a worker's job needs, the case page's row with its timeline, what intake checks of the
 * case a repeat is linked to, what a transfer checks before the owner changes, the case the early-warning rules
 * screen; and the staff a case's work goes to.
 */
import type { Queryable } from '../../platform/db';

/** The case row as the workers read it. */
export interface CaseRow {
  id: string;
  case_no: string;
  category: string;
  status: string;
  handling_round: number;
  received_at: Date;
  resident_id: string | null;
  compound_id: string | null;
  first_responder_id: string;
}

/** The case a job's process is about; throws when it is not in the database. */
export async function loadCase(db: Queryable, caseId: string): Promise<CaseRow> {
  const [row] = await db.query<CaseRow>(
    `SELECT id, case_no, category, status, handling_round, received_at, resident_id, compound_id, first_responder_id
     FROM petition_case WHERE id = $1`,
    [caseId],
  );
  if (!row) throw new Error(`Case ${caseId} does not exist: the process refers to a case that is not in the database`);
  return row;
}

/** Users holding a role (group), in a stable order. */
export async function usersWithRole(db: Queryable, role: string): Promise<Array<{ id: string; username: string }>> {
  return db.query(
    `SELECT u.id, u.username FROM app_user u JOIN user_role r ON r.user_id = u.id WHERE r.role_id = $1 AND u.active ORDER BY u.username`,
    [role],
  );
}

/** Whether the case reports or accuses someone (Art 30): marked so, or naming one of the staff. */
export async function isAccusation(db: Queryable, caseId: string): Promise<boolean> {
  const [{ accusation }] = await db.query<{ accusation: boolean }>(
    'SELECT accusation OR accused_user_id IS NOT NULL AS accusation FROM petition_case WHERE id = $1',
    [caseId],
  );
  return accusation;
}

/** The petitioner of a case (null: anonymous), or undefined when there is no such case. */
export async function residentOfCase(
  db: Queryable,
  caseId: string,
): Promise<{ resident_id: string | null } | undefined> {
  const [petition] = await db.query<{ resident_id: string | null }>(
    'SELECT resident_id FROM petition_case WHERE id = $1',
    [caseId],
  );
  return petition;
}

/** A case row as the case page reads it, with its open rating link and its recorded timeline. */
export interface CasePageRow {
  id: string;
  case_no: string;
  channel: string;
  category: string;
  description: string;
  status: string;
  case_class: string | null;
  handling_round: number;
  received_at: Date;
  closed_at: Date | null;
  sla_due_at: Date | null;
  legal_due_at: Date | null;
  process_instance_key: string | null;
  duplicate_of: string | null;
  first_responder: string;
  first_responder_name: string;
  compound: string | null;
  petitioner_id: string | null;
  petitioner_name: string | null;
  phone_masked: string | null;
  accusation: boolean;
  accused_user_id: string | null;
  first_responder_id: string;
  grid_id: string | null;
  rating_link_open: boolean;
  recorded: Array<{ kind: string; detail: unknown; actor: string | null; at: string }>;
  /** Every rating, each round's, with the petitioner's reason as they gave it. */
  ratings: Array<{ round: number; rating: string; comment: string | null; source: string; at: string }>;
}

/** Reads a case row, whether a rating link waits for its petitioner at `now`, and its recorded timeline. */
export async function casePageRow(db: Queryable, caseId: string, now: Date): Promise<CasePageRow | undefined> {
  const [c] = await db.query<CasePageRow>(
    // One statement: the case, whether a rating link waits for the petitioner, and its recorded timeline (events and
    // notifications) — each a round trip to the database of its own before.
    `SELECT c.id, c.case_no, c.channel, c.category, c.description, c.status, c.case_class, c.handling_round, c.received_at, c.closed_at,
            c.sla_due_at, c.legal_due_at,
            c.process_instance_key, c.duplicate_of, u.username AS first_responder, u.display_name AS first_responder_name,
            comp.name AS compound, r.id AS petitioner_id, r.name AS petitioner_name, r.phone_masked, c.accusation, c.accused_user_id,
            c.first_responder_id, comp.grid_id,
            EXISTS (SELECT 1 FROM rating_link l WHERE l.case_id = c.id AND l.used_at IS NULL AND l.expires_at > $2) AS rating_link_open,
            (SELECT COALESCE(json_agg(json_build_object('kind', t.kind, 'detail', t.detail, 'actor', COALESCE(au.display_name, t.actor), 'at', t.at) ORDER BY t.at), '[]')
             FROM (SELECT kind, detail, actor, created_at AS at FROM case_event WHERE case_id = c.id
                   UNION ALL
                   SELECT 'notification:' || template, jsonb_build_object('channel', channel, 'status', status), 'system', created_at
                   FROM notification WHERE case_id = c.id) t
             LEFT JOIN app_user au ON au.username = t.actor) AS recorded,
            (SELECT COALESCE(json_agg(json_build_object('round', cr.round, 'rating', cr.rating, 'comment', cr.comment, 'source', cr.source, 'at', cr.created_at) ORDER BY cr.round), '[]')
             FROM case_rating cr WHERE cr.case_id = c.id) AS ratings
     FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id
     LEFT JOIN compound comp ON comp.id = c.compound_id LEFT JOIN resident r ON r.id = c.resident_id
     WHERE c.id = $1`,
    [caseId, now.toISOString()],
  );
  return c;
}

/** Whether the case exists, is open and is no linked repeat itself: one a repeat may be linked to at intake. */
export async function isOpenToLink(tx: Queryable, caseId: string): Promise<boolean> {
  const [open] = await tx.query(
    "SELECT 1 FROM petition_case WHERE id = $1 AND status NOT IN ('closed', 'not-accepted', 'withdrawn') AND duplicate_of IS NULL",
    [caseId],
  );
  return !!open;
}

/** The open case a repeat was linked to, as its petitioner is told of it: number, status and first responder. */
export async function linkedCaseSummary(
  db: Queryable,
  caseId: string,
): Promise<{ case_no: string; status: string; first_responder: string }> {
  const [open] = await db.query<{ case_no: string; status: string; first_responder: string }>(
    `SELECT c.case_no, c.status, u.display_name AS first_responder FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id WHERE c.id = $1`,
    [caseId],
  );
  return open;
}

/** What a transfer checks before the case changes hands. */
export interface CaseBeforeTransfer {
  /** The owner's (first responder's) username. */
  username: string;
  process_instance_key: string | null;
  status: string;
  accused_user_id: string | null;
}

/** The case as a transfer checks it before it changes hands: its owner, process, status and the accused. */
export async function caseBeforeTransfer(db: Queryable, caseId: string): Promise<CaseBeforeTransfer | undefined> {
  const [before] = await db.query<CaseBeforeTransfer>(
    `SELECT u.username, c.process_instance_key, c.status, c.accused_user_id FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id WHERE c.id = $1`,
    [caseId],
  );
  return before;
}

/** A case as the early-warning rules screen it: its category and place (compound, and the compound's grid). */
export interface ScreenedCase {
  id: string;
  /** The dictionary code of the case's category. */
  category_code: string;
  compound_id: string | null;
  grid_id: string | null;
}

/** The case the early-warning rules screen, or undefined when there is no such case. */
export async function caseForScreening(tx: Queryable, caseId: string): Promise<ScreenedCase | undefined> {
  const [petition] = await tx.query<ScreenedCase>(
    `SELECT c.id, c.category_code, c.compound_id, comp.grid_id
     FROM petition_case c LEFT JOIN compound comp ON comp.id = c.compound_id WHERE c.id = $1`,
    [caseId],
  );
  return petition;
}
