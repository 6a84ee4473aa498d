/**
 * Every API route is declared once, as data: method, path, who may call it, the zod schemas of its path
 * parameters, query and body, and its handler. From that one table the app mounts the routes (validating every
 * input at the edge and checking access before the handler runs), the OpenAPI 3.1 document is generated, and the
 * authorization and fuzzing tests walk every route.
 */
import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z, type ZodType } from 'zod';
import { Problem, problems, refusal } from '../platform/problem';
import type { SessionUser } from './auth';
import type { ApiDeps } from './deps';

/** The staff roles of DOMAIN.md (a role id doubles as the engine's candidate group). */
export const ROLES = [
  'admin',
  'reception',
  'cadre',
  'secretary',
  'grid-worker',
  'street-office',
  'member',
  'leader',
] as const;
export type Role = (typeof ROLES)[number];

/** Who may call a route: anyone, any signed-in user, or the listed roles. */
export type Access = 'public' | 'signed-in' | readonly Role[];

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  deps: ApiDeps;
  /** Set on every route that is not public. */
  user: SessionUser;
  params: P;
  query: Q;
  body: B;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface RouteSpec<P = any, Q = any, B = any> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path under /api, e.g. `/cases/:id`. */
  path: string;
  tag: string;
  summary: string;
  access: Access;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** Success status (200 unless given). */
  status?: number;
  /** For the OpenAPI document: what a success answers with (JSON unless `text/csv`). */
  produces?: 'application/json' | 'text/csv';
  /** A multipart upload of one file in `field`, at most `maxBytes`, read after the access check (`req.file`). */
  upload?: { field: string; maxBytes: number };
  /** Returns the JSON body (or nothing for 204, or a string for text). */
  handle(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}

export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}

export function allowed(access: Access, user: SessionUser | undefined): 'ok' | 'unauthenticated' | 'forbidden' {
  if (access === 'public') return 'ok';
  if (!user) return 'unauthenticated';
  if (access === 'signed-in') return 'ok';
  return access.some((role) => user.roles.includes(role)) ? 'ok' : 'forbidden';
}

/**
 * A change made with the session must echo its CSRF token. Public routes (sign-in, the rating link) act without the
 * session, so a staff member's cookie in the same browser does not get in their way.
 */
export function checkCsrf(req: Request): void {
  if (!req.user || ['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
  const sent = req.get('x-csrf-token') ?? '';
  const expected = Buffer.from(req.user.csrfToken);
  if (sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
    throw refusal(
      'csrf',
      problems.forbidden({
        zh: '缺少或错误的 CSRF 令牌：请刷新页面后重试。',
        en: 'Missing or wrong CSRF token: reload the page and try again.',
      }),
    );
  }
}

/**
 * A change sent by a page of another site is refused, on every route (also sign-in and the rating link, which act
 * without the session): the browser says so in Sec-Fetch-Site, or its Origin names another host than the one
 * asked. Clients that are not browsers send neither header.
 */
export function checkSameOrigin(req: Request): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
  const origin = req.get('origin');
  let foreign = req.get('sec-fetch-site') === 'cross-site';
  if (!foreign && origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined; // "null" (a sandboxed page, a file) or garbage
    }
    foreign = !host || (host !== req.get('host') && host !== req.get('x-forwarded-host'));
  }
  if (foreign) {
    throw refusal(
      'csrf',
      problems.forbidden({
        zh: '拒绝来自其他网站的请求：请在本系统的页面上操作。',
        en: 'A request from another site is refused: use the pages of this system.',
      }),
    );
  }
}

export function mountRoutes(router: Router, routes: RouteSpec[], deps: ApiDeps): void {
  for (const spec of routes) {
    const template = `/api${spec.path}`;
    const checkAccess: RequestHandler = (req, res, next) => {
      // the route template labels this request's metrics (http_requests_total{route})
      res.locals.routeTemplate = template;
      checkSameOrigin(req);
      const access = allowed(spec.access, req.user);
      if (access === 'unauthenticated') throw problems.unauthorized();
      if (access === 'forbidden') {
        const roles = spec.access as readonly string[];
        throw problems.forbidden({
          zh: `需要以下角色之一：${roles.join('、')}`,
          en: `One of these roles is needed: ${roles.join(', ')}`,
        });
      }
      if (spec.access !== 'public') checkCsrf(req);
      next();
    };
    const upload: RequestHandler[] = spec.upload ? [uploadOne(spec.upload.field, spec.upload.maxBytes)] : [];
    router[spec.method](spec.path, checkAccess, ...upload, async (req, res) => {
      if (hasNul(req.params) || hasNul(req.query) || hasNul(req.body)) {
        throw problems.badRequest({
          zh: '输入中不能包含空字符（NUL）。',
          en: 'The input may not contain the NUL character.',
        });
      }
      const params: unknown = spec.params ? spec.params.parse(req.params) : {};
      const query: unknown = spec.query ? spec.query.parse(req.query) : {};
      const body: unknown = spec.body ? spec.body.parse(req.body ?? {}) : undefined;
      const result = await spec.handle({ req, res, deps, user: req.user!, params, query, body } as RouteContext<
        unknown,
        unknown,
        unknown
      >);
      if (res.headersSent) return;
      if (result === undefined) {
        res.status(spec.status ?? 204).end();
      } else if (typeof result === 'string') {
        res
          .status(spec.status ?? 200)
          .type(spec.produces ?? 'text/plain')
          .send(result);
      } else {
        res.status(spec.status ?? 200).json(result);
      }
    });
  }
}

/** PostgreSQL stores no NUL character in text or JSON: such input is refused as bad input, not failed on as a 500. */
function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 32 || Buffer.isBuffer(value)) return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v, depth + 1));
}

/** One file in memory, refused in plain words when too large or not the one field expected. */
function uploadOne(field: string, maxBytes: number): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 10 },
  }).single(field);
  return (req, res, next) => {
    parse(req, res, (error: unknown) => {
      if (!error) return next();
      const code = (error as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') {
        const mb = Math.round(maxBytes / 1024 / 1024);
        return next(
          refusal(
            'upload',
            new Problem(
              413,
              { zh: '文件过大', en: 'File too large' },
              { zh: `附件不能超过 ${mb} MB。`, en: `An attachment may be at most ${mb} MB.` },
            ),
          ),
        );
      }
      next(
        refusal(
          'upload',
          problems.badRequest(
            {
              zh: `上传有误：请在字段“${field}”中上传一个文件。`,
              en: `Bad upload: send one file in the field "${field}".`,
            },
            { code },
          ),
        ),
      );
    });
  };
}

const PROBLEM = { $ref: '#/components/schemas/Problem' };

/** A zod schema as JSON Schema, as its input is written; undefined when there is none. */
const jsonSchema = (type: ZodType | undefined) =>
  type ? (z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>) : undefined;

/** A route's path and query parameters, as OpenAPI lists them. */
function parametersOf(spec: RouteSpec): unknown[] {
  const parameters: unknown[] = [];
  for (const [where, type] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    const s = jsonSchema(type) as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, prop] of Object.entries(s?.properties ?? {})) {
      parameters.push({
        name,
        in: where,
        required: where === 'path' || (s?.required ?? []).includes(name),
        schema: prop,
      });
    }
  }
  return parameters;
}

/** A route's responses: its success, and the problems its input and access rules may answer with. */
function responsesOf(spec: RouteSpec): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    [String(spec.status ?? 200)]: {
      description: 'Success',
      ...(spec.status === 204 ? {} : { content: { [spec.produces ?? 'application/json']: {} } }),
    },
    '400': { description: 'Invalid input', content: { 'application/problem+json': { schema: PROBLEM } } },
  };
  if (spec.access !== 'public') {
    responses['401'] = { description: 'Not signed in', content: { 'application/problem+json': { schema: PROBLEM } } };
    if (spec.access !== 'signed-in')
      responses['403'] = {
        description: `Needs one of: ${spec.access.join(', ')}`,
        content: { 'application/problem+json': { schema: PROBLEM } },
      };
  }
  return responses;
}

/** A route's request body: its JSON body or its one uploaded file, when it takes either. */
function requestBodyOf(spec: RouteSpec): Record<string, unknown> {
  return {
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } }
      : {}),
    ...(spec.upload
      ? {
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: { [spec.upload.field]: { type: 'string', format: 'binary' } },
                  required: [spec.upload.field],
                },
              },
            },
          },
        }
      : {}),
  };
}

/** A route as an OpenAPI operation. */
function operationOf(spec: RouteSpec): Record<string, unknown> {
  const parameters = parametersOf(spec);
  return {
    tags: [spec.tag],
    summary: spec.summary,
    description:
      spec.access === 'public'
        ? 'Public.'
        : spec.access === 'signed-in'
          ? 'Any signed-in user.'
          : `Roles: ${spec.access.join(', ')}.`,
    ...(parameters.length ? { parameters } : {}),
    ...requestBodyOf(spec),
    ...(spec.access !== 'public' ? { security: [{ session: [] }] } : {}),
    responses: responsesOf(spec),
  };
}

/** The OpenAPI 3.1 document of the routes, their inputs as JSON Schema (from the zod schemas). */
export function openApiDocument(routes: RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[spec.method] = operationOf(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '社区信访工作平台 API / Community petition work API',
      version: '1.0.0',
      description:
        "Staff sign in with POST /api/session; the session cookie then authenticates, and every state-changing call sends the session's CSRF token as X-CSRF-Token. Errors are RFC 7807 problem details (Chinese, or English with Accept-Language: en).",
    },
    servers: [{ url: '/api' }],
    paths,
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'xf_session' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            requestId: { type: 'string' },
          },
          required: ['title', 'status'],
        },
      },
    },
  };
}
