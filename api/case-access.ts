/**
 * Who may reach a case, for reading it and for changing it: one rule, applied by every case route before it reads
 * or changes anything (before any engine call or write).
 * - A case that accuses the user does not exist for them (信访工作条例 Art 30): they neither see it nor act on it.
 * - A grid worker works in their own grid: they reach the cases of the compounds in the grids they patrol, and the
 *   cases they own (one they filed without a compound, one handed to them). Reception, cadres, the secretary, the
 *   street office, leaders and admins work for the whole community.
 * A case out of reach is answered as one that does not exist (404), so that nobody learns it is there.
 */
import { problems } from '../platform/problem';
import type { SessionUser } from './auth';
import type { ApiDeps } from './deps';
import type { Role } from './route';

/** Roles whose work covers the whole community; a user with none of them is held to their grids. */
export const WHOLE_COMMUNITY: readonly Role[] = ['admin', 'reception', 'cadre', 'secretary', 'street-office', 'leader'];

type Reader = Pick<SessionUser, 'id' | 'roles'>;

/** Answered for a case that does not exist and for one out of the reader's reach: the same words. */
export const caseNotFound = () => problems.notFound({ zh: '信访件不存在。', en: 'The case does not exist.' });

/**
 * The grid ids a user works in, or null when their roles cover the whole community. A grid worker's grids are those
 * whose `grid_worker_id` is theirs (none: they reach only the cases they own).
 */
export async function gridScope(deps: Pick<ApiDeps, 'db'>, user: Reader): Promise<string[] | null> {
  if (user.roles.some((role) => (WHOLE_COMMUNITY as readonly string[]).includes(role))) return null;
  return (await deps.db.query<{ id: string }>('SELECT id FROM grid WHERE grid_worker_id = $1', [user.id])).map(
    (g) => g.id,
  );
}

/**
 * The SQL condition a case row (`alias`) meets when the reader reaches it, for lists: `reader` is the parameter
 * holding the user's id, `grids` the one holding {@link gridScope}'s answer (a uuid[] or NULL).
 */
export function reachableSql(reader: string, grids: string, alias = 'c'): string {
  return `(${alias}.accused_user_id IS DISTINCT FROM ${reader}
    AND (${grids}::uuid[] IS NULL OR ${alias}.first_responder_id = ${reader}
         OR EXISTS (SELECT 1 FROM compound scope_compound WHERE scope_compound.id = ${alias}.compound_id AND scope_compound.grid_id = ANY(${grids}::uuid[]))))`;
}

/** What a case row must carry for {@link reaches} to decide. */
export interface CaseReach {
  accused_user_id: string | null;
  first_responder_id: string;
  /** The grid of the case's compound (null: no compound). */
  grid_id: string | null;
}

/** Whether the reader reaches a case row, given their {@link gridScope}. */
export function reaches(row: CaseReach, user: Reader, grids: string[] | null): boolean {
  if (row.accused_user_id === user.id) return false;
  return grids === null || row.first_responder_id === user.id || (row.grid_id !== null && grids.includes(row.grid_id));
}

export interface ReachableCase extends CaseReach {
  id: string;
  case_no: string;
  process_instance_key: string | null;
  resident_id: string | null;
}

/** The case (by id or number) if the reader reaches it, else null. */
export async function findReachableCase(
  deps: Pick<ApiDeps, 'db'>,
  where: { id: string } | { caseNo: string },
  user: Reader,
): Promise<ReachableCase | null> {
  const [[row], grids] = await Promise.all([
    deps.db.query<ReachableCase>(
      `SELECT c.id, c.case_no, c.process_instance_key, c.resident_id, c.accused_user_id, c.first_responder_id, comp.grid_id
       FROM petition_case c LEFT JOIN compound comp ON comp.id = c.compound_id
       WHERE ${'id' in where ? 'c.id = $1' : 'c.case_no = $1'}`,
      ['id' in where ? where.id : where.caseNo],
    ),
    gridScope(deps, user),
  ]);
  return row && reaches(row, user, grids) ? row : null;
}

/**
 * The case as the reader may reach it, to read or to change: every case route calls this before anything else it
 * does with the case; a case out of reach is 404, as if it did not exist.
 */
export async function reachableCase(deps: Pick<ApiDeps, 'db'>, caseId: string, user: Reader): Promise<ReachableCase> {
  const row = await findReachableCase(deps, { id: caseId }, user);
  if (!row) throw caseNotFound();
  return row;
}

/**
 * The SQL condition a resident (`residentColumn`) meets when none of their petitions accuses the reader (the
 * parameter `reader`): the accused does not handle their accuser's matters at all (Art 30 recusal; Art 18, no
 * retaliation), so the accuser's key-person file does not exist for them either.
 */
export function notAccuserSql(residentColumn: string, reader: string): string {
  return `NOT EXISTS (SELECT 1 FROM petition_case accuser WHERE accuser.resident_id = ${residentColumn} AND accuser.accused_user_id = ${reader})`;
}
