/**
 * The composition root: configuration, database, demo seed, HTTP server. The only place that mounts the
 * embedded engine's router; everything else reaches the engine over HTTP through the Camunda SDK.
 */
import { lintModelOffThread } from './lint-thread';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../platform/config';
import { resolveSecrets, type Secrets } from '../platform/secrets';
import { openDatabase, type Database } from '../platform/data-source';
import { createLogger, type Logger } from '../platform/logger';
import { createApp } from './http/app';
import { seedDemoCommunity, type DemoLogin } from './seed';
import { EmbeddedEngine, engineApi } from '../engine';
import { createEngineClient, type EngineClient } from '../platform/engine-client';
import { isInProcessRequest, type DirectRoutes } from '../platform/in-process-fetch';
import { countAnswer } from '../platform/metrics';
import { acquireEngineLock } from './data/engine-lock';
import { deployModels } from '../domain/deploy-models';
import { startWorkers } from '../workers';
import { apiRouter, startCaseStarter, startNoticeWatcher, type ApiDeps } from '../api';
import { instanceParents } from '../api/deps';
import { piiCipher } from '../platform/pii';
import { webRouter } from './http/web';
import { ensureCalendar } from '../domain/calendar-data';
import { workerDeps } from './worker-deps';

export interface RunningServer {
  url: string;
  port: number;
  config: Config;
  secrets: Secrets;
  database: Database;
  log: Logger;
  /** The SDK client every part of the app uses to reach the engine (embedded or Camunda). */
  engineClient: EngineClient;
  /** The embedded engine, when ENGINE=embedded (for the composition root and engine tests only). */
  engine?: EmbeddedEngine;
  /** Logins created by the demo seed at this start (empty when the database already had users). */
  demoLogins: DemoLogin[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Environment to read the configuration from (process.env by default). */
  env?: Record<string, string | undefined>;
  /** The part this process plays when several answer on one port (APP_PROCESSES > 1, see cluster.ts); alone, the lead. */
  role?: ProcessRole;
}

/**
 * lead: runs everything a single process runs (migrations, demo seed, the embedded engine, the workers, model
 * deployment, the case starter); with `internalPort` it also answers on 127.0.0.1 at that port, where the others
 * pass on the engine calls they do not answer themselves. replica: answers requests only; with the embedded engine
 * it reads from the database and passes commands to the lead at `leadUrl`.
 */
export type ProcessRole = { kind: 'lead'; internalPort?: number } | { kind: 'replica'; leadUrl: string };

export async function start(options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(options.env ?? process.env);
  const role: ProcessRole = options.role ?? { kind: 'lead' };
  const lead = role.kind === 'lead';
  const log = createLogger(config.LOG_LEVEL).child(role.kind === 'replica' ? { process: 'replica' } : {});
  const secrets = resolveSecrets(config);
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    // A replica starts once the lead has migrated.
    migrate: lead,
  });
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  try {
    const demoLogins = config.DEMO_SEED && lead ? await seedDemoCommunity(database.db) : [];
    // Working days: the years chinese-days knows; an admin adds later years (an admin's year is never overwritten).
    if (lead) await ensureCalendar(database.db);
    const { engine, engineDirect, quietMounts } = await mountEngine(config, role, database, secrets, log, cleanups);
    const engineRef: { client?: EngineClient } = {};
    const clock = engine;
    const businessNow = clock ? () => clock.now() : () => new Date();
    const apiDeps = apiDepsOf(config, secrets, database, log, engineRef, businessNow);
    const app = createApp({
      log,
      readiness: [
        { name: 'database', check: async () => void (await database.db.query('SELECT 1')) },
        { name: 'engine', check: async () => void (await engineRef.client!.getTopology()) },
      ],
      mounts: [
        { path: '/api', router: apiRouter(apiDeps) },
        { path: '/', router: webRouter() },
      ],
      quietMounts,
      metricsToken: config.METRICS_TOKEN,
    });
    const { port, url } = await listenAll(app, config, role, cleanups);
    // With PORT=0 (a free port) and no PUBLIC_URL, the default public address is only known now.
    const settled: Config =
      config.PUBLIC_URL === 'http://localhost:0' ? { ...config, PUBLIC_URL: `http://localhost:${port}` } : config;
    apiDeps.publicUrl = settled.PUBLIC_URL;
    // In embedded mode the app reaches its own /v2 in process, through the same HTTP handler (no loopback socket).
    const engineClient = (engineRef.client = createEngineClient(
      config,
      secrets,
      url,
      config.ENGINE === 'embedded' ? { dispatch: app, direct: engineDirect } : undefined,
    ).client);
    if (lead) await startLeadWork(settled, secrets, database, log, engineClient, apiDeps, cleanups);
    log.info({ url, database: database.description, engine: config.ENGINE, role: role.kind }, 'server started');
    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      config,
      secrets,
      database,
      log,
      engineClient,
      engine,
      demoLogins,
      stop: () => (stopped ??= runAll(cleanups)),
    };
  } catch (error) {
    await runAll(cleanups).catch(() => undefined);
    throw error;
  }
}

type Cleanups = Array<() => Promise<void>>;
type Mounts = Parameters<typeof createApp>[0]['mounts'];

/**
 * The embedded engine and its /v2 API (nothing with ENGINE=camunda): the lead runs it, holding the engine's lock on
 * PostgreSQL; a replica reads from the database as the lead's engine would answer, and passes commands to the lead.
 */
async function mountEngine(
  config: Config,
  role: ProcessRole,
  database: Database,
  secrets: Secrets,
  log: Logger,
  cleanups: Cleanups,
): Promise<{ engine?: EmbeddedEngine; engineDirect?: DirectRoutes; quietMounts: Mounts }> {
  if (config.ENGINE !== 'embedded') return { quietMounts: [] };
  let engine: EmbeddedEngine;
  if (role.kind === 'replica') {
    engine = new EmbeddedEngine({ db: database.db });
    await engine.startReading();
  } else {
    if (config.DATABASE_URL) cleanups.push(await engineLock(config.DATABASE_URL, log));
    engine = new EmbeddedEngine({
      db: database.db,
      stepThread: config.ENGINE_STEP_THREAD,
      stepBudgetMs: config.ENGINE_STEP_BUDGET_MS,
      onError: (err) => log.error({ err }, 'engine background task failed'),
    });
    await engine.start();
    const started = engine;
    cleanups.unshift(() => Promise.resolve(started.stop()));
  }
  const api = engineApi({
    engine,
    credentials: { username: config.ENGINE_API_USERNAME, password: secrets.engineApiPassword },
    onError: (err, call) => log.error({ err, method: call.method, path: call.path }, 'engine request failed'),
    onAnswer: countAnswer,
    inProcess: isInProcessRequest,
    ...(role.kind === 'replica' ? { forwardTo: role.leadUrl } : {}),
  });
  return {
    engine,
    engineDirect: { prefix: '/v2', handler: api.direct },
    quietMounts: [{ path: '/v2', router: api.router }],
  };
}

/** The engine's lock on PostgreSQL (one engine per database), its loss and retaking logged; answers its release. */
function engineLock(databaseUrl: string, log: Logger): Promise<() => Promise<void>> {
  return acquireEngineLock(databaseUrl, {
    onLost: (err) =>
      log.warn(
        { err: err.message },
        'engine lock lost with its database connection; taking it again once the database answers',
      ),
    onRetaken: () => log.info('engine lock taken again'),
    onTakenByOther: (holder) =>
      log.error(
        { holder },
        'another process took the engine lock while the database was away: two engines may run on one database; stop one',
      ),
  });
}

/** What the routes are given: the database, the engine client once it exists, the cipher, the clock, the settings. */
function apiDepsOf(
  config: Config,
  secrets: Secrets,
  database: Database,
  log: Logger,
  engineRef: { client?: EngineClient },
  businessNow: () => Date,
): ApiDeps {
  return {
    db: database.db,
    engine: () => {
      if (!engineRef.client) throw new Error('the engine client is not ready yet');
      return engineRef.client;
    },
    pii: piiCipher(secrets.piiKey),
    log: log.child({ part: 'api' }),
    now: businessNow,
    secureCookies: config.PUBLIC_URL.startsWith('https:'),
    timeZone: config.BUSINESS_TIMEZONE,
    publicUrl: config.PUBLIC_URL,
    dataDir: config.DATA_DIR,
    maxRequestsInFlight: config.MAX_REQUESTS_IN_FLIGHT,
    instanceParents: instanceParents(),
    lintModel: lintModelOffThread,
  };
}

/** The app on its port (and a lead's internal port in a cluster); answers the port and the address it prints. */
async function listenAll(
  app: ReturnType<typeof createApp>,
  config: Config,
  role: ProcessRole,
  cleanups: Cleanups,
): Promise<{ port: number; url: string }> {
  const server = createServer(app);
  await listen(server, config.PORT, config.HOST);
  cleanups.unshift(() => close(server));
  if (role.kind === 'lead' && role.internalPort !== undefined) {
    // Only this process's own: the other processes of the cluster reach this one here (not through the shared port).
    const internal = createServer(app);
    await listen(internal, role.internalPort, '127.0.0.1', true);
    cleanups.unshift(() => close(internal));
  }
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${port}`,
  };
}

/** What only the lead does once the engine answers: deploy the models, run the workers, start waiting cases, watch. */
async function startLeadWork(
  config: Config,
  secrets: Secrets,
  database: Database,
  log: Logger,
  engineClient: EngineClient,
  apiDeps: ApiDeps,
  cleanups: Cleanups,
): Promise<void> {
  if (config.DEPLOY_MODELS) {
    const deployed = await deployModels(engineClient, database.db);
    log.info({ processes: deployed }, 'models deployed');
  }
  if (config.WORKERS_IN_APP) {
    const workers = startWorkers(
      engineClient,
      workerDeps(config, secrets, database, log, engineClient, () => apiDeps.now()),
    );
    cleanups.unshift(() => workers.stop());
  }
  // Cases saved while the engine was away (or before a crash) get their process as soon as it answers.
  const starter = startCaseStarter(apiDeps);
  cleanups.unshift(() => Promise.resolve(starter.stop()));
  // Tasks waiting in a group's queue and incidents are told to the people who act on them.
  const watcher = startNoticeWatcher(apiDeps);
  cleanups.unshift(() => Promise.resolve(watcher.stop()));
}

/** `exclusive`: in a cluster's process, a port of this process's own rather than the one all of them share. */
function listen(server: Server, port: number, host: string, exclusive = false): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

async function runAll(cleanups: Array<() => Promise<void>>): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}
