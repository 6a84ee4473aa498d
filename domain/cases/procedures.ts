/**
 * What the law's procedures need to know of a case before staff may start one (api/procedures.ts): its status, the
 * acceptance decision, until when the unit handling may return it (Art 23), whether it was extended or an extension
 * waits for the leader (Art 34), and its process.
 */
import type { Queryable } from '../../platform/db';

export interface ProcedureState {
  status: string;
  acceptance_decision: string | null;
  return_due_at: Date | null;
  legal_due_at: Date | null;
  extension_days: number | null;
  process_instance_key: string | null;
  /** An extension was asked for and the leader has not decided yet. */
  extension_pending: boolean;
}

export async function procedureState(db: Queryable, caseId: string): Promise<ProcedureState | undefined> {
  const [row] = await db.query<ProcedureState>(
    `SELECT c.status, c.acceptance_decision, c.return_due_at, c.legal_due_at, c.extension_days, c.process_instance_key,
       COALESCE((SELECT e.kind = 'extension-requested' FROM case_event e
                 WHERE e.case_id = c.id AND e.kind IN ('extension-requested', 'extension-granted', 'extension-refused')
                 ORDER BY e.created_at DESC, (e.kind = 'extension-requested') LIMIT 1), false) AS extension_pending
     FROM petition_case c WHERE c.id = $1`,
    [caseId],
  );
  return row;
}
