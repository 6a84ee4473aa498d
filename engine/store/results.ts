/**
 * How each searchable thing is read: its tables, its Camunda filter and sort fields mapped to SQL, and the mapping of
 * a row to Camunda's response shape (keys as strings, dates as ISO instants, optional fields omitted, never null).
 * The field lists are Camunda 8.8's (@camunda8/orchestration-cluster-api 8.8's schemas); a field this engine cannot
 * answer is listed as unsupported, so that asking for it is a 400 rather than a filter silently ignored.
 */
import { decisionDefinitions, decisionRequirements } from './decision-results';
import { jobs, messageSubscriptions } from './job-results';
import { SearchError, fieldClauses, isOperatorObject, likePattern, buildWhere, type FieldSpec } from './search';
import { TENANT, absent, iso, str, tenantField, type Row, type SearchSpec } from './result-kit';

const key = (v: unknown) =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
export { TENANT, absent, iso, str, tenantField, type Row, type SearchSpec };

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
const USER_TASK_STATES = [
  'CREATING',
  'CREATED',
  'ASSIGNING',
  'UPDATING',
  'COMPLETING',
  'COMPLETED',
  'CANCELING',
  'CANCELED',
  'FAILED',
] as const;
const INCIDENT_STATES = ['ACTIVE', 'MIGRATED', 'RESOLVED', 'PENDING'] as const;
const INCIDENT_TYPES = [
  'UNSPECIFIED',
  'UNKNOWN',
  'IO_MAPPING_ERROR',
  'JOB_NO_RETRIES',
  'EXECUTION_LISTENER_NO_RETRIES',
  'TASK_LISTENER_NO_RETRIES',
  'AD_HOC_SUB_PROCESS_NO_RETRIES',
  'CONDITION_ERROR',
  'EXTRACT_VALUE_ERROR',
  'CALLED_ELEMENT_ERROR',
  'UNHANDLED_ERROR_EVENT',
  'MESSAGE_SIZE_EXCEEDED',
  'CALLED_DECISION_ERROR',
  'DECISION_EVALUATION_ERROR',
  'FORM_NOT_FOUND',
  'RESOURCE_NOT_FOUND',
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

// ---------------------------------------------------------------- variable values

/** A variable value given as JSON text, as its jsonb parameter (normalised: "42" and " 42 " are the same value). */
function jsonParam(text: unknown, path: string, params: unknown[]): string {
  if (typeof text !== 'string')
    throw new SearchError(`Request property [${path}] cannot be parsed: expected JSON text`);
  let normalised: string;
  try {
    normalised = JSON.stringify(JSON.parse(text));
  } catch {
    throw new SearchError(`The variable filter's value must be JSON text (e.g. a quoted string or 42), not ${text}`);
  }
  return `$${params.push(normalised)}::jsonb`;
}

/**
 * Conditions on a variable's value (a jsonb expression) for a string filter property over its JSON text: equality
 * and lists compare the JSON values, `$like` the text.
 */
export function valueClauses(expr: string, raw: unknown, params: unknown[], path: string): string[] {
  const ops = isOperatorObject(raw) ? raw : { $eq: raw };
  const clauses: string[] = [];
  const list = (op: string, value: unknown) => {
    if (!Array.isArray(value))
      throw new SearchError(`Request property [${path}.${op}] cannot be parsed: expected a list`);
    return `ARRAY[${value.map((v, i) => jsonParam(v, `${path}.${op}[${i}]`, params)).join(', ') || 'NULL::jsonb'}]`;
  };
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    switch (op) {
      case '$eq':
        clauses.push(`${expr} = ${jsonParam(value, `${path}.$eq`, params)}`);
        break;
      case '$neq':
        clauses.push(`${expr} <> ${jsonParam(value, `${path}.$neq`, params)}`);
        break;
      case '$in':
        clauses.push(`${expr} = ANY(${list(op, value)})`);
        break;
      case '$notIn':
        clauses.push(`NOT (${expr} = ANY(${list(op, value)}))`);
        break;
      case '$exists':
        if (typeof value !== 'boolean')
          throw new SearchError(`Request property [${path}.$exists] cannot be parsed: expected true or false`);
        clauses.push(`${expr} IS ${value ? 'NOT NULL' : 'NULL'}`);
        break;
      case '$like':
        if (typeof value !== 'string')
          throw new SearchError(`Request property [${path}.$like] cannot be parsed: expected a string`);
        clauses.push(`${expr}::text LIKE $${params.push(likePattern(value))}::text`);
        break;
      default:
        throw new SearchError(
          `Request property [${path}.${op}] cannot be parsed: '${op}' is not an operator of this field`,
        );
    }
  }
  return clauses;
}

/** The locals of an instance's scopes (runtime.locals: execution id → variables), as rows (key, value). */
const localScopes = (instance: string) =>
  `jsonb_each(CASE WHEN jsonb_typeof(${instance}.runtime -> 'locals') = 'object' THEN ${instance}.runtime -> 'locals' ELSE '{}'::jsonb END)`;

/**
 * A list of `{ name, value }` (VariableValueFilterProperty): every one must match a variable of the given scopes.
 * `scopes` gives the jsonb objects of variables to look in, as SQL of a row set with a column `vars`.
 */
function variableList(scopes: (name: string) => string) {
  return (raw: unknown, params: unknown[], path: string): string[] => {
    if (!Array.isArray(raw))
      throw new SearchError(`Request property [${path}] cannot be parsed: expected a list of { name, value }`);
    return raw.map((entry, i) => {
      if (!isOperatorObject(entry) || typeof entry.name !== 'string' || entry.value === undefined) {
        throw new SearchError(`Request property [${path}[${i}]] cannot be parsed: expected { name, value }`);
      }
      for (const name of Object.keys(entry))
        if (name !== 'name' && name !== 'value')
          throw new SearchError(
            `Request property [${path}[${i}].${name}] cannot be parsed: not a field of a variable filter`,
          );
      const name = `$${params.push(entry.name)}::text`;
      const conditions = valueClauses(`sv.vars -> ${name}`, entry.value, params, `${path}[${i}].value`);
      return `EXISTS (SELECT 1 FROM ${scopes(name)} WHERE sv.vars ? ${name}${conditions.map((c) => ` AND ${c}`).join('')})`;
    });
  };
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

// ---------------------------------------------------------------- user tasks

export function userTaskResult(row: Row) {
  return {
    userTaskKey: String(row.key),
    priority: Number(row.priority),
    name: str(row.name),
    state: String(row.state),
    assignee: str(row.assignee),
    elementId: String(row.element_id),
    candidateGroups: (row.candidate_groups as string[]) ?? [],
    candidateUsers: (row.candidate_users as string[]) ?? [],
    processDefinitionId: String(row.process_id),
    creationDate: iso(row.creation_date),
    completionDate: iso(row.completion_date),
    followUpDate: iso(row.follow_up_date),
    dueDate: iso(row.due_date),
    tenantId: TENANT,
    externalFormReference: str(row.external_form_reference),
    processDefinitionVersion: Number(row.process_version),
    customHeaders: Object.fromEntries(
      Object.entries((row.custom_headers as Row) ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    elementInstanceKey: String(row.element_key),
    processName: str(row.process_name),
    processDefinitionKey: String(row.definition_key),
    processInstanceKey: String(row.instance_key),
    formKey: str(row.form_key),
  };
}

const userTasks: SearchSpec<ReturnType<typeof userTaskResult>> = {
  from: 'engine_user_task t',
  fields: {
    userTaskKey: { column: 't.key', cast: 'bigint' },
    state: { column: 't.state', kind: 'enum', values: USER_TASK_STATES },
    assignee: { column: 't.assignee' },
    candidateGroup: { column: 't.candidate_groups', array: true },
    candidateUser: { column: 't.candidate_users', array: true },
    processInstanceKey: { column: 't.instance_key', cast: 'bigint' },
    processDefinitionKey: { column: 't.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 't.process_id' },
    elementId: { column: 't.element_id' },
    elementInstanceKey: { column: 't.element_key', cast: 'bigint' },
    name: { column: 't.name' },
    priority: { column: 't.priority', cast: 'integer' },
    dueDate: { column: 't.due_date', cast: 'timestamptz' },
    followUpDate: { column: 't.follow_up_date', cast: 'timestamptz' },
    creationDate: { column: 't.creation_date', cast: 'timestamptz' },
    completionDate: { column: 't.completion_date', cast: 'timestamptz' },
    tenantId: tenantField,
    processInstanceVariables: {
      column: '',
      custom: variableList(
        () => '(SELECT ti.variables AS vars FROM engine_instance ti WHERE ti.key = t.instance_key) AS sv',
      ),
    },
    localVariables: {
      column: '',
      custom: variableList(
        () => `(SELECT ti.runtime -> 'locals' -> t.execution_id AS vars FROM engine_instance ti WHERE ti.key = t.instance_key
           AND jsonb_typeof(ti.runtime -> 'locals' -> t.execution_id) = 'object') AS sv`,
      ),
    },
  },
  sorts: {
    creationDate: { column: 't.creation_date', cast: 'timestamptz' },
    completionDate: { column: 't.completion_date', cast: 'timestamptz' },
    followUpDate: { column: 't.follow_up_date', cast: 'timestamptz' },
    dueDate: { column: 't.due_date', cast: 'timestamptz' },
    priority: { column: 't.priority', cast: 'integer' },
    name: { column: 't.name' },
  },
  key: { column: 't.key', cast: 'bigint' },
  map: userTaskResult,
};

// ---------------------------------------------------------------- incidents

export function incidentResult(row: Row) {
  return {
    processDefinitionId: String(row.process_id),
    errorType: String(row.error_type),
    errorMessage: String(row.error_message),
    elementId: String(row.element_id),
    creationTime: iso(row.creation_time),
    state: String(row.state),
    tenantId: TENANT,
    incidentKey: String(row.key),
    processDefinitionKey: String(row.definition_key),
    processInstanceKey: String(row.instance_key),
    elementInstanceKey: str(row.element_key),
    jobKey: str(row.job_key),
  };
}

export const INCIDENT_RESULT_COLUMNS = 'n.*, i.definition_key, i.process_id';

const incidents: SearchSpec<ReturnType<typeof incidentResult>> = {
  from: 'engine_incident n JOIN engine_instance i ON i.key = n.instance_key',
  select: INCIDENT_RESULT_COLUMNS,
  fields: {
    incidentKey: { column: 'n.key', cast: 'bigint' },
    processInstanceKey: { column: 'n.instance_key', cast: 'bigint' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    elementId: { column: 'n.element_id' },
    elementInstanceKey: { column: 'n.element_key', cast: 'bigint' },
    jobKey: { column: 'n.job_key', cast: 'bigint' },
    errorType: { column: 'n.error_type', kind: 'enum', values: INCIDENT_TYPES },
    errorMessage: { column: 'n.error_message' },
    state: { column: 'n.state', kind: 'enum', values: INCIDENT_STATES },
    creationTime: { column: 'n.creation_time', cast: 'timestamptz' },
    tenantId: tenantField,
  },
  sorts: {
    incidentKey: { column: 'n.key', cast: 'bigint' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    processInstanceKey: { column: 'n.instance_key', cast: 'bigint' },
    errorType: { column: 'n.error_type' },
    errorMessage: { column: 'n.error_message' },
    elementId: { column: 'n.element_id' },
    elementInstanceKey: { column: 'n.element_key', cast: 'bigint' },
    creationTime: { column: 'n.creation_time', cast: 'timestamptz' },
    state: { column: 'n.state' },
    jobKey: { column: 'n.job_key', cast: 'bigint' },
    tenantId: tenantField,
  },
  key: { column: 'n.key', cast: 'bigint' },
  map: incidentResult,
};

// ---------------------------------------------------------------- variables

/**
 * Every variable as a row, in SQL: the instance's root scope (`engine_instance.variables`, scope key = the instance's
 * key) and its local scopes (`runtime.locals`: execution id → variables, scope key = the element instance of that
 * execution in engine_element; a scope without an element instance is not listed).
 *
 * The variable key is `scopeKey * 1000 + index`, the index being the variable name's in `runtime.names` (name →
 * 0..999, kept by the engine's core for the instance). Where a name is not there (an instance stored before the core
 * kept names), the index is the name's position among its scope's names in byte order: stable while the scope gains no
 * name that sorts before it. Keys are unique as long as an instance has at most 1,000 variable names.
 *
 * The filter narrows the instances and scopes before their variables are expanded (name, value, keys), so that a
 * lookup by name and value, or of one instance, does not expand every variable of every instance.
 */
function variablesFrom(filter: Record<string, unknown>, params: unknown[]): string {
  const root: string[] = [];
  const local: string[] = [];
  /** A plain value or `$eq`, or the list of `$in`: what can narrow the scan (other operators are left to the filter). */
  const wanted = (raw: unknown): { one?: unknown; list?: unknown[] } => {
    if (!isOperatorObject(raw)) return raw === undefined || raw === null ? {} : { one: raw };
    if (raw.$eq !== undefined) return { one: raw.$eq };
    if (Array.isArray(raw.$in)) return { list: raw.$in };
    return {};
  };
  const keyParam = (v: unknown) => {
    const text = String(v);
    if (!/^-?[0-9]{1,19}$/.test(text)) return undefined; // the filter itself refuses it
    return `$${params.push(text)}::bigint`;
  };
  const keys = (raw: unknown, each: (p: string) => string, many: (p: string) => string) => {
    const w = wanted(raw);
    if (w.one !== undefined) {
      const p = keyParam(w.one);
      return p ? each(p) : undefined;
    }
    if (w.list && w.list.every((v) => /^-?[0-9]{1,19}$/.test(String(v))))
      return many(`$${params.push(w.list.map(String))}::bigint[]`);
    return undefined;
  };
  const instance = keys(
    filter.processInstanceKey,
    (p) => `i.key = ${p}`,
    (p) => `i.key = ANY(${p})`,
  );
  if (instance) {
    root.push(instance);
    local.push(instance);
  }
  const scope = (raw: unknown, toScope: (p: string) => string) => {
    const r = keys(
      raw,
      (p) => `i.key = ${toScope(p)}`,
      (p) => `i.key = ANY(ARRAY(SELECT ${toScope('x')} FROM unnest(${p}) AS u(x)))`,
    );
    const l = keys(
      raw,
      (p) =>
        `e.key = ${toScope(p)} AND i.key = (SELECT se.instance_key FROM engine_element se WHERE se.key = ${toScope(p)})`,
      (p) => `e.key = ANY(ARRAY(SELECT ${toScope('x')} FROM unnest(${p}) AS u(x)))`,
    );
    if (r) root.push(r);
    if (l) local.push(l);
  };
  scope(filter.scopeKey, (p) => p);
  scope(filter.variableKey, (p) => `(${p} / 1000)`);
  const name = wanted(filter.name);
  if (typeof name.one === 'string') {
    const p = `$${params.push(name.one)}::text`;
    root.push(`i.variables ? ${p}`);
    local.push(`s.value ? ${p}`);
    const value = wanted(filter.value);
    if (typeof value.one === 'string') {
      const v = jsonParam(value.one, 'filter.value', params);
      root.push(`i.variables -> ${p} = ${v}`);
      local.push(`s.value -> ${p} = ${v}`);
    }
  } else if (name.list && name.list.every((n) => typeof n === 'string')) {
    const p = `$${params.push(name.list)}::text[]`;
    root.push(`i.variables ?| ${p}`);
    local.push(`s.value ?| ${p}`);
  }
  const and = (c: string[]) => c.map((x) => ` AND ${x}`).join('');
  const index = `CASE WHEN jsonb_typeof(v0.names -> v0.name) = 'number' THEN (v0.names ->> v0.name)::int
      ELSE (SELECT count(*)::int FROM jsonb_object_keys(v0.scope_vars) AS k(n) WHERE k.n COLLATE "C" < v0.name COLLATE "C") END`;
  return `(SELECT v0.process_instance_key, v0.scope_key, v0.name, v0.value, v0.value::text AS value_text,
      v0.scope_key * 1000 + ${index} AS variable_key
    FROM (
      SELECT i.key AS process_instance_key, i.key AS scope_key, rv.key AS name, rv.value, i.runtime -> 'names' AS names, i.variables AS scope_vars
      FROM engine_instance i CROSS JOIN LATERAL jsonb_each(i.variables) AS rv
      WHERE true${and(root)}
      UNION ALL
      SELECT i.key, e.key, lv.key, lv.value, i.runtime -> 'names', s.value
      FROM engine_instance i CROSS JOIN LATERAL ${localScopes('i')} AS s
        JOIN engine_element e ON e.instance_key = i.key AND e.execution_id = s.key
        CROSS JOIN LATERAL jsonb_each(s.value) AS lv
      WHERE i.runtime IS NOT NULL AND jsonb_typeof(s.value) = 'object'${and(local)}
    ) v0) v`;
}

export function variableResult(row: Row) {
  return {
    name: String(row.name),
    value: JSON.stringify(row.value),
    tenantId: TENANT,
    variableKey: String(row.variable_key),
    scopeKey: String(row.scope_key),
    processInstanceKey: String(row.process_instance_key),
  };
}

const variables: SearchSpec<ReturnType<typeof variableResult> & { isTruncated: boolean }> = {
  from: variablesFrom,
  fields: {
    name: { column: 'v.name' },
    value: { column: 'v.value', custom: (value, params, path) => valueClauses('v.value', value, params, path) },
    tenantId: tenantField,
    isTruncated: { column: 'false', cast: 'boolean' },
    variableKey: { column: 'v.variable_key', cast: 'bigint' },
    scopeKey: { column: 'v.scope_key', cast: 'bigint' },
    processInstanceKey: { column: 'v.process_instance_key', cast: 'bigint' },
  },
  sorts: {
    value: { column: 'v.value_text' },
    name: { column: 'v.name' },
    tenantId: tenantField,
    variableKey: { column: 'v.variable_key', cast: 'bigint' },
    scopeKey: { column: 'v.scope_key', cast: 'bigint' },
    processInstanceKey: { column: 'v.process_instance_key', cast: 'bigint' },
  },
  key: { column: 'v.variable_key', cast: 'bigint' },
  // Values are never cut here.
  map: (row) => ({ ...variableResult(row), isTruncated: false }),
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
