/**
 * Who reaches a case, in SQL: the conditions lists put on a case row (none accusing the reader, 信访工作条例 Art 30; a
 * grid worker's of their own grids), the row a case route decides on, and the other reads Art 30 shapes (cases and
 * residents accusing the reader, people who may work on a case less the one it accuses). The rule itself, and the
 * 404 for a case out of reach, is the routes' (api/case-access.ts).
 */
import type { Queryable } from '../../platform/db';

/**
 * The SQL condition a case row (`alias`) meets when the reader reaches it, for lists: `reader` is the parameter
 * holding the user's id, `grids` the one holding the grid ids the reader works in (a uuid[], or NULL when their work
 * covers the whole community).
 */
export function reachableSql(reader: string, grids: string, alias = 'c'): string {
  return `(${alias}.accused_user_id IS DISTINCT FROM ${reader}
    AND (${grids}::uuid[] IS NULL OR ${alias}.first_responder_id = ${reader}
         OR EXISTS (SELECT 1 FROM compound scope_compound WHERE scope_compound.id = ${alias}.compound_id AND scope_compound.grid_id = ANY(${grids}::uuid[]))))`;
}

/**
 * The SQL condition a resident (`residentColumn`) meets when none of their petitions accuses the reader (the
 * parameter `reader`): the accused does not handle their accuser's matters at all (Art 30 recusal; Art 18, no
 * retaliation), so the accuser's key-person file does not exist for them either.
 */
export function notAccuserSql(residentColumn: string, reader: string): string {
  return `NOT EXISTS (SELECT 1 FROM petition_case accuser WHERE accuser.resident_id = ${residentColumn} AND accuser.accused_user_id = ${reader})`;
}

/** What a case row must carry for the routes to decide whether a reader reaches it. */
export interface CaseReach {
  accused_user_id: string | null;
  first_responder_id: string;
  /** The grid of the case's compound (null: no compound). */
  grid_id: string | null;
}

/** A case as the case routes look it up before deciding whether the reader reaches it. */
export interface ReachableCase extends CaseReach {
  id: string;
  case_no: string;
  process_instance_key: string | null;
  resident_id: string | null;
}

/** The case by id or by number, with what deciding its reach needs; undefined when there is none. */
export async function caseToReach(
  db: Queryable,
  where: { id: string } | { caseNo: string },
): Promise<ReachableCase | undefined> {
  const [row] = await db.query<ReachableCase>(
    `SELECT c.id, c.case_no, c.process_instance_key, c.resident_id, c.accused_user_id, c.first_responder_id, comp.grid_id
       FROM petition_case c LEFT JOIN compound comp ON comp.id = c.compound_id
       WHERE ${'id' in where ? 'c.id = $1' : 'c.case_no = $1'}`,
    ['id' in where ? where.id : where.caseNo],
  );
  return row;
}

/** Of the case ids given, those of cases that accuse the reader. */
export async function casesAccusing(db: Queryable, caseIds: string[], readerId: string): Promise<string[]> {
  return (
    await db.query<{ id: string }>('SELECT id FROM petition_case WHERE id = ANY($1::uuid[]) AND accused_user_id = $2', [
      caseIds,
      readerId,
    ])
  ).map((r) => r.id);
}

/** Whether the resident exists and none of their petitions accuses the reader (see {@link notAccuserSql}). */
export async function isResidentReachable(db: Queryable, residentId: string | undefined, readerId: string) {
  const [resident] = await db.query(`SELECT 1 FROM resident r WHERE r.id = $1 AND ${notAccuserSql('r.id', '$2')}`, [
    residentId,
    readerId,
  ]);
  return !!resident;
}

/**
 * Active users holding one of `roles`, by display name; less the person the case (if any) accuses, who may not work
 * on it (Art 30).
 */
export async function activeUsersLessAccused(
  db: Queryable,
  roles: readonly string[],
  caseId: string | null,
): Promise<Array<{ username: string; displayName: string }>> {
  return db.query<{ username: string; displayName: string }>(
    `SELECT u.username, u.display_name AS "displayName" FROM app_user u
     WHERE u.active AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role_id = ANY($1::text[]))
       AND u.id IS DISTINCT FROM (SELECT c.accused_user_id FROM petition_case c WHERE c.id = $2::uuid)
     ORDER BY u.display_name, u.username`,
    [roles, caseId],
  );
}
