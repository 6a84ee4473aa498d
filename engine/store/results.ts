/**
 * How each searchable thing is read: its tables, its Camunda filter and sort fields mapped to SQL, and the mapping of
 * a row to Camunda's response shape (keys as strings, dates as ISO instants, optional fields omitted, never null).
 * The field lists are Camunda 8.8's (@camunda8/orchestration-cluster-api 8.8's schemas); a field this engine cannot
 * answer is listed as unsupported, so that asking for it is a 400 rather than a filter silently ignored.
 */
import { decisionDefinitions, decisionRequirements } from './decision-results';
import { jobs, messageSubscriptions } from './job-results';
import { variables } from './variable-results';
import { userTasks } from './task-results';
import { incidents } from './incident-results';

import { localScopes, variableList } from './variable-filters';
import { SearchError, fieldClauses, isOperatorObject, buildWhere, type FieldSpec } from './search';
import { TENANT, absent, iso, str, tenantField, type Row, type SearchSpec } from './result-kit';

const key = (v: unknown) =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
export { TENANT, absent, iso, str, tenantField, type Row, type SearchSpec };
export { userTaskResult } from './task-results';
export { INCIDENT_RESULT_COLUMNS, incidentResult } from './incident-results';

const PROCESS_INSTANCE_STATES = ['ACTIVE', 'COMPLETED', 'TERMINATED'] as const;
const ELEMENT_TYPES = [
  'UNSPECIFIED',
  'PROCESS',
  'SUB_PROCESS',
  'EVENT_SUB_PROCESS',
  'AD_HOC_SUB_PROCESS',
  'AD_HOC_SUB_PROCESS_INNER_INSTANCE',
  'START_EVENT',
  'INTERMEDIATE_CATCH_EVENT',
  'INTERMEDIATE_THROW_EVENT',
  'BOUNDARY_EVENT',
  'END_EVENT',
  'SERVICE_TASK',
  'RECEIVE_TASK',
  'USER_TASK',
  'MANUAL_TASK',
  'TASK',
  'EXCLUSIVE_GATEWAY',
  'INCLUSIVE_GATEWAY',
  'PARALLEL_GATEWAY',
  'EVENT_BASED_GATEWAY',
  'SEQUENCE_FLOW',
  'MULTI_INSTANCE_BODY',
  'CALL_ACTIVITY',
  'BUSINESS_RULE_TASK',
  'SCRIPT_TASK',
  'SEND_TASK',
  'UNKNOWN',
] as const;

// ---------------------------------------------------------------- tags

/** Camunda 8.8's TagSet: at most 10 tags, each a letter then up to 99 of letters, digits, `_ - : .`. */
export const MAX_TAGS = 10;
const TAG = /^[A-Za-z][A-Za-z0-9_\-:.]{0,99}$/;

/** The tags of a request, checked as Camunda checks them; `what` names the property in the error. */
export function checkTags(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new SearchError(`Expected ${what} to be a list of tags, but was ${JSON.stringify(value)}`);
  if (value.length > MAX_TAGS)
    throw new SearchError(`Expected at most ${MAX_TAGS} tags in ${what}, but got ${value.length}`);
  for (const tag of value) {
    if (typeof tag !== 'string' || !TAG.test(tag)) {
      throw new SearchError(
        `Expected each tag in ${what} to start with a letter and hold at most 100 letters, digits, '_', '-', ':' or '.', but got ${JSON.stringify(tag)}`,
      );
    }
  }
  return [...new Set(value as string[])];
}

// ---------------------------------------------------------------- process definitions

export function definitionResult(row: Row) {
  return {
    name: str(row.name),
    resourceName: str(row.resource_name),
    version: Number(row.version),
    processDefinitionId: String(row.resource_id),
    tenantId: TENANT,
    processDefinitionKey: String(row.key),
    hasStartForm: row.start_form_id != null,
  };
}

const definitions: SearchSpec<ReturnType<typeof definitionResult>> = {
  from: 'engine_resource d',
  where: ["d.kind = 'process'"],
  fields: {
    processDefinitionKey: { column: 'd.key', cast: 'bigint' },
    processDefinitionId: { column: 'd.resource_id' },
    name: { column: 'd.name' },
    version: { column: 'd.version', cast: 'integer' },
    versionTag: absent,
    resourceName: { column: 'd.resource_name' },
    tenantId: tenantField,
    hasStartForm: { column: '(d.start_form_id IS NOT NULL)', cast: 'boolean' },
    isLatestVersion: {
      column: '',
      custom: (value, _params, path) => {
        if (typeof value !== 'boolean')
          throw new SearchError(`Request property [${path}] cannot be parsed: expected true or false`);
        return value
          ? [
              "d.version = (SELECT max(l.version) FROM engine_resource l WHERE l.kind = 'process' AND l.resource_id = d.resource_id)",
            ]
          : [];
      },
    },
  },
  sorts: {
    processDefinitionKey: { column: 'd.key', cast: 'bigint' },
    name: { column: 'd.name' },
    resourceName: { column: 'd.resource_name' },
    version: { column: 'd.version', cast: 'integer' },
    versionTag: absent,
    processDefinitionId: { column: 'd.resource_id' },
    tenantId: tenantField,
  },
  key: { column: 'd.key', cast: 'bigint' },
  map: definitionResult,
};

// ---------------------------------------------------------------- process instances

/** The call activity's element instance that started a called instance. */
const PARENT_ELEMENT = `(SELECT pe.key FROM engine_element pe WHERE pe.instance_key = i.parent_instance_key
   AND pe.execution_id IN (i.parent_execution_id, split_part(i.parent_execution_id, '#', 1))
   ORDER BY pe.execution_id = i.parent_execution_id DESC LIMIT 1)`;

/** What {@link instanceResult} reads: not the stored runtime state (tens of kB of JSON per running instance). */
export const INSTANCE_RESULT_COLUMNS = `i.key, i.definition_key, i.process_id, i.state, i.has_incident, i.parent_instance_key, i.start_date, i.end_date,
  i.tags, r.version, r.name AS definition_name, ${PARENT_ELEMENT} AS parent_element_key`;

export function instanceResult(row: Row) {
  return {
    processDefinitionId: String(row.process_id),
    processDefinitionName: String(row.definition_name ?? row.process_id),
    processDefinitionVersion: Number(row.version),
    startDate: iso(row.start_date)!,
    endDate: iso(row.end_date),
    state: String(row.state),
    hasIncident: Boolean(row.has_incident),
    tenantId: TENANT,
    processInstanceKey: String(row.key),
    processDefinitionKey: String(row.definition_key),
    parentProcessInstanceKey: key(row.parent_instance_key),
    parentElementInstanceKey: key(row.parent_element_key),
    tags: Array.isArray(row.tags) ? (row.tags as string[]) : [],
  };
}

/** Filters on an instance's element instances (elementId, elementInstanceState, hasElementInstanceIncident): one element must match them all. */
const ELEMENT_FILTERS = ['elementId', 'elementInstanceState', 'hasElementInstanceIncident'];
const instanceElementFields: Record<string, FieldSpec> = {
  elementId: { column: 'ie.element_id' },
  elementInstanceState: { column: 'ie.state', kind: 'enum', values: PROCESS_INSTANCE_STATES },
  hasElementInstanceIncident: {
    column: "EXISTS (SELECT 1 FROM engine_incident ii WHERE ii.element_key = ie.key AND ii.state = 'ACTIVE')",
    cast: 'boolean',
  },
};

const instanceFields: Record<string, FieldSpec> = {
  processInstanceKey: { column: 'i.key', cast: 'bigint' },
  parentProcessInstanceKey: { column: 'i.parent_instance_key', cast: 'bigint' },
  parentElementInstanceKey: { column: PARENT_ELEMENT, cast: 'bigint' },
  processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
  processDefinitionId: { column: 'i.process_id' },
  processDefinitionName: { column: 'COALESCE(r.name, i.process_id)' },
  processDefinitionVersion: { column: 'r.version', cast: 'integer' },
  processDefinitionVersionTag: absent,
  state: { column: 'i.state', kind: 'enum', values: PROCESS_INSTANCE_STATES },
  hasIncident: { column: 'i.has_incident', cast: 'boolean' },
  startDate: { column: 'i.start_date', cast: 'timestamptz' },
  endDate: { column: 'i.end_date', cast: 'timestamptz' },
  tenantId: tenantField,
  batchOperationId: absent,
  incidentErrorHashCode: {
    column: '',
    unsupported: 'incidents carry no error hash code here; filter on errorMessage instead',
  },
  tags: {
    column: 'i.tags',
    // Every given tag (Camunda: "must contain A and B").
    custom: (value, params, path) => {
      const tags = checkTags(value, path);
      return tags.length ? [`i.tags @> $${params.push(tags)}::text[]`] : [];
    },
  },
  errorMessage: {
    column: '',
    custom: (value, params, path) => {
      const inner = fieldClauses({ column: 'ei.error_message' }, path, value, params);
      return [
        `EXISTS (SELECT 1 FROM engine_incident ei WHERE ei.instance_key = i.key AND ei.state = 'ACTIVE'${inner.map((c) => ` AND ${c}`).join('')})`,
      ];
    },
  },
  hasRetriesLeft: {
    column: '',
    // Jobs that failed (they carry an error message) and still have retries.
    custom: (value, _params, path) => {
      if (typeof value !== 'boolean')
        throw new SearchError(`Request property [${path}] cannot be parsed: expected true or false`);
      const failed = `EXISTS (SELECT 1 FROM engine_job ij WHERE ij.instance_key = i.key AND ij.retries > 0 AND ij.error_message IS NOT NULL
        AND ij.state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED'))`;
      return [value ? failed : `NOT ${failed}`];
    },
  },
  variables: {
    column: '',
    custom: variableList(
      (name) =>
        `(SELECT i.variables AS vars UNION ALL SELECT ls.value FROM ${localScopes('i')} AS ls WHERE jsonb_typeof(ls.value) = 'object' AND ls.value ? ${name}) AS sv`,
    ),
  },
  // Checked together (see instanceWhere); listed so that they are known fields.
  elementId: { column: '' },
  elementInstanceState: { column: '' },
  hasElementInstanceIncident: { column: '' },
};

/** A process instance filter: its fields, the element ones as one element instance, and `$or` (any of its filters). */
function instanceWhere(filter: unknown, params: unknown[], prefix: string, nested = false): string[] {
  if (filter === undefined || filter === null) return [];
  if (!isOperatorObject(filter))
    throw new SearchError(`Request property [${prefix}] cannot be parsed: expected an object`);
  const plain: Record<string, unknown> = {};
  const element: Record<string, unknown> = {};
  let or: unknown;
  for (const [name, value] of Object.entries(filter)) {
    if (name === '$or' && !nested) or = value;
    else if (ELEMENT_FILTERS.includes(name)) element[name] = value;
    else plain[name] = value;
  }
  const clauses = buildWhere(plain, instanceFields, params, prefix);
  const elementClauses = buildWhere(element, instanceElementFields, params, prefix);
  if (elementClauses.length)
    clauses.push(
      `EXISTS (SELECT 1 FROM engine_element ie WHERE ie.instance_key = i.key AND ${elementClauses.join(' AND ')})`,
    );
  if (or !== undefined && or !== null) {
    if (!Array.isArray(or))
      throw new SearchError(`Request property [${prefix}.$or] cannot be parsed: expected a list of filters`);
    const alternatives = or
      .map((f, n) => instanceWhere(f, params, `${prefix}.$or[${n}]`, true))
      .filter((c) => c.length > 0);
    // An empty alternative matches everything, so the whole $or does.
    if (alternatives.length === or.length && alternatives.length > 0)
      clauses.push(`(${alternatives.map((c) => `(${c.join(' AND ')})`).join(' OR ')})`);
  }
  return clauses;
}

const instances: SearchSpec<ReturnType<typeof instanceResult>> = {
  from: 'engine_instance i JOIN engine_resource r ON r.key = i.definition_key',
  select: INSTANCE_RESULT_COLUMNS,
  // The whole filter goes through instanceWhere (element filters and $or); see readFilter in reads.ts.
  fields: instanceFields,
  sorts: {
    processInstanceKey: { column: 'i.key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    processDefinitionName: { column: 'COALESCE(r.name, i.process_id)' },
    processDefinitionVersion: { column: 'r.version', cast: 'integer' },
    processDefinitionVersionTag: absent,
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    parentProcessInstanceKey: { column: 'i.parent_instance_key', cast: 'bigint' },
    parentElementInstanceKey: { column: PARENT_ELEMENT, cast: 'bigint' },
    startDate: { column: 'i.start_date', cast: 'timestamptz' },
    endDate: { column: 'i.end_date', cast: 'timestamptz' },
    state: { column: 'i.state' },
    hasIncident: { column: 'i.has_incident', cast: 'boolean' },
    tenantId: tenantField,
  },
  key: { column: 'i.key', cast: 'bigint' },
  map: instanceResult,
};

// ---------------------------------------------------------------- element instances

const OPEN_INCIDENT =
  "(SELECT inc.key FROM engine_incident inc WHERE inc.element_key = e.key AND inc.state = 'ACTIVE' ORDER BY inc.key LIMIT 1)";

export const ELEMENT_RESULT_COLUMNS = `e.*, i.definition_key, i.process_id, ${OPEN_INCIDENT} AS open_incident`;

export function elementResult(row: Row) {
  return {
    processDefinitionId: String(row.process_id),
    startDate: iso(row.start_date)!,
    endDate: iso(row.end_date),
    elementId: String(row.element_id),
    elementName: String(row.element_name),
    type: String(row.element_type),
    state: String(row.state),
    hasIncident: row.open_incident != null,
    tenantId: TENANT,
    elementInstanceKey: String(row.key),
    processInstanceKey: String(row.instance_key),
    processDefinitionKey: String(row.definition_key),
    incidentKey: str(row.open_incident),
  };
}

const elements: SearchSpec<ReturnType<typeof elementResult>> = {
  from: 'engine_element e JOIN engine_instance i ON i.key = e.instance_key',
  select: ELEMENT_RESULT_COLUMNS,
  fields: {
    elementInstanceKey: { column: 'e.key', cast: 'bigint' },
    processInstanceKey: { column: 'e.instance_key', cast: 'bigint' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    elementId: { column: 'e.element_id' },
    elementName: { column: 'e.element_name' },
    type: { column: 'e.element_type', kind: 'enum', values: ELEMENT_TYPES },
    state: { column: 'e.state', kind: 'enum', values: PROCESS_INSTANCE_STATES },
    hasIncident: { column: `${OPEN_INCIDENT} IS NOT NULL`, cast: 'boolean' },
    incidentKey: { column: OPEN_INCIDENT, cast: 'bigint' },
    startDate: { column: 'e.start_date', cast: 'timestamptz' },
    endDate: { column: 'e.end_date', cast: 'timestamptz' },
    tenantId: tenantField,
    // The flow scope an element instance runs in (a sub-process, a multi-instance body, or the process instance).
    elementInstanceScopeKey: { column: 'e.scope_key', cast: 'bigint' },
  },
  sorts: {
    elementInstanceKey: { column: 'e.key', cast: 'bigint' },
    processInstanceKey: { column: 'e.instance_key', cast: 'bigint' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    startDate: { column: 'e.start_date', cast: 'timestamptz' },
    endDate: { column: 'e.end_date', cast: 'timestamptz' },
    elementId: { column: 'e.element_id' },
    elementName: { column: 'e.element_name' },
    type: { column: 'e.element_type' },
    state: { column: 'e.state' },
    incidentKey: { column: OPEN_INCIDENT, cast: 'bigint' },
    tenantId: tenantField,
  },
  key: { column: 'e.key', cast: 'bigint' },
  map: elementResult,
};

export const SEARCHES = {
  definitions,
  instances,
  elements,
  userTasks,
  incidents,
  variables,
  decisionRequirements,
  decisionDefinitions,
  jobs,
  messageSubscriptions,
};

/** The WHERE clauses of a search's filter (process instances have element filters and `$or` of their own). */
export function filterClauses(spec: SearchSpec<unknown>, filter: unknown, params: unknown[]): string[] {
  return spec === (instances as SearchSpec<unknown>)
    ? instanceWhere(filter, params, 'filter')
    : buildWhere(filter, spec.fields, params);
}
