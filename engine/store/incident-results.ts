/** The incidents search (`POST /v2/incidents/search`, an instance's incidents, and the gets built on it). */
import { TENANT, iso, str, tenantField, type Row, type SearchSpec } from './result-kit';

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

export const incidents: SearchSpec<ReturnType<typeof incidentResult>> = {
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
