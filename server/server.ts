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
import { apiRouter, startCaseStarter, type ApiDeps } from '../api';
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
    let engine: EmbeddedEngine | undefined;
    let engineDirect: DirectRoutes | undefined;
    const quietMounts: Parameters<typeof createApp>[0]['mounts'] = [];
    if (config.ENGINE === 'embedded') {
      if (role.kind === 'replica') {
        // Reads from the database as the lead's engine would answer them; commands go to the lead (see the router).
        engine = new EmbeddedEngine({ db: database.db });
        await engine.startReading();
      } else {
        if (config.DATABASE_URL) {
          const release = await acquireEngineLock(config.DATABASE_URL, {
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
          cleanups.push(release);
        }
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
      quietMounts.push({ path: '/v2', router: api.router });
      engineDirect = { prefix: '/v2', handler: api.direct };
    }
    const engineRef: { client?: EngineClient } = {};
    const clock = engine;
    const businessNow = clock ? () => clock.now() : () => new Date();
    const apiDeps: ApiDeps = {
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
    const url = `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${port}`;
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
    if (config.DEPLOY_MODELS && lead) {
      const deployed = await deployModels(engineClient, database.db);
      log.info({ processes: deployed }, 'models deployed');
    }
    if (config.WORKERS_IN_APP && lead) {
      const workers = startWorkers(
        engineClient,
        workerDeps(settled, secrets, database, log, engineClient, businessNow),
      );
      cleanups.unshift(() => workers.stop());
    }
    // Cases saved while the engine was away (or before a crash) get their process as soon as it answers.
    if (lead) {
      const starter = startCaseStarter(apiDeps);
      cleanups.unshift(() => Promise.resolve(starter.stop()));
    }
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
