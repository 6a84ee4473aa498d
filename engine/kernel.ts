/**
 * What the engine's parts share: the database, keys, the clock, transactions that recheck buffered messages after
 * they commit, the wake-up of long-polling job activations, the deployed models and decisions (parsed once per
 * version), the stepper, and the parts themselves (each a file of its own, reached as `k.<part>`).
 */
import { EventEmitter } from 'node:events';
import type { EngineDb, EngineQueryable } from './store/db';
import { KeyAllocator } from './store/keys';
import { parseBpmn, type ProcessModel } from './model/process-model';
import { parseDmn, type DmnModel } from './model/dmn';
import { InlineStepper, type Stepper } from './runtime/stepper';
import { ThreadStepper } from './runtime/step-thread';
import { notFound } from './errors';
import { type Definition, type StartContext } from './starts';
import { Scheduler } from './scheduler';
import { Deployments } from './deployments';
import { Instances } from './instances';
import { Steps } from './steps';
import { WaitStore } from './wait-store';
import { Jobs } from './jobs';
import { UserTasks } from './user-tasks';
import { Messaging } from './messages';
import { TaskListeners } from './task-listeners';
import { Calls } from './calls';

export interface EngineOptions {
  db: EngineDb;
  /** How often activated jobs past their deadline are handed out again (ms). */
  sweepIntervalMs?: number;
  /**
   * Run the steps on a worker thread of their own (runtime/step-thread.ts), within a time and memory budget, so that
   * a step that runs away does not hold up whatever else this thread does (answering requests). Default: this thread.
   */
  stepThread?: boolean;
  /**
   * With `stepThread`: the longest one step may run (ms, default 5000). Past it the thread is ended (the other
   * instances' steps go on on a new one) and the step becomes an incident on its instance.
   */
  stepBudgetMs?: number;
  onError?: (error: unknown) => void;
}

export { INSTANCE_COLUMNS, OPEN_TASK_STATES, OPEN_WAIT, type InstanceRow, type Resource } from './store/rows';

export class Kernel {
  readonly db: EngineDb;
  readonly scheduler: Scheduler;
  readonly definitions: Deployments;
  readonly instances: Instances;
  readonly steps: Steps;
  readonly waitStore: WaitStore;
  readonly jobs: Jobs;
  readonly tasks: UserTasks;
  readonly messaging: Messaging;
  readonly taskListeners: TaskListeners;
  readonly calls: Calls;

  readonly keys = new KeyAllocator();

  readonly models = new Map<string, Promise<ProcessModel>>();

  readonly dmnModels = new Map<string, Promise<DmnModel>>();

  /**
   * The latest version of each deployed resource, by kind and id, as looked up: only this engine deploys to its
   * database (one engine per database is enforced), and each deployment empties it once committed. Saves a lookup
   * per decision, form and process a step uses (about eight statements per petition's intake).
   */
  readonly latestResources = new Map<string, { found: Definition | undefined }>();

  /** Counts deployments, so that a lookup that overlapped one does not keep what it read. */
  deployments = 0;

  readonly stepper: Stepper;

  readonly starts: StartContext;

  readonly signals = new EventEmitter();

  pinned: number | undefined;

  /** Set once the engine stops: long-polling activations answer with what they have instead of asking again. */
  stopped = false;

  sweeper: NodeJS.Timeout | undefined;

  /** Scheduler rounds run one after another; pinning the clock waits for its own round. */
  sweeps: Promise<void> = Promise.resolve();

  /** Set when a committed step or publication may have raced a buffered message against a new subscription. */
  recheckMessages = false;

  /** The after-commit requests of the transactions in flight (see transaction()). */
  readonly transactions = new WeakMap<EngineQueryable, { recheckMessages: boolean }>();

  /** Job types that got new jobs since the last notification: only their waiting workers are woken. */
  readonly newJobTypes = new Set<string>();

  sweepQueued = false;

  constructor(readonly options: EngineOptions) {
    this.db = options.db;
    this.stepper = options.stepThread ? new ThreadStepper({ budgetMs: options.stepBudgetMs }) : new InlineStepper();
    this.starts = {
      keys: this.keys,
      now: () => this.now(),
      model: (key, q) => this.model(key, q),
      startInstance: (tx, definition, variables, start) =>
        this.instances.startInstance(tx, definition, variables, undefined, start),
    };
    this.signals.setMaxListeners(0);
    this.scheduler = new Scheduler(this);
    this.definitions = new Deployments(this);
    this.instances = new Instances(this);
    this.steps = new Steps(this);
    this.waitStore = new WaitStore(this);
    this.jobs = new Jobs(this);
    this.tasks = new UserTasks(this);
    this.messaging = new Messaging(this);
    this.taskListeners = new TaskListeners(this);
    this.calls = new Calls(this);
  }

  async readClock(): Promise<void> {
    const [clock] = await this.db.query<{ pinned_at: string | null }>(
      'SELECT pinned_at FROM engine_clock WHERE id = 1',
    );
    this.pinned = clock?.pinned_at ? new Date(clock.pinned_at).getTime() : undefined;
  }

  now(): Date {
    return new Date(this.pinned ?? Date.now());
  }

  /**
   * One database transaction whose work may ask for a recheck of buffered messages once it has committed (and only
   * then: a message and a subscription written by two transactions that overlap do not see each other, so whichever
   * commits last must look again). The request is kept per transaction, so another transaction committing first
   * cannot take it early.
   */
  async transaction<T>(work: (tx: EngineQueryable) => Promise<T>): Promise<T> {
    const context = { recheckMessages: false };
    const result = await this.db.transaction((tx) => {
      this.transactions.set(tx, context);
      return work(tx);
    });
    if (context.recheckMessages)
      this.messaging.matchBufferedMessages().catch((error: unknown) => this.options.onError?.(error));
    return result;
  }

  /** Asks for a recheck of buffered messages after `tx` commits (immediately after the next step outside one). */
  recheckAfterCommit(tx: EngineQueryable): void {
    const context = this.transactions.get(tx);
    if (context) context.recheckMessages = true;
    else this.recheckMessages = true;
  }

  /** Wakes long-polling activations: those of the types that got jobs, or all of them (`everyone`). */
  notifyJobs(everyone = false): void {
    if (this.recheckMessages) {
      this.recheckMessages = false;
      this.messaging.matchBufferedMessages().catch((error: unknown) => this.options.onError?.(error));
    }
    if (everyone) this.signals.emit('jobs');
    for (const type of this.newJobTypes) this.signals.emit(`jobs:${type}`);
    this.newJobTypes.clear();
  }

  /**
   * The latest version of a deployed resource (see {@link latestResources}), read through `q` when not known yet (a
   * step's own transaction: PGlite has one connection, so a query beside the transaction would wait for it).
   */
  async latestResource(
    q: EngineQueryable,
    kind: 'process' | 'form' | 'decision',
    id: string,
  ): Promise<Definition | undefined> {
    const cacheKey = `${kind}:${id}`;
    const known = this.latestResources.get(cacheKey);
    if (known) return known.found;
    const before = this.deployments;
    const [row] = await q.query<{ key: string; resource_id: string; version: number }>(
      'SELECT key::text, resource_id, version FROM engine_resource WHERE kind = $1 AND resource_id = $2 ORDER BY version DESC LIMIT 1',
      [kind, id],
    );
    const found = row && { key: row.key, resource_id: row.resource_id, version: Number(row.version) };
    if (this.deployments === before) this.latestResources.set(cacheKey, { found });
    return found;
  }

  /** Parsed once per deployed version. Inside a transaction pass it: PGlite would wait on its own lock otherwise. */
  model(definitionKey: string, q: EngineQueryable = this.db): Promise<ProcessModel> {
    let model = this.models.get(definitionKey);
    if (!model) {
      model = (async () => {
        const [row] = await q.query<{ resource_name: string; content: string; resource_id: string }>(
          "SELECT resource_name, content, resource_id FROM engine_resource WHERE kind = 'process' AND key = $1",
          [definitionKey],
        );
        if (!row) throw notFound('process definition', definitionKey);
        // A file may hold more than one process: this definition is the one with its id.
        const parsed = await parseBpmn(row.resource_name, row.content);
        return parsed.find((m) => m.processId === row.resource_id) ?? parsed[0];
      })();
      model.catch(() => this.models.delete(definitionKey));
      this.models.set(definitionKey, model);
    }
    return model;
  }

  /** A deployed file by its key. */
  async resourceFile(q: EngineQueryable, key: string, what: string): Promise<{ name: string; content: string }> {
    const [row] = await q.query<{ resource_name: string; content: string }>(
      'SELECT resource_name, content FROM engine_resource WHERE key = $1',
      [key],
    );
    if (!row) throw notFound(what, key);
    return { name: row.resource_name, content: row.content };
  }

  /** The latest deployed version of every decision the model's business rule tasks call, parsed once per version. */
  async decisionsFor(q: EngineQueryable, model: ProcessModel): Promise<Map<string, { key: string; model: DmnModel }>> {
    const ids = [...model.elements.values()].flatMap((m) => (m.decision && !m.jobType ? [m.decision.decisionId] : []));
    const found = new Map<string, { key: string; model: DmnModel }>();
    if (ids.length === 0) return found;
    // The latest version of each (a deployment may have added one); its file is read only the first time.
    const rows = (await Promise.all([...new Set(ids)].map((id) => this.latestResource(q, 'decision', id)))).filter(
      (r) => r !== undefined,
    );
    for (const row of rows) {
      let dmn = this.dmnModels.get(row.key);
      if (!dmn) {
        const file = await this.resourceFile(q, row.key, 'decision definition');
        dmn = parseDmn(file.name, file.content);
        this.dmnModels.set(row.key, dmn);
      }
      found.set(row.resource_id, { key: row.key, model: await dmn });
    }
    return found;
  }
}
