/**
 * Lists of cases: the register as a reader reaches it, the open cases of the same person shown before filing, the
 * cases waiting for their process, a resident's petitions, the cases of tasks (by process instance) and of a
 * queue, the cases a notice is about with the names they record, and the key-person registry's files with their
 * petitions counted.
 */
import type { Queryable } from '../../platform/db';
import { notAccuserSql, reachableSql } from './access';

/** A row of the case register (GET /cases). */
/** An open case of the same person, as the duplicate check before filing shows it. */
export interface PossibleDuplicate {
  id: string;
  caseNo: string;
  category: string;
  status: string;
  receivedAt: Date;
  sameCategory: boolean;
}

/**
 * Open cases (no linked repeats) of the person with this phone or ID number (their blind indexes), the category's
 * first, newest first; none accusing the reader.
 */
export async function openCasesOfPerson(
  db: Queryable,
  p: { phoneHash: Buffer | null; idNumberHash: Buffer | null; categoryCode: string; readerId: string },
): Promise<PossibleDuplicate[]> {
  return db.query<PossibleDuplicate>(
    `SELECT c.id, c.case_no AS "caseNo", c.category, c.status, c.received_at AS "receivedAt", c.category_code = $3 AS "sameCategory"
     FROM petition_case c JOIN resident r ON r.id = c.resident_id
     WHERE c.status NOT IN ('closed', 'not-accepted', 'withdrawn') AND c.duplicate_of IS NULL
       AND ((r.phone_hash = $1 AND $1 IS NOT NULL) OR (r.id_number_hash = $2 AND $2 IS NOT NULL))
       AND c.accused_user_id IS DISTINCT FROM $4
     ORDER BY (c.category_code = $3) DESC, c.received_at DESC LIMIT 20`,
    [p.phoneHash, p.idNumberHash, p.categoryCode, p.readerId],
  );
}

/**
 * Cases filed more than two seconds ago whose process was never started (linked repeats have none, nor does a case
 * closed without one: a case brought in closed, its written opinion given elsewhere), oldest first.
 */
export async function casesAwaitingProcess(db: Queryable): Promise<Array<{ id: string }>> {
  return db.query<{ id: string }>(
    `SELECT id FROM petition_case WHERE process_instance_key IS NULL AND duplicate_of IS NULL AND status <> 'closed'
           AND created_at < now() - interval '2 seconds' ORDER BY created_at LIMIT 50`,
  );
}

/**
 * A resident's petitions the reader reaches, newest first (`repeat`: counted as a key person's repeat). `grids` as
 * for the case centre's search.
 */
export async function residentPetitions(
  db: Queryable,
  residentId: string,
  readerId: string,
  grids: string[] | null,
): Promise<Array<{ id: string; caseNo: string; category: string; status: string; receivedAt: Date; repeat: boolean }>> {
  return db.query(
    `SELECT c.id, c.case_no AS "caseNo", c.category, c.status, c.received_at AS "receivedAt", c.key_person_id IS NOT NULL AS "repeat"
         FROM petition_case c WHERE c.resident_id = $1 AND ${reachableSql('$2', '$3')} ORDER BY c.received_at DESC LIMIT 200`,
    [residentId, readerId, grids],
  );
}

/** The case a process instance carries, as a task list shows it; `hidden` when it accuses the reader. */
export interface InstanceCase {
  id: string;
  case_no: string;
  category: string;
  hidden: boolean;
  process_instance_key: string;
}

/** The cases whose own process, or a review's, is one of the instances given (instances without a case have no row). */
export async function casesOfInstances(
  db: Queryable,
  instanceKeys: string[],
  readerId: string,
): Promise<InstanceCase[]> {
  // A case's own process, or one of its reviews' (复查/复核, a process of its own started from the case).
  return db.query<InstanceCase>(
    `SELECT c.id, c.case_no, c.category, c.accused_user_id IS NOT DISTINCT FROM $2 AS hidden, k.process_instance_key
         FROM (SELECT id AS case_id, process_instance_key FROM petition_case WHERE process_instance_key = ANY($1::text[])
               UNION ALL
               SELECT case_id, process_instance_key FROM case_review WHERE process_instance_key = ANY($1::text[])) k
         JOIN petition_case c ON c.id = k.case_id`,
    [instanceKeys, readerId],
  );
}

/** The internal deadline, status and key-matter flag of each case given, for a queue. */
export async function caseDeadlines(
  db: Queryable,
  caseIds: string[],
): Promise<Array<{ id: string; sla_due_at: Date | null; status: string; is_key_matter: boolean }>> {
  return db.query<{ id: string; sla_due_at: Date | null; status: string; is_key_matter: boolean }>(
    'SELECT id, sla_due_at, status, is_key_matter FROM petition_case WHERE id = ANY($1::uuid[])',
    [caseIds],
  );
}

/** A case as a notice about it is written: number, category, place, owner and the petitioner's encrypted phone. */
export interface NoticeCaseRow {
  id: string;
  case_no: string;
  category: string;
  compound: string | null;
  first_responder_id: string;
  owner_name: string;
  phone_enc: Uint8Array | null;
}

/** The cases given (in no order; a missing id has no row), as notices about them are written. */
export async function noticeCases(db: Queryable, caseIds: string[]): Promise<NoticeCaseRow[]> {
  return db.query<NoticeCaseRow>(
    `SELECT c.id, c.case_no, c.category, comp.name AS compound, c.first_responder_id, u.display_name AS owner_name, r.phone_enc
       FROM petition_case c
       JOIN app_user u ON u.id = c.first_responder_id
       LEFT JOIN resident r ON r.id = c.resident_id
       LEFT JOIN compound comp ON comp.id = c.compound_id
       WHERE c.id = ANY($1::uuid[])`,
    [caseIds],
  );
}

/**
 * The names each case given records of people, as they are stored (null where there is none): the petitioner, the
 * staff member a petition accuses, and the key person's service team (volunteer, professional).
 */
export async function namesOnCases(
  db: Queryable,
  caseIds: readonly string[],
): Promise<Array<{ id: string; names: Array<string | null> }>> {
  return db.query<{ id: string; names: Array<string | null> }>(
    `SELECT c.id, ARRAY[r.name, accused.display_name, kp.team_volunteer, kp.team_professional] AS names
     FROM petition_case c
     LEFT JOIN resident r ON r.id = c.resident_id
     LEFT JOIN app_user accused ON accused.id = c.accused_user_id
     LEFT JOIN key_person kp ON kp.id = c.key_person_id OR (c.key_person_id IS NULL AND kp.resident_id = c.resident_id)
     WHERE c.id = ANY($1::uuid[])`,
    [caseIds],
  );
}

/** A key person's file in the registry, with their petitions in the last 365 days and their repeats since entry. */
export interface KeyPersonFile {
  id: string;
  resident_id: string;
  /** null: the resident left a number but no name (未留姓名). */
  name: string | null;
  compound: string | null;
  status: string;
  reason: string;
  entered_at: Date;
  exited_at: Date | null;
  exit_reason: string | null;
  team_lead: string | null;
  team_volunteer: string | null;
  team_professional: string | null;
  conversion_role: string | null;
  converted_at: Date | null;
  plan: string | null;
  process_instance_key: string | null;
  petitions_365: number;
  repeats: number;
}

const PERSON_SQL = `
  SELECT k.id, k.resident_id, r.name, comp.name AS compound, k.status, k.reason, k.entered_at, k.exited_at, k.exit_reason,
         u.display_name AS team_lead, k.team_volunteer, k.team_professional, k.conversion_role, k.converted_at, k.plan,
         k.process_instance_key,
         (SELECT count(*)::int FROM petition_case c WHERE c.resident_id = k.resident_id AND c.received_at > now() - interval '365 days') AS petitions_365,
         (SELECT count(*)::int FROM petition_case c WHERE c.key_person_id = k.id) AS repeats
  FROM key_person k JOIN resident r ON r.id = k.resident_id
  LEFT JOIN compound comp ON comp.id = r.compound_id LEFT JOIN app_user u ON u.id = k.team_cadre_id`;

/** A key person's file as the reader may reach it (not someone whose petition accuses them); undefined if none. */
export async function keyPersonFile(db: Queryable, id: string, readerId: string): Promise<KeyPersonFile | undefined> {
  const [row] = await db.query<KeyPersonFile>(
    `${PERSON_SQL} WHERE k.id = $1 AND ${notAccuserSql('k.resident_id', '$2')}`,
    [id, readerId],
  );
  return row;
}

/** The registry's files of a status ('all': every one) the reader may reach, the latest entered first. */
export async function keyPersonFiles(db: Queryable, status: string, readerId: string): Promise<KeyPersonFile[]> {
  return db.query<KeyPersonFile>(
    `${PERSON_SQL} WHERE ($1 = 'all' OR k.status = $1) AND ${notAccuserSql('k.resident_id', '$2')} ORDER BY k.entered_at DESC LIMIT 500`,
    [status, readerId],
  );
}
