/**
 * Deployments and what they hold: process definitions, decisions and decision requirements, forms; evaluating a
 * deployed decision; the license answer.
 */
import { createHash } from 'node:crypto';
import { type SearchQuery } from './store/search';
import { TENANT, type Row } from './store/results';
import { reads } from './store/reads';
import { parseBpmn, ModelError, type ProcessModel } from './model/process-model';
import { parseDmn, evaluateDecision } from './model/dmn';
import { type Variables } from './runtime/types';
import { invalidArgument, notFound } from './errors';
import { openStartEvents } from './starts';
import type { Kernel, Resource } from './kernel';
import type { EngineQueryable } from './store/db';

/** One thing a deployed file holds, read: a process, a decision or its requirements graph, a form. */
interface Parsed {
  resource: Resource;
  kind: 'process' | 'form' | 'decision' | 'decision_requirements';
  id: string;
  name: string;
  checksum: string;
  text: string;
  decisionRequirementsId?: string;
  model?: ProcessModel;
}

export class Deployments {
  constructor(private readonly k: Kernel) {}

  /**
   * Deploys resources (.bpmn, .dmn, .form) in one transaction: each is read first, and any problem refuses them all;
   * an unchanged resource is not a new version. Answers what was deployed, as Camunda's deployment does.
   */
  async deploy(resources: Resource[]) {
    if (resources.length === 0) throw invalidArgument('Expected to deploy at least one resource, but none given');
    const parsed = await parseResources(resources);
    const deployed = await this.k.transaction(async (tx) => {
      await tx.query('LOCK TABLE engine_resource IN EXCLUSIVE MODE');
      const deploymentKey = await this.k.keys.take(tx);
      const deployments: Row[] = [];
      // The key of each DMN file's decision requirements graph, for its decisions.
      const graphs = new Map<Resource, string>();
      for (const p of parsed) {
        const graphKey = p.kind === 'decision' ? graphs.get(p.resource) : undefined;
        const { key, version } = await this.store(tx, p, deploymentKey, graphKey);
        if (p.kind === 'decision_requirements') graphs.set(p.resource, key);
        deployments.push(deploymentOf(p, key, version, graphKey));
      }
      return { tenantId: TENANT, deploymentKey, deployments };
    });
    // After the commit: a lookup begun before it (and kept) may have seen the versions before this deployment.
    this.k.deployments += 1;
    this.k.latestResources.clear();
    return deployed;
  }

  /**
   * Stores one parsed resource as a new version unless its latest version is the same (its checksum); a new process
   * version takes over its start events. `graphKey`: a decision's decision requirements graph in this deployment.
   */
  private async store(
    tx: EngineQueryable,
    p: Parsed,
    deploymentKey: string,
    graphKey: string | undefined,
  ): Promise<{ key: string; version: number }> {
    const [latest] = await tx.query<{ key: string; version: number; checksum: string }>(
      'SELECT key::text, version, checksum FROM engine_resource WHERE kind = $1 AND resource_id = $2 ORDER BY version DESC LIMIT 1',
      [p.kind, p.id],
    );
    if (latest && latest.checksum === p.checksum) {
      if (graphKey) {
        // A decision deployed before decision requirements were kept: it belongs to the graph from now on.
        await tx.query(
          'UPDATE engine_resource SET decision_requirements_key = $2 WHERE key = $1 AND decision_requirements_key IS NULL',
          [latest.key, graphKey],
        );
      }
      return { key: latest.key, version: latest.version };
    }
    const key = await this.k.keys.take(tx);
    const version = (latest?.version ?? 0) + 1;
    await tx.query(
      `INSERT INTO engine_resource (key, deployment_key, kind, resource_id, version, name, resource_name, checksum, content, decision_requirements_key,
         start_form_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        key,
        deploymentKey,
        p.kind,
        p.id,
        version,
        p.name,
        p.resource.name,
        p.checksum,
        p.text,
        graphKey ?? null,
        p.model ? startFormOf(p.model) : null,
      ],
    );
    if (p.model) await openStartEvents(tx, this.k.starts, key, p.model);
    return { key, version };
  }

  async searchProcessDefinitions(query: SearchQuery & { filter?: { isLatestVersion?: boolean } }) {
    return reads(this.k.db).searchProcessDefinitions(query);
  }

  async getProcessDefinition(key: string) {
    return reads(this.k.db).getProcessDefinition(key);
  }

  async getProcessDefinitionXml(key: string): Promise<string> {
    return reads(this.k.db).getProcessDefinitionXml(key);
  }

  /** A process's start form: the latest version of the form its none start event names (as a user task's form is read). */
  async getStartProcessForm(key: string) {
    const [row] = await this.k.db.query<{ start_form_id: string | null }>(
      "SELECT start_form_id FROM engine_resource WHERE kind = 'process' AND key = $1",
      [key],
    );
    if (!row) throw notFound('process definition', key);
    if (!row.start_form_id) return undefined;
    return reads(this.k.db).form({ formId: row.start_form_id });
  }

  /**
   * Evaluates a deployed decision (Camunda's evaluateDecision): the latest version by id, or a version by key. A
   * decision that cannot decide answers with its failure, as Camunda does, not with an HTTP error.
   */
  async evaluateDecision(input: {
    decisionDefinitionId?: string;
    decisionDefinitionKey?: string;
    variables?: Variables;
  }) {
    const [row] = input.decisionDefinitionKey
      ? await this.k.db.query<Row>("SELECT * FROM engine_resource WHERE kind = 'decision' AND key = $1", [
          input.decisionDefinitionKey,
        ])
      : await this.k.db.query<Row>(
          "SELECT * FROM engine_resource WHERE kind = 'decision' AND resource_id = $1 ORDER BY version DESC LIMIT 1",
          [input.decisionDefinitionId ?? ''],
        );
    if (!row) throw notFound('decision definition', input.decisionDefinitionKey ?? input.decisionDefinitionId ?? '');
    const key = String(row.key);
    let dmn = this.k.dmnModels.get(key);
    if (!dmn) {
      dmn = parseDmn(String(row.resource_name), String(row.content));
      this.k.dmnModels.set(key, dmn);
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
      decisionEvaluationKey: await this.k.keys.take(this.k.db),
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
          {
            decisionDefinitionId: decisionId,
            decisionDefinitionName: base.decisionDefinitionName,
            decisionDefinitionVersion: base.decisionDefinitionVersion,
            decisionDefinitionType: 'DECISION_TABLE',
            output,
            tenantId: TENANT,
            decisionDefinitionKey: key,
            matchedRules: result.matchedRules.map((index) => ({ ruleIndex: index })),
          },
        ],
      };
    } catch (error) {
      return {
        ...base,
        output: 'null',
        failedDecisionDefinitionId: decisionId,
        failureMessage: (error as Error).message,
        evaluatedDecisions: [],
      };
    }
  }

  async searchDecisionRequirements(query: SearchQuery) {
    return reads(this.k.db).searchDecisionRequirements(query);
  }

  async getDecisionRequirements(key: string) {
    return reads(this.k.db).getDecisionRequirements(key);
  }

  async getDecisionRequirementsXml(key: string): Promise<string> {
    return reads(this.k.db).getDecisionRequirementsXml(key);
  }

  /** What this engine says of its license (GET /v2/license): none; see store/reads.ts. */
  getLicense() {
    return reads(this.k.db).license();
  }
}

/** The form of a process's none start event (zeebe:formDefinition), if it has one. */
export function startFormOf(model: ProcessModel): string | null {
  const start = model.scopes.get(model.processId)?.start;
  return (start && model.elements.get(start)?.userTask?.formId) || null;
}

/** Reads every resource (in order); any problem in any of them refuses the deployment, every problem listed. */
async function parseResources(resources: Resource[]): Promise<Parsed[]> {
  const parsed: Parsed[] = [];
  const problems: string[] = [];
  for (const resource of resources) {
    const text = resource.content.toString('utf8');
    const checksum = createHash('sha256').update(resource.content).digest('hex');
    const read = { resource, checksum, text };
    try {
      if (/\.(bpmn|xml)$/i.test(resource.name)) await readBpmn(read, parsed);
      else if (/\.dmn$/i.test(resource.name)) await readDmn(read, parsed);
      else if (/\.form$/i.test(resource.name)) readForm(read, parsed, problems);
      else problems.push(`${resource.name}: unsupported resource type (expected .bpmn, .dmn or .form)`);
    } catch (error) {
      if (error instanceof ModelError) problems.push(...error.problems.map((p) => `${resource.name}: ${p}`));
      else throw error;
    }
  }
  if (problems.length > 0) {
    throw invalidArgument(
      `Expected to deploy new resources, but encountered the following errors:\n${problems.join('\n')}`,
      {
        problems,
      },
    );
  }
  return parsed;
}

/** A resource's file as read: what every {@link Parsed} of it shares. */
type Read = Pick<Parsed, 'resource' | 'checksum' | 'text'>;

/** A BPMN file: each of its executable processes. */
async function readBpmn({ resource, checksum, text }: Read, parsed: Parsed[]): Promise<void> {
  const models = await parseBpmn(resource.name, text);
  for (const m of models)
    parsed.push({ resource, kind: 'process', id: m.processId, name: m.name, checksum, text, model: m });
}

/** A DMN file: its decision requirements graph first (a resource of its own, which its decisions name), then its decisions. */
async function readDmn({ resource, checksum, text }: Read, parsed: Parsed[]): Promise<void> {
  const dmn = await parseDmn(resource.name, text);
  parsed.push({
    resource,
    kind: 'decision_requirements',
    id: dmn.decisionRequirementsId,
    name: dmn.name,
    checksum,
    text,
  });
  for (const d of dmn.decisions) {
    parsed.push({
      resource,
      kind: 'decision',
      id: d.decisionId,
      name: d.name,
      checksum,
      text,
      decisionRequirementsId: dmn.decisionRequirementsId,
    });
  }
}

/** A form (JSON with an "id"). */
function readForm({ resource, checksum, text }: Read, parsed: Parsed[], problems: string[]): void {
  try {
    const form = JSON.parse(text) as { id?: unknown };
    if (typeof form.id !== 'string' || form.id === '') problems.push(`${resource.name}: a form needs an "id"`);
    else parsed.push({ resource, kind: 'form', id: form.id, name: form.id, checksum, text });
  } catch {
    problems.push(`${resource.name}: not a readable form (invalid JSON)`);
  }
}

/** What the deployment's answer says of one stored resource (Camunda's deployment entry of its kind). */
function deploymentOf(p: Parsed, key: string, version: number, graphKey: string | undefined): Row {
  if (p.kind === 'decision_requirements')
    return {
      decisionRequirements: {
        decisionRequirementsId: p.id,
        version,
        decisionRequirementsName: p.name,
        tenantId: TENANT,
        resourceName: p.resource.name,
        decisionRequirementsKey: key,
      },
    };
  if (p.kind === 'process')
    return {
      processDefinition: {
        processDefinitionId: p.id,
        processDefinitionVersion: version,
        resourceName: p.resource.name,
        tenantId: TENANT,
        processDefinitionKey: key,
      },
    };
  if (p.kind === 'decision')
    return {
      decisionDefinition: {
        decisionDefinitionId: p.id,
        version,
        name: p.name,
        tenantId: TENANT,
        decisionRequirementsId: p.decisionRequirementsId,
        decisionDefinitionKey: key,
        decisionRequirementsKey: graphKey ?? key,
      },
    };
  return { form: { formId: p.id, version, resourceName: p.resource.name, tenantId: TENANT, formKey: key } };
}
