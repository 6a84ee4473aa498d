/**
 * One error class and one error middleware: every error leaves as an RFC 7807 problem detail, in Simplified
 * Chinese by default and in English when the client asks for it (Accept-Language).
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError, z } from 'zod';
import { isConnectionFailure, isPoolTimeout } from './db';
import { countRefusal, type RefusalReason } from './metrics';

export interface Localized {
  zh: string;
  en: string;
}

export class Problem extends Error {
  /** Why the request was refused, for petition_refusals_total (set where it is refused; else from the status). */
  reason?: RefusalReason;
  /** Sent as `Retry-After` (seconds) unless the place that refused set the header itself. */
  retryAfterSeconds?: number;
  constructor(
    readonly status: number,
    readonly title: Localized,
    readonly detail?: Localized,
    readonly extensions: Record<string, unknown> = {},
    readonly type = 'about:blank',
  ) {
    super(title.en + (detail ? `: ${detail.en}` : ''));
    this.name = 'Problem';
  }
}

export const problems = {
  notFound: (what?: Localized) => new Problem(404, { zh: '未找到', en: 'Not found' }, what),
  badRequest: (detail: Localized, extensions?: Record<string, unknown>) =>
    new Problem(400, { zh: '请求有误', en: 'Bad request' }, detail, extensions),
  unauthorized: () =>
    new Problem(
      401,
      { zh: '需要登录', en: 'Authentication required' },
      {
        zh: '请先登录后再试。',
        en: 'Please sign in and try again.',
      },
    ),
  forbidden: (detail?: Localized) => new Problem(403, { zh: '无权访问', en: 'Forbidden' }, detail),
  conflict: (detail: Localized) => new Problem(409, { zh: '状态冲突', en: 'Conflict' }, detail),
  unavailable: (detail: Localized) => new Problem(503, { zh: '服务暂不可用', en: 'Service unavailable' }, detail),
};

/** Marks a problem with the reason it is counted under in petition_refusals_total. */
export function refusal<T extends Problem>(reason: RefusalReason, problem: T): T {
  problem.reason = reason;
  return problem;
}

/** The reason a refusal is counted under when the place that refused did not say: from its status. */
const REASON_OF_STATUS: Record<number, RefusalReason> = {
  400: 'validation',
  401: 'unauthenticated',
  403: 'forbidden',
  413: 'too-large',
  423: 'locked',
  429: 'rate-limited',
};

export function language(req: Request): 'zh' | 'en' {
  return req.acceptsLanguages('zh', 'zh-CN', 'en') === 'en' ? 'en' : 'zh';
}

/**
 * True for errors that mean the database cannot be reached right now (not a bug in a query): the server refused,
 * dropped or did not answer a connection, or no connection came free in time.
 */
export function isDatabaseDown(error: unknown): boolean {
  return isConnectionFailure(error) || isPoolTimeout(error);
}

/** Seconds a client is asked to wait before retrying when the database is away. */
const DATABASE_RETRY_AFTER_SECONDS = 3;

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(
    problems.notFound({
      zh: `没有这个地址：${req.method} ${req.path}`,
      en: `No such route: ${req.method} ${req.path}`,
    }),
  );
};

export function errorHandler(log: { error: (obj: object, msg: string) => void }): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const lang = language(req);
    const problem = toProblem(error);
    if (problem.status >= 500 && !(error instanceof Problem)) {
      log.error({ err: error, requestId: req.id }, 'request failed');
    }
    const reason = problem.reason ?? REASON_OF_STATUS[problem.status];
    if (reason) countRefusal(reason);
    if (res.headersSent) return;
    if (problem.retryAfterSeconds !== undefined && !res.getHeader('Retry-After'))
      res.setHeader('Retry-After', String(problem.retryAfterSeconds));
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: problem.type,
        title: problem.title[lang],
        status: problem.status,
        ...(problem.detail ? { detail: problem.detail[lang] } : {}),
        instance: req.originalUrl,
        requestId: req.id,
        ...problem.extensions,
      });
  };
}

/** What the fields people fill in are called, for messages that name them (the last part of a field's path). */
const FIELD_NAMES: Record<string, Localized> = {
  name: { zh: '姓名', en: 'the name' },
  phone: { zh: '手机号', en: 'the phone number' },
  idNumber: { zh: '身份证号', en: 'the ID number' },
  category: { zh: '类别', en: 'the category' },
  description: { zh: '诉求内容', en: 'the request' },
  channel: { zh: '来源渠道', en: 'the channel' },
  compoundId: { zh: '小区', en: 'the compound' },
  username: { zh: '用户名', en: 'the username' },
  password: { zh: '密码', en: 'the password' },
  displayName: { zh: '姓名', en: 'the name' },
  reason: { zh: '原因', en: 'the reason' },
  comment: { zh: '意见', en: 'the comment' },
  rating: { zh: '评价', en: 'the rating' },
};
const zhCN = z.locales.zhCN().localeError;

/**
 * One validation problem as a sentence in `lang`: a message the schema wrote as "中文 / English" gives its half; zod's
 * own messages come in its Chinese or English wording, after the field's name when people know the field by one.
 */
function sentence(issue: ZodError['issues'][number], lang: 'zh' | 'en'): string {
  const [zhPart, enPart] = issue.message.split(' / ');
  if (enPart !== undefined) return lang === 'zh' ? zhPart : enPart;
  const text = lang === 'zh' ? ((zhCN(issue as never) as string | undefined) ?? issue.message) : issue.message;
  const field = FIELD_NAMES[String(issue.path[issue.path.length - 1] ?? '')];
  return field ? `${field[lang]}${lang === 'zh' ? '：' : ': '}${text}` : text;
}

function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof ZodError) {
    // Clients get each field's path (invalidParams); people get sentences in their language, the field named in words.
    const invalid = error.issues.map((i) => ({ name: i.path.join('.') || '(body)', reason: i.message }));
    const zh = error.issues.map((i) => sentence(i, 'zh')).join('；');
    const en = error.issues.map((i) => sentence(i, 'en')).join('; ');
    return problems.badRequest({ zh: `输入不符合要求：${zh}`, en: `Invalid input: ${en}` }, { invalidParams: invalid });
  }
  const e = error as { type?: string; status?: number; limit?: number } | undefined;
  if (e?.type === 'entity.too.large') {
    return new Problem(
      413,
      { zh: '内容过大', en: 'Payload too large' },
      {
        zh: `请求内容超过上限（${e.limit ?? ''} 字节）。`,
        en: `The request body exceeds the limit (${e.limit ?? ''} bytes).`,
      },
    );
  }
  if (e?.type === 'entity.parse.failed') {
    return problems.badRequest({ zh: '请求内容不是有效的 JSON。', en: 'The request body is not valid JSON.' });
  }
  if (isDatabaseDown(error)) {
    const problem = problems.unavailable({
      zh: '数据库暂时无法访问，请稍后重试；已提交的内容不会丢失。',
      en: 'The database cannot be reached right now; please retry shortly. Nothing already accepted is lost.',
    });
    problem.retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS;
    return problem;
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new Problem(
      e.status,
      { zh: '请求有误', en: 'Bad request' },
      {
        zh: String((error as Error).message),
        en: String((error as Error).message),
      },
    );
  }
  return new Problem(
    500,
    { zh: '服务器内部错误', en: 'Internal server error' },
    {
      zh: '发生了意外错误，已记录。请稍后重试或联系管理员并提供请求编号。',
      en: 'An unexpected error occurred and was logged. Retry later or give the request id to an administrator.',
    },
  );
}
