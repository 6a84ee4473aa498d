/**
 * Call activities: starting the process a call activity calls, and what crosses back from it — an error it did not
 * catch, an escalation, and whether its call activity still waits for it.
 */
import type { EngineQueryable } from './store/db';
import { type ProcessModel } from './model/process-model';
import { type Variables, type Wait } from './runtime/types';
import type { Kernel } from './kernel';

export class Calls {
  constructor(private readonly k: Kernel) {}

  /**
   * An error a called process did not catch, offered to its call activity: caught by the caller (or further up), the
   * caller's step is kept and terminates this process; not caught, nothing of the try is kept (a savepoint) and the
   * incident stays with this process, where the error was thrown.
   */
  async raiseToCaller(
    tx: EngineQueryable,
    instanceKey: string,
    raised: { code: string; message: string },
  ): Promise<boolean> {
    const [row] = await tx.query<{ parent_instance_key: string | null; parent_execution_id: string | null }>(
      'SELECT parent_instance_key::text, parent_execution_id FROM engine_instance WHERE key = $1',
      [instanceKey],
    );
    if (
      !row?.parent_instance_key ||
      !row.parent_execution_id ||
      !(await this.waitsFor(tx, row.parent_instance_key, row.parent_execution_id))
    )
      return false;
    await tx.query('SAVEPOINT raise_to_caller');
    const caught = await this.k.steps.advance(tx, row.parent_instance_key, {
      kind: 'error',
      executionId: row.parent_execution_id,
      errorCode: raised.code,
      errorMessage: raised.message,
      variables: {},
    });
    if (caught.outcome === 'incident') {
      await tx.query('ROLLBACK TO SAVEPOINT raise_to_caller');
      return false;
    }
    await tx.query('RELEASE SAVEPOINT raise_to_caller');
    // The caller's step took the error as the call activity's action, so it closed nothing of this process: end it.
    await this.k.waitStore.terminate(tx, instanceKey, this.k.now().toISOString());
    return true;
  }

  /** Escalations a called process did not catch go to the boundary events of the call activity that called it. */
  async escalateToCaller(
    tx: EngineQueryable,
    parentKey: string,
    callExecutionId: string,
    escalations: Array<{ code?: string }>,
  ) {
    for (const escalation of escalations) {
      if (!(await this.waitsFor(tx, parentKey, callExecutionId))) return;
      await this.k.steps.advance(tx, parentKey, {
        kind: 'escalate',
        executionId: callExecutionId,
        code: escalation.code,
      });
    }
  }

  async waitsFor(tx: EngineQueryable, instanceKey: string, executionId: string): Promise<boolean> {
    const [row] = await tx.query<{ waiting: boolean }>(
      `SELECT state = 'ACTIVE' AND (runtime->'open' IS NULL OR runtime->'open' @> $2::jsonb) AS waiting FROM engine_instance WHERE key = $1`,
      [instanceKey, JSON.stringify([{ executionId }])],
    );
    return row?.waiting === true;
  }

  /**
   * Starts the process a call activity calls, unless it runs already. A process that is not deployed is an
   * incident on the call activity, resolved by deploying it and resolving the incident.
   */
  async callProcess(
    tx: EngineQueryable,
    instanceKey: string,
    model: ProcessModel,
    variables: Variables,
    wait: Wait,
    now: string,
  ): Promise<void> {
    const [running] = await tx.query(
      "SELECT 1 FROM engine_instance WHERE parent_instance_key = $1 AND parent_execution_id = $2 AND state = 'ACTIVE'",
      [instanceKey, wait.executionId],
    );
    if (running) return;
    const definition = wait.calledProcessId
      ? await this.k.latestResource(tx, 'process', wait.calledProcessId)
      : undefined;
    if (!definition) {
      const [element] = await tx.query<{ key: string }>(
        'SELECT key::text FROM engine_element WHERE instance_key = $1 AND execution_id = $2',
        [instanceKey, wait.executionId],
      );
      await tx.query(
        `INSERT INTO engine_incident (key, instance_key, element_key, element_id, error_type, error_message, state, creation_time)
         VALUES ($1, $2, $3, $4, 'CALLED_ELEMENT_ERROR', $5, 'ACTIVE', $6)`,
        [
          await this.k.keys.take(tx),
          instanceKey,
          element?.key ?? null,
          wait.elementId,
          `Expected process with BPMN process id '${wait.calledProcessId}' to be deployed, but not found.`,
          now,
        ],
      );
      await tx.query('UPDATE engine_instance SET has_incident = true WHERE key = $1', [instanceKey]);
      return;
    }
    const meta = model.elements.get(wait.elementId);
    const childVariables = { ...(meta?.call?.propagateAllParentVariables === false ? {} : variables), ...wait.locals };
    await this.k.instances.startInstance(tx, definition, childVariables, {
      instanceKey,
      executionId: wait.executionId,
      propagateChildVariables: meta?.call?.propagateAllChildVariables !== false,
    });
  }
}
