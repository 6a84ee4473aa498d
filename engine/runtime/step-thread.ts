/**
 * Steps on a worker thread of their own (`EngineOptions.stepThread`). bpmn-engine builds and drives a broker graph
 * of thousands of objects per petition instance: a step costs tens of milliseconds of CPU and leaves megabytes of
 * garbage. Run on the thread that answers requests, every step holds up the reads queued behind it; here the thread
 * that answers only stores what a step gave.
 *
 * The thread keeps the live sessions (its own `InlineStepper`) and the parsed models and decisions, each sent to
 * it once. A step for an instance the thread does not hold live comes back as missing, and is sent again with the
 * stored state read from the database, as the inline stepper reads it. Results are plain data (structured clone).
 * A thread that dies fails the steps it was running (their transactions roll back, an incident is not recorded) and
 * is started again for the next step.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunResult, Action, StoredRuntime, Variables } from './types';
import type { StepRequest, Stepper } from './stepper';

export interface WireRequest {
  id: number;
  instanceKey: string;
  version: number;
  definitionKey: string;
  decisions: Array<[decisionId: string, resourceKey: string]>;
  /** Files the thread has not parsed yet: the model (by definition key) and decisions (by resource key). */
  resources: Array<{ key: string; kind: 'process' | 'decision'; name: string; content: string }>;
  stored: StoredRuntime | undefined;
  /** Present when the thread must recover the instance from this state (it did not hold it live). */
  engine?: unknown;
  variables: Variables;
  action: Action;
  now: Date;
}

export type WireReply =
  | { id: number; result: RunResult }
  | { id: number; missing: true }
  | { id: number; error: { name: string; message: string } };

export class StepThreadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepThreadError';
  }
}

export class ThreadStepper implements Stepper {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (reply: WireReply) => void; reject: (error: Error) => void }>();
  /** Resource keys the current thread has been sent. */
  private readonly sent = new Set<string>();
  private lastId = 0;
  private closed = false;

  constructor(private readonly hotInstances: number) {}

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
    let reply = await this.send(base, request);
    if ('missing' in reply) reply = await this.send({ ...base, engine: await request.loadEngine() }, request);
    if ('error' in reply) throw new StepThreadError(`the step thread failed: ${reply.error.message}`);
    if ('missing' in reply) throw new StepThreadError('the step thread did not take the stored state');
    return reply.result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private async send(message: Omit<WireRequest, 'id' | 'resources'>, request: StepRequest): Promise<WireReply> {
    if (this.closed) throw new StepThreadError('the engine was stopped');
    const worker = this.thread();
    const wanted = [
      { key: request.definitionKey, kind: 'process' as const },
      ...message.decisions.map(([, key]) => ({ key, kind: 'decision' as const })),
    ].filter((r) => !this.sent.has(r.key));
    const resources = await Promise.all(wanted.map(async (r) => ({ ...r, ...(await request.loadResource(r.key)) })));
    // The thread may have been replaced while the files were read: send them to the one that runs now.
    if (worker !== this.worker) return this.send(message, request);
    for (const r of resources) this.sent.add(r.key);
    const id = ++this.lastId;
    return new Promise<WireReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced while a step runs (a script waiting for it stays alive), not while idle (the engine's owner
      // decides when the process ends).
      worker.ref();
      worker.postMessage({ ...message, id, resources } satisfies WireRequest);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // A plain script that loads the TypeScript with tsx, whatever runs this process (node with tsx, Jest, a script);
    // none of this process's node options (a test runner's loader) is passed on.
    const worker = new Worker(join(__dirname, 'step-worker.cjs'), { workerData: { hotInstances: this.hotInstances }, execArgv: [] });
    worker.unref();
    this.worker = worker;
    this.sent.clear();
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(error);
      }
    };
    worker.on('message', (reply: WireReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      p.resolve(reply);
    });
    worker.on('error', (error) => fail(new StepThreadError(`the step thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new StepThreadError(`the step thread stopped (exit code ${code})`)));
    return worker;
  }
}
