/** The case rows the handling workers read and the timeline they write (one event per job, so retries add nothing). */
import type { Queryable } from '../platform/db';

export interface CaseRow {
  id: string;
  case_no: string;
  category: string;
  status: string;
  handling_round: number;
  received_at: Date;
  resident_id: string | null;
  compound_id: string | null;
  first_responder_id: string;
}

export async function loadCase(db: Queryable, caseId: string): Promise<CaseRow> {
  const [row] = await db.query<CaseRow>(
    `SELECT id, case_no, category, status, handling_round, received_at, resident_id, compound_id, first_responder_id
     FROM petition_case WHERE id = $1`,
    [caseId],
  );
  if (!row) throw new Error(`Case ${caseId} does not exist: the process refers to a case that is not in the database`);
  return row;
}

export async function recordEvent(
  db: Queryable,
  caseId: string,
  kind: string,
  detail: Record<string, unknown>,
  jobKey: string,
): Promise<void> {
  await db.query(
    `INSERT INTO case_event (case_id, kind, detail, actor, job_key) VALUES ($1, $2, $3, 'system', $4) ON CONFLICT (job_key) DO NOTHING`,
    [caseId, kind, JSON.stringify(detail), jobKey],
  );
}

/** Users holding a role (group), in a stable order. */
export async function usersWithRole(db: Queryable, role: string): Promise<Array<{ id: string; username: string }>> {
  return db.query(
    `SELECT u.id, u.username FROM app_user u JOIN user_role r ON r.user_id = u.id WHERE r.role_id = $1 AND u.active ORDER BY u.username`,
    [role],
  );
}

/** An ISO 8601 duration of days or hours (P3D, PT24H) in milliseconds. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m || iso === 'P' || iso === 'PT')
    throw new Error(`"${iso}" is not a duration in days or hours such as P3D or PT24H`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000;
}
