/**
 * Jobs: long-polling activation, completion (the hot path: one statement checks the job and locks its instance),
 * failure with retries and back-off, BPMN errors, updates.
 */
import type { EngineQueryable } from './store/db';
import { TENANT, type Row } from './store/results';
import { type Variables } from './runtime/types';
import { invalidArgument, invalidState, notFound } from './errors';
import type { Kernel } from './kernel';
import { type InstanceRow, INSTANCE_COLUMNS } from './store/rows';

export class Jobs {
  constructor(private readonly k: Kernel) {}

  /** Hands out up to maxJobsToActivate jobs of a type; waits up to requestTimeout for some to appear (long polling). */
  async activateJobs(
    input: {
      type: string;
      worker?: string;
      timeout: number;
      maxJobsToActivate: number;
      requestTimeout?: number;
      fetchVariable?: string[];
    },
    abort?: AbortSignal,
  ) {
    if (!input.type) throw invalidArgument('Expected a job type, but none given');
    if (!(input.maxJobsToActivate > 0))
      throw invalidArgument(`Expected maxJobsToActivate to be greater than 0, but was ${input.maxJobsToActivate}`);
    if (!(input.timeout > 0)) throw invalidArgument(`Expected timeout to be greater than 0, but was ${input.timeout}`);
    // Zeebe's rule: 0 or none is the default long-polling time; a negative one answers at once, jobs or none.
    const requestTimeout =
      input.requestTimeout === undefined || input.requestTimeout === 0 ? 10000 : Math.max(0, input.requestTimeout);
    const until = Date.now() + requestTimeout;
    for (;;) {
      if (abort?.aborted || this.k.stopped) return { jobs: [] };
      const jobs = await this.tryActivate(input);
      if (jobs.length > 0 || Date.now() >= until) return { jobs };
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.k.signals.off('jobs', done);
          this.k.signals.off(`jobs:${input.type}`, done);
          this.k.signals.off('stop', done);
          abort?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(until - Date.now(), 1000));
        this.k.signals.once('jobs', done);
        this.k.signals.once(`jobs:${input.type}`, done);
        this.k.signals.once('stop', done);
        abort?.addEventListener('abort', done);
      });
    }
  }

  /** Jobs activated for a worker that went away before receiving them are handed out again at once. */
  async returnJobs(jobKeys: string[]): Promise<void> {
    if (jobKeys.length === 0) return;
    await this.k.db.query(
      "UPDATE engine_job SET state = 'ACTIVATABLE', worker = NULL, deadline = NULL WHERE key = ANY($1::bigint[]) AND state = 'ACTIVATED'",
      [jobKeys],
    );
    this.k.notifyJobs(true);
  }

  async tryActivate(input: {
    type: string;
    worker?: string;
    timeout: number;
    maxJobsToActivate: number;
    fetchVariable?: string[];
  }) {
    const now = this.k.now();
    // One statement, atomic on its own (SKIP LOCKED keeps concurrent activations apart): no transaction around it,
    // which saved two round trips on every activation and every long-poll re-check.
    const rows = await this.k.db.query<Row>(
      `UPDATE engine_job j SET state = 'ACTIVATED', worker = $3, deadline = $4
       FROM engine_instance i
       WHERE j.key IN (SELECT key FROM engine_job WHERE type = $1 AND state = 'ACTIVATABLE' AND available_at <= $5
                       ORDER BY key LIMIT $2 FOR UPDATE SKIP LOCKED)
         AND i.key = j.instance_key
       RETURNING j.*, i.variables, i.definition_key, i.process_id, i.tags,
         (SELECT version FROM engine_resource r WHERE r.key = i.definition_key) AS version`,
      [
        input.type,
        input.maxJobsToActivate,
        input.worker ?? '',
        new Date(now.getTime() + input.timeout).toISOString(),
        now.toISOString(),
      ],
    );
    return rows.map((row) => {
      let variables = { ...(row.variables as Variables), ...(row.locals as Variables) };
      if (input.fetchVariable?.length) {
        variables = Object.fromEntries(input.fetchVariable.filter((n) => n in variables).map((n) => [n, variables[n]]));
      }
      return {
        type: String(row.type),
        processDefinitionId: String(row.process_id),
        processDefinitionVersion: Number(row.version),
        elementId: String(row.element_id),
        customHeaders: row.custom_headers as Record<string, unknown>,
        worker: (row.worker as string | null) ?? '',
        retries: Number(row.retries),
        deadline: new Date(row.deadline as string).getTime(),
        variables,
        tenantId: TENANT,
        jobKey: String(row.key),
        processInstanceKey: String(row.instance_key),
        processDefinitionKey: String(row.definition_key),
        elementInstanceKey: String(row.element_key),
        tags: (row.tags as string[] | undefined) ?? [],
        kind: (row.kind as string | undefined) ?? 'BPMN_ELEMENT',
        listenerEventType: (row.listener_event_type as string | undefined) ?? 'UNSPECIFIED',
        // A task listener's job: the user task as the listener sees it (also in its headers, io.camunda.zeebe:*).
        ...(row.user_task ? { userTask: row.user_task as Record<string, unknown> } : {}),
      };
    });
  }

  async openJob(tx: EngineQueryable, key: string) {
    const [job] = await tx.query<{
      instance_key: string;
      execution_id: string;
      state: string;
      retries: number;
      kind: string;
    }>('SELECT instance_key::text, execution_id, state, retries, kind FROM engine_job WHERE key = $1 FOR UPDATE', [
      key,
    ]);
    if (!job || job.state === 'COMPLETED' || job.state === 'CANCELED' || job.state === 'ERROR_THROWN')
      throw notFound('job', key);
    return job;
  }

  /** Completes a job; a task listener's job takes a `result` (corrections, or a denial) and no variables. */
  async completeJob(key: string, variables: Variables = {}, result?: unknown): Promise<void> {
    const taskKey = await this.k.transaction(async (tx) => {
      // The hot path: one statement checks and completes the job, and locks and reads its instance.
      const [job] = await tx.query<
        InstanceRow & { instance_key: string; execution_id: string; task_key: string | null }
      >(
        `WITH job AS (
           UPDATE engine_job SET state = 'COMPLETED' WHERE key = $1 AND state IN ('ACTIVATABLE', 'ACTIVATED')
           RETURNING instance_key, execution_id, user_task ->> 'userTaskKey' AS task_key)
         SELECT job.instance_key::text, job.execution_id, job.task_key, ${INSTANCE_COLUMNS('i')}
         FROM job JOIN engine_instance i ON i.key = job.instance_key FOR UPDATE OF i`,
        [key],
      );
      if (!job) {
        const open = await this.openJob(tx, key); // not found (404), or in a state that cannot complete
        throw invalidState(`Expected to complete job with key '${key}', but it is in state '${open.state}'`);
      }
      if (job.task_key) {
        if (Object.keys(variables).length > 0) {
          throw invalidArgument(
            `Expected to complete task listener job '${key}' without variables, but variables were given: a task listener cannot set variables`,
          );
        }
        await this.k.taskListeners.listenerDone(tx, job.task_key, job, result);
        return job.task_key;
      }
      await this.k.steps.advance(
        tx,
        job.instance_key,
        { kind: 'complete', executionId: job.execution_id, variables },
        key,
        job,
      );
      return undefined;
    });
    if (taskKey) this.k.taskListeners.answer(taskKey);
    this.k.notifyJobs();
  }

  async failJob(
    key: string,
    input: { retries?: number; errorMessage?: string; retryBackOff?: number; variables?: Variables },
  ) {
    await this.k.transaction(async (tx) => {
      const job = await this.openJob(tx, key);
      // Like Zeebe: a job is failed while activatable or activated (a worker may fail a job it never activated).
      if (job.state !== 'ACTIVATED' && job.state !== 'ACTIVATABLE')
        throw invalidState(`Expected to fail job with key '${key}', but it is in state '${job.state}'`);
      const retries = Math.max(0, Number(input.retries ?? 0));
      const now = this.k.now();
      const message = input.errorMessage ?? '';
      if (retries > 0) {
        await tx.query(
          "UPDATE engine_job SET state = 'ACTIVATABLE', retries = $2, error_message = $3, available_at = $4, worker = NULL, deadline = NULL WHERE key = $1",
          [key, retries, message, new Date(now.getTime() + Math.max(0, Number(input.retryBackOff ?? 0))).toISOString()],
        );
      } else {
        await tx.query(
          "UPDATE engine_job SET state = 'FAILED', retries = 0, error_message = $2, worker = NULL, deadline = NULL WHERE key = $1",
          [key, message],
        );
        const [element] = await tx.query<{ element_key: string; element_id: string }>(
          'SELECT element_key::text, element_id FROM engine_job WHERE key = $1',
          [key],
        );
        const errorType =
          job.kind === 'TASK_LISTENER'
            ? 'TASK_LISTENER_NO_RETRIES'
            : job.kind === 'EXECUTION_LISTENER'
              ? 'EXECUTION_LISTENER_NO_RETRIES'
              : 'JOB_NO_RETRIES';
        await tx.query(
          `INSERT INTO engine_incident (key, instance_key, element_key, element_id, job_key, error_type, error_message, state, creation_time)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8)`,
          [
            await this.k.keys.take(tx),
            job.instance_key,
            element.element_key,
            element.element_id,
            key,
            errorType,
            message || 'No more retries left.',
            now.toISOString(),
          ],
        );
        await tx.query('UPDATE engine_instance SET has_incident = true WHERE key = $1', [job.instance_key]);
      }
      if (input.variables && Object.keys(input.variables).length > 0) {
        // Zeebe: the variables become locals of the job's element instance — seen by the job's next activation, in
        // the variables search under that element's scope, by its output mappings — and go with it when it ends.
        await tx.query(`UPDATE engine_job SET locals = locals || $2::jsonb WHERE key = $1`, [
          key,
          JSON.stringify(input.variables),
        ]);
        if (job.kind === 'BPMN_ELEMENT') {
          await tx.query(
            `UPDATE engine_instance SET runtime = jsonb_set(runtime, ARRAY['locals', $2::text],
               coalesce(runtime -> 'locals' -> $2::text, '{}'::jsonb) || $3::jsonb)
             WHERE key = $1 AND jsonb_typeof(runtime -> 'locals') = 'object'`,
            [job.instance_key, job.execution_id, JSON.stringify(input.variables)],
          );
        }
      }
    });
    this.k.notifyJobs(true);
  }

  async throwJobError(key: string, input: { errorCode: string; errorMessage?: string; variables?: Variables }) {
    if (!input.errorCode) throw invalidArgument('Expected an errorCode, but none given');
    await this.k.transaction(async (tx) => {
      const job = await this.openJob(tx, key);
      if (job.kind !== 'BPMN_ELEMENT') {
        throw invalidState(
          `Expected to throw an error for job with key '${key}', but it is a ${job.kind} job: a listener cannot throw a BPMN error`,
        );
      }
      await tx.query("UPDATE engine_job SET state = 'ERROR_THROWN', error_message = $2 WHERE key = $1", [
        key,
        input.errorMessage ?? null,
      ]);
      if (job.state === 'FAILED') {
        // Zeebe takes an error for a job that failed out of retries: its incident goes with it.
        await tx.query("UPDATE engine_incident SET state = 'RESOLVED' WHERE job_key = $1 AND state = 'ACTIVE'", [key]);
        await tx.query(
          `UPDATE engine_instance SET has_incident = EXISTS (SELECT 1 FROM engine_incident WHERE instance_key = $1 AND state = 'ACTIVE') WHERE key = $1`,
          [job.instance_key],
        );
      }
      await this.k.steps.advance(
        tx,
        job.instance_key,
        {
          kind: 'error',
          executionId: job.execution_id,
          errorCode: input.errorCode,
          errorMessage: input.errorMessage ?? '',
          variables: input.variables ?? {},
        },
        key,
      );
    });
    this.k.notifyJobs();
  }

  async updateJob(key: string, changeset: { retries?: number; timeout?: number }) {
    await this.k.transaction(async (tx) => {
      const job = await this.openJob(tx, key);
      if (changeset.retries !== undefined) {
        if (!(changeset.retries >= 1))
          throw invalidArgument(`Expected retries to be at least 1, but was ${changeset.retries}`);
        await tx.query('UPDATE engine_job SET retries = $2 WHERE key = $1', [key, changeset.retries]);
      }
      if (changeset.timeout !== undefined) {
        if (job.state !== 'ACTIVATED')
          throw invalidState(`Expected to update the timeout of an activated job, but job '${key}' is '${job.state}'`);
        await tx.query('UPDATE engine_job SET deadline = $2 WHERE key = $1', [
          key,
          new Date(this.k.now().getTime() + changeset.timeout).toISOString(),
        ]);
      }
    });
  }
}
