/**
 * Review (复查, 信访工作条例 Art 35) and re-review (复核, Art 36), entered from the case by staff (reception enters
 * the petitioner's request): within 30 days of the petitioner receiving the written opinion (the handling opinion for a
 * review, the review opinion for a re-review), each answered within 30 days by its own process (`petition-review`,
 * with `kind`): the street office reviews, the leader in charge re-reviews. After the re-review the case is final.
 * A request past its 30 days is refused with the dates that decide it; nothing is stored then.
 */
import { z } from 'zod';
import { Problem, problems } from '../platform/problem';
import { startProcessOnce } from '../platform/engine-client';
import { PROCESS_IDS } from '../bpmn/job-types';
import { addCalendarDays, localDay, parseDay, plusDays } from '../domain/calendar';
import {
  REVIEW_LIMITS,
  caseForReview,
  dropReview,
  insertReview,
  recordReviewRequested,
  reviewProcessStarted,
  reviewsOfCase,
  type ReviewKind,
  type ReviewRow,
} from '../domain/cases';
import { caseNotFound, reachableCase } from './case-access';
import { casePage } from './case-page';
import type { ApiDeps } from './deps';
import type { SessionUser } from './auth';
import { route, type Role, type RouteSpec } from './route';

/** Staff who enter a petitioner's request (reception first; those who receive petitions at all). */
const ENTER_ROLES: Role[] = ['reception', 'cadre', 'secretary', 'leader', 'admin'];

/** Whether a YYYY-MM-DD day exists (2026-02-30 does not). */
function isDay(day: string): boolean {
  try {
    parseDay(day);
    return true;
  } catch {
    return false;
  }
}

const KIND_ZH: Record<ReviewKind, string> = { review: '复查', 're-review': '复核' };

export const ReviewRequest = z
  .object({
    /** review (复查) of the handling opinion, re-review (复核) of the review opinion. */
    kind: z.enum(['review', 're-review']).default('review'),
    /** The petitioner's reasons, as they give them (kept on the case, never in process variables). */
    reasons: z.string().trim().min(1).max(2000),
    /** The day the petitioner received the written opinion the request is against: its 30 days run from it. */
    receivedOpinionAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式为 YYYY-MM-DD / a date is YYYY-MM-DD' })
      .refine(isDay, { message: '日期不存在 / no such date' }),
  })
  .strict();

/** Refuses what the law does not allow: no opinion yet, asked already, re-review before the review's answer. */
function checkOrder(
  kind: ReviewKind,
  c: { status: string; duplicate_of: string | null },
  reviews: ReviewRow[],
): ReviewRow | undefined {
  const review = reviews.find((r) => r.kind === 'review');
  const reReview = reviews.find((r) => r.kind === 're-review');
  if (c.duplicate_of)
    throw problems.conflict({
      zh: '此件为关联件，请对所关联的信访件请求复查。',
      en: 'This petition is linked to another case: ask for the review of that case.',
    });
  if (reReview)
    throw problems.conflict({
      zh: '此件已复核，复核意见为终局意见，不再受理复查或复核请求（第三十六条）。',
      en: 'This case was re-reviewed: the re-review opinion is final (Art 36).',
    });
  if (kind === 'review') {
    if (c.status !== 'closed')
      throw problems.conflict({
        zh: '此件尚未出具书面处理意见（未办结），不能请求复查。',
        en: 'The case has no written handling opinion yet (not closed): a review cannot be asked for.',
      });
    if (review)
      throw problems.conflict({
        zh: '此件已请求过复查；对复查意见不服的，可请求复核。',
        en: 'A review was asked for already; against its opinion, ask for a re-review.',
      });
    return undefined;
  }
  if (!review?.answered_at)
    throw problems.conflict({
      zh: '复查意见尚未出具，不能请求复核。',
      en: 'The review has not been answered yet: a re-review cannot be asked for.',
    });
  return review;
}

/**
 * The request window: the day the opinion was received lies between the opinion's day and today, and today is at
 * most the 30th day after it (the day of receipt not counted; on day 31 the request is refused).
 */
function checkWindow(kind: ReviewKind, received: string, earliest: string, today: string): void {
  if (received > today)
    throw problems.badRequest(
      { zh: '收到意见的日期不能晚于今天。', en: 'The day the opinion was received cannot be after today.' },
      { field: 'receivedOpinionAt' },
    );
  if (received < earliest)
    throw problems.badRequest(
      {
        zh: `收到意见的日期不能早于意见出具之日（${earliest}）。`,
        en: `The opinion cannot have been received before it was given (${earliest}).`,
      },
      { field: 'receivedOpinionAt' },
    );
  const lastDay = plusDays(received, REVIEW_LIMITS.requestDays);
  if (today > lastDay) {
    const day = Math.round((parseDay(today) - parseDay(received)) / 86_400_000);
    throw new Problem(
      422,
      { zh: '已超过请求期限', en: 'Past the time limit' },
      {
        zh: `已超过${KIND_ZH[kind]}请求期限：信访人应自收到书面意见之日（${received}）起${REVIEW_LIMITS.requestDays}日内请求${KIND_ZH[kind]}（最后一日为${lastDay}），今天（${today}）已是第${day}日，不予受理（《信访工作条例》第${kind === 'review' ? '三十五' : '三十六'}条）。`,
        en: `Past the ${kind} time limit: a ${kind} must be asked for within ${REVIEW_LIMITS.requestDays} days of receiving the written opinion (${received}; last day ${lastDay}); today (${today}) is day ${day}.`,
      },
      { field: 'receivedOpinionAt', lastDay, day },
    );
  }
}

/** Enters the request and starts its process; answers the case page as it stands then. */
export async function requestReview(
  deps: ApiDeps,
  caseId: string,
  user: Pick<SessionUser, 'id' | 'roles' | 'username'>,
  body: z.infer<typeof ReviewRequest>,
) {
  await reachableCase(deps, caseId, user);
  const c = await caseForReview(deps.db, caseId);
  if (!c) throw caseNotFound();
  const review = checkOrder(body.kind, c, await reviewsOfCase(deps.db, caseId));
  const now = deps.now();
  const today = localDay(now, deps.timeZone);
  const since = body.kind === 'review' ? (c.closed_at ?? c.received_at) : review!.answered_at!;
  checkWindow(body.kind, body.receivedOpinionAt, localDay(new Date(since), deps.timeZone), today);
  const dueAt = addCalendarDays(now, REVIEW_LIMITS.answerDays, deps.timeZone).toISOString();
  const row = await insertReview(deps.db, {
    caseId,
    kind: body.kind,
    reasons: body.reasons,
    requestedAt: now.toISOString(),
    requestedBy: user.id,
    opinionReceivedAt: body.receivedOpinionAt,
    dueAt,
  });
  if (!row)
    throw problems.conflict({
      zh: `此件已请求过${KIND_ZH[body.kind]}。`,
      en: `A ${body.kind} was asked for already.`,
    });
  let key: string;
  try {
    key = await startProcessOnce(
      deps.engine(),
      PROCESS_IDS.petitionReview,
      // Ids and dates only: the reasons stay in the database (personal matters, Operate shows variables).
      { caseId, caseNo: c.case_no, kind: body.kind, firstResponder: c.first_responder, reviewDueAt: dueAt },
      { name: 'reviewId', value: row.id },
      true,
    );
  } catch (error) {
    await dropReview(deps.db, row.id);
    deps.log.warn({ caseId, err: error }, 'review not started: the engine does not answer');
    throw problems.unavailable({
      zh: '流程引擎暂不可用，请求未登记，请稍后重试。',
      en: 'The process engine does not answer: the request was not entered. Please retry shortly.',
    });
  }
  await deps.db.transaction(async (tx) => {
    await reviewProcessStarted(tx, row.id, key);
    await recordReviewRequested(
      tx,
      caseId,
      { kind: body.kind, reviewId: row.id, dueAt, opinionReceivedAt: body.receivedOpinionAt },
      user.username,
      now.toISOString(),
    );
  });
  return casePage(deps, caseId, user);
}

export const reviewRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/cases/:id/review',
    tag: 'cases',
    summary:
      "Enter the petitioner's request for a review (复查, Art 35) or re-review (复核, Art 36, kind=re-review) within 30 days of receiving the opinion; starts its process (answered within 30 days)",
    access: ENTER_ROLES,
    params: z.object({ id: z.uuid() }).strict(),
    body: ReviewRequest,
    status: 201,
    handle: ({ deps, params, body, user }) => requestReview(deps, params.id, user, body),
  }),
];
