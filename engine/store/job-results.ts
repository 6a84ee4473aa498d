/**
 * Searches of what instances wait on, as Camunda 8.8 answers them: jobs (`POST /v2/jobs/search`) and message
 * subscriptions (`POST /v2/message-subscriptions/search`). Same rules as results.ts: Camunda's field names mapped to
 * SQL, a field this engine does not record refused as unsupported rather than ignored.
 */
import { absent, iso, str, tenantField, TENANT, type Row, type SearchSpec } from './result-kit';

const JOB_STATES = [
  'CANCELED',
  'COMPLETED',
  'CREATED',
  'ERROR_THROWN',
  'FAILED',
  'MIGRATED',
  'RETRIES_UPDATED',
  'TIMED_OUT',
] as const;
const JOB_KINDS = ['BPMN_ELEMENT', 'EXECUTION_LISTENER', 'TASK_LISTENER', 'AD_HOC_SUB_PROCESS'] as const;
const LISTENER_EVENT_TYPES = [
  'UNSPECIFIED',
  'START',
  'END',
  'CREATING',
  'ASSIGNING',
  'UPDATING',
  'COMPLETING',
  'CANCELING',
] as const;

/** A job's state in Camunda's words: an open job (activatable or activated) is CREATED. */
const JOB_STATE = "CASE WHEN j.state IN ('ACTIVATABLE', 'ACTIVATED') THEN 'CREATED' ELSE j.state END";
/** Failed once, retried since: open, with the error of its last failure. */
const FAILED_WITH_RETRIES_LEFT = "(j.state IN ('ACTIVATABLE', 'ACTIVATED') AND j.error_message IS NOT NULL)";
const NOT_RECORDED = 'this engine does not record it';

export function jobResult(row: Row) {
  return {
    customHeaders: (row.custom_headers as Record<string, string>) ?? {},
    deadline: iso(row.deadline) ?? null,
    deniedReason: null,
    elementId: String(row.element_id),
    elementInstanceKey: String(row.element_key),
    errorCode: null,
    errorMessage: str(row.error_message) ?? null,
    hasFailedWithRetriesLeft: row.failed_with_retries_left === true,
    isDenied: null,
    jobKey: String(row.key),
    kind: String(row.kind),
    listenerEventType: String(row.listener_event_type),
    processDefinitionId: String(row.process_id),
    processDefinitionKey: String(row.definition_key),
    processInstanceKey: String(row.instance_key),
    retries: Number(row.retries),
    state: String(row.camunda_state),
    tenantId: TENANT,
    type: String(row.type),
    worker: str(row.worker) ?? '',
  };
}

export const jobs: SearchSpec<ReturnType<typeof jobResult>> = {
  from: 'engine_job j JOIN engine_instance i ON i.key = j.instance_key',
  select: `j.*, i.definition_key, i.process_id, ${JOB_STATE} AS camunda_state, ${FAILED_WITH_RETRIES_LEFT} AS failed_with_retries_left`,
  fields: {
    deadline: { column: 'j.deadline', cast: 'timestamptz' },
    deniedReason: { column: '', unsupported: NOT_RECORDED },
    elementId: { column: 'j.element_id' },
    elementInstanceKey: { column: 'j.element_key', cast: 'bigint' },
    endTime: { column: '', unsupported: NOT_RECORDED },
    errorCode: { column: '', unsupported: NOT_RECORDED },
    errorMessage: { column: 'j.error_message' },
    hasFailedWithRetriesLeft: { column: FAILED_WITH_RETRIES_LEFT, cast: 'boolean' },
    isDenied: { column: '', unsupported: NOT_RECORDED },
    jobKey: { column: 'j.key', cast: 'bigint' },
    kind: { column: 'j.kind', kind: 'enum', values: JOB_KINDS },
    listenerEventType: { column: 'j.listener_event_type', kind: 'enum', values: LISTENER_EVENT_TYPES },
    processDefinitionId: { column: 'i.process_id' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processInstanceKey: { column: 'j.instance_key', cast: 'bigint' },
    retries: { column: 'j.retries', cast: 'integer' },
    state: { column: JOB_STATE, kind: 'enum', values: JOB_STATES },
    tenantId: tenantField,
    type: { column: 'j.type' },
    worker: { column: 'j.worker' },
  },
  sorts: {
    deadline: { column: 'j.deadline', cast: 'timestamptz' },
    deniedReason: absent,
    elementId: { column: 'j.element_id' },
    elementInstanceKey: { column: 'j.element_key', cast: 'bigint' },
    endTime: absent,
    errorCode: absent,
    errorMessage: { column: 'j.error_message' },
    isDenied: absent,
    jobKey: { column: 'j.key', cast: 'bigint' },
    kind: { column: 'j.kind' },
    listenerEventType: { column: 'j.listener_event_type' },
    processDefinitionId: { column: 'i.process_id' },
    processDefinitionKey: { column: 'i.definition_key', cast: 'bigint' },
    processInstanceKey: { column: 'j.instance_key', cast: 'bigint' },
    retries: { column: 'j.retries', cast: 'integer' },
    state: { column: JOB_STATE },
    tenantId: tenantField,
    type: { column: 'j.type' },
    worker: { column: 'j.worker' },
  },
  key: { column: 'j.key', cast: 'bigint' },
  map: jobResult,
};

const SUBSCRIPTION_STATES = ['CORRELATED', 'CREATED', 'DELETED', 'MIGRATED'] as const;
/** Open is CREATED, closed without a message DELETED. */
const SUBSCRIPTION_STATE = "CASE s.state WHEN 'OPEN' THEN 'CREATED' WHEN 'CANCELED' THEN 'DELETED' ELSE s.state END";
/**
 * The element instance that waits: the catch event itself, or, for a boundary event or an event sub-process's start
 * (execution `<owner>/<event>`), the element instance that owns the subscription.
 */
const SUBSCRIPTION_ELEMENT = `(SELECT e.key FROM engine_element e WHERE e.instance_key = s.instance_key
   AND e.execution_id = split_part(s.execution_id, '/', 1) ORDER BY e.key DESC LIMIT 1)`;

export function messageSubscriptionResult(row: Row) {
  return {
    messageSubscriptionKey: String(row.key),
    processDefinitionId: String(row.process_id),
    processDefinitionKey: String(row.definition_key),
    processInstanceKey: String(row.instance_key),
    elementId: String(row.element_id),
    ...(row.element_key != null ? { elementInstanceKey: str(row.element_key) } : {}),
    messageSubscriptionState: String(row.camunda_state),
    messageName: String(row.message_name),
    correlationKey: String(row.correlation_key),
    tenantId: TENANT,
  };
}

export const messageSubscriptions: SearchSpec<ReturnType<typeof messageSubscriptionResult>> = {
  // Process instances' subscriptions (catch events, boundary events, event sub-processes), not start events'.
  from: 'engine_subscription s JOIN engine_instance i ON i.key = s.instance_key',
  select: `s.*, i.definition_key, i.process_id, ${SUBSCRIPTION_STATE} AS camunda_state, ${SUBSCRIPTION_ELEMENT} AS element_key`,
  where: ["s.kind = 'message'"],
  fields: {
    messageSubscriptionKey: { column: 's.key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    processInstanceKey: { column: 's.instance_key', cast: 'bigint' },
    elementId: { column: 's.element_id' },
    elementInstanceKey: { column: SUBSCRIPTION_ELEMENT, cast: 'bigint' },
    messageSubscriptionState: { column: SUBSCRIPTION_STATE, kind: 'enum', values: SUBSCRIPTION_STATES },
    lastUpdatedDate: { column: '', unsupported: NOT_RECORDED },
    messageName: { column: 's.message_name' },
    correlationKey: { column: 's.correlation_key' },
    tenantId: tenantField,
  },
  sorts: {
    messageSubscriptionKey: { column: 's.key', cast: 'bigint' },
    processDefinitionId: { column: 'i.process_id' },
    processInstanceKey: { column: 's.instance_key', cast: 'bigint' },
    elementId: { column: 's.element_id' },
    elementInstanceKey: { column: SUBSCRIPTION_ELEMENT, cast: 'bigint' },
    messageSubscriptionState: { column: SUBSCRIPTION_STATE },
    lastUpdatedDate: absent,
    messageName: { column: 's.message_name' },
    correlationKey: { column: 's.correlation_key' },
    tenantId: tenantField,
  },
  key: { column: 's.key', cast: 'bigint' },
  map: messageSubscriptionResult,
};
