/**
 * Early warnings (预警) as they are kept, less what names the case row (that is domain/cases/warnings.ts): the rules
 * a case is screened against, the cases an alert holds, and an alert's process being started.
 */
import type { Queryable } from '../platform/db';

/** An early-warning rule as screening reads it. */
export interface RuleRow {
  id: string;
  category: string | null;
  scope: 'compound' | 'grid';
  window_days: number;
  threshold: number;
}

/**
 * The enabled rules that may count a case of the category (a rule on a main class counts its items) in the compound, by id, locked (FOR UPDATE) so that two
 * cases screened at once cannot both raise the same alert. Run it in a transaction.
 */
export async function rulesForScreening(tx: Queryable, categoryCode: string, compoundId: string): Promise<RuleRow[]> {
  return tx.query<RuleRow>(
    `SELECT id, category, scope, window_days, threshold FROM early_warning_rule
     WHERE enabled AND (category IS NULL OR $1 = category OR $1 LIKE category || '.%') AND (compound_id IS NULL OR compound_id = $2)
     ORDER BY id FOR UPDATE`,
    [categoryCode, compoundId],
  );
}

/** The case joins the alert (nothing changes when it holds the case already). */
export async function addCaseToAlert(tx: Queryable, alertId: string, caseId: string): Promise<void> {
  await tx.query('INSERT INTO early_warning_alert_case (alert_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    alertId,
    caseId,
  ]);
}

/** An alert raised by a case whose process has not been started, as starting it needs. */
export interface AlertToStart {
  id: string;
  rule_id: string;
  place_kind: string;
  place_id: string;
  /** The category's name, and its dictionary code. */
  category: string;
  category_code: string;
  process_start_attempted: boolean;
}

/** The alerts the case raised whose process is not started yet, oldest first. */
export async function alertsToStart(db: Queryable, caseId: string): Promise<AlertToStart[]> {
  return db.query<AlertToStart>(
    `SELECT a.id, a.rule_id, a.place_kind, a.place_id, COALESCE(cc.name_zh, a.category) AS category,
            a.category AS category_code, a.process_start_attempted
     FROM early_warning_alert a LEFT JOIN case_category cc ON cc.code = a.category
     WHERE a.raised_by_case_id = $1 AND a.process_instance_key IS NULL ORDER BY a.created_at`,
    [caseId],
  );
}

/** A start of the alert's process is attempted (recorded before the start, for a retry to look for its instance). */
export async function alertStartAttempted(db: Queryable, alertId: string): Promise<void> {
  await db.query('UPDATE early_warning_alert SET process_start_attempted = true WHERE id = $1', [alertId]);
}

/** The alert's process started: its instance is recorded and the alert is being handled. */
export async function alertStarted(db: Queryable, alertId: string, processInstanceKey: string): Promise<void> {
  await db.query("UPDATE early_warning_alert SET process_instance_key = $2, status = 'handling' WHERE id = $1", [
    alertId,
    processInstanceKey,
  ]);
}

/** The ids of the alerts that hold the case, in order. */
export async function alertIdsOfCase(db: Queryable, caseId: string): Promise<string[]> {
  const alerts = await db.query<{ alert_id: string }>(
    'SELECT alert_id FROM early_warning_alert_case WHERE case_id = $1 ORDER BY alert_id',
    [caseId],
  );
  return alerts.map((a) => a.alert_id);
}

const RULE_COLUMNS = `id, name, category,
  (SELECT cc.name_zh FROM case_category cc WHERE cc.code = early_warning_rule.category) AS "categoryName", scope, compound_id AS "compoundId", window_days AS "windowDays", threshold, enabled, updated_at AS "updatedAt"`;

/** An early-warning rule as admins write it. */
export interface RuleInput {
  name: string;
  category: string | null;
  scope: 'compound' | 'grid';
  compoundId: string | null;
  windowDays: number;
  threshold: number;
  enabled: boolean;
}

/** The rules as the API shows them, oldest first. */
export async function warningRules(db: Queryable): Promise<Record<string, unknown>[]> {
  return db.query(`SELECT ${RULE_COLUMNS} FROM early_warning_rule ORDER BY created_at`);
}

/** A new rule; answers it as the API shows it. */
export async function insertRule(db: Queryable, r: RuleInput): Promise<Record<string, unknown>> {
  const [row] = await db.query(
    `INSERT INTO early_warning_rule (name, category, scope, compound_id, window_days, threshold, enabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${RULE_COLUMNS}`,
    [r.name, r.category, r.scope, r.compoundId, r.windowDays, r.threshold, r.enabled],
  );
  return row;
}

/** The rule changed (for complaints screened from now on); answers it as the API shows it, or undefined if there is none. */
export async function updateRule(
  db: Queryable,
  ruleId: string,
  r: RuleInput,
): Promise<Record<string, unknown> | undefined> {
  const [row] = await db.query(
    `UPDATE early_warning_rule SET name = $2, category = $3, scope = $4, compound_id = $5, window_days = $6, threshold = $7, enabled = $8, updated_at = now()
         WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
    [ruleId, r.name, r.category, r.scope, r.compoundId, r.windowDays, r.threshold, r.enabled],
  );
  return row;
}

/** The alerts whose joint handling runs (status 'handling'), with their instance, oldest first. */
export async function alertsInHandling(db: Queryable): Promise<Array<{ id: string; process_instance_key: string }>> {
  return db.query<{ id: string; process_instance_key: string }>(
    `SELECT id, process_instance_key FROM early_warning_alert
       WHERE status = 'handling' AND process_instance_key IS NOT NULL ORDER BY created_at LIMIT 1000`,
  );
}

/**
 * The alert's joint handling ended at `at`: 'closed' when the process completed (the leader confirmed the result and
 * the petitioners were told), 'canceled' when it was cancelled. Only an alert still in handling changes.
 */
export async function alertHandlingEnded(
  db: Queryable,
  alertId: string,
  status: 'closed' | 'canceled',
  at: string,
): Promise<boolean> {
  const rows = await db.query(
    "UPDATE early_warning_alert SET status = $2, closed_at = $3 WHERE id = $1 AND status = 'handling' RETURNING id",
    [alertId, status, at],
  );
  return rows.length > 0;
}
