/**
 * Camunda 8.8's Orchestration Cluster REST API (/v2), the subset the project and the SDK use, over the embedded
 * engine. Shapes, status codes and problem details follow Camunda so @camunda8/sdk works unchanged, with its
 * strict validation on. Every call needs the engine's credentials (basic auth): only the app and its workers
 * hold them.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import type { EmbeddedEngine } from '../engine';
import { EngineError, invalidArgument } from '../errors';
import { SearchError } from '../store/search';
import { AuthThrottle, type AuthThrottleOptions } from './auth-throttle';

export interface RouterOptions {
  engine: EmbeddedEngine;
  credentials: { username: string; password: string };
  /** Version string reported by the topology. */
  version?: string;
  /** Told about unexpected (500) errors, to log them. */
  onError?: (error: unknown, call: { method: string; path: string }) => void;
  /** Told about every answer of a direct call (`EngineApi.direct`), which Express's middleware does not see: for metrics. */
  onAnswer?: (method: string, route: string, status: number, seconds: number) => void;
  /**
   * Set in a process that does not run the engine (`engine` is then not started, only read): reads (GET, and POST
   * …/search) are answered here from the database, and every other call, the topology included, is passed on to the
   * engine's own /v2 at this address, with its answer passed back as it came.
   */
  forwardTo?: string;
  /** Failed authentication per client address (`req.ip`): how many, in what window, before the address gets 429. */
  authThrottle?: AuthThrottleOptions;
  /**
   * Whether a request through the router is a call this process made to itself (the app's in-process client): such
   * a call has no client address of its own (it comes as 127.0.0.1, the address a local attacker, or a proxy that
   * does not forward the client's, would have), so it is never throttled. Calls through `direct` never are either.
   */
  inProcess?: (req: Request) => boolean;
}

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

export interface EngineApi {
  /** The API as an Express router, mounted at /v2: what every HTTP client reaches. */
  router: Router;
  /**
   * The same API called in process, without Express: the handler for a method and path under /v2 when it is one of
   * the JSON routes (the same handlers, credentials check, body limits and problem details as the router's), or
   * undefined when only the router can answer it (uploads, XML, unknown paths, calls a replica forwards).
   */
  direct: (method: string, path: string) => ((request: DirectRequest) => Promise<DirectAnswer>) | undefined;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface JsonRoute {
  method: Method;
  path: string;
  pattern: RegExp;
  names: string[];
  handle: (call: EngineCall) => Promise<unknown>;
  /**
   * Its answer is made anew for each call (from the rows read for it, nothing kept or shared) and holds JSON values
   * only (strings, finite numbers, booleans, null, arrays, plain objects; a property set to undefined is left out, as
   * JSON leaves it out): a direct call may hand it over as it is. Checked on every such answer under the test runner.
   */
  fresh?: boolean;
}

const MAX_RESOURCE_BYTES = 4 * 1024 * 1024;
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

export function engineRouter(options: RouterOptions): Router {
  return engineApi(options).router;
}

export function engineApi({
  engine,
  credentials,
  version = '8.8.0-embedded',
  onError,
  onAnswer,
  forwardTo,
  authThrottle,
  inProcess,
}: RouterOptions): EngineApi {
  const router = Router();
  const authorized = basicAuth(credentials);
  // Password guessing over HTTP: an address that failed too often is refused before its credentials are looked at,
  // so that guesses cost it time and tell it nothing; the right credentials from any other address still pass.
  const throttle = new AuthThrottle(authThrottle);
  router.use((req, res, next) => {
    const address = inProcess?.(req) ? undefined : (req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const wait = address === undefined ? 0 : throttle.refusedFor(address);
    if (wait > 0)
      return void res
        .status(429)
        .setHeader('Retry-After', String(wait))
        .type(PROBLEM_TYPE)
        .end(problemText(throttled(wait), req.originalUrl));
    if (authorized(req.headers.authorization)) return next();
    if (address !== undefined) throttle.fail(address);
    res
      .status(401)
      .setHeader('WWW-Authenticate', CHALLENGE)
      .type(PROBLEM_TYPE)
      .end(problemText(unauthorized(), req.originalUrl));
  });
  if (forwardTo)
    router.use((req, res, next) => (isRead(req.method, req.path) ? next() : forward(forwardTo, req, res).catch(next)));
  router.use(express.json({ limit: MAX_BODY_BYTES }));
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_RESOURCE_BYTES, files: 100 } });

  // The JSON routes, in the order Express matches them: both the router and direct calls take them from here.
  const routes: JsonRoute[] = [];
  const route = (method: Method, path: string, handle: (call: EngineCall) => Promise<unknown>, fresh = false) => {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'))}/?$`,
      'i',
    );
    routes.push({ method, path, pattern, names, handle, fresh });
  };
  // The searches and gets: each answer is built from the rows read for it (store/results.ts), so they are fresh.
  const FRESH = true;
  const key = (params: Record<string, unknown>, name = 'key') => {
    const value = String(params[name]);
    if (!/^-?[0-9]{1,25}$/.test(value))
      throw invalidArgument(`Expected ${name} to be a numeric key, but was '${value}'`);
    return value;
  };

  route('get', '/topology', () =>
    Promise.resolve({
      brokers: [
        {
          nodeId: 0,
          host: 'embedded',
          port: 0,
          partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }],
          version,
        },
      ],
      clusterSize: 1,
      partitionsCount: 1,
      replicationFactor: 1,
      gatewayVersion: version,
      lastCompletedChangeId: '-1',
    }),
  );

  // Camunda answers 204 while at least one partition is healthy: this engine's one is while it answers.
  route('get', '/status', () => Promise.resolve(undefined));

  router.post(
    '/deployments',
    (req, res, next) => upload.array('resources')(req, res, (err: unknown) => next(err)),
    answer(async (req) => {
      const files = (req.files as Express.Multer.File[] | undefined) ?? [];
      return engine.deploy(files.map((f) => ({ name: f.originalname, content: f.buffer })));
    }),
  );

  route('post', '/decision-definitions/evaluation', ({ body: b }) =>
    engine.evaluateDecision({
      decisionDefinitionId: optString(b.decisionDefinitionId),
      decisionDefinitionKey: optString(b.decisionDefinitionKey),
      variables: vars(b.variables),
    }),
  );
  route('post', '/decision-definitions/search', (c) => engine.searchDecisionDefinitions(c.body), FRESH);
  route('get', '/decision-definitions/:key', (c) => engine.getDecisionDefinition(key(c.params)), FRESH);
  router.get(
    '/decision-definitions/:key/xml',
    answer(async (req, res) => {
      const xml = await engine.getDecisionDefinitionXml(key(req.params));
      res.status(200).type('text/xml').send(xml);
    }),
  );
  route('post', '/decision-requirements/search', (c) => engine.searchDecisionRequirements(c.body), FRESH);
  route('get', '/decision-requirements/:key', (c) => engine.getDecisionRequirements(key(c.params)), FRESH);
  router.get(
    '/decision-requirements/:key/xml',
    answer(async (req, res) => {
      const xml = await engine.getDecisionRequirementsXml(key(req.params));
      res.status(200).type('text/xml').send(xml);
    }),
  );
  route('post', '/process-definitions/search', (c) => engine.searchProcessDefinitions(c.body), FRESH);
  route('get', '/process-definitions/:key', (c) => engine.getProcessDefinition(key(c.params)));
  route(
    'get',
    '/process-definitions/:key/form',
    async (c) => (await engine.getStartProcessForm(key(c.params))) ?? undefined,
    FRESH,
  );
  route(
    'post',
    '/process-definitions/:key/statistics/element-instances',
    (c) => {
      for (const name of Object.keys(c.body))
        if (name !== 'filter')
          throw invalidArgument(`Request property [${name}] cannot be parsed: not a field of a statistics query`);
      return engine.elementStatistics({ definitionKey: key(c.params), filter: c.body.filter });
    },
    FRESH,
  );
  router.get(
    '/process-definitions/:key/xml',
    answer(async (req, res) => {
      const xml = await engine.getProcessDefinitionXml(key(req.params));
      res.status(200).type('text/xml').send(xml);
    }),
  );

  route('post', '/process-instances', ({ body: b }) =>
    engine.createProcessInstance({
      processDefinitionId: optString(b.processDefinitionId),
      processDefinitionKey: optString(b.processDefinitionKey),
      processDefinitionVersion: optNumber(b.processDefinitionVersion, 'processDefinitionVersion'),
      variables: b.variables as Record<string, unknown> | undefined,
      awaitCompletion: b.awaitCompletion === true,
      requestTimeout: optNumber(b.requestTimeout, 'requestTimeout'),
      fetchVariables: Array.isArray(b.fetchVariables) ? b.fetchVariables.map(String) : undefined,
      tags: b.tags,
    }),
  );
  route('post', '/process-instances/search', (c) => engine.searchProcessInstances(c.body), FRESH);
  route('get', '/process-instances/:key', (c) => engine.getProcessInstance(key(c.params)));
  route(
    'get',
    '/process-instances/:key/statistics/element-instances',
    (c) => engine.elementStatistics({ instanceKey: key(c.params) }),
    FRESH,
  );
  route('get', '/process-instances/:key/call-hierarchy', (c) => engine.getCallHierarchy(key(c.params)), FRESH);
  route(
    'post',
    '/process-instances/:key/incidents/search',
    (c) => engine.searchInstanceIncidents(key(c.params), c.body),
    FRESH,
  );
  route('get', '/process-instances/:key/sequence-flows', (c) => engine.getSequenceFlows(key(c.params)));
  route('post', '/process-instances/:key/cancellation', (c) => engine.cancelProcessInstance(key(c.params)));
  route('post', '/element-instances/search', (c) => engine.searchElementInstances(c.body), FRESH);
  route('get', '/element-instances/:key', (c) => engine.getElementInstance(key(c.params)), FRESH);
  route('put', '/element-instances/:key/variables', (c) => engine.setVariables(key(c.params), vars(c.body.variables)));
  route('post', '/element-instances/ad-hoc-activities/:key/activation', (c) => {
    const elements = c.body.elements;
    if (!Array.isArray(elements) || elements.length === 0)
      throw invalidArgument('Expected elements to be a non-empty list of elements to activate');
    return engine.activateAdHocSubProcessActivities(key(c.params), {
      elements: elements.map((e: unknown, i) => adHocElement(e, i)),
      cancelRemainingInstances: c.body.cancelRemainingInstances === true,
    });
  });

  route('post', '/jobs/search', (c) => engine.searchJobs(c.body), FRESH);
  route('post', '/jobs/activation', async ({ body: b, signal }) => {
    const result = await engine.activateJobs(
      {
        type: text(b.type, 'type'),
        worker: optString(b.worker),
        timeout: optNumber(b.timeout, 'timeout') ?? 0,
        maxJobsToActivate: optNumber(b.maxJobsToActivate, 'maxJobsToActivate') ?? 0,
        requestTimeout: optNumber(b.requestTimeout, 'requestTimeout'),
        fetchVariable: Array.isArray(b.fetchVariable) ? b.fetchVariable.map(String) : undefined,
      },
      signal,
    );
    if (signal.aborted) {
      // The worker stopped waiting: nobody will receive these jobs, so they must not wait for their timeout.
      await engine.returnJobs(result.jobs.map((j) => j.jobKey));
      return undefined;
    }
    return result;
  });
  route('post', '/jobs/:key/completion', (c) =>
    engine.completeJob(key(c.params), vars(c.body.variables), c.body.result ?? undefined),
  );
  route('post', '/jobs/:key/failure', (c) =>
    engine.failJob(key(c.params), {
      retries: optNumber(c.body.retries, 'retries'),
      errorMessage: optString(c.body.errorMessage),
      retryBackOff: optNumber(c.body.retryBackOff, 'retryBackOff'),
      variables: vars(c.body.variables),
    }),
  );
  route('post', '/jobs/:key/error', (c) =>
    engine.throwJobError(key(c.params), {
      errorCode: text(c.body.errorCode, 'errorCode'),
      errorMessage: optString(c.body.errorMessage),
      variables: vars(c.body.variables),
    }),
  );
  route('patch', '/jobs/:key', (c) => {
    const changeset = (c.body.changeset ?? {}) as Record<string, unknown>;
    return engine.updateJob(key(c.params), {
      retries: optNumber(changeset.retries, 'changeset.retries'),
      timeout: optNumber(changeset.timeout, 'changeset.timeout'),
    });
  });

  route('post', '/user-tasks/search', (c) => engine.searchUserTasks(c.body), FRESH);
  route('get', '/user-tasks/:key', (c) => engine.getUserTask(key(c.params)));
  route(
    'post',
    '/user-tasks/:key/variables/search',
    (c) => engine.searchUserTaskVariables(key(c.params), c.body),
    FRESH,
  );
  route('get', '/user-tasks/:key/form', async (c) => (await engine.getUserTaskForm(key(c.params))) ?? undefined);
  route('post', '/user-tasks/:key/assignment', (c) =>
    engine.assignUserTask(key(c.params), {
      assignee: text(c.body.assignee, 'assignee'),
      allowOverride: typeof c.body.allowOverride === 'boolean' ? c.body.allowOverride : undefined,
      action: optString(c.body.action),
    }),
  );
  route('delete', '/user-tasks/:key/assignee', (c) => engine.unassignUserTask(key(c.params)));
  route('patch', '/user-tasks/:key', (c) => {
    const changes = (c.body.changeset ?? {}) as Record<string, unknown>;
    return engine.updateUserTask(
      key(c.params),
      {
        dueDate: changes.dueDate as string | null | undefined,
        followUpDate: changes.followUpDate as string | null | undefined,
        candidateGroups: Array.isArray(changes.candidateGroups) ? changes.candidateGroups.map(String) : undefined,
        candidateUsers: Array.isArray(changes.candidateUsers) ? changes.candidateUsers.map(String) : undefined,
        priority: optNumber(changes.priority, 'changeset.priority'),
      },
      optString(c.body.action),
    );
  });
  route('post', '/user-tasks/:key/completion', (c) =>
    engine.completeUserTask(key(c.params), vars(c.body.variables), optString(c.body.action)),
  );

  route('post', '/messages/publication', async ({ body: b }) => {
    const { tenantId, messageKey } = await engine.publishMessage({
      name: text(b.name, 'name'),
      correlationKey: optString(b.correlationKey),
      timeToLive: optNumber(b.timeToLive, 'timeToLive'),
      messageId: optString(b.messageId),
      variables: vars(b.variables),
    });
    return { tenantId, messageKey };
  });
  route('post', '/message-subscriptions/search', (c) => engine.searchMessageSubscriptions(c.body), FRESH);
  route('post', '/messages/correlation', ({ body: b }) =>
    engine.correlateMessage({
      name: text(b.name, 'name'),
      correlationKey: optString(b.correlationKey),
      variables: vars(b.variables),
    }),
  );
  route('post', '/signals/broadcast', ({ body: b }) =>
    engine.broadcastSignal({ signalName: text(b.signalName, 'signalName'), variables: vars(b.variables) }),
  );

  route('post', '/incidents/search', (c) => engine.searchIncidents(c.body), FRESH);
  route('get', '/incidents/:key', (c) => engine.getIncident(key(c.params)), FRESH);
  route('post', '/incidents/:key/resolution', (c) => engine.resolveIncident(key(c.params)));
  route('post', '/variables/search', (c) => engine.searchVariables(c.body), FRESH);
  route('get', '/variables/:key', (c) => engine.getVariable(key(c.params)), FRESH);

  // What this engine is: not Camunda, without a Camunda license (see store/reads.ts, LICENSE).
  route('get', '/license', () => Promise.resolve(engine.getLicense()), FRESH);

  route('put', '/clock', (c) => {
    const timestamp = optNumber(c.body.timestamp, 'timestamp');
    if (timestamp === undefined || timestamp < 0) throw invalidArgument('Expected a timestamp in epoch milliseconds');
    return engine.pinClock(timestamp);
  });
  route('post', '/clock/reset', () => engine.resetClock());

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

  router.use((req, _res, next) =>
    next(new EngineError(404, 'NOT_FOUND', `No such endpoint: ${req.method} /v2${req.path}`)),
  );
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toEngineError(error);
    if (e.status >= 500 && e.title !== 'RESOURCE_EXHAUSTED')
      onError?.(error, { method: req.method, path: req.originalUrl });
    res.status(e.status).type(PROBLEM_TYPE).end(problemText(e, req.originalUrl));
  });

  const direct: EngineApi['direct'] = (method, path) => {
    const lower = method.toLowerCase();
    if (forwardTo && !isRead(method, path)) return undefined;
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
      return (request) => callDirect(r, params, method, path, request);
    }
    return undefined;
  };

  const callDirect = async (
    r: JsonRoute,
    params: Record<string, string>,
    method: string,
    path: string,
    request: DirectRequest,
  ): Promise<DirectAnswer> => {
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
  };

  return { router, direct };
}

/** Express's handler for an answer: the handler's value as JSON (204 without one), its errors to the error handler. */
function answer(handler: (req: Request, res: Response) => Promise<unknown>) {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).then((body) => {
      if (res.headersSent) return;
      if (body === undefined) res.status(204).type(JSON_TYPE).end();
      // Written as the text it is: Express's json() would turn an answer of 1,000 characters or more into a Buffer
      // first (a copy of every search answer, which the app's in-process client then turns back into text).
      else res.status(200).type(JSON_TYPE).end(JSON.stringify(body));
    }, next);
  };
}

/** A direct call's body as express.json() reads it: JSON (an object or array) of at most 4 MB, or nothing. */
function parseBody(request: DirectRequest): Record<string, unknown> {
  const text = request.body;
  if (text === '' || request.contentType === null || !/^application\/json\b/i.test(request.contentType)) return {};
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new EngineError(413, 'INVALID_ARGUMENT', 'The request body is too large');
  const first = /^[\s\uFEFF]*(.)/.exec(text)?.[1];
  let parsed: unknown;
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument('The request body is not valid JSON');
  }
  return jsonObject(parsed);
}

/** Under the test runner, the fresh answers are checked: a value JSON would change fails the call. */
const UNDER_TEST = process.env.JEST_WORKER_ID !== undefined;

/** Throws unless `value` is what JSON.parse could have made (undefined allowed as an object's property: JSON leaves it out). */
export function assertPlainJson(value: unknown, what: string, path = ''): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, what, `${path}[${i}]`));
    return;
  } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [name, item] of Object.entries(value))
      if (item !== undefined) assertPlainJson(item, what, `${path}.${name}`);
    return;
  }
  throw new Error(
    `${what} is not plain JSON at ${path || 'its top'}: ${typeof value === 'object' ? `a ${value.constructor?.name ?? 'null-prototype object'}` : typeof value === 'number' ? String(value) : `a ${typeof value}`}`,
  );
}

function jsonObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

function problemText(e: EngineError, instance: string): string {
  return JSON.stringify({
    type: 'about:blank',
    title: e.title,
    status: e.status,
    detail: e.message,
    instance,
    ...e.extra,
  });
}

const CHALLENGE = 'Basic realm="engine"';

const unauthorized = () =>
  new EngineError(401, 'UNAUTHORIZED', 'The engine API requires the engine credentials (basic auth)');
/** RESOURCE_EXHAUSTED, Camunda's title for 429: the SDK backs off and retries, as it should if its own address was caught. */
const throttled = (seconds: number) =>
  new EngineError(
    429,
    'RESOURCE_EXHAUSTED',
    `Too many failed authentications from this address; credentials are not checked from it for ${seconds} seconds`,
  );

/** A call that only reads what the database holds: any process can answer it. */
function isRead(method: string, path: string): boolean {
  if (method === 'GET') return path !== '/topology';
  return method === 'POST' && (path.endsWith('/search') || path.endsWith('/statistics/element-instances'));
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-connection',
]);

/**
 * Passes a call on to the engine's process and its answer back. The body goes as a stream (deployments are
 * multipart); the caller going away aborts the call there too (a job worker's long poll ends as it would if it
 * had been made there). The engine's process not answering is a 503 the SDK retries.
 */
async function forward(base: string, req: Request, res: Response): Promise<void> {
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let answer: globalThis.Response;
  try {
    answer = await fetch(`${base}/v2${req.url}`, {
      method: req.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
      signal: aborted.signal,
    });
  } catch (error) {
    if (aborted.signal.aborted) return;
    throw new EngineError(
      503,
      'RESOURCE_EXHAUSTED',
      `The engine's process does not answer (it may be restarting); retry shortly (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`,
    );
  }
  res.status(answer.status);
  answer.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'content-length' && name !== 'content-encoding') res.append(name, value);
  });
  if (!answer.body) {
    res.end();
    return;
  }
  try {
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch (error) {
    if (!aborted.signal.aborted) res.destroy(error as Error);
  }
}

function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof SearchError) return invalidArgument(error.message);
  const e = error as { type?: string; code?: string; message?: string };
  if (e?.type === 'entity.parse.failed') return invalidArgument('The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new EngineError(413, 'INVALID_ARGUMENT', 'The request body is too large');
  if (e?.code === 'LIMIT_FILE_SIZE') return invalidArgument(`A resource is larger than ${MAX_RESOURCE_BYTES} bytes`);
  if (e?.code?.startsWith('LIMIT_')) return invalidArgument(`Invalid upload: ${e.message}`);
  if (e?.code === '22P02' || e?.code === '22003') return invalidArgument(`Invalid value: ${e.message}`);
  // Overload: no database connection free in time. RESOURCE_EXHAUSTED makes the SDK back off and retry.
  if (/timeout exceeded when trying to connect/.test(e?.message ?? '')) {
    return new EngineError(
      503,
      'RESOURCE_EXHAUSTED',
      'The engine is busy (no database connection free); retry shortly',
    );
  }
  if (e?.code === '40P01')
    return new EngineError(503, 'RESOURCE_EXHAUSTED', 'A concurrent change got in the way; retry');
  // The database is away (stopped, restarting, unreachable): the engine cannot serve, but nothing is wrong with the
  // request. RESOURCE_EXHAUSTED makes the SDK's workers back off instead of polling again at once, and keeps an
  // outage from writing an error line per poll.
  if (databaseUnreachable(e))
    return new EngineError(
      503,
      'RESOURCE_EXHAUSTED',
      `The engine cannot reach its database; retry shortly (${e?.message ?? ''})`,
    );
  return new EngineError(500, 'INTERNAL', `Unexpected error: ${e?.message ?? String(error)}`);
}

function databaseUnreachable(e: { code?: string; message?: string } | undefined): boolean {
  if (!e) return false;
  if (
    e.code &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03'].includes(e.code)
  )
    return true;
  if (e.code?.startsWith('08')) return true;
  return /Connection terminated|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    e.message ?? '',
  );
}

/** Whether an Authorization header carries the engine's credentials (compared in constant time). */
function basicAuth(credentials: { username: string; password: string }): (header: string | undefined) => boolean {
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
  );
  return (header) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

function text(v: unknown, name: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidArgument(`Expected ${name} to be a string`);
}

function optString(v: unknown): string | undefined {
  const s = text(v, 'value');
  return s === '' ? undefined : s;
}

/** int64 fields arrive as JSON numbers or, from the SDK's strict mode, as numeric strings. */
function optNumber(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidArgument(`Expected ${name} to be a number, but was ${JSON.stringify(v)}`);
  return n;
}

/** One element of an ad-hoc activation: its id and its variables. */
function adHocElement(e: unknown, i: number): { elementId: string; variables: Record<string, unknown> } {
  const element = (typeof e === 'object' && e !== null ? e : {}) as { elementId?: unknown; variables?: unknown };
  const elementId = text(element.elementId, `elements[${i}].elementId`);
  if (!elementId) throw invalidArgument(`No elements[${i}].elementId provided`);
  return { elementId, variables: vars(element.variables) };
}

function vars(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidArgument('Expected variables to be a JSON object');
  return v as Record<string, unknown>;
}
