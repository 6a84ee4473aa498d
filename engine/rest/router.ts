/**
 * Camunda 8.8's Orchestration Cluster REST API (/v2), the subset the project and the SDK use, over the embedded
 * engine. Shapes, status codes and problem details follow Camunda so @camunda8/sdk works unchanged, with its
 * strict validation on. Every call needs the engine's credentials (basic auth): only the app and its workers
 * hold them.
 *
 * The routes are declared here, one function per family of resources; the table they go into, and the direct calls
 * over it, are in route-table.ts, the HTTP side in http.ts.
 */
import express, { Router, type Request } from 'express';
import multer from 'multer';
import type { EmbeddedEngine } from '../engine';
import { invalidArgument } from '../errors';
import { AuthThrottle, type AuthThrottleOptions } from './auth-throttle';
import {
  MAX_BODY_BYTES,
  MAX_RESOURCE_BYTES,
  adHocElement,
  answer,
  basicAuth,
  forward,
  isRead,
  key,
  noSuchEndpoint,
  optNumber,
  optString,
  problemHandler,
  requireCredentials,
  text,
  vars,
  xmlAnswer,
} from './http';
import { directCalls, jsonRoute, mountRoutes, type DirectCalls, type JsonRoute, type Routes } from './route-table';

export type { DirectAnswer, DirectRequest, EngineCall } from './route-table';

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

export interface EngineApi {
  /** The API as an Express router, mounted at /v2: what every HTTP client reaches. */
  router: Router;
  /**
   * The same API called in process, without Express: the handler for a method and path under /v2 when it is one of
   * the JSON routes (the same handlers, credentials check, body limits and problem details as the router's), or
   * undefined when only the router can answer it (uploads, XML, unknown paths, calls a replica forwards).
   */
  direct: DirectCalls;
}

// The searches and gets: each answer is built from the rows read for it (store/results.ts), so they are fresh.
const FRESH = true;

/** The API as an Express router (see {@link engineApi}). */
export function engineRouter(options: RouterOptions): Router {
  return engineApi(options).router;
}

/** The engine's /v2 API: its Express router and, over the same JSON routes, its direct calls in process. */
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
  router.use(requireCredentials(authorized, new AuthThrottle(authThrottle), inProcess));
  if (forwardTo)
    router.use((req, res, next) => (isRead(req.method, req.path) ? next() : forward(forwardTo, req, res).catch(next)));
  router.use(express.json({ limit: MAX_BODY_BYTES }));

  // The JSON routes, in the order Express matches them: both the router and direct calls take them from here.
  const routes: JsonRoute[] = [];
  const declare: Routes = {
    engine,
    router,
    route: (method, path, handle, fresh) => void routes.push(jsonRoute(method, path, handle, fresh)),
    version,
  };
  clusterRoutes(declare);
  definitionRoutes(declare);
  instanceRoutes(declare);
  jobRoutes(declare);
  userTaskRoutes(declare);
  messageRoutes(declare);
  incidentAndVariableRoutes(declare);
  licenseAndClockRoutes(declare);
  mountRoutes(router, routes);

  router.use(noSuchEndpoint);
  router.use(problemHandler(onError));
  return { router, direct: directCalls(routes, { authorized, forwardTo, onError, onAnswer }) };
}

/** The cluster's topology and status: one broker, one partition, healthy while it answers. */
function clusterRoutes({ route, version }: Routes): void {
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
}

/**
 * Deployments (an upload, through the router only), decisions (evaluated, searched, read, their XML), decision
 * requirements and process definitions (searched, read, their XML, start form, element statistics).
 */
function definitionRoutes({ engine, router, route }: Routes): void {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_RESOURCE_BYTES, files: 100 } });

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
    xmlAnswer((k) => engine.getDecisionDefinitionXml(k)),
  );
  route('post', '/decision-requirements/search', (c) => engine.searchDecisionRequirements(c.body), FRESH);
  route('get', '/decision-requirements/:key', (c) => engine.getDecisionRequirements(key(c.params)), FRESH);
  router.get(
    '/decision-requirements/:key/xml',
    xmlAnswer((k) => engine.getDecisionRequirementsXml(k)),
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
    xmlAnswer((k) => engine.getProcessDefinitionXml(k)),
  );
}

/** Process instances (created, searched, read, cancelled, their statistics, calls and incidents) and element instances. */
function instanceRoutes({ engine, route }: Routes): void {
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
}

/** Jobs: searched, activated (a long poll), completed, failed, a BPMN error thrown, retries and timeout updated. */
function jobRoutes({ engine, route }: Routes): void {
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
}

/** User tasks: searched, read with their variables and form, assigned, unassigned, updated, completed. */
function userTaskRoutes({ engine, route }: Routes): void {
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
}

/** Messages (published, correlated, their subscriptions searched) and signals (broadcast). */
function messageRoutes({ engine, route }: Routes): void {
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
}

/** Incidents (searched, read, resolved) and variables (searched, read). */
function incidentAndVariableRoutes({ engine, route }: Routes): void {
  route('post', '/incidents/search', (c) => engine.searchIncidents(c.body), FRESH);
  route('get', '/incidents/:key', (c) => engine.getIncident(key(c.params)), FRESH);
  route('post', '/incidents/:key/resolution', (c) => engine.resolveIncident(key(c.params)));
  route('post', '/variables/search', (c) => engine.searchVariables(c.body), FRESH);
  route('get', '/variables/:key', (c) => engine.getVariable(key(c.params)), FRESH);
}

/** The license answer and the engine's clock (pinned, reset). */
function licenseAndClockRoutes({ engine, route }: Routes): void {
  // What this engine is: not Camunda, without a Camunda license (see store/reads.ts, LICENSE).
  route('get', '/license', () => Promise.resolve(engine.getLicense()), FRESH);

  route('put', '/clock', (c) => {
    const timestamp = optNumber(c.body.timestamp, 'timestamp');
    if (timestamp === undefined || timestamp < 0) throw invalidArgument('Expected a timestamp in epoch milliseconds');
    return engine.pinClock(timestamp);
  });
  route('post', '/clock/reset', () => engine.resetClock());
}

export { assertPlainJson } from './http';
