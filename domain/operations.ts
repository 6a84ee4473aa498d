/**
 * The operations console's record: what admins did to the engine's instances (retry, cancel, change a variable), and
 * how a variable's value is shown there — a mobile or ID number inside it masked, whatever the variable is called.
 */
import type { Queryable } from '../platform/db';
import { maskIdNumber, maskPhone } from '../platform/pii';

export type OperationAction = 'retry-incident' | 'cancel-instance' | 'set-variable';

export interface OperationEntry {
  at: Date;
  actor: string;
  action: OperationAction;
  target: string | null;
  detail: Record<string, unknown>;
}

/** Keeps one admin action on an instance. */
export async function logOperation(
  db: Queryable,
  entry: { actor: string; action: OperationAction; processInstanceKey: string; target?: string; detail?: object },
): Promise<void> {
  await db.query(
    'INSERT INTO operation_log (actor, action, process_instance_key, target, detail) VALUES ($1, $2, $3, $4, $5)',
    [entry.actor, entry.action, entry.processInstanceKey, entry.target ?? null, JSON.stringify(entry.detail ?? {})],
  );
}

/** An instance's admin actions, oldest first. */
export function operationsOn(db: Queryable, processInstanceKey: string): Promise<OperationEntry[]> {
  return db.query<OperationEntry>(
    'SELECT at, actor, action, target, detail FROM operation_log WHERE process_instance_key = $1 ORDER BY at, id',
    [processInstanceKey],
  );
}

const MOBILE = /(?<!\d)1\d{10}(?!\d)/g;
const ID_NUMBER = /(?<![\dXx])\d{17}[\dXx](?![\dXx])/g;

/** A variable's JSON value as the console shows it: mobile and ID numbers masked (138****5678, 1101**********1234). */
export function maskedValue(json: string): string {
  return json.replace(ID_NUMBER, (id) => maskIdNumber(id)).replace(MOBILE, (phone) => maskPhone(phone));
}
