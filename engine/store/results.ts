/**
 * How each searchable thing is read: its tables, its Camunda filter fields mapped to columns, and the mapping of a
 * row to Camunda's response shape (keys as strings, dates as ISO instants, optional fields omitted, never null).
 */
import type { FieldSpec } from './search';

export type Row = Record<string, unknown>;

export interface SearchSpec<T> {
  from: string;
  select?: string;
  where?: string[];
  fields: Record<string, FieldSpec>;
  /** the tie-breaking sort column */
  key: string;
  map: (row: Row) => T;
}

export const TENANT = '<default>';
const iso = (v: unknown) => (v == null ? undefined : new Date(v as string).toISOString());
const str = (v: unknown) => (v == null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

export function definitionResult(row: Row) {
  return {
    name: str(row.name),
    resourceName: str(row.resource_name),
    version: Number(row.version),
    processDefinitionId: String(row.resource_id),
    tenantId: TENANT,
    processDefinitionKey: String(row.key),
    hasStartForm: false,
  };
}

/** What {@link instanceResult} reads: not the stored runtime state (tens of kB of JSON per running instance). */
export const INSTANCE_RESULT_COLUMNS =
  'i.key, i.definition_key, i.process_id, i.state, i.has_incident, i.parent_instance_key, i.start_date, i.end_date, r.version, r.name AS definition_name';

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
    ...(typeof row.parent_instance_key === 'string' || typeof row.parent_instance_key === 'number' ? { parentProcessInstanceKey: String(row.parent_instance_key) } : {}),
  };
}

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
    customHeaders: Object.fromEntries(Object.entries((row.custom_headers as Row) ?? {}).map(([k, v]) => [k, String(v)])),
    elementInstanceKey: String(row.element_key),
    processName: str(row.process_name),
    processDefinitionKey: String(row.definition_key),
    processInstanceKey: String(row.instance_key),
    formKey: str(row.form_key),
  };
}

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


export const SEARCHES = {
  definitions: {
    from: 'engine_resource',
    where: ["kind = 'process'"],
    fields: {
    processDefinitionKey: { column: 'key', cast: 'bigint' },
    processDefinitionId: { column: 'resource_id' },
    name: { column: 'name' },
    version: { column: 'version', cast: 'integer' },
    resourceName: { column: 'resource_name' },
    tenantId: { column: "'<default>'" },
  },
    key: 'key',
    map: definitionResult,
  },
  instances: {
    from: 'engine_instance i JOIN engine_resource r ON r.key = i.definition_key',
    select: INSTANCE_RESULT_COLUMNS,
    fields: {
    processInstanceKey: { column: 'i.key', cast: 'bigint' },
    parentProcessInstanceKey: { column: 'i.parent_instance_key', cast: 'bigint' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    processDefinitionVersion: { column: 'r.version', cast: 'integer' },
    state: { column: 'i.state' },
    hasIncident: { column: 'i.has_incident', cast: 'boolean' },
    startDate: { column: 'i.start_date', cast: 'timestamptz' },
    endDate: { column: 'i.end_date', cast: 'timestamptz' },
  },
    key: 'i.key',
    map: instanceResult,
  },
  elements: {
    from: 'engine_element e JOIN engine_instance i ON i.key = e.instance_key',
    select: `e.*, i.definition_key, i.process_id,
       (SELECT inc.key FROM engine_incident inc WHERE inc.element_key = e.key AND inc.state = 'ACTIVE' LIMIT 1) AS open_incident`,
    fields: {
    elementInstanceKey: { column: 'e.key', cast: 'bigint' },
    processInstanceKey: { column: 'e.instance_key', cast: 'bigint' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    elementId: { column: 'e.element_id' },
    elementName: { column: 'e.element_name' },
    type: { column: 'e.element_type' },
    state: { column: 'e.state' },
    startDate: { column: 'e.start_date', cast: 'timestamptz' },
    endDate: { column: 'e.end_date', cast: 'timestamptz' },
  },
    key: 'e.key',
    map: elementResult,
  },
  userTasks: {
    from: 'engine_user_task t',
    fields: {
    userTaskKey: { column: 't.key', cast: 'bigint' },
    state: { column: 't.state' },
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
  },
    key: 't.key',
    map: userTaskResult,
  },
  incidents: {
    from: 'engine_incident n JOIN engine_instance i ON i.key = n.instance_key',
    select: 'n.*, i.definition_key, i.process_id',
    fields: {
    incidentKey: { column: 'n.key', cast: 'bigint' },
    processInstanceKey: { column: 'n.instance_key', cast: 'bigint' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    elementId: { column: 'n.element_id' },
    elementInstanceKey: { column: 'n.element_key', cast: 'bigint' },
    jobKey: { column: 'n.job_key', cast: 'bigint' },
    errorType: { column: 'n.error_type' },
    state: { column: 'n.state' },
    creationTime: { column: 'n.creation_time', cast: 'timestamptz' },
  },
    key: 'n.key',
    map: incidentResult,
  },
} satisfies Record<string, SearchSpec<unknown>>;
