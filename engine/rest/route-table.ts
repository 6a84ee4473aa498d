/**
 * The JSON routes of the engine's REST API (router.ts) as one table, in the order Express matches them: both the
 * Express router and the direct calls in process (`EngineApi.direct`) take them from here. Declaring a route (its
 * path's pattern and parameter names), mounting the table on the router, and answering a direct call with the same
 * handlers, credentials check and problem details as the router.
 */
import { type Router } from 'express';
import type { EmbeddedEngine } from '../engine';
import {
  CHALLENGE,
  JSON_TYPE,
  PROBLEM_TYPE,
  UNDER_TEST,
  answer,
  assertPlainJson,
  isRead,
  jsonObject,
  parseBody,
  problemText,
  toEngineError,
  unauthorized,
} from './http';

/** What a JSON route's handler gets of a call: the path's parameters, the JSON body, and whether the caller went away. */
export interface EngineCall {
  params: Record<string, string>;
  body: Record<string, unknown>;
  /** Aborted when the caller goes away (its connection closed). */
  signal: AbortSignal;
}

/** A call handed to the engine's API in process: the HTTP request's parts, the path under /v2. */
export interface DirectRequest {
  authorization: string | null;
  contentType: string | null;
  body: string;
  signal: AbortSignal;
}

/**
 * A direct call's answer: status, headers, and the body as text (null when there is none) or, from a route whose
 * answers are fresh JSON values (see `JsonRoute.fresh`), as that value: what parsing its text would give, without
 * writing and parsing the text.
 */
export type DirectAnswer = { status: number; headers: Record<string, string> } & (
  { body: string | null } | { json: unknown }
);

/** The handler of a direct call to one route, or undefined when only the router can answer the call. */
export type DirectCalls = (
  method: string,
  path: string,
) => ((request: DirectRequest) => Promise<DirectAnswer>) | undefined;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A JSON route's handler: its answer's value (undefined: 204). */
export type RouteHandler = (call: EngineCall) => Promise<unknown>;

export interface JsonRoute {
  method: Method;
  path: string;
  pattern: RegExp;
  names: string[];
  handle: RouteHandler;
  /**
   * Its answer is made anew for each call (from the rows read for it, nothing kept or shared) and holds JSON values
   * only (strings, finite numbers, booleans, null, arrays, plain objects; a property set to undefined is left out, as
   * JSON leaves it out): a direct call may hand it over as it is. Checked on every such answer under the test runner.
   */
  fresh?: boolean;
}

/** What a family of routes is declared with: the engine, the router (for Express-only routes), the table's `route`. */
export interface Routes {
  engine: EmbeddedEngine;
  router: Router;
  /** Adds a JSON route to the table; `fresh`: see `JsonRoute.fresh`. */
  route: (method: Method, path: string, handle: RouteHandler, fresh?: boolean) => void;
  /** The version the topology reports. */
  version: string;
}

/** What a direct call needs besides its route: the credentials check, whether reads only are answered here, the hooks. */
export interface DirectOptions {
  authorized: (header: string | undefined) => boolean;
  forwardTo?: string;
  onError?: (error: unknown, call: { method: string; path: string }) => void;
  onAnswer?: (method: string, route: string, status: number, seconds: number) => void;
}

/** A JSON route with the pattern a direct call's path is matched against (Express's `:name` parameters, any case). */
export function jsonRoute(method: Method, path: string, handle: RouteHandler, fresh = false): JsonRoute {
  const names: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'))}/?$`, 'i');
  return { method, path, pattern, names, handle, fresh };
}

/** Registers the table's routes on the Express router, in its order. */
export function mountRoutes(router: Router, routes: JsonRoute[]): void {
  for (const r of routes) {
    router[r.method](
      r.path,
      answer((req, res) => {
        let abort: AbortController | undefined;
        const call: EngineCall = {
          params: req.params as Record<string, string>,
          body: jsonObject(req.body),
          // Made only for a handler that asks (the job activation's long poll).
          get signal() {
            if (!abort) {
              const controller = (abort = new AbortController());
              res.on('close', () => controller.abort());
            }
            return abort.signal;
          },
        };
        return r.handle(call);
      }),
    );
  }
}

/** The direct calls over the table: the first route of the method whose pattern matches the path. */
export function directCalls(routes: JsonRoute[], options: DirectOptions): DirectCalls {
  return (method, path) => {
    const lower = method.toLowerCase();
    if (options.forwardTo && !isRead(method, path)) return undefined;
    for (const r of routes) {
      if (r.method !== lower) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      try {
        r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
      } catch {
        return undefined; // a malformed escape: Express answers it
      }
      return (request) => callDirect(r, params, method, path, request, options);
    }
    return undefined;
  };
}

/** Answers one direct call: its credentials checked, its route's handler run, its answer or problem timed and told. */
async function callDirect(
  r: JsonRoute,
  params: Record<string, string>,
  method: string,
  path: string,
  request: DirectRequest,
  { authorized, onError, onAnswer }: DirectOptions,
): Promise<DirectAnswer> {
  const started = performance.now();
  const instance = `/v2${path}`;
  let answered: DirectAnswer;
  // Not throttled: only this process calls here (its own client), and a direct call has no client address.
  if (!authorized(request.authorization ?? undefined)) {
    answered = {
      status: 401,
      headers: { 'content-type': PROBLEM_TYPE, 'www-authenticate': CHALLENGE },
      body: problemText(unauthorized(), instance),
    };
  } else {
    try {
      const result = await r.handle({ params, body: parseBody(request), signal: request.signal });
      if (result === undefined) answered = { status: 204, headers: { 'content-type': JSON_TYPE }, body: null };
      else if (r.fresh) {
        if (UNDER_TEST) assertPlainJson(result, `the answer of ${method} /v2${r.path}`);
        answered = { status: 200, headers: { 'content-type': JSON_TYPE }, json: result };
      } else answered = { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(result) };
    } catch (error) {
      const e = toEngineError(error);
      if (e.status >= 500 && e.title !== 'RESOURCE_EXHAUSTED') onError?.(error, { method, path: instance });
      answered = { status: e.status, headers: { 'content-type': PROBLEM_TYPE }, body: problemText(e, instance) };
    }
  }
  onAnswer?.(method, `/v2${r.path}`, answered.status, (performance.now() - started) / 1000);
  return answered;
}
