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

export interface RouterOptions {
  engine: EmbeddedEngine;
  credentials: { username: string; password: string };
  /** Version string reported by the topology. */
  version?: string;
  /** Told about unexpected (500) errors, to log them. */
  onError?: (error: unknown, req: Request) => void;
  /**
   * Set in a process that does not run the engine (`engine` is then not started, only read): reads (GET, and POST
   * …/search) are answered here from the database, and every other call, the topology included, is passed on to the
   * engine's own /v2 at this address, with its answer passed back as it came.
   */
  forwardTo?: string;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

const MAX_RESOURCE_BYTES = 4 * 1024 * 1024;

export function engineRouter({ engine, credentials, version = '8.8.0-embedded', onError, forwardTo }: RouterOptions): Router {
  const router = Router();
  router.use(basicAuth(credentials));
  if (forwardTo) router.use((req, res, next) => (isRead(req) ? next() : forward(forwardTo, req, res).catch(next)));
  router.use(express.json({ limit: '4mb' }));
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_RESOURCE_BYTES, files: 100 } });

  const ok = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).then((body) => {
      if (res.headersSent) return;
      if (body === undefined) res.status(204).type('application/json').end();
      // Written as the text it is: Express's json() would turn an answer of 1,000 characters or more into a Buffer
      // first (a copy of every search answer, which the app's in-process client then turns back into text).
      else res.status(200).type('application/json').end(JSON.stringify(body));
    }, next);
  };
  const key = (req: Request, name: string) => {
    const value = String(req.params[name]);
    if (!/^-?[0-9]{1,25}$/.test(value)) throw invalidArgument(`Expected ${name} to be a numeric key, but was '${value}'`);
    return value;
  };
  const body = (req: Request) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

  router.get(
    '/topology',
    ok(() => Promise.resolve({
      brokers: [{ nodeId: 0, host: 'embedded', port: 0, partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }], version }],
      clusterSize: 1,
      partitionsCount: 1,
      replicationFactor: 1,
      gatewayVersion: version,
      lastCompletedChangeId: '-1',
    })),
  );

  router.post(
    '/deployments',
    (req, res, next) => upload.array('resources')(req, res, (err: unknown) => next(err)),
    ok(async (req) => {
      const files = (req.files as Express.Multer.File[] | undefined) ?? [];
      return engine.deploy(files.map((f) => ({ name: f.originalname, content: f.buffer })));
    }),
  );

  router.post(
    '/decision-definitions/evaluation',
    ok((req) => {
      const b = body(req);
      return engine.evaluateDecision({
        decisionDefinitionId: optString(b.decisionDefinitionId),
        decisionDefinitionKey: optString(b.decisionDefinitionKey),
        variables: vars(b.variables),
      });
    }),
  );
  router.post('/process-definitions/search', ok((req) => engine.searchProcessDefinitions(body(req))));
  router.get('/process-definitions/:key', ok((req) => engine.getProcessDefinition(key(req, 'key'))));
  router.get(
    '/process-definitions/:key/xml',
    ok(async (req, res) => {
      const xml = await engine.getProcessDefinitionXml(key(req, 'key'));
      res.status(200).type('text/xml').send(xml);
    }),
  );

  router.post(
    '/process-instances',
    ok((req) => {
      const b = body(req);
      return engine.createProcessInstance({
        processDefinitionId: optString(b.processDefinitionId),
        processDefinitionKey: optString(b.processDefinitionKey),
        processDefinitionVersion: optNumber(b.processDefinitionVersion, 'processDefinitionVersion'),
        variables: b.variables as Record<string, unknown> | undefined,
        awaitCompletion: b.awaitCompletion === true,
        requestTimeout: optNumber(b.requestTimeout, 'requestTimeout'),
        fetchVariables: Array.isArray(b.fetchVariables) ? b.fetchVariables.map(String) : undefined,
      });
    }),
  );
  router.post('/process-instances/search', ok((req) => engine.searchProcessInstances(body(req))));
  router.get('/process-instances/:key', ok((req) => engine.getProcessInstance(key(req, 'key'))));
  router.get('/process-instances/:key/sequence-flows', ok((req) => engine.getSequenceFlows(key(req, 'key'))));
  router.post('/process-instances/:key/cancellation', ok((req) => engine.cancelProcessInstance(key(req, 'key'))));
  router.post('/element-instances/search', ok((req) => engine.searchElementInstances(body(req))));
  router.put('/element-instances/:key/variables', ok((req) => engine.setVariables(key(req, 'key'), vars(body(req).variables))));

  router.post(
    '/jobs/activation',
    ok(async (req, res) => {
      const b = body(req);
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      const result = await engine.activateJobs(
        {
          type: text(b.type, 'type'),
          worker: optString(b.worker),
          timeout: optNumber(b.timeout, 'timeout') ?? 0,
          maxJobsToActivate: optNumber(b.maxJobsToActivate, 'maxJobsToActivate') ?? 0,
          requestTimeout: optNumber(b.requestTimeout, 'requestTimeout'),
          fetchVariable: Array.isArray(b.fetchVariable) ? b.fetchVariable.map(String) : undefined,
        },
        abort.signal,
      );
      if (abort.signal.aborted) {
        // The worker stopped waiting: nobody will receive these jobs, so they must not wait for their timeout.
        await engine.returnJobs(result.jobs.map((j) => j.jobKey));
        return undefined;
      }
      return result;
    }),
  );
  router.post('/jobs/:key/completion', ok((req) => engine.completeJob(key(req, 'key'), vars(body(req).variables))));
  router.post(
    '/jobs/:key/failure',
    ok((req) => {
      const b = body(req);
      return engine.failJob(key(req, 'key'), {
        retries: optNumber(b.retries, 'retries'),
        errorMessage: optString(b.errorMessage),
        retryBackOff: optNumber(b.retryBackOff, 'retryBackOff'),
        variables: vars(b.variables),
      });
    }),
  );
  router.post(
    '/jobs/:key/error',
    ok((req) => {
      const b = body(req);
      return engine.throwJobError(key(req, 'key'), {
        errorCode: text(b.errorCode, 'errorCode'),
        errorMessage: optString(b.errorMessage),
        variables: vars(b.variables),
      });
    }),
  );
  router.patch(
    '/jobs/:key',
    ok((req) => {
      const changeset = (body(req).changeset ?? {}) as Record<string, unknown>;
      return engine.updateJob(key(req, 'key'), {
        retries: optNumber(changeset.retries, 'changeset.retries'),
        timeout: optNumber(changeset.timeout, 'changeset.timeout'),
      });
    }),
  );

  router.post('/user-tasks/search', ok((req) => engine.searchUserTasks(body(req))));
  router.get('/user-tasks/:key', ok((req) => engine.getUserTask(key(req, 'key'))));
  router.get(
    '/user-tasks/:key/form',
    ok(async (req) => (await engine.getUserTaskForm(key(req, 'key'))) ?? undefined),
  );
  router.post(
    '/user-tasks/:key/assignment',
    ok((req) => {
      const b = body(req);
      return engine.assignUserTask(key(req, 'key'), {
        assignee: text(b.assignee, 'assignee'),
        allowOverride: typeof b.allowOverride === 'boolean' ? b.allowOverride : undefined,
      });
    }),
  );
  router.delete('/user-tasks/:key/assignee', ok((req) => engine.unassignUserTask(key(req, 'key'))));
  router.patch(
    '/user-tasks/:key',
    ok((req) => {
      const c = (body(req).changeset ?? {}) as Record<string, unknown>;
      return engine.updateUserTask(key(req, 'key'), {
        dueDate: c.dueDate as string | null | undefined,
        followUpDate: c.followUpDate as string | null | undefined,
        candidateGroups: Array.isArray(c.candidateGroups) ? c.candidateGroups.map(String) : undefined,
        candidateUsers: Array.isArray(c.candidateUsers) ? c.candidateUsers.map(String) : undefined,
        priority: optNumber(c.priority, 'changeset.priority'),
      });
    }),
  );
  router.post('/user-tasks/:key/completion', ok((req) => engine.completeUserTask(key(req, 'key'), vars(body(req).variables))));

  router.post(
    '/messages/publication',
    ok(async (req) => {
      const b = body(req);
      const { tenantId, messageKey } = await engine.publishMessage({
        name: text(b.name, 'name'),
        correlationKey: optString(b.correlationKey),
        timeToLive: optNumber(b.timeToLive, 'timeToLive'),
        messageId: optString(b.messageId),
        variables: vars(b.variables),
      });
      return { tenantId, messageKey };
    }),
  );
  router.post(
    '/messages/correlation',
    ok((req) => {
      const b = body(req);
      return engine.correlateMessage({ name: text(b.name, 'name'), correlationKey: optString(b.correlationKey), variables: vars(b.variables) });
    }),
  );

  router.post('/incidents/search', ok((req) => engine.searchIncidents(body(req))));
  router.post('/incidents/:key/resolution', ok((req) => engine.resolveIncident(key(req, 'key'))));
  router.post('/variables/search', ok((req) => engine.searchVariables(body(req))));

  router.put(
    '/clock',
    ok((req) => {
      const timestamp = optNumber(body(req).timestamp, 'timestamp');
      if (timestamp === undefined || timestamp < 0) throw invalidArgument('Expected a timestamp in epoch milliseconds');
      return engine.pinClock(timestamp);
    }),
  );
  router.post('/clock/reset', ok(() => engine.resetClock()));

  router.use((req, _res, next) => next(new EngineError(404, 'NOT_FOUND', `No such endpoint: ${req.method} /v2${req.path}`)));
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toEngineError(error);
    if (e.status >= 500 && e.title !== 'RESOURCE_EXHAUSTED') onError?.(error, req);
    res
      .status(e.status)
      .type('application/problem+json')
      .json({ type: 'about:blank', title: e.title, status: e.status, detail: e.message, instance: req.originalUrl, ...e.extra });
  });
  return router;
}

/** A call that only reads what the database holds: any process can answer it. */
function isRead(req: Request): boolean {
  if (req.method === 'GET') return req.path !== '/topology';
  return req.method === 'POST' && req.path.endsWith('/search');
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'te', 'trailer', 'proxy-authorization', 'proxy-connection']);

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
    throw new EngineError(503, 'RESOURCE_EXHAUSTED', `The engine's process does not answer (it may be restarting); retry shortly (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`);
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
    return new EngineError(503, 'RESOURCE_EXHAUSTED', 'The engine is busy (no database connection free); retry shortly');
  }
  if (e?.code === '40P01') return new EngineError(503, 'RESOURCE_EXHAUSTED', 'A concurrent change got in the way; retry');
  // The database is away (stopped, restarting, unreachable): the engine cannot serve, but nothing is wrong with the
  // request. RESOURCE_EXHAUSTED makes the SDK's workers back off instead of polling again at once, and keeps an
  // outage from writing an error line per poll.
  if (databaseUnreachable(e)) return new EngineError(503, 'RESOURCE_EXHAUSTED', `The engine cannot reach its database; retry shortly (${e?.message ?? ''})`);
  return new EngineError(500, 'INTERNAL', `Unexpected error: ${e?.message ?? String(error)}`);
}

function databaseUnreachable(e: { code?: string; message?: string } | undefined): boolean {
  if (!e) return false;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03'].includes(e.code)) return true;
  if (e.code?.startsWith('08')) return true;
  return /Connection terminated|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(e.message ?? '');
}

function basicAuth(credentials: { username: string; password: string }) {
  const expected = Buffer.from(`Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`);
  return (req: Request, res: Response, next: NextFunction) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res
      .status(401)
      .setHeader('WWW-Authenticate', 'Basic realm="engine"')
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: 'UNAUTHORIZED',
        status: 401,
        detail: 'The engine API requires the engine credentials (basic auth)',
        instance: req.originalUrl,
      });
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

function vars(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidArgument('Expected variables to be a JSON object');
  return v as Record<string, unknown>;
}
