/**
 * Early-warning alerts as they hold cases: the open alert a newly screened case joins, raising an alert around the
 * case that made a count reach its rule's threshold (its window set from the case's own receipt), an alert's cases
 * in the order they were received, and the alerts list with their cases (less those accusing the reader, Art 30).
 * What the rules count is in reports.ts.
 */
import type { Queryable } from '../../platform/db';

/** The open alert of the rule, place and category whose window holds the case's receipt, or undefined. */
export async function openAlertAt(
  tx: Queryable,
  a: { ruleId: string; placeId: string; category: string; caseId: string },
): Promise<{ id: string } | undefined> {
  // Times are compared in SQL, against the case's own received_at: microseconds do not survive a JS Date.
  const [open] = await tx.query<{ id: string }>(
    `SELECT a.id FROM early_warning_alert a, petition_case me
       WHERE me.id = $4 AND a.rule_id = $1 AND a.place_id = $2 AND a.category = $3
         AND a.window_start <= me.received_at AND a.window_end > me.received_at
       ORDER BY a.created_at LIMIT 1`,
    [a.ruleId, a.placeId, a.category, a.caseId],
  );
  return open;
}

/**
 * Raises an alert of the rule for the place and category, raised by the case: its window runs `windowDays` either
 * side of the case's receipt, so that the complaints counted and those of the next window join it. Answers its id.
 */
export async function raiseAlert(
  tx: Queryable,
  a: { ruleId: string; scope: string; placeId: string; category: string; caseId: string; windowDays: number },
): Promise<{ id: string }> {
  const [alert] = await tx.query<{ id: string }>(
    `INSERT INTO early_warning_alert (rule_id, place_kind, place_id, category, raised_by_case_id, window_start, window_end)
       SELECT $1, $2, $3, $4, me.id, me.received_at - make_interval(days => $6::int), me.received_at + make_interval(days => $6::int)
       FROM petition_case me WHERE me.id = $5 RETURNING id`,
    [a.ruleId, a.scope, a.placeId, a.category, a.caseId, a.windowDays],
  );
  return alert;
}

/** The ids of an alert's cases, in the order they were received. */
export async function casesOfAlert(db: Queryable, alertId: string): Promise<string[]> {
  const rows = await db.query<{ case_id: string }>(
    `SELECT ac.case_id FROM early_warning_alert_case ac JOIN petition_case c ON c.id = ac.case_id
         WHERE ac.alert_id = $1 ORDER BY c.received_at, c.case_no`,
    [alertId],
  );
  return rows.map((r) => r.case_id);
}

/**
 * The alerts of a status ('all': every one), newest first (200 at most), with their rule, place and cases (id and
 * number, as received; none accusing the reader).
 */
export async function alertList(
  db: Queryable,
  status: string,
  readerId: string,
): Promise<Array<{ processInstanceKey: string | null } & Record<string, unknown>>> {
  return db.query<{ processInstanceKey: string | null } & Record<string, unknown>>(
    `SELECT a.id, r.name AS rule, COALESCE(cc.name_zh, a.category) AS category, a.category AS "categoryCode", a.place_kind AS "placeKind", COALESCE(comp.name, g.name) AS place, a.status,
                a.window_start AS "windowStart", a.window_end AS "windowEnd", a.created_at AS "raisedAt",
                a.closed_at AS "closedAt", a.process_instance_key AS "processInstanceKey",
                (SELECT json_agg(json_build_object('id', c.id, 'caseNo', c.case_no) ORDER BY c.received_at)
                 FROM early_warning_alert_case ac JOIN petition_case c ON c.id = ac.case_id
                 WHERE ac.alert_id = a.id AND c.accused_user_id IS DISTINCT FROM $2) AS cases
         FROM early_warning_alert a JOIN early_warning_rule r ON r.id = a.rule_id
         LEFT JOIN case_category cc ON cc.code = a.category
         LEFT JOIN compound comp ON a.place_kind = 'compound' AND comp.id = a.place_id
         LEFT JOIN grid g ON a.place_kind = 'grid' AND g.id = a.place_id
         WHERE ($1 = 'all' OR a.status = $1) ORDER BY a.created_at DESC LIMIT 200`,
    [status, readerId],
  );
}
