/**
 * The engine's own tables, versioned separately from the app's migrations so the engine can be used on its own.
 * Keys are int64 like Zeebe's, handed out in blocks from one sequence.
 */
import type { EngineDb } from './db';

const VERSIONS: string[][] = [
  [
    `CREATE SEQUENCE engine_key_seq START WITH 2251799813685249 INCREMENT BY 1000`,
    `CREATE TABLE engine_resource (
       key bigint PRIMARY KEY,
       deployment_key bigint NOT NULL,
       kind text NOT NULL CHECK (kind IN ('process', 'form', 'decision')),
       resource_id text NOT NULL,
       version integer NOT NULL,
       name text,
       resource_name text NOT NULL,
       checksum text NOT NULL,
       content text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       UNIQUE (kind, resource_id, version)
     )`,
    `CREATE TABLE engine_instance (
       key bigint PRIMARY KEY,
       definition_key bigint NOT NULL REFERENCES engine_resource(key),
       process_id text NOT NULL,
       state text NOT NULL CHECK (state IN ('ACTIVE', 'COMPLETED', 'TERMINATED')),
       variables jsonb NOT NULL DEFAULT '{}',
       runtime jsonb,
       pending_action jsonb,
       has_incident boolean NOT NULL DEFAULT false,
       parent_instance_key bigint,
       parent_execution_id text,
       propagate_child_variables boolean NOT NULL DEFAULT true,
       start_date timestamptz NOT NULL,
       end_date timestamptz
     )`,
    `CREATE INDEX engine_instance_state_idx ON engine_instance (state, process_id)`,
    `CREATE INDEX engine_instance_parent_idx ON engine_instance (parent_instance_key) WHERE parent_instance_key IS NOT NULL`,
    `CREATE TABLE engine_element (
       key bigint PRIMARY KEY,
       instance_key bigint NOT NULL REFERENCES engine_instance(key) ON DELETE CASCADE,
       execution_id text NOT NULL,
       element_id text NOT NULL,
       element_name text NOT NULL,
       element_type text NOT NULL,
       state text NOT NULL,
       incident_key bigint,
       start_date timestamptz NOT NULL,
       end_date timestamptz,
       UNIQUE (instance_key, execution_id)
     )`,
    `CREATE TABLE engine_job (
       key bigint PRIMARY KEY,
       instance_key bigint NOT NULL REFERENCES engine_instance(key) ON DELETE CASCADE,
       element_key bigint NOT NULL,
       execution_id text NOT NULL,
       element_id text NOT NULL,
       type text NOT NULL,
       state text NOT NULL CHECK (state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED', 'COMPLETED', 'ERROR_THROWN', 'CANCELED')),
       retries integer NOT NULL,
       custom_headers jsonb NOT NULL DEFAULT '{}',
       worker text,
       deadline timestamptz,
       available_at timestamptz NOT NULL,
       error_message text,
       locals jsonb NOT NULL DEFAULT '{}',
       created_at timestamptz NOT NULL
     )`,
    `CREATE INDEX engine_job_activatable_idx ON engine_job (type, available_at) WHERE state = 'ACTIVATABLE'`,
    `CREATE INDEX engine_job_deadline_idx ON engine_job (deadline) WHERE state = 'ACTIVATED'`,
    `CREATE TABLE engine_user_task (
       key bigint PRIMARY KEY,
       instance_key bigint NOT NULL REFERENCES engine_instance(key) ON DELETE CASCADE,
       element_key bigint NOT NULL,
       execution_id text NOT NULL,
       element_id text NOT NULL,
       name text,
       state text NOT NULL CHECK (state IN ('CREATED', 'COMPLETED', 'CANCELED')),
       assignee text,
       candidate_groups text[] NOT NULL DEFAULT '{}',
       candidate_users text[] NOT NULL DEFAULT '{}',
       due_date timestamptz,
       follow_up_date timestamptz,
       form_key bigint,
       form_id text,
       external_form_reference text,
       priority integer NOT NULL DEFAULT 50,
       custom_headers jsonb NOT NULL DEFAULT '{}',
       creation_date timestamptz NOT NULL,
       completion_date timestamptz
     )`,
    `CREATE INDEX engine_user_task_state_idx ON engine_user_task (state, assignee)`,
    `CREATE INDEX engine_user_task_instance_idx ON engine_user_task (instance_key)`,
    `CREATE TABLE engine_incident (
       key bigint PRIMARY KEY,
       instance_key bigint NOT NULL REFERENCES engine_instance(key) ON DELETE CASCADE,
       element_key bigint,
       element_id text NOT NULL,
       job_key bigint,
       error_type text NOT NULL,
       error_message text NOT NULL,
       state text NOT NULL CHECK (state IN ('ACTIVE', 'RESOLVED')),
       creation_time timestamptz NOT NULL
     )`,
    `CREATE INDEX engine_incident_instance_idx ON engine_incident (instance_key)`,
    `CREATE TABLE engine_clock (id integer PRIMARY KEY CHECK (id = 1), pinned_at timestamptz)`,
    `CREATE TABLE engine_timer (
       key bigint PRIMARY KEY,
       instance_key bigint NOT NULL REFERENCES engine_instance(key) ON DELETE CASCADE,
       execution_id text NOT NULL,
       element_id text NOT NULL,
       due_at timestamptz NOT NULL,
       state text NOT NULL CHECK (state IN ('ACTIVE', 'FIRED', 'CANCELED'))
     )`,
    `CREATE INDEX engine_timer_due_idx ON engine_timer (due_at) WHERE state = 'ACTIVE'`,
    `CREATE TABLE engine_subscription (
       key bigint PRIMARY KEY,
       instance_key bigint NOT NULL REFERENCES engine_instance(key) ON DELETE CASCADE,
       execution_id text NOT NULL,
       element_id text NOT NULL,
       message_name text NOT NULL,
       correlation_key text NOT NULL,
       state text NOT NULL CHECK (state IN ('OPEN', 'CORRELATED', 'CANCELED'))
     )`,
    `CREATE INDEX engine_subscription_open_idx ON engine_subscription (message_name, correlation_key) WHERE state = 'OPEN'`,
    `CREATE TABLE engine_message (
       key bigint PRIMARY KEY,
       name text NOT NULL,
       correlation_key text NOT NULL,
       message_id text,
       variables jsonb NOT NULL DEFAULT '{}',
       state text NOT NULL CHECK (state IN ('BUFFERED', 'CORRELATED', 'EXPIRED')),
       expires_at timestamptz NOT NULL,
       created_at timestamptz NOT NULL
     )`,
    `CREATE UNIQUE INDEX engine_message_id_idx ON engine_message (message_id) WHERE message_id IS NOT NULL`,
    `CREATE INDEX engine_message_buffered_idx ON engine_message (name, correlation_key) WHERE state = 'BUFFERED'`,
  ],
  // The sequence flows an instance has taken (GET /process-instances/{key}/sequence-flows).
  [`ALTER TABLE engine_instance ADD COLUMN taken_flows text[] NOT NULL DEFAULT '{}'`],
  // A queue's open tasks by candidate group or user: without these every open task's row was read and filtered.
  [
    `CREATE INDEX engine_user_task_open_groups_idx ON engine_user_task USING gin (candidate_groups) WHERE state = 'CREATED'`,
    `CREATE INDEX engine_user_task_open_users_idx ON engine_user_task USING gin (candidate_users) WHERE state = 'CREATED'`,
  ],
  // A task's process (definition key, id, version and name, none of which ever change) on the task's own row: a task
  // search reads the tasks and nothing else (it read each task's instance row, four pages, and the definition).
  [
    `ALTER TABLE engine_user_task ADD COLUMN definition_key bigint, ADD COLUMN process_id text, ADD COLUMN process_version integer, ADD COLUMN process_name text`,
    `UPDATE engine_user_task t SET definition_key = i.definition_key, process_id = i.process_id, process_version = r.version, process_name = r.name
       FROM engine_instance i JOIN engine_resource r ON r.key = i.definition_key WHERE i.key = t.instance_key`,
    `ALTER TABLE engine_user_task ALTER COLUMN definition_key SET NOT NULL, ALTER COLUMN process_id SET NOT NULL, ALTER COLUMN process_version SET NOT NULL`,
  ],
  // The engine's own core (issue 24): signal subscriptions beside message ones; start events subscribed per process
  // definition (no instance yet: message, signal and timer start events); jobs of execution and task listeners.
  [
    `ALTER TABLE engine_subscription ADD COLUMN kind text NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'signal')),
       ADD COLUMN definition_key bigint, ALTER COLUMN instance_key DROP NOT NULL`,
    `CREATE INDEX engine_subscription_signal_idx ON engine_subscription (message_name) WHERE state = 'OPEN' AND kind = 'signal'`,
    `CREATE INDEX engine_subscription_definition_idx ON engine_subscription (definition_key) WHERE definition_key IS NOT NULL`,
    `ALTER TABLE engine_timer ADD COLUMN definition_key bigint, ADD COLUMN repetitions integer, ALTER COLUMN instance_key DROP NOT NULL`,
    `CREATE INDEX engine_timer_definition_idx ON engine_timer (definition_key) WHERE definition_key IS NOT NULL`,
    // A message start event with a correlation key starts one instance per key at a time.
    `ALTER TABLE engine_instance ADD COLUMN start_correlation_key text`,
    // An element instance's flow scope: the sub-process, event sub-process or multi-instance body it runs in, or the
    // process instance (search by elementInstanceScopeKey).
    `ALTER TABLE engine_element ADD COLUMN scope_key bigint`,
    `CREATE INDEX engine_element_scope_idx ON engine_element (scope_key) WHERE scope_key IS NOT NULL`,
    `ALTER TABLE engine_job ADD COLUMN kind text NOT NULL DEFAULT 'BPMN_ELEMENT', ADD COLUMN listener_event_type text NOT NULL DEFAULT 'UNSPECIFIED'`,
  ],
  // Camunda 8.8's REST surface: process instance tags (set at creation, never changed), and a DMN file's decision
  // requirements graph as a resource of its own (kind 'decision_requirements', with its own key and version), which
  // its decisions name. Decisions deployed before this have no such key until their file is deployed again.
  [
    `ALTER TABLE engine_instance ADD COLUMN tags text[] NOT NULL DEFAULT '{}'`,
    `ALTER TABLE engine_resource DROP CONSTRAINT engine_resource_kind_check`,
    `ALTER TABLE engine_resource ADD CONSTRAINT engine_resource_kind_check CHECK (kind IN ('process', 'form', 'decision', 'decision_requirements'))`,
    `ALTER TABLE engine_resource ADD COLUMN decision_requirements_key bigint`,
  ],
  // User task listeners: a task waits in a transitional state while its listeners run; the transition in progress and
  // the answer for the request that started it are on its row; a listener's job carries the task as it saw it.
  [
    `ALTER TABLE engine_user_task DROP CONSTRAINT engine_user_task_state_check`,
    `ALTER TABLE engine_user_task ADD CONSTRAINT engine_user_task_state_check
       CHECK (state IN ('CREATING', 'CREATED', 'ASSIGNING', 'UPDATING', 'COMPLETING', 'COMPLETED', 'CANCELED'))`,
    `ALTER TABLE engine_user_task ADD COLUMN transition jsonb, ADD COLUMN outcome jsonb`,
    `ALTER TABLE engine_job ADD COLUMN user_task jsonb`,
    // A process's start form (the none start event's zeebe:formDefinition), for hasStartForm and its form's read.
    `ALTER TABLE engine_resource ADD COLUMN start_form_id text`,
    // Zeebe's messages: one with a time to live stays buffered until it expires, correlated at most once per process
    // (the processes it reached are listed); its id is unique among the buffered ones of its name and correlation key.
    `ALTER TABLE engine_message ADD COLUMN correlated_processes text[] NOT NULL DEFAULT '{}'`,
    `DROP INDEX engine_message_id_idx`,
    `CREATE INDEX engine_message_id_idx ON engine_message (message_id) WHERE message_id IS NOT NULL`,
  ],
];

export async function ensureEngineSchema(db: EngineDb): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('CREATE TABLE IF NOT EXISTS engine_schema (version integer NOT NULL)');
    await tx.query('LOCK TABLE engine_schema IN EXCLUSIVE MODE');
    const rows = await tx.query<{ version: number }>('SELECT version FROM engine_schema');
    let version = rows[0]?.version ?? 0;
    if (rows.length === 0) await tx.query('INSERT INTO engine_schema (version) VALUES (0)');
    for (; version < VERSIONS.length; version++) {
      for (const statement of VERSIONS[version]) await tx.query(statement);
    }
    await tx.query('UPDATE engine_schema SET version = $1', [version]);
  });
}
