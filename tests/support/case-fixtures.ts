/** Rows a worker test needs: staff with roles, a resident with an encrypted phone, a compound, a case. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db';
import { maskPhone, piiCipher, type PiiCipher } from '../../platform/pii';

export const testCipher: PiiCipher = piiCipher(randomBytes(32));

export async function createUser(db: Db, username: string, roles: string[]): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    "INSERT INTO app_user (username, display_name, password_hash) VALUES ($1, $1, 'x') RETURNING id",
    [username],
  );
  for (const role of roles) await db.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [row.id, role]);
  return row.id;
}

export async function createCase(
  db: Db,
  options: {
    phone?: string;
    name?: string;
    consent?: boolean;
    category?: string;
    firstResponder?: string;
    cipher?: PiiCipher;
  } = {},
): Promise<{ caseId: string; caseNo: string; residentId: string; compoundId: string; firstResponderId: string }> {
  const suffix = randomUUID().slice(0, 8);
  const firstResponderId = await createUser(db, options.firstResponder ?? `reception-${suffix}`, ['reception']);
  const [grid] = await db.query<{ id: string }>("INSERT INTO grid (code, name) VALUES ($1, '测试网格') RETURNING id", [
    `T${suffix}`,
  ]);
  const [compound] = await db.query<{ id: string }>(
    "INSERT INTO compound (grid_id, name, households) VALUES ($1, '幸福里小区', 100) RETURNING id",
    [grid.id],
  );
  const phone = options.phone ?? '13812345678';
  const cipher = options.cipher ?? testCipher;
  const [resident] = await db.query<{ id: string }>(
    `INSERT INTO resident (name, compound_id, phone_enc, phone_hash, phone_masked, consent_publish_name)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      options.name ?? '王小明',
      compound.id,
      cipher.encrypt(phone),
      cipher.lookupHash(phone),
      maskPhone(phone),
      options.consent ?? false,
    ],
  );
  const caseNo = `XF-TEST-${suffix}`;
  const [petition] = await db.query<{ id: string }>(
    `INSERT INTO petition_case (case_no, channel, category, description, resident_id, compound_id, first_responder_id)
     VALUES ($1, 'walk-in', $2, '电梯经常故障', $3, $4, $5) RETURNING id`,
    [caseNo, options.category ?? '电梯故障', resident.id, compound.id, firstResponderId],
  );
  return { caseId: petition.id, caseNo, residentId: resident.id, compoundId: compound.id, firstResponderId };
}
