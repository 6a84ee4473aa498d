/**
 * APP_PROCESSES > 1: several processes answer on one port (node:cluster; the primary hands out the connections).
 * One JavaScript thread per process: on a machine with more cores than one, reads no longer queue behind each other
 * on a single thread.
 *
 * The primary only supervises: it starts the lead (the process that runs everything one process would: migrations,
 * the embedded engine, the workers, the start-up tasks), then the replicas once the lead answers; it starts again
 * any process that dies, and stops them all on SIGTERM/SIGINT. A replica with the embedded engine answers the
 * engine's reads from the database itself and passes its commands to the lead on 127.0.0.1 (a port of the lead's
 * own); with ENGINE=camunda every process reaches the cluster itself. /metrics in any process answers for all of
 * them (prom-client's AggregatorRegistry, asked through the primary).
 */
import cluster, { type Worker } from 'node:cluster';
import { freePort } from './free-port';
import { AggregatorRegistry } from 'prom-client';
import { METRICS, METRICS_PART } from '../platform/metrics';
import type { Config } from '../platform/config';
import { createLogger, type Logger } from '../platform/logger';
import type { ProcessRole } from './server';

const ROLE = 'PETITION_PROCESS_ROLE';
const INTERNAL_PORT = 'PETITION_INTERNAL_PORT';
const LEAD_URL = 'PETITION_LEAD_URL';
/** The message a process sends the primary once it answers requests. */
export const STARTED = 'petition:started';

/** A process of the cluster stopped before it answered (it printed why): the start fails. */
export class ClusterStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterStartError';
  }
}

/** In a process the primary started: the part it plays (undefined in a process of its own). */
export function roleOfThisProcess(): ProcessRole | undefined {
  if (!cluster.isWorker) return undefined;
  if (process.env[ROLE] === 'replica') return { kind: 'replica', leadUrl: process.env[LEAD_URL] ?? '' };
  const port = process.env[INTERNAL_PORT];
  return { kind: 'lead', ...(port ? { internalPort: Number(port) } : {}) };
}

/** Runs the primary until SIGTERM/SIGINT; resolves once the lead and every replica answer. */
export async function runCluster(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL).child({ process: 'primary' });
  const internalPort = config.ENGINE === 'embedded' ? await freePort() : undefined;
  const env: Record<string, Record<string, string>> = {
    lead: { [ROLE]: 'lead', ...(internalPort ? { [INTERNAL_PORT]: String(internalPort) } : {}) },
    replica: { [ROLE]: 'replica', ...(internalPort ? { [LEAD_URL]: `http://127.0.0.1:${internalPort}` } : {}) },
  };
  const roles = new Map<Worker, 'lead' | 'replica'>();
  const startedAt = new Map<Worker, number>();
  const failures = { lead: 0, replica: 0 };
  let stopping = false;

  const fork = (kind: 'lead' | 'replica'): Promise<void> => {
    const worker = cluster.fork(env[kind]);
    roles.set(worker, kind);
    return new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) =>
        reject(new ClusterStartError(`the ${kind} process exited (${signal ?? code}) before it answered`));
      worker.once('exit', onExit);
      worker.on('message', (message: { type?: string }) => {
        if (message?.type !== STARTED) return;
        worker.off('exit', onExit);
        startedAt.set(worker, Date.now());
        resolve();
      });
    });
  };

  answerMetrics(log, startedAt);

  try {
    await fork('lead');
    await Promise.all(Array.from({ length: config.APP_PROCESSES - 1 }, () => fork('replica')));
  } catch (error) {
    // The process that failed printed why; the others are stopped and the start fails, as a single process's would.
    stopping = true;
    stopAll('SIGTERM');
    await whenAllExited();
    throw error;
  }
  log.info({ processes: config.APP_PROCESSES }, 'all processes answer');

  // A process that dies is started again (the lead takes the engine's lock again once the dead one's connection is
  // gone); one that keeps dying soon after its start waits longer each time, up to 30 s.
  cluster.on('exit', (worker, code, signal) => {
    const kind = roles.get(worker);
    roles.delete(worker);
    const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
    startedAt.delete(worker);
    if (stopping || !kind) return;
    failures[kind] = lived > 60_000 ? 1 : failures[kind] + 1;
    const delay = Math.min(30_000, 500 * 2 ** (failures[kind] - 1));
    log.error(
      { role: kind, pid: worker.process.pid, code, signal, restartInMs: delay },
      'a process died; starting it again',
    );
    setTimeout(() => {
      if (stopping) return;
      fork(kind).then(
        () => log.info({ role: kind }, 'process started again'),
        (error: unknown) => log.error({ role: kind, err: error }, 'process did not start'),
      );
    }, delay);
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    stopAll('SIGTERM');
    const force = setTimeout(() => stopAll('SIGKILL'), 30_000);
    void whenAllExited().then(() => {
      clearTimeout(force);
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * Every process's metrics, for whichever process was asked for /metrics: each process that has started gives its own
 * (one still starting is not waited for), and they are added up.
 */
function answerMetrics(log: Logger, startedAt: Map<Worker, number>): void {
  let lastGather = 0;
  const gathering = new Map<number, (worker: Worker, metrics: unknown[]) => void>();
  cluster.on('message', (worker, message: { type?: string; id?: number; metrics?: unknown[] }) => {
    if (message?.type === METRICS_PART && message.id !== undefined)
      gathering.get(message.id)?.(worker, message.metrics ?? []);
    if (message?.type !== METRICS) return;
    const id = ++lastGather;
    const asked = [...startedAt.keys()].filter((w) => w.isConnected());
    const parts = new Map<Worker, unknown[]>();
    const answer = () => {
      clearTimeout(timer);
      gathering.delete(id);
      const missing = asked.filter((w) => !parts.has(w));
      if (missing.length > 0)
        log.warn(
          { pids: missing.map((w) => w.process.pid) },
          'processes left out of the metrics: no answer within 2 s',
        );
      AggregatorRegistry.aggregate([...parts.values()] as Parameters<typeof AggregatorRegistry.aggregate>[0])
        .metrics()
        .then(
          (text) => worker.send({ type: METRICS, id: message.id, text }),
          (error: unknown) =>
            worker.send({
              type: METRICS,
              id: message.id,
              error: error instanceof Error ? error.message : String(error),
            }),
        );
    };
    const timer = setTimeout(answer, 2000);
    gathering.set(id, (from, metrics) => {
      parts.set(from, metrics);
      if (parts.size === asked.length) answer();
    });
    for (const w of asked) w.send({ type: METRICS_PART, id });
  });
}

function stopAll(signal: NodeJS.Signals): void {
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
}

function whenAllExited(): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 50));
    check();
  });
}
