/**
 * publish-notice: dual feedback (双反馈) of a key matter on the community notice board: case number, category,
 * compound and outcome — never phone or ID numbers nor the names of the case's people, and the petitioner's masked
 * name (王**) only with consent. An accusation (检举、控告) never goes on the board, whatever its class or key-matter
 * flag (Art 30): the job completes with `noticePublished: false` and the case records why.
 */
import { maskName } from '../platform/pii';
import { casePeopleNames, screenPublicText } from '../domain/public-text';
import { required, type JobWorker } from './job';
import { isAccusation, loadCase, recordEvent } from '../domain/cases';
import { JOB_TYPES } from '../bpmn/job-types';
import { compoundName } from '../domain/grids';
import { postNotice } from '../domain/notice-board';
import { residentNameConsent } from '../domain/residents';

/**
 * The outcome as published: the handling result the staff wrote, with phone and ID numbers (however written) and
 * the names of the case's people screened out.
 */
export function publicOutcome(variables: Record<string, unknown>, people: readonly string[] = []): string {
  const text = ['result', 'solution', 'teamOpinion', 'handlingResult']
    .map((k) => variables[k])
    .find((v) => typeof v === 'string' && v.trim());
  const outcome = typeof text === 'string' ? text.trim() : '已办结';
  return screenPublicText(outcome, people).slice(0, 500);
}

export const publishNotice: JobWorker = {
  type: JOB_TYPES.publishNotice,
  async handle({ variables, jobKey }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    const round = typeof variables.handlingRound === 'number' ? variables.handlingRound : 1;
    const petition = await loadCase(deps.db, caseId);
    if (await isAccusation(deps.db, caseId)) {
      await recordEvent(deps.db, caseId, 'notice-withheld', { round, reason: 'accusation' }, jobKey, deps.now());
      return { noticePublished: false };
    }
    const compound = petition.compound_id ? await compoundName(deps.db, petition.compound_id) : undefined;
    const resident = petition.resident_id ? await residentNameConsent(deps.db, petition.resident_id) : undefined;
    const people = (await casePeopleNames(deps.db, [caseId])).get(caseId) ?? [];
    await postNotice(deps.db, {
      caseId,
      round,
      caseNo: petition.case_no,
      category: screenPublicText(petition.category, people),
      compoundName: compound?.name ?? null,
      outcome: publicOutcome(variables, people),
      petitionerMasked: resident?.consent_publish_name && resident.name ? maskName(resident.name) : null,
      publishedAt: deps.now().toISOString(),
    });
    await recordEvent(deps.db, caseId, 'notice-published', { round }, jobKey, deps.now());
    return { noticePublished: true };
  },
};
