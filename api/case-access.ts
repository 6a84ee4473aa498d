/**
 * Who may reach a case, for reading it and for changing it: one rule, applied by every case route before it reads
 * or changes anything (before any engine call or write).
 * - A case that accuses the user does not exist for them (信访工作条例 Art 30): they neither see it nor act on it.
 * - A grid worker works in their own grid: they reach the cases of the compounds in the grids they patrol, and the
 *   cases they own (one they filed without a compound, one handed to them). Reception, cadres, the secretary, the
 *   street office, leaders and admins work for the whole community.
 * A case out of reach is answered as one that does not exist (404), so that nobody learns it is there. The rule in
 * SQL, for lists, and the case rows it decides on are the case repository's (domain/cases/access.ts).
 */
import { problems } from '../platform/problem';
import { caseToReach, type CaseReach, type ReachableCase } from '../domain/cases';
import { gridsOfWorker } from '../domain/grids';
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
  return gridsOfWorker(deps.db, user.id);
}

/** Whether the reader reaches a case row, given their {@link gridScope}. */
export function reaches(row: CaseReach, user: Reader, grids: string[] | null): boolean {
  if (row.accused_user_id === user.id) return false;
  return grids === null || row.first_responder_id === user.id || (row.grid_id !== null && grids.includes(row.grid_id));
}

/** The case (by id or number) if the reader reaches it, else null. */
export async function findReachableCase(
  deps: Pick<ApiDeps, 'db'>,
  where: { id: string } | { caseNo: string },
  user: Reader,
): Promise<ReachableCase | null> {
  const [row, grids] = await Promise.all([caseToReach(deps.db, where), gridScope(deps, user)]);
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
