/**
 * Residents (居民): the people who petition, as the routes and workers look them up. Their phone and ID numbers are
 * kept encrypted, with a hash to find them by and a masked form to show.
 */
import type { Queryable } from '../platform/db';

/** The resident's name (null when not given) and whether they consent to its masked form on the notice board. */
export async function residentNameConsent(
  db: Queryable,
  residentId: string,
): Promise<{ name: string | null; consent_publish_name: boolean } | undefined> {
  const [resident] = await db.query<{ name: string | null; consent_publish_name: boolean }>(
    'SELECT name, consent_publish_name FROM resident WHERE id = $1',
    [residentId],
  );
  return resident;
}

/** The resident known by the ID number's or the phone's lookup hash (an ID number wins), if any. */
export async function residentByNumbers(
  tx: Queryable,
  idHash: Buffer | null,
  phoneHash: Buffer | null,
): Promise<{ id: string } | undefined> {
  const [known] = await tx.query<{ id: string }>(
    `SELECT id FROM resident WHERE (id_number_hash = $1 AND $1 IS NOT NULL) OR (phone_hash = $2 AND $2 IS NOT NULL)
       ORDER BY (id_number_hash = $1) DESC NULLS LAST LIMIT 1`,
    [idHash, phoneHash],
  );
  return known;
}

/** The resident gets the name, if they had none (one first known only by a number). */
export async function nameResident(tx: Queryable, residentId: string, name: string): Promise<void> {
  await tx.query('UPDATE resident SET name = $2, updated_at = now() WHERE id = $1 AND name IS NULL', [
    residentId,
    name,
  ]);
}

/** A new resident, the numbers given encrypted, hashed for lookup and masked; answers their id. */
export async function insertResident(
  tx: Queryable,
  r: {
    name: string | null;
    compoundId: string | null;
    phoneEnc: Buffer | null;
    phoneHash: Buffer | null;
    phoneMasked: string | null;
    idNumberEnc: Buffer | null;
    idNumberHash: Buffer | null;
    idNumberMasked: string | null;
    consentPublishName: boolean;
  },
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO resident (name, compound_id, phone_enc, phone_hash, phone_masked, id_number_enc, id_number_hash, id_number_masked, consent_publish_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      r.name,
      r.compoundId,
      r.phoneEnc,
      r.phoneHash,
      r.phoneMasked,
      r.idNumberEnc,
      r.idNumberHash,
      r.idNumberMasked,
      r.consentPublishName,
    ],
  );
  return row.id;
}

/** The resident's personal data as kept (phone and ID number encrypted), if there is such a resident. */
export async function residentPersonalData(
  db: Queryable,
  residentId: string,
): Promise<
  | {
      resident_id: string;
      name: string | null;
      phone_enc: Buffer | null;
      id_number_enc: Buffer | null;
      address: string | null;
    }
  | undefined
> {
  const [row] = await db.query<{
    resident_id: string;
    name: string | null;
    phone_enc: Buffer | null;
    id_number_enc: Buffer | null;
    address: string | null;
  }>('SELECT id AS resident_id, name, phone_enc, id_number_enc, address FROM resident WHERE id = $1', [residentId]);
  return row;
}

/** Logs that the user read the resident's `fields` for the case, and why. */
export async function logPersonalDataAccess(
  db: Queryable,
  a: { userId: string; residentId: string; caseId: string; fields: string[]; purpose: string },
): Promise<void> {
  await db.query(
    `INSERT INTO pii_access_log (user_id, resident_id, case_id, fields, purpose) VALUES ($1, $2, $3, $4, $5)`,
    [a.userId, a.residentId, a.caseId, a.fields, a.purpose],
  );
}
