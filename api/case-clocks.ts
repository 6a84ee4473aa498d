/**
 * The case page's legal side (信访工作条例): which procedure the case is in, its legal clocks — acceptance (15 days,
 * Art 22–23), handling opinion (60 days, extended once by up to 30, Art 34), review (Art 35) and re-review (Art 36),
 * 30 days each — with their due dates and states, the reviews asked for, the final link (Art 36), and what the
 * petitioner was told when. The acceptance and extension columns (migration 290) are read null-safe.
 */
import { addCalendarDays } from '../domain/calendar';
import {
  REVIEW_LIMITS,
  caseRowJson,
  finalLinkOf,
  finalRepeatsOf,
  petitionerNotices,
  reviewsOfCase,
  type CasePageRow,
  type ReviewRow,
} from '../domain/cases';
import type { ApiDeps } from './deps';

/** Days the petitioner hears within whether the petition is accepted (Art 22–23), when the case row has no date. */
const ACCEPTANCE_DAYS = 15;

export type LegalClockState = 'not-started' | 'running' | 'due-soon' | 'overdue' | 'met' | 'missed';

export interface LegalClock {
  /** acceptance, handling, review, re-review */
  name: 'acceptance' | 'handling' | 'review' | 're-review';
  startedAt: string | null;
  dueAt: string | null;
  doneAt: string | null;
  state: LegalClockState;
  /** The handling clock: days it was extended by (Art 34), and its due date before. */
  extendedByDays?: number;
  originalDueAt?: string | null;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined || v === '' ? null : new Date(v as string).toISOString();

function stateOf(dueAt: string | null, doneAt: string | null, now: Date): LegalClockState {
  if (!dueAt) return 'not-started';
  const due = new Date(dueAt).getTime();
  if (doneAt) return new Date(doneAt).getTime() <= due ? 'met' : 'missed';
  if (now.getTime() > due) return 'overdue';
  return due - now.getTime() < 3 * 24 * 3600 * 1000 ? 'due-soon' : 'running';
}

function clock(
  name: LegalClock['name'],
  startedAt: string | null,
  dueAt: string | null,
  doneAt: string | null,
  now: Date,
): LegalClock {
  return { name, startedAt, dueAt, doneAt, state: stateOf(dueAt, doneAt, now) };
}

/** When the first of the timeline's entries of these kinds was recorded. */
const firstAt = (c: CasePageRow, kinds: string[]) => iso(c.recorded.find((e) => kinds.includes(e.kind))?.at);

/** Acceptance: 15 days from receipt; done when the first responder decided (accepted, not accepted, passed on). */
function acceptanceClock(c: CasePageRow, row: Record<string, unknown>, timeZone: string, now: Date): LegalClock {
  const received = iso(c.received_at)!;
  const due =
    iso(row.acceptance_due_at) ?? addCalendarDays(new Date(received), ACCEPTANCE_DAYS, timeZone).toISOString();
  const decided =
    firstAt(c, ['accepted', 'not-accepted', 'passed-on']) ??
    iso(row.accepted_at) ??
    // A case that went on without a recorded decision (filed before the acceptance step existed, or a repeat linked
    // as final) counts as decided at its receipt.
    (c.status !== 'registered' && !row.acceptance_decision ? received : null);
  return clock('acceptance', received, due, decided, now);
}

/** Handling opinion: the case row's legal date (extended when extended); done when the case closed. */
function handlingClock(c: CasePageRow, row: Record<string, unknown>, now: Date): LegalClock {
  const due = iso(c.legal_due_at);
  const days = typeof row.extension_days === 'number' && row.extended_at ? row.extension_days : 0;
  const done = iso(c.closed_at) ?? iso(row.withdrawn_at);
  const started = iso(row.accepted_at) ?? (due ? iso(c.received_at) : null);
  return {
    ...clock('handling', started, due, done, now),
    ...(days > 0 && due
      ? {
          extendedByDays: days,
          originalDueAt: new Date(new Date(due).getTime() - days * 86_400_000).toISOString(),
        }
      : {}),
  };
}

function reviewClock(kind: 'review' | 're-review', r: ReviewRow | undefined, now: Date): LegalClock {
  if (!r) return clock(kind, null, null, null, now);
  return clock(kind, iso(r.requested_at), iso(r.due_at), iso(r.answered_at), now);
}

/** The procedure the case is in now, the most advanced first. */
function procedureOf(
  c: CasePageRow,
  row: Record<string, unknown>,
  review: ReviewRow | undefined,
  reReview: ReviewRow | undefined,
  finalOf: unknown,
): string {
  if (finalOf) return 'final-repeat';
  if (reReview) return reReview.answered_at ? 'final' : 're-review';
  if (review) return review.answered_at ? 'review-answered' : 'review';
  if (row.withdrawn_at) return 'withdrawn';
  if (row.acceptance_decision === 'not-accepted' || row.acceptance_decision === 'passed-on') return 'not-accepted';
  if (c.status === 'closed') return 'closed';
  if ('acceptance_decision' in row && !row.acceptance_decision && c.status === 'registered' && !c.duplicate_of)
    return 'acceptance';
  return c.duplicate_of ? 'linked' : 'handling';
}

/**
 * Until when the petitioner may still ask for the next review, counted from the opinion's day (the day they received
 * it may be later: staff enter it with the request); null when none can be asked for.
 */
function requestWindow(c: CasePageRow, review?: ReviewRow, reReview?: ReviewRow): string | null {
  if (reReview || c.duplicate_of) return null;
  const from = review ? review.answered_at : review === undefined && c.status === 'closed' ? c.closed_at : null;
  if (!from) return null;
  return new Date(new Date(from).getTime() + REVIEW_LIMITS.requestDays * 86_400_000).toISOString();
}

/** The case page's legal part: procedure, clocks, reviews, the final link and the petitioner's notices. */
export async function legalView(deps: ApiDeps, c: CasePageRow, now: Date) {
  const [row, reviews, notices, finalOf, repeats] = await Promise.all([
    caseRowJson(deps.db, c.id),
    reviewsOfCase(deps.db, c.id),
    petitionerNotices(deps.db, c.id),
    finalLinkOf(deps.db, c.id),
    finalRepeatsOf(deps.db, c.id),
  ]);
  const r = row ?? {};
  const review = reviews.find((v) => v.kind === 'review');
  const reReview = reviews.find((v) => v.kind === 're-review');
  return {
    procedure: procedureOf(c, r, review, reReview, finalOf),
    legalClocks: [
      acceptanceClock(c, r, deps.timeZone, now),
      handlingClock(c, r, now),
      reviewClock('review', review, now),
      reviewClock('re-review', reReview, now),
    ],
    /** Until when a review (or, after it, a re-review) may be asked for; null when it may not. */
    reviewRequestUntil: requestWindow(c, review, reReview),
    reviews: reviews.map((v) => ({
      id: v.id,
      kind: v.kind,
      reasons: v.reasons,
      requestedAt: iso(v.requested_at),
      opinionReceivedAt: v.opinion_received_at,
      dueAt: iso(v.due_at),
      answeredAt: iso(v.answered_at),
      outcome: v.outcome,
      opinion: v.opinion,
    })),
    /** This petition was linked to a final case (Art 36); the final case lists the petitions linked to it. */
    finalOf: finalOf ? { id: finalOf.id, caseNo: finalOf.case_no } : null,
    finalRepeats: repeats.map((x) => ({ id: x.id, caseNo: x.case_no })),
    notices: notices.map((n) => ({
      template: n.template,
      channel: n.channel,
      status: n.status,
      text: n.text,
      at: iso(n.at),
      sentAt: iso(n.sentAt),
    })),
  };
}
