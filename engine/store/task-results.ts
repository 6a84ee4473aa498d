/** The user tasks search (`POST /v2/user-tasks/search`, and the gets built on it). */
import { TENANT, iso, str, tenantField, type Row, type SearchSpec } from './result-kit';
import { variableList } from './variable-filters';

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

export const userTasks: SearchSpec<ReturnType<typeof userTaskResult>> = {
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
