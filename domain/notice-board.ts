/**
 * The community notice board (公示栏) as it is written: one entry per case and round (dual feedback of a key matter),
 * holding only what may be shown to the public. What goes into an entry (screened, masked) is the worker's
 * (workers/publish-notice.ts); reading the board with its cases is domain/cases/messages.ts.
 */
import type { Queryable } from '../platform/db';

/** An entry as the board shows it, every text already screened for the public. */
export interface NoticeEntry {
  caseId: string;
  round: number;
  caseNo: string;
  category: string;
  compoundName: string | null;
  outcome: string;
  petitionerMasked: string | null;
  publishedAt: string;
}

/** Posts the case's entry for the round; nothing changes when it is posted already (a retried job). */
export async function postNotice(db: Queryable, n: NoticeEntry): Promise<void> {
  await db.query(
    `INSERT INTO notice_board (case_id, round, case_no, category, compound_name, outcome, petitioner_masked, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (case_id, round) DO NOTHING`,
    [n.caseId, n.round, n.caseNo, n.category, n.compoundName, n.outcome, n.petitionerMasked, n.publishedAt],
  );
}
