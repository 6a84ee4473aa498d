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
