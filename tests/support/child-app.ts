/**
 * The app (`tsx server/main.ts`) and the workers (`tsx server/workers-main.ts`) in child processes, for tests that kill
 * them or need more than one process; with `compiled`, the production build's JavaScript (dist/app, built by
 * `npm run build:app`) instead of the sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ChildApp {
  url: string;
  process: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/** node's arguments to run one of server/'s entries: through tsx from the sources, or compiled. */
function entry(name: 'main' | 'workers-main', compiled: boolean): string[] {
  return compiled
    ? [join(ROOT, 'dist', 'app', 'server', `${name}.js`)]
    : ['--import', 'tsx', join(ROOT, 'server', `${name}.ts`)];
}

/** `nodeArgs`: options for node itself (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). */
/**
 * What a child inherits from the test's environment: the path, the home, and the clock the tests run on (libfaketime's
 * variables, when the suite is run with the date moved, e.g. `faketime -f '+365d' npm test`), so that the app in a
 * child process reads the same date as the test that drives it.
 */
function inherited(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && (['PATH', 'HOME', 'LD_PRELOAD'].includes(e[0]) || e[0].startsWith('FAKETIME')),
    ),
  );
}

export async function spawnApp(
  env: Record<string, string>,
  timeoutMs = 60000,
  nodeArgs: string[] = [],
  { compiled = false } = {},
): Promise<ChildApp> {
  // One process (node with tsx's loader), so that a SIGKILL kills the app itself and nothing survives it.
  const child = spawn(process.execPath, [...nodeArgs, ...entry('main', compiled)], {
    cwd: ROOT,
    env: { ...inherited(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /(?:Open|地址)[^\n]*?(http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    output: () => output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** An app that died by itself (not by the test's SIGKILL) is a finding: its exit and its last output are printed. */
export function reportUnexpectedExit(app: ChildApp | undefined): void {
  if (
    app &&
    (app.process.exitCode !== null || (app.process.signalCode !== null && app.process.signalCode !== 'SIGKILL'))
  ) {
    console.log(
      `the app exited by itself (${app.process.exitCode ?? app.process.signalCode}):\n${app.output().slice(-8000)}`,
    );
  }
}

export interface ChildWorkers {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `npm run workers` in a child process (`tsx server/workers-main.ts`), resolved once they say they have started. */
export async function spawnWorkers(
  env: Record<string, string>,
  timeoutMs = 60000,
  { compiled = false } = {},
): Promise<ChildWorkers> {
  const child = spawn(process.execPath, entry('workers-main', compiled), {
    cwd: ROOT,
    // info level: "workers started" is how the start is seen
    env: { ...inherited(), ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the workers did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (output.includes('workers started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the workers exited with ${code}:\n${output}`));
    });
  });
  return {
    process: child,
    output: () => output,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Pins the clock of the embedded engine in a child app (and so its business clock) through `/v2/clock`, with the
 * engine credentials the child was started with (`ENGINE_API_USERNAME`, default `engine`; `ENGINE_API_PASSWORD`).
 */
export async function pinChildClock(app: ChildApp, env: Record<string, string>, timestamp: number): Promise<void> {
  const credentials = Buffer.from(`${env.ENGINE_API_USERNAME ?? 'engine'}:${env.ENGINE_API_PASSWORD}`).toString(
    'base64',
  );
  const res = await fetch(`${app.url}/v2/clock`, {
    method: 'PUT',
    headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/json' },
    body: JSON.stringify({ timestamp }),
  });
  if (!res.ok) throw new Error(`pinning the child's clock: ${res.status} ${await res.text()}`);
}
