/**
 * What residents reach without an account: the rating page behind a one-time link (the case's outcome, then a
 * rating that goes to the process as the `satisfaction-rated` message), and the notice board. Rate-limited per
 * address; a used or expired link is refused in plain words.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { Problem, problems, refusal } from '../platform/problem';
import type { Queryable } from '../platform/db';
import { casePeopleNames, screenPublicText } from '../domain/public-text';
import { hashToken, reopenLink, useLink } from '../domain/rating-links';
import { noticeBoardRows, ratingLinkByTokenHash, recordLinkRating, recordRated } from '../domain/cases';
import { instanceVariables, type ApiDeps } from './deps';
import { route, type RouteSpec } from './route';
import { countHit } from '../domain/rate-limit';
import { MESSAGES } from '../bpmn/job-types';

const Token = z.string().regex(/^[\w-]{16,64}$/, { message: '评价链接无效 / the rating link is not valid' });
const Rating = z
  .object({
    rating: z.enum(['satisfied', 'basically-satisfied', 'dissatisfied']),
    comment: z.string().trim().max(500).default(''),
  })
  .strict();

/** A fixed-window limiter per client address, counted in the database (a proxy in front may add its own limits). */
export function rateLimiter(scope: string, limit: number, windowMs: number) {
  return async (deps: ApiDeps, req: Request) => {
    const window = await countHit(deps.db, scope, req.ip ?? 'unknown', windowMs);
    if (window.count > limit) {
      throw refusal(
        'rate-limited',
        new Problem(
          429,
          { zh: '请求过于频繁', en: 'Too many requests' },
          { zh: '请稍后再试。', en: 'Please try again in a minute.' },
          { retryAfterSeconds: window.retryAfterSeconds },
        ),
      );
    }
  };
}

const gone = (zh: string, en: string) =>
  refusal('rating-link', new Problem(410, { zh: '链接已失效', en: 'Link no longer valid' }, { zh, en }));

const TokenParam = z.object({ token: Token }).strict();
const ratingLimit = rateLimiter('public-ratings', 30, 60_000);

async function openLink(deps: ApiDeps, token: string) {
  const row = await ratingLinkByTokenHash(deps.db, hashToken(token));
  if (!row)
    throw refusal(
      'rating-link',
      problems.notFound({
        zh: '评价链接不存在，请核对短信中的链接。',
        en: 'No such rating link: check the link in the message.',
      }),
    );
  if (row.used_at)
    throw gone('该链接已使用过，每个链接只能评价一次。', 'This link has been used: each link rates once.');
  if (new Date(row.expires_at) <= deps.now())
    throw gone(
      '该链接已过期，工作人员将电话回访听取您的评价。',
      'This link has expired: staff will call you for your rating.',
    );
  return row;
}

/** The rating delivered to the engine: kept as the round's rating (a later link of the round replaces it), with its event. */
async function rated(
  deps: ApiDeps,
  used: { case_id: string; round: number },
  input: { rating: string; comment?: string },
) {
  await recordLinkRating(deps.db, {
    caseId: used.case_id,
    round: used.round,
    rating: input.rating,
    comment: input.comment || null,
    at: deps.now().toISOString(),
  });
  await recordRated(deps.db, used.case_id, { round: used.round, rating: input.rating }, deps.now().toISOString());
  return { rating: input.rating, thanks: '感谢您的评价！' };
}

export const publicRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/public/ratings/:token',
    tag: 'public',
    summary: "The rating page's content: case number, category and the handling outcome (no personal data)",
    access: 'public',
    params: TokenParam,
    async handle({ deps, req, params }) {
      await ratingLimit(deps, req);
      const row = await openLink(deps, params.token);
      const people = (await casePeopleNames(deps.db, [row.case_id])).get(row.case_id) ?? [];
      const outcome = row.process_instance_key
        ? ratingOutcome(await instanceVariables(deps, row.process_instance_key), people)
        : null;
      return {
        caseNo: row.case_no,
        category: screenPublicText(row.category, people),
        round: row.round,
        outcome,
        expiresAt: row.expires_at,
      };
    },
  }),
  route({
    method: 'post',
    path: '/public/ratings/:token',
    tag: 'public',
    summary: 'Rate the handling once by the link (satisfied, basically satisfied, dissatisfied)',
    access: 'public',
    params: TokenParam,
    body: Rating,
    status: 201,
    async handle({ deps, req, params, body: input }) {
      await ratingLimit(deps, req);
      const token = params.token;
      await openLink(deps, token);
      const used = await useLink(deps.db, hashToken(token), deps.now().toISOString());
      if (!used) throw gone('该链接已使用过，每个链接只能评价一次。', 'This link has been used: each link rates once.');
      try {
        // The message id makes a repeated publication (a retry after a lost answer) a no-op in the engine. It names
        // the link (the job that issued it), not the round: a case that close-case sent back (不解决不销号) gets a new
        // link in the same round, and its rating must not be taken for a repeat of the first one.
        await deps.engine().publishMessage({
          name: MESSAGES.satisfactionRated,
          correlationKey: used.case_id,
          messageId: `rating-${used.case_id}-${used.job_key}`,
          timeToLive: 3 * 24 * 3600 * 1000,
          variables: { rating: input.rating, comment: input.comment },
        });
      } catch (error) {
        // 409 ALREADY_EXISTS: a message with this id is buffered already (an earlier attempt whose answer was lost
        // reached the engine), so the rating was delivered.
        if ((error as { status?: number }).status === 409) return rated(deps, used, input);
        await reopenLink(deps.db, hashToken(token));
        deps.log.warn({ err: error, caseId: used.case_id }, 'rating not delivered to the engine');
        throw problems.unavailable({
          zh: '系统繁忙，您的评价未能提交，请稍后再试。',
          en: 'Your rating could not be delivered: please try again shortly.',
        });
      }
      return rated(deps, used, input);
    },
  }),
  route({
    method: 'get',
    path: '/public/notices',
    tag: 'public',
    summary: 'The notice board: published outcomes of key matters, without personal data',
    access: 'public',
    query: z
      .object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        offset: z.coerce.number().int().min(0).max(100000).default(0),
      })
      .strict(),
    async handle({ deps, query }) {
      return { items: await noticeBoard(deps.db, query.limit, query.offset) };
    },
  }),
];

/**
 * The outcome the rating page shows: what the last handling said (the case team's opinion, the second handling's
 * result, the working group's solution, the handling result), screened like every public text.
 */
export function ratingOutcome(variables: Record<string, unknown>, people: readonly string[]): string | null {
  const said = [
    variables.teamOpinion,
    variables.secondHandlingResult,
    variables.solution,
    variables.handlingResult,
  ].find((x) => typeof x === 'string' && x.length > 0);
  return typeof said === 'string' ? screenPublicText(said, people) : null;
}

/**
 * The notice board as the public reads it. Screened again as it is read (defence in depth: a row written before
 * screening, or by another path, shows no number or name either), and an accusation (Art 30) is never shown, even
 * if a row for one exists.
 */
export async function noticeBoard(db: Queryable, limit: number, offset: number) {
  const rows = await noticeBoardRows(db, limit, offset);
  const people = await casePeopleNames(db, [...new Set(rows.map((r) => r.caseId))]);
  return rows.map(({ caseId, ...row }) => {
    const names = people.get(caseId) ?? [];
    return { ...row, category: screenPublicText(row.category, names), outcome: screenPublicText(row.outcome, names) };
  });
}
