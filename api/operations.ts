/**
 * 运维 (the operations console, admins only): the Operate of this system, through the same engine client the app
 * uses, so that it works on the embedded engine and on a Camunda 8 cluster alike. Per model and version the instances
 * running, completed and with incidents, with counts per element; a list of instances; one instance with its diagram,
 * element counts, variables (mobile and ID numbers masked), incidents, jobs and what admins did to it; and the actions
 * Camunda gives — retry an incident (the job's retries set, the incident resolved), cancel an instance with a reason,
 * set a variable — each kept in the operation log.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { casesOfInstances } from '../domain/cases';
import { logOperation, maskedValue, operationsOn } from '../domain/operations';
import { NOW, type ApiDeps } from './deps';
import { route, type RouteSpec } from './route';

type Json = Record<string, unknown>;
const KEY = z.string().regex(/^\d{1,20}$/, { message: '编号应为数字 / a key is a number' });
const KeyParam = z.object({ key: KEY }).strict();

/** An engine answer as JSON: the SDK reads Camunda's 64-bit counts as BigInt, which JSON has no form for. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as T;
}

/** How many instances of a definition are in a state (the engine's total, one item read). */
async function count(deps: ApiDeps, filter: Json): Promise<number> {
  const { page } = await deps.engine().searchProcessInstances({ filter: filter, page: { limit: 1 } }, NOW);
  return Number(page?.totalItems ?? 0);
}

/** Every deployed version of every process, newest version first, with its instances counted. */
async function processes(deps: ApiDeps): Promise<Json[]> {
  const { items } = await deps
    .engine()
    .searchProcessDefinitions(
      { page: { limit: 200 }, sort: [{ field: 'processDefinitionId' }, { field: 'version', order: 'DESC' }] },
      NOW,
    );
  return Promise.all(
    (items ?? []).map(async (d) => {
      const key = String(d.processDefinitionKey);
      const [running, completed, incidents] = await Promise.all([
        count(deps, { processDefinitionKey: key, state: 'ACTIVE' }),
        count(deps, { processDefinitionKey: key, state: 'COMPLETED' }),
        count(deps, { processDefinitionKey: key, state: 'ACTIVE', hasIncident: true }),
      ]);
      return {
        processDefinitionKey: key,
        processDefinitionId: d.processDefinitionId,
        name: d.name ?? d.processDefinitionId,
        version: d.version,
        running,
        completed,
        incidents,
      };
    }),
  );
}

const InstanceQuery = z
  .object({
    processDefinitionKey: KEY.optional(),
    state: z.enum(['ACTIVE', 'COMPLETED', 'TERMINATED']).optional(),
    incidents: z.enum(['true']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    after: z.string().max(400).optional(),
  })
  .strict();

/** One instance as the console shows it: the instance, its diagram and counts, variables masked, incidents, jobs. */
async function instance(deps: ApiDeps, key: string, readerId: string): Promise<Json> {
  const engine = deps.engine();
  const found = await engine.getProcessInstance({ processInstanceKey: key }, NOW).catch((error: unknown) => {
    if ((error as { status?: number }).status === 404)
      throw problems.notFound({ zh: '流程实例不存在。', en: 'No such process instance.' });
    throw error;
  });
  const filter = { processInstanceKey: key as never };
  const [xml, statistics, incidents, jobs, variables, operations, cases] = await Promise.all([
    engine.getProcessDefinitionXml({ processDefinitionKey: found.processDefinitionKey }, NOW),
    engine.getProcessInstanceStatistics({ processInstanceKey: key }, NOW),
    engine.searchIncidents({ filter, page: { limit: 100 } }, NOW),
    engine.searchJobs({ filter, page: { limit: 100 } }, NOW),
    engine.searchVariables({ filter, page: { limit: 500 } }, NOW),
    operationsOn(deps.db, key),
    casesOfInstances(deps.db, [key], readerId),
  ]);
  const c = cases[0];
  return plain({
    instance: found,
    case: c ? { id: c.id, caseNo: c.case_no } : null,
    xml: String(xml),
    statistics: statistics.items ?? [],
    incidents: incidents.items ?? [],
    jobs: jobs.items ?? [],
    variables: (variables.items ?? []).map((v) => ({
      variableKey: v.variableKey,
      name: v.name,
      scopeKey: v.scopeKey,
      value: maskedValue(String(v.value)),
      truncated: v.isTruncated ?? false,
    })),
    operations,
  });
}

export const operationRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/ops/processes',
    tag: 'operations',
    summary: 'Every version of every process with its instances running, completed and with incidents',
    access: ['admin'],
    handle: async ({ deps }) => ({ items: await processes(deps) }),
  }),
  route({
    method: 'get',
    path: '/ops/processes/:key',
    tag: 'operations',
    summary: "A process version's diagram and its instances counted per element",
    access: ['admin'],
    params: KeyParam,
    async handle({ deps, params }) {
      const engine = deps.engine();
      const key = params.key as never;
      const [xml, statistics] = await Promise.all([
        engine.getProcessDefinitionXml({ processDefinitionKey: key }, NOW),
        engine.getProcessDefinitionStatistics({ processDefinitionKey: key }, NOW),
      ]);
      return plain({ xml: String(xml), statistics: statistics.items ?? [] });
    },
  }),
  route({
    method: 'get',
    path: '/ops/instances',
    tag: 'operations',
    summary: 'Process instances, newest first, by version, state and incidents; pages by `next`',
    access: ['admin'],
    query: InstanceQuery,
    async handle({ deps, query, user }) {
      const filter: Json = {};
      if (query.processDefinitionKey) filter.processDefinitionKey = query.processDefinitionKey;
      if (query.state) filter.state = query.state;
      if (query.incidents) filter.hasIncident = true;
      const { items, page } = await deps.engine().searchProcessInstances(
        {
          filter: filter,
          sort: [{ field: 'startDate', order: 'DESC' }],
          page: { limit: query.limit, ...(query.after ? { after: query.after } : {}) },
        },
        NOW,
      );
      const list = items ?? [];
      const cases = await casesOfInstances(
        deps.db,
        list.map((i) => String(i.processInstanceKey)),
        user.id,
      );
      const caseOf = new Map(cases.map((c) => [String(c.process_instance_key), c.case_no]));
      return plain({
        items: list.map((i) => ({ ...i, caseNo: caseOf.get(String(i.processInstanceKey)) ?? null })),
        total: Number(page?.totalItems ?? list.length),
        next: list.length === query.limit && page?.endCursor ? page.endCursor : null,
      });
    },
  }),
  route({
    method: 'get',
    path: '/ops/instances/:key',
    tag: 'operations',
    summary: 'One instance: diagram, element counts, variables (masked), incidents, jobs, operation log',
    access: ['admin'],
    params: KeyParam,
    handle: ({ deps, params, user }) => instance(deps, params.key, user.id),
  }),
  route({
    method: 'post',
    path: '/ops/incidents/:key/retry',
    tag: 'operations',
    summary: "Retry an incident: its job's retries set (default 1) and the incident resolved; logged",
    access: ['admin'],
    params: KeyParam,
    body: z.object({ retries: z.number().int().min(1).max(10).default(1) }).strict(),
    async handle({ deps, params, body, user }) {
      const engine = deps.engine();
      const incident = await engine.getIncident({ incidentKey: params.key }, NOW).catch(() => {
        throw problems.notFound({ zh: '事故不存在。', en: 'No such incident.' });
      });
      if (incident.state !== 'ACTIVE')
        throw problems.conflict({ zh: '该事故已处理。', en: 'The incident is no longer active.' });
      // Camunda resolves a job's incident only once the job has retries again.
      if (incident.jobKey)
        await engine.updateJob({ jobKey: String(incident.jobKey), changeset: { retries: body.retries } });
      await engine.resolveIncident({ incidentKey: params.key });
      await logOperation(deps.db, {
        actor: user.username,
        action: 'retry-incident',
        processInstanceKey: String(incident.processInstanceKey),
        target: params.key,
        detail: { elementId: incident.elementId, errorType: incident.errorType, retries: body.retries },
      });
      return instance(deps, String(incident.processInstanceKey), user.id);
    },
  }),
  route({
    method: 'post',
    path: '/ops/instances/:key/cancel',
    tag: 'operations',
    summary: 'Cancel a running instance, with the reason; logged',
    access: ['admin'],
    params: KeyParam,
    body: z
      .object({
        reason: z.string().trim().min(2, { message: '请写明取消的原因 / give the reason for cancelling' }).max(500),
      })
      .strict(),
    async handle({ deps, params, body, user }) {
      const before = await instance(deps, params.key, user.id);
      if ((before.instance as Json).state !== 'ACTIVE')
        throw problems.conflict({ zh: '该流程实例已结束。', en: 'The instance has already ended.' });
      await deps.engine().cancelProcessInstance({ processInstanceKey: params.key });
      await logOperation(deps.db, {
        actor: user.username,
        action: 'cancel-instance',
        processInstanceKey: params.key,
        detail: { reason: body.reason },
      });
      return instance(deps, params.key, user.id);
    },
  }),
  route({
    method: 'post',
    path: '/ops/instances/:key/variables',
    tag: 'operations',
    summary: 'Set a variable of a running instance (its scope: the instance or an element instance); logged',
    access: ['admin'],
    params: KeyParam,
    body: z
      .object({
        name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, {
          message: '变量名应为字母、数字或下划线 / a name of letters, digits, _',
        }),
        value: z.string().max(10_000),
        scopeKey: KEY.optional(),
      })
      .strict(),
    async handle({ deps, params, body, user }) {
      let value: unknown;
      try {
        value = JSON.parse(body.value);
      } catch {
        throw problems.badRequest({
          zh: '变量值应为 JSON，如 "文字"、12、true 或 {"a": 1}。',
          en: 'The value must be JSON, such as "text", 12, true or {"a": 1}.',
        });
      }
      const before = await instance(deps, params.key, user.id);
      if ((before.instance as Json).state !== 'ACTIVE')
        throw problems.conflict({ zh: '该流程实例已结束。', en: 'The instance has already ended.' });
      const scopeKey = body.scopeKey ?? params.key;
      const old = (before.variables as Array<{ name: string; scopeKey: unknown; value: string }>).find(
        (v) => v.name === body.name && String(v.scopeKey) === scopeKey,
      );
      await deps.engine().createElementInstanceVariables({
        elementInstanceKey: scopeKey,
        variables: { [body.name]: value },
        local: true,
      });
      await logOperation(deps.db, {
        actor: user.username,
        action: 'set-variable',
        processInstanceKey: params.key,
        target: body.name,
        detail: { scopeKey, from: old?.value ?? null, to: maskedValue(JSON.stringify(value)) },
      });
      return instance(deps, params.key, user.id);
    },
  }),
];
