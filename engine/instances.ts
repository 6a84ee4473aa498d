/**
 * Process instances from outside: created (optionally awaiting completion), cancelled, read and searched, with their
 * element instances, incidents (resolved by replaying the step that failed) and variables.
 */
import type { EngineQueryable } from './store/db';
import { type SearchQuery } from './store/search';
import { TENANT, checkTags } from './store/results';
import { reads } from './store/reads';
import { type Action, type Variables } from './runtime/types';
import { EngineError, invalidArgument, invalidState, notFound } from './errors';
import { type Definition } from './starts';
import type { Kernel } from './kernel';

export class Instances {
  constructor(private readonly k: Kernel) {}

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
    if (typeof variables !== 'object' || Array.isArray(variables))
      throw invalidArgument('variables must be a JSON object');
    let definition: Definition | undefined;
    if (input.processDefinitionKey) {
      [definition] = await this.k.db.query(
        "SELECT key::text, resource_id, version FROM engine_resource WHERE kind = 'process' AND key = $1",
        [input.processDefinitionKey],
      );
      if (!definition) throw notFound('process definition', input.processDefinitionKey);
    } else if (input.processDefinitionId) {
      const version = input.processDefinitionVersion ?? -1;
      [definition] =
        version >= 0
          ? await this.k.db.query(
              "SELECT key::text, resource_id, version FROM engine_resource WHERE kind = 'process' AND resource_id = $1 AND version = $2",
              [input.processDefinitionId, version],
            )
          : [await this.k.latestResource(this.k.db, 'process', input.processDefinitionId)];
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
    const instanceKey = await this.k.transaction((tx) =>
      this.startInstance(tx, definition, variables, undefined, undefined, tags),
    );
    this.k.notifyJobs();
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
    const picked = input.fetchVariables?.length
      ? Object.fromEntries(input.fetchVariables.filter((n) => n in vars).map((n) => [n, vars[n]]))
      : vars;
    return { ...base, variables: picked };
  }

  async startInstance(
    tx: EngineQueryable,
    definition: Definition,
    variables: Variables,
    parent?: { instanceKey: string; executionId: string; propagateChildVariables: boolean },
    start?: { at: string; correlationKey?: string },
    tags: string[] = [],
  ): Promise<string> {
    const key = await this.k.keys.take(tx);
    const now = this.k.now().toISOString();
    // The instance and its own element instance in one statement (the foreign key is checked at its end).
    await tx.query(
      `WITH process AS (
         INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date)
         VALUES ($1, $1, 'process', $3, $3, 'PROCESS', 'ACTIVE', $5))
       INSERT INTO engine_instance (key, definition_key, process_id, state, variables, start_date,
         parent_instance_key, parent_execution_id, propagate_child_variables, start_correlation_key, tags)
       VALUES ($1, $2, $3, 'ACTIVE', $4, $5, $6, $7, $8, $9, $10)`,
      [
        key,
        definition.key,
        definition.resource_id,
        JSON.stringify(variables),
        now,
        parent?.instanceKey ?? null,
        parent?.executionId ?? null,
        parent?.propagateChildVariables ?? true,
        start?.correlationKey ?? null,
        tags,
      ],
    );
    // The row just written is the row the step reads (no second read of it).
    await this.k.steps.advance(tx, key, start ? { kind: 'start', startAt: start.at } : { kind: 'start' }, undefined, {
      definition_key: definition.key,
      state: 'ACTIVE',
      variables,
      runtime: null,
    });
    return key;
  }

  waitForCompletion() {
    return {
      wait: async (instanceKey: string, timeoutMs: number): Promise<Variables> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [row] = await this.k.db.query<{ state: string; variables: Variables }>(
            'SELECT state, variables FROM engine_instance WHERE key = $1',
            [instanceKey],
          );
          if (row?.state === 'COMPLETED') return row.variables;
          if (row?.state === 'TERMINATED')
            throw invalidState(`Process instance '${instanceKey}' was terminated before it completed`);
          const left = deadline - Date.now();
          if (left <= 0) {
            throw new EngineError(
              504,
              'INTERNAL',
              `Process instance '${instanceKey}' did not complete within ${timeoutMs} ms`,
            );
          }
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              this.k.signals.off(`completed:${instanceKey}`, done);
              resolve();
            };
            const timer = setTimeout(done, Math.min(left, 500));
            this.k.signals.once(`completed:${instanceKey}`, done);
          });
        }
      },
    };
  }

  async cancelProcessInstance(key: string): Promise<void> {
    await this.k.transaction(async (tx) => {
      const [row] = await tx.query<{ state: string }>('SELECT state FROM engine_instance WHERE key = $1 FOR UPDATE', [
        key,
      ]);
      if (!row) throw notFound('process instance', key);
      if (row.state !== 'ACTIVE') throw notFound('process instance', key);
      await this.k.waitStore.terminate(tx, key, this.k.now().toISOString());
    });
  }

  async searchProcessInstances(query: SearchQuery) {
    return reads(this.k.db).searchProcessInstances(query);
  }

  async getProcessInstance(key: string) {
    return reads(this.k.db).getProcessInstance(key);
  }

  /** The sequence flows the instance has taken, each once (Camunda's GET /process-instances/{key}/sequence-flows). */
  async getSequenceFlows(key: string) {
    const [row] = await this.k.db.query<{
      key: string;
      definition_key: string;
      process_id: string;
      taken_flows: string[];
    }>('SELECT key::text, definition_key::text, process_id, taken_flows FROM engine_instance WHERE key = $1', [key]);
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
    return reads(this.k.db).searchElementInstances(query);
  }

  async searchIncidents(query: SearchQuery) {
    return reads(this.k.db).searchIncidents(query);
  }

  /** Resolves an incident: a job incident makes the job activatable again; any other replays the failed step. */
  async resolveIncident(key: string): Promise<void> {
    await this.k.transaction(async (tx) => {
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
        await this.k.steps.advance(tx, incident.instance_key, instance.pending_action, incident.job_key ?? undefined);
      } else if (!incident.job_key) {
        // e.g. a called process that was not deployed: run the instance again so its waits are re-created.
        await tx.query('UPDATE engine_instance SET has_incident = false WHERE key = $1', [incident.instance_key]);
        await this.k.steps.advance(tx, incident.instance_key, { kind: 'resume' });
      } else {
        const [job] = await tx.query<{ retries: number; state: string }>(
          'SELECT retries, state FROM engine_job WHERE key = $1',
          [incident.job_key],
        );
        if (job.retries < 1) {
          throw invalidState(
            `Expected the job '${incident.job_key}' to have retries before resolving the incident; update its retries first`,
          );
        }
        await tx.query(
          "UPDATE engine_job SET state = 'ACTIVATABLE', available_at = $2 WHERE key = $1 AND state = 'FAILED'",
          [incident.job_key, this.k.now().toISOString()],
        );
      }
      await tx.query(
        `UPDATE engine_instance SET has_incident = EXISTS (SELECT 1 FROM engine_incident WHERE instance_key = $1 AND state = 'ACTIVE') WHERE key = $1`,
        [incident.instance_key],
      );
    });
    this.k.notifyJobs(true);
  }

  /** Sets variables on the process scope of the instance owning the element instance (the engine keeps one scope). */
  async setVariables(elementInstanceKey: string, variables: Variables): Promise<void> {
    await this.k.transaction(async (tx) => {
      const [row] = await tx.query<{ instance_key: string }>(
        `SELECT e.instance_key::text FROM engine_element e JOIN engine_instance i ON i.key = e.instance_key
         WHERE e.key = $1 AND i.state = 'ACTIVE' FOR UPDATE OF i`,
        [elementInstanceKey],
      );
      if (!row) throw notFound('element instance', elementInstanceKey);
      await tx.query('UPDATE engine_instance SET variables = variables || $2::jsonb WHERE key = $1', [
        row.instance_key,
        JSON.stringify(variables),
      ]);
    });
  }

  /**
   * Activates elements of an active ad-hoc sub-process (POST /v2/element-instances/ad-hoc-activities/{key}/activation),
   * each with its local variables; refused like Zeebe refuses it: no active ad-hoc sub-process with that key (404), an
   * element twice (400), an element it cannot activate (404).
   */
  async activateAdHocSubProcessActivities(
    adHocSubProcessInstanceKey: string,
    input: { elements: Array<{ elementId: string; variables?: Variables }>; cancelRemainingInstances?: boolean },
  ): Promise<void> {
    const noSuch = () =>
      new EngineError(
        404,
        'NOT_FOUND',
        `Expected to activate activities for ad-hoc sub-process but no ad-hoc sub-process instance found with key '${adHocSubProcessInstanceKey}'.`,
      );
    await this.k.transaction(async (tx) => {
      const [row] = await tx.query<{
        instance_key: string;
        execution_id: string;
        element_id: string;
        active: boolean;
        definition_key: string;
      }>(
        `SELECT e.instance_key::text, e.execution_id, e.element_id, i.definition_key::text,
           e.state = 'ACTIVE' AND i.state = 'ACTIVE' AND e.element_type = 'AD_HOC_SUB_PROCESS' AS active
         FROM engine_element e JOIN engine_instance i ON i.key = e.instance_key WHERE e.key = $1 FOR UPDATE OF i`,
        [adHocSubProcessInstanceKey],
      );
      // A completed or terminated element instance is gone from Zeebe's state: not found, as there (a multi-instance
      // ad-hoc sub-process is activated through each of its iterations, not its body).
      const adHoc = row?.active
        ? (await this.k.model(row.definition_key, tx)).elements.get(row.element_id)?.adHoc
        : undefined;
      if (!row || !adHoc) throw noSuch();
      const ids = input.elements.map((e) => e.elementId);
      if (new Set(ids).size !== ids.length) {
        throw invalidArgument(
          `Expected to activate activities for ad-hoc sub-process with key '${adHocSubProcessInstanceKey}', but duplicate activities were given.`,
        );
      }
      const missing = ids.filter((id) => !adHoc.activities.includes(id));
      if (missing.length > 0) {
        throw new EngineError(
          404,
          'NOT_FOUND',
          `Expected to activate activities for ad-hoc sub-process with key '${adHocSubProcessInstanceKey}', but the given elements [${missing.join(', ')}] do not exist.`,
        );
      }
      await this.k.steps.advance(tx, row.instance_key, {
        kind: 'activate-ad-hoc',
        executionId: row.execution_id,
        elements: input.elements,
        cancelRemainingInstances: input.cancelRemainingInstances,
      });
    });
    this.k.notifyJobs();
  }

  /** Variables of every scope, searched in SQL (store/results.ts: keys, scopes, filters). */
  async searchVariables(query: SearchQuery) {
    return reads(this.k.db).searchVariables(query);
  }

  async getVariable(key: string) {
    return reads(this.k.db).getVariable(key);
  }

  async getElementInstance(key: string) {
    return reads(this.k.db).getElementInstance(key);
  }

  async getIncident(key: string) {
    return reads(this.k.db).getIncident(key);
  }
}
