/**
 * publish-notice: dual feedback (双反馈) of a key matter on the community notice board: case number, category,
 * compound and outcome — never phone or ID numbers, and the petitioner's masked name (王**) only with consent.
 */
import { maskName } from '../server/security/pii';
import { required, type JobWorker } from './job';
import { loadCase, recordEvent } from './cases';

/** The outcome as published: the handling result the staff wrote, with anything looking like a phone or ID number removed. */
export function publicOutcome(variables: Record<string, unknown>): string {
  const text = ['result', 'solution', 'teamOpinion', 'handlingResult'].map((k) => variables[k]).find((v) => typeof v === 'string' && v.trim());
  const outcome = typeof text === 'string' ? text.trim() : '已办结';
  return outcome.replace(/\d{6,}[\dXx]?/g, '***').slice(0, 500);
}

export const publishNotice: JobWorker = {
  type: 'publish-notice',
  async handle({ variables, jobKey }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    const round = typeof variables.handlingRound === 'number' ? variables.handlingRound : 1;
    const petition = await loadCase(deps.db, caseId);
    const [compound] = petition.compound_id ? await deps.db.query<{ name: string }>('SELECT name FROM compound WHERE id = $1', [petition.compound_id]) : [];
    const [resident] = petition.resident_id
      ? await deps.db.query<{ name: string; consent_publish_name: boolean }>('SELECT name, consent_publish_name FROM resident WHERE id = $1', [petition.resident_id])
      : [];
    await deps.db.query(
      `INSERT INTO notice_board (case_id, round, case_no, category, compound_name, outcome, petitioner_masked, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (case_id, round) DO NOTHING`,
      [caseId, round, petition.case_no, petition.category, compound?.name ?? null, publicOutcome(variables),
        resident?.consent_publish_name ? maskName(resident.name) : null, deps.now().toISOString()],
    );
    await recordEvent(deps.db, caseId, 'notice-published', { round }, jobKey);
    return { noticePublished: true };
  },
};
