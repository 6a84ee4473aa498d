/**
 * Model lint off the thread that answers requests. bpmnlint, the FEEL linter and the engine's parser are
 * synchronous work that grows with the model: a 0.9 MB model held the app's only JavaScript thread for seconds, and
 * `/healthz` and every other request waited behind it. Here the lint runs on a worker thread of its own, started
 * when first needed and kept for the next lint (loading the linters costs more than a small model's lint); it does
 * not keep the process alive while idle. The results are the same as `lintModel`'s (the thread calls it).
 * A thread that dies fails the lints it had in hand, and the next lint starts a new one.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelProblem } from './model-lint';

export interface LintRequest {
  id: number;
  name: string;
  content: string;
  options: { engine?: boolean };
}

export type LintReply = { id: number; problems: ModelProblem[] } | { id: number; error: string };

let worker: Worker | undefined;
let lastId = 0;
const pending = new Map<number, { resolve: (problems: ModelProblem[]) => void; reject: (error: Error) => void }>();

function thread(): Worker {
  if (worker) return worker;
  // Compiled (dist/app), the thread runs lint-worker.js; from the sources, a plain script that loads the TypeScript
  // with tsx, whatever runs this process (node with tsx, Jest, a script). None of this process's node options (a test
  // runner's loader) is passed on.
  const entry = __filename.endsWith('.js') ? 'lint-worker.js' : 'lint-worker.cjs';
  const started = new Worker(join(__dirname, entry), { execArgv: [] });
  started.unref();
  const fail = (error: Error) => {
    if (worker === started) worker = undefined;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(error);
    }
  };
  started.on('message', (reply: LintReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    if ('error' in reply) p.reject(new Error(`the model could not be linted: ${reply.error}`));
    else p.resolve(reply.problems);
  });
  started.on('error', (error) => fail(new Error(`the lint thread failed: ${error.message}`)));
  started.on('exit', (code) => fail(new Error(`the lint thread stopped (exit code ${code})`)));
  worker = started;
  return started;
}

/** `lintModel` on the lint thread: the same problems, without holding up this thread. */
export function lintModelOffThread(
  name: string,
  content: string,
  options: { engine?: boolean } = {},
): Promise<ModelProblem[]> {
  const w = thread();
  const id = ++lastId;
  return new Promise<ModelProblem[]>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // Referenced while a lint runs (a request waits for it), not while idle.
    w.ref();
    w.postMessage({ id, name, content, options } satisfies LintRequest);
  });
}

/** Ends the lint thread (the next lint starts a new one). */
export async function closeLintThread(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}
