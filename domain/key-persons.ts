/**
 * Key persons (重点人员): a petitioner with three or more petitions in 365 days (this one included, repeats of an open
 * case too) enters the key-person registry, and `key-person-care` starts for them. A petition from someone already
 * in the registry is marked as theirs (`petition_case.key_person_id`): that is the repeat count the plan wants
 * halved. Staff may also enter a person by hand (a higher-level visit) through `enterRegistry`. The worker
 * `check-key-person` and intake both apply the rule here.
 */
import type { Db, Queryable } from '../platform/db';
import type { Logger } from '../platform/logger';
import { PROCESS_IDS } from '../bpmn/job-types';
import { linkKeyPerson, petitionsInWindow, residentOfCase } from './cases';

/**
 * Starts a process through the engine API, at most once per key: when an instance already carries the variable
 * `once.name` with the value `once.value` (a retry after a crash), its key is returned instead of starting another.
 * `firstAttempt`: no start was ever asked for this key, so there is nothing to look for (the look is a search).
 */
export type StartProcessOnce = (
  processDefinitionId: string,
  variables: Record<string, unknown>,
  once: { name: string; value: string },
  firstAttempt?: boolean,
) => Promise<string>;

/** What the key-person rule needs: the database, a log, and starting a process at most once (the care process). */
export interface KeyPersonDeps {
  db: Db;
  log: Logger;
  startProcessOnce: StartProcessOnce;
}

/** Petitions within this many days that make a key person. */
export const KEY_PERSON_WINDOW_DAYS = 365;
export const KEY_PERSON_THRESHOLD = 3;

export type EntryReason = 'repeat-petitions' | 'higher-level-visit';

/**
 * The key-person rule for one petition (the worker's, and intake's for a repeat linked to an open case, which has
 * no process of its own but still counts).
 */
export async function screenKeyPerson(
  deps: KeyPersonDeps,
  caseId: string,
): Promise<{ keyPersonId: string | null; repeat: boolean }> {
  const outcome = await deps.db.transaction(async (tx) => {
    const petition = await residentOfCase(tx, caseId);
    if (!petition)
      throw new Error(`Case ${caseId} does not exist: the process refers to a case that is not in the database`);
    if (!petition.resident_id) return { keyPersonId: null, repeat: false };
    // One screening per resident at a time: the resident row is the lock.
    await tx.query('SELECT id FROM resident WHERE id = $1 FOR UPDATE', [petition.resident_id]);
    const [active] = await tx.query<{ id: string; entry_case_id: string | null }>(
      "SELECT id, entry_case_id FROM key_person WHERE resident_id = $1 AND status = 'active'",
      [petition.resident_id],
    );
    if (active) {
      // Already in the registry: a repeat petition, unless this very case is the one that put them there (a retry).
      const repeat = active.entry_case_id !== caseId;
      if (repeat) await linkKeyPerson(tx, caseId, active.id);
      return { keyPersonId: active.id, repeat };
    }
    // The rule as the admin set it (settings key `key-person-rule`), else the plan's: 3 petitions in 365 days.
    const [setting] = await tx.query<{ value: { windowDays?: number; threshold?: number } }>(
      "SELECT value FROM app_setting WHERE key = 'key-person-rule'",
    );
    const windowDays = setting?.value.windowDays ?? KEY_PERSON_WINDOW_DAYS;
    const threshold = setting?.value.threshold ?? KEY_PERSON_THRESHOLD;
    const count = await petitionsInWindow(tx, petition.resident_id, caseId, windowDays);
    if (count < threshold) return { keyPersonId: null, repeat: false };
    const id = await insertKeyPerson(tx, petition.resident_id, 'repeat-petitions', caseId);
    return { keyPersonId: id, repeat: false };
  });
  // Only the petition that put the person in the registry starts their care (its retries too): a repeat filed at the
  // same moment must not race it to a second process.
  if (outcome.keyPersonId && !outcome.repeat) await startCare(deps, outcome.keyPersonId);
  return outcome;
}

async function insertKeyPerson(
  tx: Queryable,
  residentId: string,
  reason: EntryReason,
  entryCaseId: string | null,
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    'INSERT INTO key_person (resident_id, reason, entry_case_id) VALUES ($1, $2, $3) RETURNING id',
    [residentId, reason, entryCaseId],
  );
  return row.id;
}

/** Starts `key-person-care` for a person in the registry unless it runs already (idempotent; retried jobs call it again). */
export async function startCare(deps: KeyPersonDeps, keyPersonId: string): Promise<string> {
  const [person] = await deps.db.query<{
    process_instance_key: string | null;
    status: string;
    process_start_attempted: boolean;
  }>('SELECT process_instance_key, status, process_start_attempted FROM key_person WHERE id = $1', [keyPersonId]);
  if (!person) throw new Error(`Key person ${keyPersonId} is not in the registry`);
  if (person.process_instance_key) return person.process_instance_key;
  // Recorded before the start: a crash after it leaves the retry to look for the instance the start made.
  if (!person.process_start_attempted)
    await deps.db.query('UPDATE key_person SET process_start_attempted = true WHERE id = $1', [keyPersonId]);
  const key = await deps.startProcessOnce(
    PROCESS_IDS.keyPersonCare,
    {},
    { name: 'personId', value: keyPersonId },
    !person.process_start_attempted,
  );
  await deps.db.query('UPDATE key_person SET process_instance_key = $2 WHERE id = $1', [keyPersonId, key]);
  deps.log.info({ keyPersonId, processInstanceKey: key }, 'key person entered the registry');
  return key;
}

/** Staff enter a person by hand (e.g. after a visit to a higher level); returns the registry entry, new or existing. */
export async function enterRegistry(
  deps: KeyPersonDeps,
  residentId: string,
  reason: EntryReason,
): Promise<{ keyPersonId: string; created: boolean }> {
  const result = await deps.db.transaction(async (tx) => {
    await tx.query('SELECT id FROM resident WHERE id = $1 FOR UPDATE', [residentId]);
    const [active] = await tx.query<{ id: string }>(
      "SELECT id FROM key_person WHERE resident_id = $1 AND status = 'active'",
      [residentId],
    );
    if (active) return { keyPersonId: active.id, created: false };
    return { keyPersonId: await insertKeyPerson(tx, residentId, reason, null), created: true };
  });
  if (result.created) await startCare(deps, result.keyPersonId);
  return result;
}

/** The key person's service-team cadre (null before one is assigned) and registry status, if they are registered. */
export async function keyPersonTeam(
  tx: Queryable,
  personId: string,
): Promise<{ team_cadre_id: string | null; status: string } | undefined> {
  const [person] = await tx.query<{ team_cadre_id: string | null; status: string }>(
    'SELECT team_cadre_id, status FROM key_person WHERE id = $1',
    [personId],
  );
  return person;
}

/** The active cadre leading the fewest active key persons' teams (by username on a tie), if there is a cadre. */
export async function leastBusyCadre(tx: Queryable): Promise<{ id: string } | undefined> {
  const [least] = await tx.query<{ id: string }>(
    `SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role_id = 'cadre'
           LEFT JOIN key_person k ON k.team_cadre_id = u.id AND k.status = 'active'
           WHERE u.active GROUP BY u.id, u.username ORDER BY count(k.id), u.username LIMIT 1`,
  );
  return least;
}

/** The cadre leads the key person's service team. */
export async function setTeamCadre(tx: Queryable, personId: string, cadreId: string): Promise<void> {
  await tx.query('UPDATE key_person SET team_cadre_id = $2 WHERE id = $1', [personId, cadreId]);
}

/**
 * Up to 50 active key persons entered over a minute ago whose care process has not been started (entered while the
 * engine was away: a linked repeat, a manual entry).
 */
export async function keyPersonsAwaitingCare(db: Queryable): Promise<Array<{ id: string }>> {
  return db.query<{ id: string }>(
    "SELECT id FROM key_person WHERE status = 'active' AND process_instance_key IS NULL AND entered_at < now() - interval '1 minute' LIMIT 50",
  );
}

/** The key-person registry counted: everyone in it, those converted to a role, and the volunteers among them. */
export async function registryCounts(db: Queryable): Promise<{ total: number; volunteers: number; converted: number }> {
  const [persons] = await db.query<{ total: number; volunteers: number; converted: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE conversion_role = 'volunteer')::int AS volunteers,
            count(*) FILTER (WHERE conversion_role IS NOT NULL)::int AS converted FROM key_person`,
  );
  return persons;
}

/** The key person's plan and service team, what is given of them (null keeps it). */
export async function updateCarePlan(
  db: Queryable,
  personId: string,
  p: { plan: string | null; teamVolunteer: string | null; teamProfessional: string | null },
): Promise<void> {
  await db.query(
    `UPDATE key_person SET plan = COALESCE($2, plan), team_volunteer = COALESCE($3, team_volunteer), team_professional = COALESCE($4, team_professional)
         WHERE id = $1`,
    [personId, p.plan, p.teamVolunteer, p.teamProfessional],
  );
}

/** The key person, if still active, leaves the registry now, for the reason given. */
export async function exitRegistry(db: Queryable, personId: string, reason: string): Promise<void> {
  await db.query(
    "UPDATE key_person SET status = 'exited', exited_at = now(), exit_reason = $2 WHERE id = $1 AND status = 'active'",
    [personId, reason],
  );
}

/**
 * The key person converted to `role` at `at` (the care process's record-conversion); false when they are not in the
 * registry. A conversion to the same role that staff recorded from the registry page first keeps its date and note.
 */
export async function convertKeyPerson(db: Queryable, personId: string, role: string, at: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE key_person SET converted_at = CASE WHEN conversion_role = $2 THEN converted_at ELSE $3::timestamptz END,
            conversion_note = CASE WHEN conversion_role = $2 THEN conversion_note END,
            conversion_recorded_by = CASE WHEN conversion_role = $2 THEN conversion_recorded_by END,
            conversion_role = $2
       WHERE id = $1 RETURNING id`,
    [personId, role, at],
  );
  return rows.length > 0;
}

/**
 * Staff record the key person's conversion from the registry page: to `role` on the day `on` (YYYY-MM-DD, the start of
 * that day in `timeZone`), with a note, by `byUserId`. Only an active person not converted yet; false otherwise.
 */
export async function recordConversionByStaff(
  db: Queryable,
  c: { personId: string; role: string; on: string; timeZone: string; note: string | null; byUserId: string },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE key_person SET conversion_role = $2, converted_at = ($3::date)::timestamp AT TIME ZONE $4,
            conversion_note = $5, conversion_recorded_by = $6
       WHERE id = $1 AND status = 'active' AND conversion_role IS NULL RETURNING id`,
    [c.personId, c.role, c.on, c.timeZone, c.note, c.byUserId],
  );
  return rows.length > 0;
}

/** The key person's conversion as their file shows it: note and who recorded it (null: the care process did). */
export async function conversionDetail(
  db: Queryable,
  personId: string,
): Promise<{ note: string | null; recordedBy: string | null } | undefined> {
  const [row] = await db.query<{ note: string | null; recordedBy: string | null }>(
    `SELECT k.conversion_note AS note, u.display_name AS "recordedBy"
       FROM key_person k LEFT JOIN app_user u ON u.id = k.conversion_recorded_by WHERE k.id = $1`,
    [personId],
  );
  return row;
}
