/**
 * The settings admins change (app_setting: the targets, the key-person rule), each stored as a JSON value under its
 * key with who changed it last; what each holds and the plan's values are the routes' (api/configuration.ts).
 */
import type { Queryable } from '../platform/db';

/** A stored setting: its value and who changed it last, when. */
export interface SettingRow {
  key: string;
  value: unknown;
  updated_by: string;
  updated_at: Date;
}

/** Every stored setting (a key not stored is the plan's). */
export async function storedSettings(db: Queryable): Promise<SettingRow[]> {
  return db.query<SettingRow>('SELECT key, value, updated_by, updated_at FROM app_setting');
}

/** A setting stored (replaced when it was stored before) by the user `username`; `value` is its JSON. */
export async function saveSetting(db: Queryable, key: string, value: string, username: string): Promise<void> {
  await db.query(
    `INSERT INTO app_setting (key, value, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = $2, updated_by = $3, updated_at = now()`,
    [key, value, username],
  );
}

/** The targets an admin set (settings key `targets`), if any: what they changed of the plan's. */
export async function storedTargets<T>(db: Queryable): Promise<Partial<T> | undefined> {
  const [row] = await db.query<{ value: Partial<T> }>("SELECT value FROM app_setting WHERE key = 'targets'");
  return row?.value;
}
