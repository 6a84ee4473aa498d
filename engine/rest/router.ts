/**
 * Camunda 8.8's Orchestration Cluster REST API (/v2), the subset the project and the SDK use, over the embedded
 * engine. Shapes, status codes and problem details follow Camunda so @camunda8/sdk works unchanged, with its
 * strict validation on. Every call needs the engine's credentials (basic auth): only the app and its workers
 * hold them.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { EmbeddedEngine } from '../engine';
import { EngineError, invalidArgument } from '../errors';
import { AuthThrottle, type AuthThrottleOptions } from './auth-throttle';
import {
  CHALLENGE,
  JSON_TYPE,
  MAX_BODY_BYTES,
  MAX_RESOURCE_BYTES,
  PROBLEM_TYPE,
  UNDER_TEST,
  adHocElement,
  answer,
  assertPlainJson,
  basicAuth,
  forward,
  isRead,
  jsonObject,
  optNumber,
  optString,
  parseBody,
  problemText,
  text,
  throttled,
  toEngineError,
  unauthorized,
  vars,
} from './http';

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

export { assertPlainJson } from './http';
