/**
 * Steps on a worker thread of their own (`EngineOptions.stepThread`), so that a step that runs away (a model's loop
 * that never waits, a FEEL expression over millions of items) cannot hold up the thread that answers requests.
 *
 * The thread keeps the parsed models and decisions, each sent to it once; each step carries the instance's stored
 * state. Results are plain data (structured clone). A thread that dies fails the steps it was running (their
 * transactions roll back, an incident is not recorded) and is started again for the next step.
 *
 * Steps run on the thread one at a time, each within a budget (`budgetMs`): a step past it (a model's loop that never
 * waits, a FEEL expression over millions of items) would otherwise hold every other instance's steps for as long as it
 * runs. The thread is then ended, the step comes back as an incident on its own instance naming the element it was
 * at (the thread writes each element it enters into memory shared with this thread, readable while it is stuck),
 * and the next step starts a new thread. The thread's heap is bounded likewise: a step that runs it out of memory
 * is an incident too, instead of growing the app to gigabytes.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { incidentResult, type RunResult, type Action, type StoredRuntime, type Variables } from './types';
import type { StepRequest, Stepper } from './stepper';

export interface WireRequest {
  id: number;
  instanceKey: string;
  version: number;
  definitionKey: string;
  decisions: Array<[decisionId: string, resourceKey: string]>;
  /** Files the thread has not parsed yet: the model (by definition key) and decisions (by resource key). */
  resources: Array<{
    key: string;
    kind: 'process' | 'decision';
    name: string;
    content: string;
    /** a file may hold several */ processId?: string;
  }>;
  stored: StoredRuntime | undefined;
  /** The core's stored state of the instance (none when it starts now). */
  engine?: unknown;
  variables: Variables;
  action: Action;
  now: Date;
}

/** Besides its reply, the thread says when it takes a step up: `{ id, started: true }`. */
export type WireReply = { id: number; result: RunResult } | { id: number; error: { name: string; message: string } };

/** A step that the thread was ended for: past its time budget, or out of the thread's memory. */
type Overrun = { id: number; overrun: 'time' | 'memory'; elementId: string | undefined };

export interface ThreadStepperOptions {
  /** The longest one step may run on the thread (ms). */
  budgetMs?: number;
  /** The thread's old-generation heap (MB). */
  heapMb?: number;
}

export const DEFAULT_STEP_BUDGET_MS = 5000;

/**
 * The element a step is at, written by the thread and read here: an Int32 length, then that many bytes of UTF-8.
 * Element ids are XML ids (short); a longer one is cut.
 */
export const PROGRESS_BYTES = 1024;
export function readProgress(progress: SharedArrayBuffer): string | undefined {
  const length = Atomics.load(new Int32Array(progress, 0, 1), 0);
  return length > 0 ? Buffer.from(new Uint8Array(progress, 4, length)).toString('utf8') : undefined;
}

export class StepThreadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepThreadError';
  }
}

export class ThreadStepper implements Stepper {
  private worker: Worker | undefined;
  private progress = new SharedArrayBuffer(PROGRESS_BYTES);
  private readonly pending = new Map<
    number,
    { worker: Worker; start: () => void; resolve: (reply: WireReply | Overrun) => void; reject: (error: Error) => void }
  >();
  /** Resource keys the current thread has been sent. */
  private readonly sent = new Set<string>();
  private lastId = 0;
  private closed = false;
  /** Steps go to the thread one after another (see the top): the end of the queue. */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly budgetMs: number;
  private readonly heapMb: number;

  constructor(options: ThreadStepperOptions = {}) {
    this.budgetMs = options.budgetMs ?? DEFAULT_STEP_BUDGET_MS;
    // Room for the models and decisions it has parsed and one step's work.
    this.heapMb = options.heapMb ?? 256;
  }

  async step(request: StepRequest): Promise<RunResult> {
    const base = {
      instanceKey: request.instanceKey,
      version: request.version,
      definitionKey: request.definitionKey,
      decisions: [...request.decisions].map(([id, d]): [string, string] => [id, d.key]),
      stored: request.stored,
      variables: request.variables,
      action: request.action,
      now: request.now,
    };
    const reply = await this.send(
      { ...base, engine: request.stored ? await request.loadEngine() : undefined },
      request,
    );
    if ('overrun' in reply) return this.incident(request, reply);
    if ('error' in reply) throw new StepThreadError(`the step thread failed: ${reply.error.message}`);
    return reply.result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  /** The step stopped for its overrun, as an incident on its instance: nothing of it is kept. */
  private incident(request: StepRequest, overrun: Overrun): RunResult {
    const at = overrun.elementId ?? request.model.processId;
    const message =
      overrun.overrun === 'time'
        ? `The step at '${at}' ran longer than the engine allows one step (${this.budgetMs} ms, ENGINE_STEP_BUDGET_MS) and was stopped`
        : `The step at '${at}' used more memory than the engine allows its steps (${this.heapMb} MB) and was stopped`;
    return incidentResult(request.stored, request.variables, {
      elementId: at,
      errorType: 'UNKNOWN',
      message: `${message}; nothing of it was kept. Look for a loop that never waits or an expression over a very large list, fix the model, and resolve the incident.`,
    });
  }

  private send(message: Omit<WireRequest, 'id' | 'resources'>, request: StepRequest): Promise<WireReply | Overrun> {
    const turn = this.tail.then(() => this.sendNow(message, request));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async sendNow(
    message: Omit<WireRequest, 'id' | 'resources'>,
    request: StepRequest,
  ): Promise<WireReply | Overrun> {
    if (this.closed) throw new StepThreadError('the engine was stopped');
    const worker = this.thread();
    const wanted = [
      { key: request.definitionKey, kind: 'process' as const, processId: request.model.processId },
      ...message.decisions.map(([, key]) => ({ key, kind: 'decision' as const })),
    ].filter((r) => !this.sent.has(r.key));
    const resources = await Promise.all(wanted.map(async (r) => ({ ...r, ...(await request.loadResource(r.key)) })));
    // The thread may have been replaced while the files were read: send them to the one that runs now.
    if (worker !== this.worker) return this.sendNow(message, request);
    for (const r of resources) this.sent.add(r.key);
    const id = ++this.lastId;
    const progress = this.progress;
    return new Promise<WireReply | Overrun>((resolve, reject) => {
      let budget: NodeJS.Timeout | undefined;
      // The budget counts from when the thread takes the step up (a new thread first loads its code and the model).
      const start = () => {
        budget = setTimeout(() => {
          // Still running: the thread is stuck in this step. The step is answered first, so that the thread's end
          // does not fail it as well.
          if (!this.pending.delete(id)) return;
          resolve({ id, overrun: 'time', elementId: readProgress(progress) });
          this.retire(worker);
        }, this.budgetMs);
      };
      const settle =
        <T>(done: (value: T) => void) =>
        (value: T) => {
          clearTimeout(budget);
          done(value);
        };
      this.pending.set(id, { worker, start, resolve: settle(resolve), reject: settle(reject) });
      // Referenced while a step runs (a script waiting for it stays alive), not while idle (the engine's owner
      // decides when the process ends).
      worker.ref();
      worker.postMessage({ ...message, id, resources } satisfies WireRequest);
    });
  }

  /** Ends a thread that is stuck or spent: the next step starts a new one. */
  private retire(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // Compiled (dist/app), the thread runs step-worker.js; from the sources, a plain script that loads the TypeScript
    // with tsx, whatever runs this process (node with tsx, Jest, a script). None of this process's node options (a
    // test runner's loader) is passed on.
    // A new progress buffer per thread: an ended thread may still be writing to its own while it stops.
    const progress = (this.progress = new SharedArrayBuffer(PROGRESS_BYTES));
    const worker = new Worker(join(__dirname, __filename.endsWith('.js') ? 'step-worker.js' : 'step-worker.cjs'), {
      workerData: { progress },
      execArgv: [],
      // Its own young generation: the process's V8 flags (a larger semi-space) would otherwise apply to it too.
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    this.worker = worker;
    this.sent.clear();
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      // Only its own steps: an ended thread stops after the next step went to its successor.
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(error);
      }
    };
    worker.on('message', (reply: WireReply | { id: number; started: true }) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      if ('started' in reply) return p.start();
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      p.resolve(reply);
    });
    worker.on('error', (error) => {
      // Out of its heap: the step it was running (one at a time) is the one that took it, and becomes an incident.
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        for (const [id, p] of this.pending) {
          if (p.worker !== worker) continue;
          this.pending.delete(id);
          p.resolve({ id, overrun: 'memory', elementId: readProgress(progress) });
        }
      }
      fail(new StepThreadError(`the step thread failed: ${error.message}`));
    });
    worker.on('exit', (code) => fail(new StepThreadError(`the step thread stopped (exit code ${code})`)));
    return worker;
  }
}
