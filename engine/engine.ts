/**
 * The embedded engine: Camunda 8's operations over the engine's own core (core/), with every instance's state in Postgres.
 * An instance is loaded only when something wakes it (a job or task completion, an incident resolution); each
 * wake runs one step and stores the result with the jobs and tasks it creates in one transaction.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import type { EngineDb, EngineQueryable } from './store/db';
import { ensureEngineSchema } from './store/schema';
import { KeyAllocator } from './store/keys';
import { type SearchQuery } from './store/search';
import { TENANT, checkTags, type Row } from './store/results';
import { reads } from './store/reads';
import { parseBpmn, ModelError, type ProcessModel } from './model/process-model';
import { parseDmn, evaluateDecision, type DmnModel } from './model/dmn';
import { InlineStepper, type Stepper } from './runtime/stepper';
import { ThreadStepper } from './runtime/step-thread';
import { evaluateList, evaluateValue } from './model/feel';
import { type Action, type RunResult, type StoredRuntime, type Variables, type Wait } from './runtime/types';
import { EngineError, invalidArgument, invalidState, notFound } from './errors';
import { fireStartTimer, openStartEvents, startByMessage, startBySignal, type Definition, type StartContext } from './starts';

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

/** What a step reads of its instance's row. */
interface InstanceRow {
  definition_key: string;
  state: string;
  variables: Variables;
  runtime: StoredRuntime | null;
}
const INSTANCE_COLUMNS = (t: string) => `${t}.definition_key::text, ${t}.state, ${t}.variables, ${t}.runtime`;

export interface Resource {
  name: string;
  content: Buffer;
}


/** Where each kind of wait lives and which of its states count as still waiting. */
const OPEN_WAIT = {
  job: { table: 'engine_job', states: "'ACTIVATABLE', 'ACTIVATED', 'FAILED'" },
  'user-task': { table: 'engine_user_task', states: "'CREATED'" },
  timer: { table: 'engine_timer', states: "'ACTIVE'" },
  message: { table: 'engine_subscription', states: "'OPEN'" },
  signal: { table: 'engine_subscription', states: "'OPEN'" },
} as const;


export class EmbeddedEngine {
  private readonly db: EngineDb;
  private readonly keys = new KeyAllocator();
  private readonly models = new Map<string, Promise<ProcessModel>>();
  private readonly dmnModels = new Map<string, Promise<DmnModel>>();
  /**
   * The latest version of each deployed resource, by kind and id, as looked up: only this engine deploys to its
   * database (one engine per database is enforced), and each deployment empties it once committed. Saves a lookup
   * per decision, form and process a step uses (about eight statements per petition's intake).
   */
  private readonly latestResources = new Map<string, { found: Definition | undefined }>();
  /** Counts deployments, so that a lookup that overlapped one does not keep what it read. */
  private deployments = 0;
  private readonly stepper: Stepper;
  private readonly starts: StartContext;
  private readonly signals = new EventEmitter();
  private pinned: number | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** Scheduler rounds run one after another; pinning the clock waits for its own round. */
  private sweeps: Promise<void> = Promise.resolve();
  /** Set when a committed step or publication may have raced a buffered message against a new subscription. */
  private recheckMessages = false;
  /** The after-commit requests of the transactions in flight (see transaction()). */
  private readonly transactions = new WeakMap<EngineQueryable, { recheckMessages: boolean }>();
  /** Job types that got new jobs since the last notification: only their waiting workers are woken. */
  private readonly newJobTypes = new Set<string>();
  private sweepQueued = false;

  constructor(private readonly options: EngineOptions) {
    this.db = options.db;
    this.stepper = options.stepThread ? new ThreadStepper({ budgetMs: options.stepBudgetMs }) : new InlineStepper();
    this.starts = {
      keys: this.keys,
      now: () => this.now(),
      model: (key, q) => this.model(key, q),
      startInstance: (tx, definition, variables, start) => this.startInstance(tx, definition, variables, undefined, start),
    };
    this.signals.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await ensureEngineSchema(this.db);
    await this.readClock();
    this.sweeper = setInterval(() => {
      if (this.sweepQueued) return;
      this.sweepQueued = true;
      this.sweep()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => (this.sweepQueued = false));
    }, this.options.sweepIntervalMs ?? 1000);
    // Timers that fell due while the engine was down fire now.
    await this.sweep();
    this.sweeper.unref();
  }

  /**
   * For a process that answers reads while another process runs this engine on the same database: no schema work,
   * no scheduler, only the clock as it is pinned now (the searches and gets need nothing else).
   */
  async startReading(): Promise<void> {
    await this.readClock();
  }

  private async readClock(): Promise<void> {
    const [clock] = await this.db.query<{ pinned_at: string | null }>('SELECT pinned_at FROM engine_clock WHERE id = 1');
    this.pinned = clock?.pinned_at ? new Date(clock.pinned_at).getTime() : undefined;
  }

  stop(): void {
    clearInterval(this.sweeper);
    void this.stepper.close();
    this.signals.emit('stop');
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
  private async transaction<T>(work: (tx: EngineQueryable) => Promise<T>): Promise<T> {
    const context = { recheckMessages: false };
    const result = await this.db.transaction((tx) => {
      this.transactions.set(tx, context);
      return work(tx);
    });
    if (context.recheckMessages) this.matchBufferedMessages().catch((error: unknown) => this.options.onError?.(error));
    return result;
  }

  /** Asks for a recheck of buffered messages after `tx` commits (immediately after the next step outside one). */
  private recheckAfterCommit(tx: EngineQueryable): void {
    const context = this.transactions.get(tx);
    if (context) context.recheckMessages = true;
    else this.recheckMessages = true;
  }

  /** Wakes long-polling activations: those of the types that got jobs, or all of them (`everyone`). */
  private notifyJobs(everyone = false): void {
    if (this.recheckMessages) {
      this.recheckMessages = false;
      this.matchBufferedMessages().catch((error: unknown) => this.options.onError?.(error));
    }
    if (everyone) this.signals.emit('jobs');
    for (const type of this.newJobTypes) this.signals.emit(`jobs:${type}`);
    this.newJobTypes.clear();
  }

  // ---------------------------------------------------------------- clock

  async pinClock(timestamp: number): Promise<void> {
    await this.db.query(
      'INSERT INTO engine_clock (id, pinned_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET pinned_at = $1',
      [new Date(timestamp).toISOString()],
    );
    this.pinned = timestamp;
    await this.sweep();
    this.notifyJobs(true);
  }

  async resetClock(): Promise<void> {
    await this.db.query('DELETE FROM engine_clock');
    this.pinned = undefined;
    this.notifyJobs(true);
  }

  // ---------------------------------------------------------------- deployments

  async deploy(resources: Resource[]) {
    if (resources.length === 0) throw invalidArgument('Expected to deploy at least one resource, but none given');
    const parsed: Array<{
      resource: Resource;
      kind: 'process' | 'form' | 'decision' | 'decision_requirements';
      id: string;
      name: string;
      checksum: string;
      text: string;
      decisionRequirementsId?: string;
      model?: ProcessModel;
    }> = [];
    const problems: string[] = [];
    for (const resource of resources) {
      const text = resource.content.toString('utf8');
      const checksum = createHash('sha256').update(resource.content).digest('hex');
      if (/\.(bpmn|xml)$/i.test(resource.name)) {
        try {
          const models = await parseBpmn(resource.name, text);
          for (const m of models) parsed.push({ resource, kind: 'process', id: m.processId, name: m.name, checksum, text, model: m });
        } catch (error) {
          if (error instanceof ModelError) problems.push(...error.problems.map((p) => `${resource.name}: ${p}`));
          else throw error;
        }
      } else if (/\.dmn$/i.test(resource.name)) {
        try {
          const dmn = await parseDmn(resource.name, text);
          // The file's decision requirements graph first: a resource of its own, which its decisions name.
          parsed.push({ resource, kind: 'decision_requirements', id: dmn.decisionRequirementsId, name: dmn.name, checksum, text });
          for (const d of dmn.decisions) {
            parsed.push({ resource, kind: 'decision', id: d.decisionId, name: d.name, checksum, text, decisionRequirementsId: dmn.decisionRequirementsId });
          }
        } catch (error) {
          if (error instanceof ModelError) problems.push(...error.problems.map((p) => `${resource.name}: ${p}`));
          else throw error;
        }
      } else if (/\.form$/i.test(resource.name)) {
        try {
          const form = JSON.parse(text) as { id?: unknown };
          if (typeof form.id !== 'string' || form.id === '') problems.push(`${resource.name}: a form needs an "id"`);
          else parsed.push({ resource, kind: 'form', id: form.id, name: form.id, checksum, text });
        } catch {
          problems.push(`${resource.name}: not a readable form (invalid JSON)`);
        }
      } else {
        problems.push(`${resource.name}: unsupported resource type (expected .bpmn, .dmn or .form)`);
      }
    }
    if (problems.length > 0) {
      throw invalidArgument(`Expected to deploy new resources, but encountered the following errors:\n${problems.join('\n')}`, {
        problems,
      });
    }
    const deployed = await this.transaction(async (tx) => {
      await tx.query('LOCK TABLE engine_resource IN EXCLUSIVE MODE');
      const deploymentKey = await this.keys.take(tx);
      const deployments: Row[] = [];
      // The key of each DMN file's decision requirements graph, for its decisions.
      const graphs = new Map<Resource, string>();
      for (const p of parsed) {
        const [latest] = await tx.query<{ key: string; version: number; checksum: string }>(
          'SELECT key::text, version, checksum FROM engine_resource WHERE kind = $1 AND resource_id = $2 ORDER BY version DESC LIMIT 1',
          [p.kind, p.id],
        );
        let key = latest?.key;
        let version = latest?.version ?? 0;
        const graphKey = p.kind === 'decision' ? graphs.get(p.resource) : undefined;
        if (!latest || latest.checksum !== p.checksum) {
          key = await this.keys.take(tx);
          version += 1;
          await tx.query(
            `INSERT INTO engine_resource (key, deployment_key, kind, resource_id, version, name, resource_name, checksum, content, decision_requirements_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [key, deploymentKey, p.kind, p.id, version, p.name, p.resource.name, p.checksum, p.text, graphKey ?? null],
          );
          if (p.model) await openStartEvents(tx, this.starts, key, p.model);
        } else if (graphKey) {
          // A decision deployed before decision requirements were kept: it belongs to the graph from now on.
          await tx.query('UPDATE engine_resource SET decision_requirements_key = $2 WHERE key = $1 AND decision_requirements_key IS NULL', [key, graphKey]);
        }
        if (p.kind === 'decision_requirements') {
          graphs.set(p.resource, key);
          deployments.push({
            decisionRequirements: {
              decisionRequirementsId: p.id,
              version,
              decisionRequirementsName: p.name,
              tenantId: TENANT,
              resourceName: p.resource.name,
              decisionRequirementsKey: key,
            },
          });
        } else if (p.kind === 'process') {
          deployments.push({
            processDefinition: {
              processDefinitionId: p.id,
              processDefinitionVersion: version,
              resourceName: p.resource.name,
              tenantId: TENANT,
              processDefinitionKey: key,
            },
          });
        } else if (p.kind === 'decision') {
          deployments.push({
            decisionDefinition: {
              decisionDefinitionId: p.id,
              version,
              name: p.name,
              tenantId: TENANT,
              decisionRequirementsId: p.decisionRequirementsId,
              decisionDefinitionKey: key,
              decisionRequirementsKey: graphKey ?? key,
            },
          });
        } else {
          deployments.push({ form: { formId: p.id, version, resourceName: p.resource.name, tenantId: TENANT, formKey: key } });
        }
      }
      return { tenantId: TENANT, deploymentKey, deployments };
    });
    // After the commit: a lookup begun before it (and kept) may have seen the versions before this deployment.
    this.deployments += 1;
    this.latestResources.clear();
    return deployed;
  }

  /**
   * The latest version of a deployed resource (see {@link latestResources}), read through `q` when not known yet (a
   * step's own transaction: PGlite has one connection, so a query beside the transaction would wait for it).
   */
  private async latestResource(q: EngineQueryable, kind: 'process' | 'form' | 'decision', id: string): Promise<Definition | undefined> {
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


  async searchProcessDefinitions(query: SearchQuery & { filter?: { isLatestVersion?: boolean } }) {
    return reads(this.db).searchProcessDefinitions(query);
  }

  async getProcessDefinition(key: string) {
    return reads(this.db).getProcessDefinition(key);
  }

  async getProcessDefinitionXml(key: string): Promise<string> {
    return reads(this.db).getProcessDefinitionXml(key);
  }

  /** Parsed once per deployed version. Inside a transaction pass it: PGlite would wait on its own lock otherwise. */
  private model(definitionKey: string, q: EngineQueryable = this.db): Promise<ProcessModel> {
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
  private async resourceFile(q: EngineQueryable, key: string, what: string): Promise<{ name: string; content: string }> {
    const [row] = await q.query<{ resource_name: string; content: string }>('SELECT resource_name, content FROM engine_resource WHERE key = $1', [key]);
    if (!row) throw notFound(what, key);
    return { name: row.resource_name, content: row.content };
  }

  /** The latest deployed version of every decision the model's business rule tasks call, parsed once per version. */
  private async decisionsFor(q: EngineQueryable, model: ProcessModel): Promise<Map<string, { key: string; model: DmnModel }>> {
    const ids = [...model.elements.values()].flatMap((m) => (m.decision && !m.jobType ? [m.decision.decisionId] : []));
    const found = new Map<string, { key: string; model: DmnModel }>();
    if (ids.length === 0) return found;
    // The latest version of each (a deployment may have added one); its file is read only the first time.
    const rows = (await Promise.all([...new Set(ids)].map((id) => this.latestResource(q, 'decision', id)))).filter((r) => r !== undefined);
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

  /**
   * Evaluates a deployed decision (Camunda's evaluateDecision): the latest version by id, or a version by key. A
   * decision that cannot decide answers with its failure, as Camunda does, not with an HTTP error.
   */
  async evaluateDecision(input: { decisionDefinitionId?: string; decisionDefinitionKey?: string; variables?: Variables }) {
    const [row] = input.decisionDefinitionKey
      ? await this.db.query<Row>("SELECT * FROM engine_resource WHERE kind = 'decision' AND key = $1", [input.decisionDefinitionKey])
      : await this.db.query<Row>("SELECT * FROM engine_resource WHERE kind = 'decision' AND resource_id = $1 ORDER BY version DESC LIMIT 1", [
          input.decisionDefinitionId ?? '',
        ]);
    if (!row) throw notFound('decision definition', input.decisionDefinitionKey ?? input.decisionDefinitionId ?? '');
    const key = String(row.key);
    let dmn = this.dmnModels.get(key);
    if (!dmn) {
      dmn = parseDmn(String(row.resource_name), String(row.content));
      this.dmnModels.set(key, dmn);
    }
    const model = await dmn;
    const decisionId = String(row.resource_id);
    const base = {
      decisionDefinitionId: decisionId,
      decisionDefinitionName: typeof row.name === 'string' ? row.name : decisionId,
      decisionDefinitionVersion: Number(row.version),
      decisionRequirementsId: model.decisionRequirementsId,
      tenantId: TENANT,
      decisionDefinitionKey: key,
      decisionRequirementsKey: typeof row.decision_requirements_key === 'string' ? row.decision_requirements_key : key,
      decisionEvaluationKey: await this.keys.take(this.db),
    };
    try {
      const result = evaluateDecision(model, decisionId, input.variables ?? {});
      const output = JSON.stringify(result.output ?? null);
      return {
        ...base,
        output,
        // Camunda's schema requires both; on success they name the evaluated decision and an empty failure.
        failedDecisionDefinitionId: decisionId,
        failureMessage: '',
        evaluatedDecisions: [
          { decisionDefinitionId: decisionId, decisionDefinitionName: base.decisionDefinitionName, decisionDefinitionVersion: base.decisionDefinitionVersion,
            decisionDefinitionType: 'DECISION_TABLE', output, tenantId: TENANT, decisionDefinitionKey: key,
            matchedRules: result.matchedRules.map((index) => ({ ruleIndex: index })) },
        ],
      };
    } catch (error) {
      return { ...base, output: 'null', failedDecisionDefinitionId: decisionId, failureMessage: (error as Error).message, evaluatedDecisions: [] };
    }
  }

  // ---------------------------------------------------------------- process instances

  async createProcessInstance(input: {
    processDefinitionId?: string;
    processDefinitionKey?: string;
    processDefinitionVersion?: number;
    variables?: Variables;
    awaitCompletion?: boolean;
    requestTimeout?: number;
    fetchVariables?: string[];
    tags?: unknown;
  }) {
    const variables = input.variables ?? {};
    const tags = checkTags(input.tags, 'tags');
    if (typeof variables !== 'object' || Array.isArray(variables)) throw invalidArgument('variables must be a JSON object');
    let definition: Definition | undefined;
    if (input.processDefinitionKey) {
      [definition] = await this.db.query("SELECT key::text, resource_id, version FROM engine_resource WHERE kind = 'process' AND key = $1", [
        input.processDefinitionKey,
      ]);
      if (!definition) throw notFound('process definition', input.processDefinitionKey);
    } else if (input.processDefinitionId) {
      const version = input.processDefinitionVersion ?? -1;
      [definition] =
        version >= 0
          ? await this.db.query("SELECT key::text, resource_id, version FROM engine_resource WHERE kind = 'process' AND resource_id = $1 AND version = $2", [
              input.processDefinitionId,
              version,
            ])
          : [await this.latestResource(this.db, 'process', input.processDefinitionId)];
      if (!definition) {
        throw new EngineError(
          404,
          'NOT_FOUND',
          `Expected to find process definition with process ID '${input.processDefinitionId}', but none found`,
        );
      }
    } else {
      throw invalidArgument('Expected either processDefinitionId or processDefinitionKey, but neither given');
    }
    const completion = input.awaitCompletion ? this.waitForCompletion() : undefined;
    const instanceKey = await this.transaction((tx) => this.startInstance(tx, definition, variables, undefined, undefined, tags));
    this.notifyJobs();
    const base = {
      processDefinitionId: String(definition.resource_id),
      processDefinitionVersion: Number(definition.version),
      tenantId: TENANT,
      processDefinitionKey: String(definition.key),
      processInstanceKey: instanceKey,
      tags,
    };
    if (!completion) return { ...base, variables: {} };
    const vars = await completion.wait(instanceKey, Number(input.requestTimeout) || 20000);
    const picked = input.fetchVariables?.length ? Object.fromEntries(input.fetchVariables.filter((n) => n in vars).map((n) => [n, vars[n]])) : vars;
    return { ...base, variables: picked };
  }

  private async startInstance(
    tx: EngineQueryable,
    definition: Definition,
    variables: Variables,
    parent?: { instanceKey: string; executionId: string; propagateChildVariables: boolean },
    start?: { at: string; correlationKey?: string },
    tags: string[] = [],
  ): Promise<string> {
    const key = await this.keys.take(tx);
    const now = this.now().toISOString();
    await tx.query(
      `INSERT INTO engine_instance (key, definition_key, process_id, state, variables, start_date,
         parent_instance_key, parent_execution_id, propagate_child_variables, start_correlation_key, tags)
       VALUES ($1, $2, $3, 'ACTIVE', $4, $5, $6, $7, $8, $9, $10)`,
      [key, definition.key, definition.resource_id, JSON.stringify(variables), now, parent?.instanceKey ?? null,
        parent?.executionId ?? null, parent?.propagateChildVariables ?? true, start?.correlationKey ?? null, tags],
    );
    await tx.query(
      `INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date)
       VALUES ($1, $1, 'process', $2, $2, 'PROCESS', 'ACTIVE', $3)`,
      [key, definition.resource_id, now],
    );
    await this.advance(tx, key, start ? { kind: 'start', startAt: start.at } : { kind: 'start' });
    return key;
  }

  private waitForCompletion() {
    return {
      wait: async (instanceKey: string, timeoutMs: number): Promise<Variables> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [row] = await this.db.query<{ state: string; variables: Variables }>(
            'SELECT state, variables FROM engine_instance WHERE key = $1',
            [instanceKey],
          );
          if (row?.state === 'COMPLETED') return row.variables;
          if (row?.state === 'TERMINATED') throw invalidState(`Process instance '${instanceKey}' was terminated before it completed`);
          const left = deadline - Date.now();
          if (left <= 0) {
            throw new EngineError(504, 'INTERNAL', `Process instance '${instanceKey}' did not complete within ${timeoutMs} ms`);
          }
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              this.signals.off(`completed:${instanceKey}`, done);
              resolve();
            };
            const timer = setTimeout(done, Math.min(left, 500));
            this.signals.once(`completed:${instanceKey}`, done);
          });
        }
      },
    };
  }

  /**
   * Runs one step of an instance inside the caller's transaction and stores everything it produced.
   * An incident keeps the instance at its last wait state and remembers the action, to be replayed on resolution.
   */
  private async advance(tx: EngineQueryable, instanceKey: string, action: Action, jobKey?: string, loaded?: InstanceRow): Promise<RunResult> {
    // The engine's own state (the bulk of the row) is read only when the instance is not live in memory; a caller
    // that locked and read the row already (a job's completion, in the same statement) passes it.
    const [instance] = loaded
      ? [loaded]
      : await tx.query<InstanceRow>(`SELECT ${INSTANCE_COLUMNS('engine_instance')} FROM engine_instance WHERE key = $1 FOR UPDATE`, [instanceKey]);
    if (!instance) throw notFound('process instance', instanceKey);
    if (instance.state !== 'ACTIVE') throw invalidState(`Process instance '${instanceKey}' is not active (${instance.state})`);
    const model = await this.model(instance.definition_key, tx);
    const stored = instance.runtime ?? undefined;
    const version = stored?.version ?? 0;
    const result = await this.stepper.step({
      instanceKey,
      version,
      definitionKey: instance.definition_key,
      model,
      decisions: await this.decisionsFor(tx, model),
      stored,
      variables: instance.variables,
      action,
      now: this.now(),
      loadEngine: () => Promise.resolve(stored?.engine),
      loadResource: (key) => this.resourceFile(tx, key, 'resource'),
    });
    const now = this.now().toISOString();

    if (result.outcome === 'incident') {
      // An error this process did not catch goes to the call activity that called it: caught there, the child ends.
      if (result.raised && (await this.raiseToCaller(tx, instanceKey, result.raised))) return result;
      const incident = result.incident!;
      const key = await this.keys.take(tx);
      const [element] = await tx.query<{ key: string }>(
        `SELECT key::text FROM engine_element WHERE instance_key = $1 AND element_id = $2 AND state = 'ACTIVE' ORDER BY key DESC LIMIT 1`,
        [instanceKey, incident.elementId],
      );
      await tx.query(
        `INSERT INTO engine_incident (key, instance_key, element_key, element_id, job_key, error_type, error_message, state, creation_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8)`,
        [key, instanceKey, element?.key ?? null, incident.elementId, jobKey ?? null, incident.errorType, incident.message, now],
      );
      await tx.query('UPDATE engine_instance SET has_incident = true, pending_action = $2 WHERE key = $1', [
        instanceKey,
        JSON.stringify(action),
      ]);
      return result;
    }

    const elementKeys = await this.storeElementEvents(tx, instanceKey, result, now);

    // Waits: create the new ones, close the open ones the step left behind (an interrupted task, the losing branch
    // of an event-based gateway). The previous step's waits are stored with the state, so only changes cost a query.
    const previous = stored?.open;
    const current = new Set(result.waits.map((w) => w.executionId));
    // An escalation leaves the call activity waiting (or, interrupting, takes it away: then its child must go).
    const released = 'executionId' in action && action.kind !== 'escalate' ? action.executionId : undefined;
    if (!previous) {
      if (stored) await this.cancelWaits(tx, instanceKey, now, [...current]);
    } else {
      // The wait the action released was closed by the caller already (job or task completed, timer fired …).
      const gone = previous.filter((w) => !current.has(w.executionId) && w.executionId !== released);
      if (gone.length > 0) await this.closeWaits(tx, instanceKey, now, gone);
    }
    const before = new Set((previous ?? []).map((w) => w.executionId));
    // Without a record of the previous waits (or when resuming after an incident) every wait is checked against
    // the tables, so that what exists is kept and what is missing (e.g. a called process) is created.
    const verify = (!previous && stored !== undefined) || action.kind === 'resume';
    // The released wait may come back at once under the same execution (a cycle timer's next repetition).
    const fresh =
      previous && !verify ? result.waits.filter((w) => !before.has(w.executionId) || w.executionId === released) : result.waits;
    result.runtime.open = result.waits.map((w) => ({ executionId: w.executionId, kind: w.kind }));
    const newJobs: Array<Record<string, unknown>> = [];
    const scope = (locals: Variables) => ({ ...result.variables, ...locals });
    for (const wait of fresh) {
      if (wait.kind === 'call') {
        await this.callProcess(tx, instanceKey, model, result.variables, wait, now);
        continue;
      }
      if (verify) {
        const open = OPEN_WAIT[wait.kind];
        const [existing] = await tx.query(
          `SELECT 1 FROM ${open.table} WHERE instance_key = $1 AND execution_id = $2 AND state IN (${open.states})`,
          [instanceKey, wait.executionId],
        );
        if (existing) continue;
      }
      if (wait.kind === 'timer') {
        await tx.query(
          `INSERT INTO engine_timer (key, instance_key, execution_id, element_id, due_at, state) VALUES ($1, $2, $3, $4, $5, 'ACTIVE')`,
          [await this.keys.take(tx), instanceKey, wait.executionId, wait.elementId, wait.dueAt],
        );
        continue;
      }
      if (wait.kind === 'message' || wait.kind === 'signal') {
        await tx.query(
          `INSERT INTO engine_subscription (key, instance_key, execution_id, element_id, message_name, correlation_key, state, kind)
           VALUES ($1, $2, $3, $4, $5, $6, 'OPEN', $7)`,
          [await this.keys.take(tx), instanceKey, wait.executionId, wait.elementId, wait.messageName ?? wait.signalName, wait.correlationKey ?? '', wait.kind],
        );
        continue;
      }
      const meta = model.elements.get(wait.elementId)!;
      const known = elementKeys.get(wait.executionId);
      const [element] = known
        ? [{ key: known }]
        : await tx.query<{ key: string }>('SELECT key::text FROM engine_element WHERE instance_key = $1 AND execution_id = $2', [
            instanceKey,
            wait.executionId,
          ]);
      const key = await this.keys.take(tx);
      if (wait.kind === 'job') {
        const type = wait.jobType ?? meta.jobType!;
        this.newJobTypes.add(type);
        const retriesText = wait.jobType ? wait.retries : meta.retries;
        const retries = Number(retriesText ? evaluateValue(retriesText, scope(wait.locals)) : 3);
        // Written together with the instance's own row below (one round trip for both).
        newJobs.push({
          key, instance_key: instanceKey, element_key: element.key, execution_id: wait.executionId, element_id: wait.elementId,
          type, retries: Number.isFinite(retries) ? retries : 3, custom_headers: wait.jobType ? {} : meta.headers, locals: wait.locals,
          kind: wait.listenerEventType ? 'EXECUTION_LISTENER' : 'BPMN_ELEMENT', listener_event_type: wait.listenerEventType ?? 'UNSPECIFIED',
        });
      } else {
        const u = meta.userTask ?? {};
        const vars = scope(wait.locals);
        const one = (v: string | undefined) => {
          const r = v === undefined ? undefined : evaluateValue(v, vars);
          return r == null || r === '' ? null : typeof r === 'string' ? r : JSON.stringify(r);
        };
        let formKey: string | null = null;
        if (u.formId) {
          formKey = (await this.latestResource(tx, 'form', u.formId))?.key ?? null;
        }
        const dueDate = one(u.dueDate);
        const followUpDate = one(u.followUpDate);
        // The process's key, id, version and name from its definition (always there: the instance's foreign key).
        await tx.query(
          `INSERT INTO engine_user_task (key, instance_key, element_key, execution_id, element_id, name, state, assignee,
             candidate_groups, candidate_users, due_date, follow_up_date, form_key, form_id, external_form_reference, priority,
             custom_headers, creation_date, definition_key, process_id, process_version, process_name)
           SELECT $1, $2, $3, $4, $5, $6, 'CREATED', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, r.key, r.resource_id, r.version, r.name
           FROM engine_resource r WHERE r.key = $18`,
          [key, instanceKey, element.key, wait.executionId, wait.elementId, meta.name, one(u.assignee),
            evaluateList(u.candidateGroups, vars), evaluateList(u.candidateUsers, vars),
            dueDate ? new Date(dueDate).toISOString() : null, followUpDate ? new Date(followUpDate).toISOString() : null,
            formKey, u.formId ?? null, u.externalReference ?? null, Number(one(u.priority) ?? 50), JSON.stringify(meta.headers), now,
            instance.definition_key],
        );
      }
    }

    const completed = result.outcome === 'completed';
    if (completed && previous) {
      const gone = previous.filter((w) => !current.has(w.executionId) && w.executionId !== released);
      if (gone.length > 0) await this.closeWaits(tx, instanceKey, now, gone);
    } else if (completed) {
      await this.cancelWaits(tx, instanceKey, now, []);
    }
    const escalations = result.escalations ?? [];
    const [parent] = completed || escalations.length > 0
      ? await tx.query<{ parent_instance_key: string | null; parent_execution_id: string; propagate_child_variables: boolean }>(
          'SELECT parent_instance_key::text, parent_execution_id, propagate_child_variables FROM engine_instance WHERE key = $1',
          [instanceKey],
        )
      : [];
    const flows = result.flows ?? [];
    // A completed instance keeps its variables' names and indexes (their keys stay what they were).
    const params: unknown[] = [instanceKey, JSON.stringify(result.variables), JSON.stringify(completed ? { names: result.runtime.names } : result.runtime),
      completed ? 'COMPLETED' : 'ACTIVE', completed ? now : null];
    const takenFlows = flows.length > 0 ? `, taken_flows = ARRAY(SELECT DISTINCT f FROM unnest(taken_flows || $${params.push(flows)}::text[]) f ORDER BY f)` : '';
    const jobs = newJobs.length > 0
      ? `WITH jobs AS (
           INSERT INTO engine_job (key, instance_key, element_key, execution_id, element_id, type, state, retries, custom_headers,
             available_at, locals, created_at, kind, listener_event_type)
           SELECT key, instance_key, element_key, execution_id, element_id, type, 'ACTIVATABLE', retries, custom_headers,
             $${params.push(now)}, locals, $${params.length}, kind, listener_event_type
           FROM jsonb_to_recordset($${params.push(JSON.stringify(newJobs))}::jsonb) AS j(key bigint, instance_key bigint,
             element_key bigint, execution_id text, element_id text, type text, retries int, custom_headers jsonb, locals jsonb,
             kind text, listener_event_type text))
         `
      : '';
    await tx.query(
      `${jobs}UPDATE engine_instance SET variables = $2, runtime = $3, state = $4, end_date = $5, pending_action = NULL${takenFlows} WHERE key = $1`,
      params,
    );
    for (const signal of result.signals ?? []) await this.broadcast(tx, signal.name, signal.variables);
    if (completed) {
      await tx.query(`UPDATE engine_element SET state = 'COMPLETED', end_date = $2 WHERE instance_key = $1 AND state = 'ACTIVE'`, [
        instanceKey,
        now,
      ]);
      setImmediate(() => this.signals.emit(`completed:${instanceKey}`));
      await this.startFromBuffer(tx, instanceKey);
      if (parent?.parent_instance_key) {
        await this.escalateToCaller(tx, parent.parent_instance_key, parent.parent_execution_id, escalations);
        // The called process is done: the call activity completes with the child's variables, unless an
        // interrupting escalation boundary has already taken the caller elsewhere.
        if (await this.waitsFor(tx, parent.parent_instance_key, parent.parent_execution_id)) {
          await this.advance(tx, parent.parent_instance_key, {
            kind: 'complete',
            executionId: parent.parent_execution_id,
            variables: result.variables,
            propagate: parent.propagate_child_variables,
          });
        }
      }
      return result;
    }
    if (parent?.parent_instance_key) await this.escalateToCaller(tx, parent.parent_instance_key, parent.parent_execution_id, escalations);
    // A message published before its catch event was reached is correlated now, within its time to live.
    if (!fresh.some((w) => w.kind === 'message')) return result;
    // A message published while this step was uncommitted does not see the new subscription, nor this step the
    // message: once committed, look again (see matchBufferedMessages).
    this.recheckAfterCommit(tx);
    const [buffered] = await tx.query<{ key: string; execution_id: string; variables: Variables; sub_key: string }>(
      `SELECT m.key::text, s.execution_id, m.variables, s.key::text AS sub_key
       FROM engine_subscription s JOIN engine_message m
         ON m.name = s.message_name AND m.correlation_key = s.correlation_key AND m.state = 'BUFFERED' AND m.expires_at > $2
       WHERE s.instance_key = $1 AND s.state = 'OPEN' ORDER BY m.key LIMIT 1 FOR UPDATE OF m`,
      [instanceKey, now],
    );
    if (buffered) {
      await tx.query("UPDATE engine_message SET state = 'CORRELATED' WHERE key = $1", [buffered.key]);
      await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = $1", [buffered.sub_key]);
      return this.advance(tx, instanceKey, { kind: 'message', executionId: buffered.execution_id, variables: buffered.variables });
    }
    return result;
  }

  /**
   * An error a called process did not catch, offered to its call activity: caught by the caller (or further up), the
   * caller's step is kept and terminates this process; not caught, nothing of the try is kept (a savepoint) and the
   * incident stays with this process, where the error was thrown.
   */
  private async raiseToCaller(tx: EngineQueryable, instanceKey: string, raised: { code: string; message: string }): Promise<boolean> {
    const [row] = await tx.query<{ parent_instance_key: string | null; parent_execution_id: string | null }>(
      'SELECT parent_instance_key::text, parent_execution_id FROM engine_instance WHERE key = $1',
      [instanceKey],
    );
    if (!row?.parent_instance_key || !row.parent_execution_id || !(await this.waitsFor(tx, row.parent_instance_key, row.parent_execution_id))) return false;
    await tx.query('SAVEPOINT raise_to_caller');
    const caught = await this.advance(tx, row.parent_instance_key, {
      kind: 'error', executionId: row.parent_execution_id, errorCode: raised.code, errorMessage: raised.message, variables: {},
    });
    if (caught.outcome === 'incident') {
      await tx.query('ROLLBACK TO SAVEPOINT raise_to_caller');
      return false;
    }
    await tx.query('RELEASE SAVEPOINT raise_to_caller');
    // The caller's step took the error as the call activity's action, so it closed nothing of this process: end it.
    await this.terminate(tx, instanceKey, this.now().toISOString());
    return true;
  }

  /** Escalations a called process did not catch go to the boundary events of the call activity that called it. */
  private async escalateToCaller(tx: EngineQueryable, parentKey: string, callExecutionId: string, escalations: Array<{ code?: string }>) {
    for (const escalation of escalations) {
      if (!(await this.waitsFor(tx, parentKey, callExecutionId))) return;
      await this.advance(tx, parentKey, { kind: 'escalate', executionId: callExecutionId, code: escalation.code });
    }
  }

  private async waitsFor(tx: EngineQueryable, instanceKey: string, executionId: string): Promise<boolean> {
    const [row] = await tx.query<{ waiting: boolean }>(
      `SELECT state = 'ACTIVE' AND (runtime->'open' IS NULL OR runtime->'open' @> $2::jsonb) AS waiting FROM engine_instance WHERE key = $1`,
      [instanceKey, JSON.stringify([{ executionId }])],
    );
    return row?.waiting === true;
  }

  /**
   * Starts the process a call activity calls, unless it runs already. A process that is not deployed is an
   * incident on the call activity, resolved by deploying it and resolving the incident.
   */
  private async callProcess(
    tx: EngineQueryable,
    instanceKey: string,
    model: ProcessModel,
    variables: Variables,
    wait: Wait,
    now: string,
  ): Promise<void> {
    const [running] = await tx.query(
      "SELECT 1 FROM engine_instance WHERE parent_instance_key = $1 AND parent_execution_id = $2 AND state = 'ACTIVE'",
      [instanceKey, wait.executionId],
    );
    if (running) return;
    const definition = wait.calledProcessId ? await this.latestResource(tx, 'process', wait.calledProcessId) : undefined;
    if (!definition) {
      const [element] = await tx.query<{ key: string }>('SELECT key::text FROM engine_element WHERE instance_key = $1 AND execution_id = $2', [
        instanceKey,
        wait.executionId,
      ]);
      await tx.query(
        `INSERT INTO engine_incident (key, instance_key, element_key, element_id, error_type, error_message, state, creation_time)
         VALUES ($1, $2, $3, $4, 'CALLED_ELEMENT_ERROR', $5, 'ACTIVE', $6)`,
        [await this.keys.take(tx), instanceKey, element?.key ?? null, wait.elementId,
          `Expected process with BPMN process id '${wait.calledProcessId}' to be deployed, but not found.`, now],
      );
      await tx.query('UPDATE engine_instance SET has_incident = true WHERE key = $1', [instanceKey]);
      return;
    }
    const meta = model.elements.get(wait.elementId);
    const childVariables = { ...(meta?.call?.propagateAllParentVariables === false ? {} : variables), ...wait.locals };
    await this.startInstance(tx, definition, childVariables, {
      instanceKey,
      executionId: wait.executionId,
      propagateChildVariables: meta?.call?.propagateAllChildVariables !== false,
    });
  }

  /**
   * Element instances of one step in two statements: the elements entered (with their final state when they also
   * finished in this step), and the ones entered earlier that finished now. A catch event is reported entered again
   * when it catches (in a later step): its existing instance takes the final state rather than a second row.
   */
  private async storeElementEvents(tx: EngineQueryable, instanceKey: string, result: RunResult, now: string): Promise<Map<string, string>> {
    const entered = new Map<string, { event: RunResult['events'][number]; state: string }>();
    const finished = new Map<string, string>();
    for (const event of result.events) {
      const mine = entered.get(event.executionId);
      if (event.state === 'ACTIVE') {
        if (!mine) entered.set(event.executionId, { event, state: 'ACTIVE' });
      } else if (mine) {
        if (mine.state === 'ACTIVE') mine.state = event.state;
      } else if (!finished.has(event.executionId)) {
        finished.set(event.executionId, event.state);
      }
    }
    if (entered.size === 0 && finished.size === 0) return new Map();
    const rows = [...entered.values()];
    const keys: string[] = [];
    for (let i = 0; i < rows.length; i++) keys.push(await this.keys.take(tx));
    // Each new element instance's flow scope: the process instance, one entered in this step, or an earlier one.
    const known = new Map<string, string>([['process', instanceKey], ...rows.map((r, i): [string, string] => [r.event.executionId, keys[i]])]);
    const earlier = [...new Set(rows.map((r) => r.event.scopeExecutionId ?? 'process'))].filter((x) => !known.has(x));
    if (earlier.length > 0) {
      const found = await tx.query<{ key: string; execution_id: string }>(
        'SELECT key::text, execution_id FROM engine_element WHERE instance_key = $1 AND execution_id = ANY($2::text[])',
        [instanceKey, earlier],
      );
      for (const f of found) known.set(f.execution_id, f.key);
    }
    const scopes = rows.map((r) => known.get(r.event.scopeExecutionId ?? 'process') ?? instanceKey);
    // One round trip: the update of earlier elements and the insert of new ones in one statement; the keys of the
    // inserted ones come back for the jobs and tasks created on them.
    const inserted = await tx.query<{ key: string; execution_id: string }>(
      `WITH finished AS (
         UPDATE engine_element el SET state = u.s, end_date = $2 FROM unnest($9::text[], $10::text[]) AS u(x, s)
         WHERE el.instance_key = $1 AND el.execution_id = u.x AND el.state = 'ACTIVE' RETURNING 1)
       INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date, end_date, scope_key)
       SELECT k::bigint, $1, x, e, n, t, s, $2, CASE WHEN s = 'ACTIVE' THEN NULL ELSE $2::timestamptz END, sk::bigint
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $11::text[]) AS u(k, x, e, n, t, s, sk)
       ON CONFLICT (instance_key, execution_id) DO UPDATE SET state = EXCLUDED.state, end_date = EXCLUDED.end_date
         WHERE engine_element.state = 'ACTIVE' AND EXCLUDED.state <> 'ACTIVE'
       RETURNING key::text, execution_id`,
      [instanceKey, now, keys, rows.map((r) => r.event.executionId), rows.map((r) => r.event.elementId), rows.map((r) => r.event.elementName),
        rows.map((r) => r.event.elementType), rows.map((r) => r.state), [...finished.keys()], [...finished.values()], scopes],
    );
    return new Map(inserted.map((r) => [r.execution_id, r.key]));
  }

  /** Closes the given waits (kind by kind), and terminates the processes that closed call activities called. */
  private async closeWaits(tx: EngineQueryable, instanceKey: string, now: string, gone: NonNullable<StoredRuntime['open']>): Promise<void> {
    const ids = (kind: string) => gone.filter((w) => w.kind === kind).map((w) => w.executionId);
    const jobs = ids('job');
    if (jobs.length) {
      await tx.query(
        "UPDATE engine_job SET state = 'CANCELED' WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED')",
        [instanceKey, jobs],
      );
    }
    const tasks = ids('user-task');
    if (tasks.length) {
      await tx.query(
        "UPDATE engine_user_task SET state = 'CANCELED', completion_date = $3 WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state = 'CREATED'",
        [instanceKey, tasks, now],
      );
    }
    const timers = ids('timer');
    if (timers.length) {
      await tx.query("UPDATE engine_timer SET state = 'CANCELED' WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state = 'ACTIVE'", [
        instanceKey,
        timers,
      ]);
    }
    const messages = [...ids('message'), ...ids('signal')];
    if (messages.length) {
      await tx.query(
        "UPDATE engine_subscription SET state = 'CANCELED' WHERE instance_key = $1 AND execution_id = ANY($2::text[]) AND state = 'OPEN'",
        [instanceKey, messages],
      );
    }
    const calls = ids('call');
    if (calls.length) {
      const children = await tx.query<{ key: string }>(
        "SELECT key::text FROM engine_instance WHERE parent_instance_key = $1 AND state = 'ACTIVE' AND parent_execution_id = ANY($2::text[])",
        [instanceKey, calls],
      );
      for (const child of children) await this.terminate(tx, child.key, now);
    }
  }

  /** Closes the open jobs, tasks, timers and subscriptions of an instance, except the listed executions. */
  private async cancelWaits(tx: EngineQueryable, instanceKey: string, now: string, keep: string[]): Promise<void> {
    const except = 'AND NOT (execution_id = ANY($2::text[]))';
    await tx.query(`UPDATE engine_job SET state = 'CANCELED' WHERE instance_key = $1 AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED') ${except}`, [
      instanceKey,
      keep,
    ]);
    await tx.query(
      `UPDATE engine_user_task SET state = 'CANCELED', completion_date = $3 WHERE instance_key = $1 AND state = 'CREATED' ${except}`,
      [instanceKey, keep, now],
    );
    await tx.query(`UPDATE engine_timer SET state = 'CANCELED' WHERE instance_key = $1 AND state = 'ACTIVE' ${except}`, [instanceKey, keep]);
    await tx.query(`UPDATE engine_subscription SET state = 'CANCELED' WHERE instance_key = $1 AND state = 'OPEN' ${except}`, [instanceKey, keep]);
    const children = await tx.query<{ key: string }>(
      `SELECT key::text FROM engine_instance WHERE parent_instance_key = $1 AND state = 'ACTIVE' AND NOT (parent_execution_id = ANY($2::text[]))`,
      [instanceKey, keep],
    );
    for (const child of children) await this.terminate(tx, child.key, now);
  }

  /** Terminates an instance and, through its waits, the processes it called. */
  private async terminate(tx: EngineQueryable, key: string, now: string): Promise<void> {
    await tx.query(
      "UPDATE engine_instance SET state = 'TERMINATED', end_date = $2, runtime = jsonb_build_object('names', runtime->'names') WHERE key = $1",
      [key, now],
    );
    await tx.query("UPDATE engine_element SET state = 'TERMINATED', end_date = $2 WHERE instance_key = $1 AND state = 'ACTIVE'", [key, now]);
    await tx.query("UPDATE engine_incident SET state = 'RESOLVED' WHERE instance_key = $1 AND state = 'ACTIVE'", [key]);
    await this.cancelWaits(tx, key, now, []);
    setImmediate(() => this.signals.emit(`completed:${key}`));
    await this.startFromBuffer(tx, key);
  }

  /**
   * An instance that a message with a correlation key started has ended: a message with the same key that was buffered
   * meanwhile (it could not start a second instance) starts the next one now.
   */
  private async startFromBuffer(tx: EngineQueryable, instanceKey: string): Promise<void> {
    const [ended] = await tx.query<{ process_id: string; start_correlation_key: string | null }>(
      'SELECT process_id, start_correlation_key FROM engine_instance WHERE key = $1',
      [instanceKey],
    );
    if (!ended?.start_correlation_key) return;
    const [next] = await tx.query<{ message_key: string; variables: Variables; element_id: string; definition_key: string; resource_id: string; version: number }>(
      `SELECT m.key::text AS message_key, m.variables, s.element_id, r.key::text AS definition_key, r.resource_id, r.version
       FROM engine_message m
       JOIN engine_subscription s ON s.message_name = m.name AND s.kind = 'message' AND s.state = 'OPEN' AND s.definition_key IS NOT NULL
       JOIN engine_resource r ON r.key = s.definition_key AND r.resource_id = $1
       WHERE m.state = 'BUFFERED' AND m.correlation_key = $2 AND m.expires_at > $3 ORDER BY m.key LIMIT 1 FOR UPDATE OF m`,
      [ended.process_id, ended.start_correlation_key, this.now().toISOString()],
    );
    if (!next) return;
    await tx.query("UPDATE engine_message SET state = 'CORRELATED' WHERE key = $1", [next.message_key]);
    const definition = { key: next.definition_key, resource_id: next.resource_id, version: next.version };
    await this.startInstance(tx, definition, next.variables, undefined, { at: next.element_id, correlationKey: ended.start_correlation_key });
  }

  async cancelProcessInstance(key: string): Promise<void> {
    await this.transaction(async (tx) => {
      const [row] = await tx.query<{ state: string }>('SELECT state FROM engine_instance WHERE key = $1 FOR UPDATE', [key]);
      if (!row) throw notFound('process instance', key);
      if (row.state !== 'ACTIVE') throw notFound('process instance', key);
      await this.terminate(tx, key, this.now().toISOString());
    });
  }


  async searchProcessInstances(query: SearchQuery) {
    return reads(this.db).searchProcessInstances(query);
  }

  async getProcessInstance(key: string) {
    return reads(this.db).getProcessInstance(key);
  }

  /** The sequence flows the instance has taken, each once (Camunda's GET /process-instances/{key}/sequence-flows). */
  async getSequenceFlows(key: string) {
    const [row] = await this.db.query<{ key: string; definition_key: string; process_id: string; taken_flows: string[] }>(
      'SELECT key::text, definition_key::text, process_id, taken_flows FROM engine_instance WHERE key = $1',
      [key],
    );
    if (!row) throw notFound('process instance', key);
    return {
      items: row.taken_flows.map((flowId) => ({
        processInstanceKey: row.key,
        processDefinitionKey: row.definition_key,
        processDefinitionId: row.process_id,
        elementId: flowId,
        sequenceFlowId: flowId,
        tenantId: TENANT,
      })),
    };
  }


  async searchElementInstances(query: SearchQuery) {
    return reads(this.db).searchElementInstances(query);
  }

  // ---------------------------------------------------------------- jobs

  /** Hands out up to maxJobsToActivate jobs of a type; waits up to requestTimeout for some to appear (long polling). */
  async activateJobs(
    input: { type: string; worker?: string; timeout: number; maxJobsToActivate: number; requestTimeout?: number; fetchVariable?: string[] },
    abort?: AbortSignal,
  ) {
    if (!input.type) throw invalidArgument('Expected a job type, but none given');
    if (!(input.maxJobsToActivate > 0)) throw invalidArgument(`Expected maxJobsToActivate to be greater than 0, but was ${input.maxJobsToActivate}`);
    if (!(input.timeout > 0)) throw invalidArgument(`Expected timeout to be greater than 0, but was ${input.timeout}`);
    // Zeebe's rule: 0 or none is the default long-polling time; a negative one answers at once, jobs or none.
    const requestTimeout = input.requestTimeout === undefined || input.requestTimeout === 0 ? 10000 : Math.max(0, input.requestTimeout);
    const until = Date.now() + requestTimeout;
    for (;;) {
      if (abort?.aborted) return { jobs: [] };
      const jobs = await this.tryActivate(input);
      if (jobs.length > 0 || Date.now() >= until) return { jobs };
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.signals.off('jobs', done);
          this.signals.off(`jobs:${input.type}`, done);
          this.signals.off('stop', done);
          abort?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(until - Date.now(), 1000));
        this.signals.once('jobs', done);
        this.signals.once(`jobs:${input.type}`, done);
        this.signals.once('stop', done);
        abort?.addEventListener('abort', done);
      });
    }
  }

  /** Jobs activated for a worker that went away before receiving them are handed out again at once. */
  async returnJobs(jobKeys: string[]): Promise<void> {
    if (jobKeys.length === 0) return;
    await this.db.query(
      "UPDATE engine_job SET state = 'ACTIVATABLE', worker = NULL, deadline = NULL WHERE key = ANY($1::bigint[]) AND state = 'ACTIVATED'",
      [jobKeys],
    );
    this.notifyJobs(true);
  }

  private async tryActivate(input: { type: string; worker?: string; timeout: number; maxJobsToActivate: number; fetchVariable?: string[] }) {
    const now = this.now();
    // One statement, atomic on its own (SKIP LOCKED keeps concurrent activations apart): no transaction around it,
    // which saved two round trips on every activation and every long-poll re-check.
    const rows = await this.db.query<Row>(
      `UPDATE engine_job j SET state = 'ACTIVATED', worker = $3, deadline = $4
       FROM engine_instance i
       WHERE j.key IN (SELECT key FROM engine_job WHERE type = $1 AND state = 'ACTIVATABLE' AND available_at <= $5
                       ORDER BY key LIMIT $2 FOR UPDATE SKIP LOCKED)
         AND i.key = j.instance_key
       RETURNING j.*, i.variables, i.definition_key, i.process_id, i.tags,
         (SELECT version FROM engine_resource r WHERE r.key = i.definition_key) AS version`,
      [input.type, input.maxJobsToActivate, input.worker ?? '', new Date(now.getTime() + input.timeout).toISOString(), now.toISOString()],
    );
    return rows.map((row) => {
      let variables = { ...(row.variables as Variables), ...(row.locals as Variables) };
      if (input.fetchVariable?.length) {
        variables = Object.fromEntries(input.fetchVariable.filter((n) => n in variables).map((n) => [n, variables[n]]));
      }
      return {
        type: String(row.type),
        processDefinitionId: String(row.process_id),
        processDefinitionVersion: Number(row.version),
        elementId: String(row.element_id),
        customHeaders: row.custom_headers as Record<string, unknown>,
        worker: (row.worker as string | null) ?? '',
        retries: Number(row.retries),
        deadline: new Date(row.deadline as string).getTime(),
        variables,
        tenantId: TENANT,
        jobKey: String(row.key),
        processInstanceKey: String(row.instance_key),
        processDefinitionKey: String(row.definition_key),
        elementInstanceKey: String(row.element_key),
        tags: (row.tags as string[] | undefined) ?? [],
        kind: (row.kind as string | undefined) ?? 'BPMN_ELEMENT',
        listenerEventType: (row.listener_event_type as string | undefined) ?? 'UNSPECIFIED',
      };
    });
  }

  private async openJob(tx: EngineQueryable, key: string) {
    const [job] = await tx.query<{ instance_key: string; execution_id: string; state: string; retries: number; kind: string }>(
      'SELECT instance_key::text, execution_id, state, retries, kind FROM engine_job WHERE key = $1 FOR UPDATE',
      [key],
    );
    if (!job || job.state === 'COMPLETED' || job.state === 'CANCELED' || job.state === 'ERROR_THROWN') throw notFound('job', key);
    return job;
  }

  async completeJob(key: string, variables: Variables = {}): Promise<void> {
    await this.transaction(async (tx) => {
      // The hot path: one statement checks and completes the job, and locks and reads its instance.
      const [job] = await tx.query<InstanceRow & { instance_key: string; execution_id: string }>(
        `WITH job AS (
           UPDATE engine_job SET state = 'COMPLETED' WHERE key = $1 AND state IN ('ACTIVATABLE', 'ACTIVATED')
           RETURNING instance_key, execution_id)
         SELECT job.instance_key::text, job.execution_id, ${INSTANCE_COLUMNS('i')}
         FROM job JOIN engine_instance i ON i.key = job.instance_key FOR UPDATE OF i`,
        [key],
      );
      if (!job) {
        const open = await this.openJob(tx, key); // not found (404), or in a state that cannot complete
        throw invalidState(`Expected to complete job with key '${key}', but it is in state '${open.state}'`);
      }
      await this.advance(tx, job.instance_key, { kind: 'complete', executionId: job.execution_id, variables }, key, job);
    });
    this.notifyJobs();
  }

  async failJob(key: string, input: { retries?: number; errorMessage?: string; retryBackOff?: number; variables?: Variables }) {
    await this.transaction(async (tx) => {
      const job = await this.openJob(tx, key);
      // Like Zeebe: a job is failed while activatable or activated (a worker may fail a job it never activated).
      if (job.state !== 'ACTIVATED' && job.state !== 'ACTIVATABLE') throw invalidState(`Expected to fail job with key '${key}', but it is in state '${job.state}'`);
      const retries = Math.max(0, Number(input.retries ?? 0));
      const now = this.now();
      const message = input.errorMessage ?? '';
      if (retries > 0) {
        await tx.query(
          "UPDATE engine_job SET state = 'ACTIVATABLE', retries = $2, error_message = $3, available_at = $4, worker = NULL, deadline = NULL WHERE key = $1",
          [key, retries, message, new Date(now.getTime() + Math.max(0, Number(input.retryBackOff ?? 0))).toISOString()],
        );
      } else {
        await tx.query("UPDATE engine_job SET state = 'FAILED', retries = 0, error_message = $2, worker = NULL, deadline = NULL WHERE key = $1", [
          key,
          message,
        ]);
        const [element] = await tx.query<{ element_key: string; element_id: string }>(
          'SELECT element_key::text, element_id FROM engine_job WHERE key = $1',
          [key],
        );
        await tx.query(
          `INSERT INTO engine_incident (key, instance_key, element_key, element_id, job_key, error_type, error_message, state, creation_time)
           VALUES ($1, $2, $3, $4, $5, 'JOB_NO_RETRIES', $6, 'ACTIVE', $7)`,
          [await this.keys.take(tx), job.instance_key, element.element_key, element.element_id, key, message || 'No more retries left.', now.toISOString()],
        );
        await tx.query('UPDATE engine_instance SET has_incident = true WHERE key = $1', [job.instance_key]);
      }
      if (input.variables && Object.keys(input.variables).length > 0) {
        await tx.query(`UPDATE engine_job SET locals = locals || $2::jsonb WHERE key = $1`, [key, JSON.stringify(input.variables)]);
      }
    });
    this.notifyJobs(true);
  }

  async throwJobError(key: string, input: { errorCode: string; errorMessage?: string; variables?: Variables }) {
    if (!input.errorCode) throw invalidArgument('Expected an errorCode, but none given');
    await this.transaction(async (tx) => {
      const job = await this.openJob(tx, key);
      if (job.kind !== 'BPMN_ELEMENT') {
        throw invalidState(`Expected to throw an error for job with key '${key}', but it is a ${job.kind} job: a listener cannot throw a BPMN error`);
      }
      await tx.query("UPDATE engine_job SET state = 'ERROR_THROWN', error_message = $2 WHERE key = $1", [key, input.errorMessage ?? null]);
      await this.advance(
        tx,
        job.instance_key,
        { kind: 'error', executionId: job.execution_id, errorCode: input.errorCode, errorMessage: input.errorMessage ?? '', variables: input.variables ?? {} },
        key,
      );
    });
    this.notifyJobs();
  }

  async updateJob(key: string, changeset: { retries?: number; timeout?: number }) {
    await this.transaction(async (tx) => {
      const job = await this.openJob(tx, key);
      if (changeset.retries !== undefined) {
        if (!(changeset.retries >= 1)) throw invalidArgument(`Expected retries to be at least 1, but was ${changeset.retries}`);
        await tx.query('UPDATE engine_job SET retries = $2 WHERE key = $1', [key, changeset.retries]);
      }
      if (changeset.timeout !== undefined) {
        if (job.state !== 'ACTIVATED') throw invalidState(`Expected to update the timeout of an activated job, but job '${key}' is '${job.state}'`);
        await tx.query('UPDATE engine_job SET deadline = $2 WHERE key = $1', [key, new Date(this.now().getTime() + changeset.timeout).toISOString()]);
      }
    });
  }

  /**
   * The scheduler's round: due timers fire (each in its own transaction, so a crash fires nothing twice that was
   * committed), jobs whose worker did not answer before the deadline become activatable again, and buffered
   * messages meet subscriptions a race let them miss.
   */
  private sweep(): Promise<void> {
    const run = this.sweeps.then(async () => {
      await this.fireDueTimers();
      await this.reactivateTimedOutJobs();
      // The safety net of the after-commit recheck (see transaction()): a recheck that failed, or a crash between a
      // commit and its recheck, leaves a buffered message beside its open subscription. Such a pair is correlated here.
      const [waiting] = await this.db.query("SELECT 1 FROM engine_message WHERE state = 'BUFFERED' AND expires_at > $1 LIMIT 1", [this.now().toISOString()]);
      if (waiting) await this.matchBufferedMessages();
    });
    this.sweeps = run.catch(() => undefined);
    return run;
  }

  private async fireDueTimers(): Promise<void> {
    // Timers that failed this round for a passing reason are tried again next round, not now.
    const retryLater: string[] = [];
    for (;;) {
      const now = this.now().toISOString();
      const due = await this.db.query<{ key: string }>(
        `SELECT key::text FROM engine_timer WHERE state = 'ACTIVE' AND due_at <= $1 AND NOT (key::text = ANY($2::text[]))
         ORDER BY due_at, key LIMIT 100`,
        [now, retryLater],
      );
      if (due.length === 0) return;
      for (const { key } of due) {
        try {
          await this.transaction(async (tx) => {
            const [timer] = await tx.query<{ key: string; instance_key: string | null; execution_id: string; definition_key: string; element_id: string; due_at: string; repetitions: number | null }>(
              `SELECT key::text, instance_key::text, execution_id, definition_key::text, element_id, due_at, repetitions
               FROM engine_timer WHERE key = $1 AND state = 'ACTIVE' FOR UPDATE SKIP LOCKED`,
              [key],
            );
            if (!timer) return;
            await tx.query("UPDATE engine_timer SET state = 'FIRED' WHERE key = $1", [key]);
            // A timer start event (no instance yet) starts one; any other moves its instance on.
            if (timer.instance_key === null) await fireStartTimer(tx, this.starts, timer);
            else await this.advance(tx, timer.instance_key, { kind: 'timer', executionId: timer.execution_id });
          });
        } catch (error) {
          this.options.onError?.(error);
          if (error instanceof EngineError && (error.status === 404 || error.status === 409)) {
            // The instance cannot move on (gone, or not active any more): its timer is void, and must not stop others.
            await this.db.query("UPDATE engine_timer SET state = 'CANCELED' WHERE key = $1 AND state = 'ACTIVE'", [key]);
          } else {
            // A database that went away for a moment, or anything unforeseen: the transaction rolled back, the timer
            // is still due and fires on a later round (a deadline must not be lost to a passing failure).
            retryLater.push(key);
          }
        }
      }
      this.notifyJobs();
    }
  }

  private async reactivateTimedOutJobs(): Promise<void> {
    const rows = await this.db.query(
      `UPDATE engine_job SET state = 'ACTIVATABLE', worker = NULL, deadline = NULL
       WHERE state = 'ACTIVATED' AND deadline < $1 RETURNING key`,
      [this.now().toISOString()],
    );
    if (rows.length > 0) this.notifyJobs(true);
  }

  // ---------------------------------------------------------------- user tasks


  async searchUserTasks(query: SearchQuery) {
    return reads(this.db).searchUserTasks(query);
  }

  async getUserTask(key: string) {
    return reads(this.db).getUserTask(key);
  }

  async getUserTaskForm(key: string) {
    const [row] = await this.db.query<{ form_key: string | null }>('SELECT form_key::text FROM engine_user_task WHERE key = $1', [key]);
    if (!row) throw notFound('user task', key);
    if (!row.form_key) return undefined;
    const [form] = await this.db.query<{ resource_id: string; version: number; content: string }>(
      'SELECT resource_id, version, content FROM engine_resource WHERE key = $1',
      [row.form_key],
    );
    return { tenantId: TENANT, formId: form.resource_id, schema: JSON.parse(form.content) as Row, version: form.version, formKey: row.form_key };
  }

  private async openTask(tx: EngineQueryable, key: string) {
    const [task] = await tx.query<{ instance_key: string; execution_id: string; state: string; assignee: string | null }>(
      'SELECT instance_key::text, execution_id, state, assignee FROM engine_user_task WHERE key = $1 FOR UPDATE',
      [key],
    );
    if (!task || task.state !== 'CREATED') throw notFound('user task', key);
    return task;
  }

  async assignUserTask(key: string, input: { assignee: string; allowOverride?: boolean }) {
    if (!input.assignee) throw invalidArgument('Expected an assignee, but none given');
    await this.transaction(async (tx) => {
      const task = await this.openTask(tx, key);
      if (input.allowOverride === false && task.assignee && task.assignee !== input.assignee) {
        throw invalidState(`Expected to assign user task '${key}' to '${input.assignee}', but it is already assigned to '${task.assignee}'`);
      }
      await tx.query('UPDATE engine_user_task SET assignee = $2 WHERE key = $1', [key, input.assignee]);
    });
  }

  async unassignUserTask(key: string) {
    await this.transaction(async (tx) => {
      await this.openTask(tx, key);
      await tx.query('UPDATE engine_user_task SET assignee = NULL WHERE key = $1', [key]);
    });
  }

  async updateUserTask(
    key: string,
    changeset: { dueDate?: string | null; followUpDate?: string | null; candidateGroups?: string[]; candidateUsers?: string[]; priority?: number },
  ) {
    const date = (v: string | null | undefined, name: string) => {
      if (v === undefined) return undefined;
      if (v === null || v === '') return null;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw invalidArgument(`Expected ${name} to be an ISO 8601 date-time, but was '${v}'`);
      return d.toISOString();
    };
    const sets: string[] = [];
    const params: unknown[] = [key];
    const add = (column: string, value: unknown) => {
      if (value === undefined) return;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    add('due_date', date(changeset.dueDate, 'dueDate'));
    add('follow_up_date', date(changeset.followUpDate, 'followUpDate'));
    add('candidate_groups', changeset.candidateGroups);
    add('candidate_users', changeset.candidateUsers);
    if (changeset.priority !== undefined && !(Number.isInteger(changeset.priority) && changeset.priority >= 0 && changeset.priority <= 100)) {
      throw invalidArgument(`Expected priority to be an integer between 0 and 100, but was ${changeset.priority}`);
    }
    add('priority', changeset.priority);
    await this.transaction(async (tx) => {
      await this.openTask(tx, key);
      if (sets.length > 0) await tx.query(`UPDATE engine_user_task SET ${sets.join(', ')} WHERE key = $1`, params);
    });
  }

  async completeUserTask(key: string, variables: Variables = {}) {
    await this.transaction(async (tx) => {
      const task = await this.openTask(tx, key);
      await tx.query("UPDATE engine_user_task SET state = 'COMPLETED', completion_date = $2 WHERE key = $1", [key, this.now().toISOString()]);
      await this.advance(tx, task.instance_key, { kind: 'complete', executionId: task.execution_id, variables });
    });
    this.notifyJobs();
  }

  // ---------------------------------------------------------------- incidents and variables


  async searchIncidents(query: SearchQuery) {
    return reads(this.db).searchIncidents(query);
  }

  /** Resolves an incident: a job incident makes the job activatable again; any other replays the failed step. */
  async resolveIncident(key: string): Promise<void> {
    await this.transaction(async (tx) => {
      const [incident] = await tx.query<{ instance_key: string; job_key: string | null; state: string }>(
        'SELECT instance_key::text, job_key::text, state FROM engine_incident WHERE key = $1 FOR UPDATE',
        [key],
      );
      if (!incident || incident.state !== 'ACTIVE') throw notFound('incident', key);
      await tx.query("UPDATE engine_incident SET state = 'RESOLVED' WHERE key = $1", [key]);
      const [instance] = await tx.query<{ pending_action: Action | null }>(
        'SELECT pending_action FROM engine_instance WHERE key = $1',
        [incident.instance_key],
      );
      if (instance.pending_action) {
        await tx.query('UPDATE engine_instance SET has_incident = false WHERE key = $1', [incident.instance_key]);
        await this.advance(tx, incident.instance_key, instance.pending_action, incident.job_key ?? undefined);
      } else if (!incident.job_key) {
        // e.g. a called process that was not deployed: run the instance again so its waits are re-created.
        await tx.query('UPDATE engine_instance SET has_incident = false WHERE key = $1', [incident.instance_key]);
        await this.advance(tx, incident.instance_key, { kind: 'resume' });
      } else {
        const [job] = await tx.query<{ retries: number; state: string }>('SELECT retries, state FROM engine_job WHERE key = $1', [incident.job_key]);
        if (job.retries < 1) {
          throw invalidState(`Expected the job '${incident.job_key}' to have retries before resolving the incident; update its retries first`);
        }
        await tx.query(
          "UPDATE engine_job SET state = 'ACTIVATABLE', available_at = $2 WHERE key = $1 AND state = 'FAILED'",
          [incident.job_key, this.now().toISOString()],
        );
      }
      await tx.query(
        `UPDATE engine_instance SET has_incident = EXISTS (SELECT 1 FROM engine_incident WHERE instance_key = $1 AND state = 'ACTIVE') WHERE key = $1`,
        [incident.instance_key],
      );
    });
    this.notifyJobs(true);
  }

  // ---------------------------------------------------------------- messages

  /**
   * Publishes a message: it is correlated to a waiting subscription with the same name and correlation key (one
   * per process), or kept for its time to live for a catch event reached later. A message id is published once.
   */
  async publishMessage(input: { name: string; correlationKey?: string; timeToLive?: number; messageId?: string; variables?: Variables }) {
    if (!input.name) throw invalidArgument('Expected a message name, but none given');
    const result = await this.transaction(async (tx) => {
      const now = this.now();
      if (input.messageId) {
        const [dupe] = await tx.query(
          "SELECT 1 FROM engine_message WHERE message_id = $1 AND (state <> 'BUFFERED' OR expires_at > $2)",
          [input.messageId, now.toISOString()],
        );
        if (dupe) {
          throw new EngineError(
            409,
            'INVALID_STATE',
            `Expected to publish a new message with id '${input.messageId}', but a message with that id was already published`,
          );
        }
        await tx.query('DELETE FROM engine_message WHERE message_id = $1', [input.messageId]);
      }
      const key = await this.keys.take(tx);
      const correlated = await this.correlate(tx, input.name, input.correlationKey ?? '', input.variables ?? {});
      const ttl = Math.max(0, Number(input.timeToLive ?? 0));
      await tx.query(
        `INSERT INTO engine_message (key, name, correlation_key, message_id, variables, state, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [key, input.name, input.correlationKey ?? '', input.messageId ?? null, JSON.stringify(input.variables ?? {}),
          correlated.length > 0 ? 'CORRELATED' : ttl > 0 ? 'BUFFERED' : 'EXPIRED', new Date(now.getTime() + ttl).toISOString(), now.toISOString()],
      );
      if (correlated.length === 0 && ttl > 0) this.recheckAfterCommit(tx);
      return { tenantId: TENANT, messageKey: key, processInstanceKeys: correlated };
    });
    this.notifyJobs();
    return result;
  }

  /**
   * Two transactions committing at the same time — a publication buffering a message, a step opening the matching
   * subscription — each miss the other's uncommitted row. After either commits, this pass (a transaction of its
   * own, seeing both) correlates what still matches.
   */
  private async matchBufferedMessages(): Promise<void> {
    for (;;) {
      const matched = await this.transaction(async (tx) => {
        const [pair] = await tx.query<{ message_key: string; sub_key: string; instance_key: string; execution_id: string; variables: Variables }>(
          `SELECT m.key::text AS message_key, s.key::text AS sub_key, s.instance_key::text, s.execution_id, m.variables
           FROM engine_message m JOIN engine_subscription s
             ON s.message_name = m.name AND s.correlation_key = m.correlation_key AND s.state = 'OPEN'
           WHERE m.state = 'BUFFERED' AND m.expires_at > $1
           ORDER BY m.key LIMIT 1 FOR UPDATE OF m, s SKIP LOCKED`,
          [this.now().toISOString()],
        );
        if (!pair) return false;
        await tx.query("UPDATE engine_message SET state = 'CORRELATED' WHERE key = $1", [pair.message_key]);
        await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = $1", [pair.sub_key]);
        await this.advance(tx, pair.instance_key, { kind: 'message', executionId: pair.execution_id, variables: pair.variables });
        return true;
      });
      if (!matched) return;
      this.notifyJobs();
    }
  }

  /** Correlates a message to a waiting subscription now, or fails with 404 when none waits. */
  async correlateMessage(input: { name: string; correlationKey?: string; variables?: Variables }) {
    if (!input.name) throw invalidArgument('Expected a message name, but none given');
    const result = await this.transaction(async (tx) => {
      const correlated = await this.correlate(tx, input.name, input.correlationKey ?? '', input.variables ?? {});
      if (correlated.length === 0) {
        throw new EngineError(
          404,
          'NOT_FOUND',
          `Expected to find subscription for message with name '${input.name}' and correlation key '${input.correlationKey ?? ''}', but none was found.`,
        );
      }
      const key = await this.keys.take(tx);
      const now = this.now().toISOString();
      await tx.query(
        `INSERT INTO engine_message (key, name, correlation_key, variables, state, expires_at, created_at)
         VALUES ($1, $2, $3, $4, 'CORRELATED', $5, $5)`,
        [key, input.name, input.correlationKey ?? '', JSON.stringify(input.variables ?? {}), now],
      );
      return { tenantId: TENANT, messageKey: key, processInstanceKey: correlated[0] };
    });
    this.notifyJobs();
    return result;
  }

  private async correlate(tx: EngineQueryable, name: string, correlationKey: string, variables: Variables): Promise<string[]> {
    const open = await tx.query<{ key: string; instance_key: string; execution_id: string; process_id: string }>(
      `SELECT s.key::text, s.instance_key::text, s.execution_id, i.process_id
       FROM engine_subscription s JOIN engine_instance i ON i.key = s.instance_key
       WHERE s.message_name = $1 AND s.correlation_key = $2 AND s.state = 'OPEN' AND s.kind = 'message'
       ORDER BY s.key FOR UPDATE OF s`,
      [name, correlationKey],
    );
    // Like Zeebe: one correlation per process (the oldest waiting instance), never two in one instance.
    const perProcess = new Map<string, (typeof open)[number]>();
    for (const s of open) if (!perProcess.has(s.process_id)) perProcess.set(s.process_id, s);
    const subscriptions = [...perProcess.values()];
    for (const s of subscriptions) {
      await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = $1", [s.key]);
      await this.advance(tx, s.instance_key, { kind: 'message', executionId: s.execution_id, variables });
    }
    // And message start events: a new instance of each process that starts on this message.
    const started = await startByMessage(tx, this.starts, name, correlationKey, variables);
    return [...subscriptions.map((s) => s.instance_key), ...started];
  }

  // ---------------------------------------------------------------- signals

  /** Broadcasts a signal: every signal catch event waiting for its name is triggered, every signal start event starts. */
  async broadcastSignal(input: { signalName: string; variables?: Variables }) {
    if (!input.signalName) throw invalidArgument('Expected a signal name, but none given');
    const variables = input.variables ?? {};
    if (typeof variables !== 'object' || Array.isArray(variables)) throw invalidArgument('variables must be a JSON object');
    const result = await this.transaction(async (tx) => {
      const key = await this.keys.take(tx);
      await this.broadcast(tx, input.signalName, variables);
      return { tenantId: TENANT, signalKey: key };
    });
    this.notifyJobs();
    return result;
  }

  /** A signal reaches the subscriptions open now (a signal is not buffered) and the signal start events. */
  private async broadcast(tx: EngineQueryable, name: string, variables: Variables): Promise<void> {
    const open = await tx.query<{ key: string; instance_key: string; execution_id: string }>(
      `SELECT key::text, instance_key::text, execution_id FROM engine_subscription
       WHERE kind = 'signal' AND message_name = $1 AND state = 'OPEN' AND instance_key IS NOT NULL ORDER BY key FOR UPDATE`,
      [name],
    );
    if (open.length > 0) {
      await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = ANY($1::bigint[])", [open.map((s) => s.key)]);
    }
    for (const s of open) {
      // An earlier delivery of this broadcast may have ended the instance or the waiting element.
      if (!(await this.waitsFor(tx, s.instance_key, s.execution_id))) continue;
      await this.advance(tx, s.instance_key, { kind: 'signal', executionId: s.execution_id, variables });
    }
    await startBySignal(tx, this.starts, name, variables);
  }

  /** Sets variables on the process scope of the instance owning the element instance (the engine keeps one scope). */
  async setVariables(elementInstanceKey: string, variables: Variables): Promise<void> {
    await this.transaction(async (tx) => {
      const [row] = await tx.query<{ instance_key: string }>(
        `SELECT e.instance_key::text FROM engine_element e JOIN engine_instance i ON i.key = e.instance_key
         WHERE e.key = $1 AND i.state = 'ACTIVE' FOR UPDATE OF i`,
        [elementInstanceKey],
      );
      if (!row) throw notFound('element instance', elementInstanceKey);
      await tx.query('UPDATE engine_instance SET variables = variables || $2::jsonb WHERE key = $1', [row.instance_key, JSON.stringify(variables)]);
    });
  }

  /** Variables of every scope, searched in SQL (store/results.ts: keys, scopes, filters). */
  async searchVariables(query: SearchQuery) {
    return reads(this.db).searchVariables(query);
  }

  // ---------------------------------------------------------------- reads only (store/reads.ts)

  async getVariable(key: string) {
    return reads(this.db).getVariable(key);
  }

  async getElementInstance(key: string) {
    return reads(this.db).getElementInstance(key);
  }

  async getIncident(key: string) {
    return reads(this.db).getIncident(key);
  }

  async searchDecisionRequirements(query: SearchQuery) {
    return reads(this.db).searchDecisionRequirements(query);
  }

  async getDecisionRequirements(key: string) {
    return reads(this.db).getDecisionRequirements(key);
  }

  async getDecisionRequirementsXml(key: string): Promise<string> {
    return reads(this.db).getDecisionRequirementsXml(key);
  }

  /** What this engine says of its license (GET /v2/license): none; see store/reads.ts. */
  getLicense() {
    return reads(this.db).license();
  }
}

