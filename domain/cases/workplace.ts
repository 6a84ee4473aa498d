/**
 * Reads of cases the daily workplace needs: how many cases name each compound (the grid register: a compound cases
 * name is retired, never deleted), the alert of an early warning's joint handling with its cases (a coordination
 * task's context), and the users a task names as its candidates, less the accused (handing a task on).
 */
import type { Queryable } from '../../platform/db';

/** How many cases name each compound that any case names, by compound id. */
export async function casesPerCompound(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ compound_id: string; n: number }>(
    'SELECT compound_id, count(*)::int AS n FROM petition_case WHERE compound_id IS NOT NULL GROUP BY compound_id',
  );
  return new Map(rows.map((r) => [r.compound_id, r.n]));
}

/** The alert whose joint handling is the instance, as a coordination task shows it (cases: id and number, as received, none accusing the reader). */
export async function alertOfInstance(
  db: Queryable,
  processInstanceKey: string,
  readerId: string,
): Promise<Record<string, unknown> | undefined> {
  const [row] = await db.query(
    `SELECT a.id, r.name AS rule, r.threshold, r.window_days AS "windowDays",
            COALESCE(cc.name_zh, a.category) AS category, a.place_kind AS "placeKind",
            COALESCE(comp.name, g.name) AS place, a.status, a.created_at AS "raisedAt",
            a.window_start AS "windowStart", a.window_end AS "windowEnd",
            (SELECT count(*)::int FROM early_warning_alert_case ac WHERE ac.alert_id = a.id) AS "caseCount",
            COALESCE((SELECT json_agg(json_build_object('id', c.id, 'caseNo', c.case_no, 'receivedAt', c.received_at, 'status', c.status) ORDER BY c.received_at)
                      FROM early_warning_alert_case ac JOIN petition_case c ON c.id = ac.case_id
                      WHERE ac.alert_id = a.id AND c.accused_user_id IS DISTINCT FROM $2), '[]') AS cases
       FROM early_warning_alert a JOIN early_warning_rule r ON r.id = a.rule_id
       LEFT JOIN case_category cc ON cc.code = a.category
       LEFT JOIN compound comp ON a.place_kind = 'compound' AND comp.id = a.place_id
       LEFT JOIN grid g ON a.place_kind = 'grid' AND g.id = a.place_id
       WHERE a.process_instance_key = $1`,
    [processInstanceKey, readerId],
  );
  return row;
}

/** The active users among `usernames`, less the person the case accuses (Art 30), by display name. */
export async function namedUsersLessAccused(
  db: Queryable,
  usernames: readonly string[],
  caseId: string | null,
): Promise<Array<{ username: string; displayName: string }>> {
  if (usernames.length === 0) return [];
  return db.query<{ username: string; displayName: string }>(
    `SELECT u.username, u.display_name AS "displayName" FROM app_user u
     WHERE u.active AND u.username = ANY($1::text[])
       AND u.id IS DISTINCT FROM (SELECT c.accused_user_id FROM petition_case c WHERE c.id = $2::uuid)
     ORDER BY u.display_name, u.username`,
    [usernames, caseId],
  );
}
