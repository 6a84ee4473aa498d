/**
 * Start events that wait for something, per deployed process (no instance exists yet): message, signal and timer
 * starts. Deploying a version opens its subscriptions and timers and closes those of the versions before it (as
 * Zeebe does); a message, a signal or a due timer then starts an instance at its start event.
 */
import type { EngineQueryable } from './store/db';
import type { KeyAllocator } from './store/keys';
import type { ProcessModel } from './model/types';
import { nextCycle, timerDue } from './core/timers';
import type { Variables } from './runtime/types';

export interface Definition {
  key: string;
  resource_id: string;
  version: number;
}

export interface StartContext {
  keys: KeyAllocator;
  now(): Date;
  model(definitionKey: string, q: EngineQueryable): Promise<ProcessModel>;
  startInstance(
    tx: EngineQueryable,
    definition: Definition,
    variables: Variables,
    start: { at: string; correlationKey?: string },
  ): Promise<string>;
}

/** A new version of a process takes over its start events: the previous versions' subscriptions and timers close. */
export async function openStartEvents(
  tx: EngineQueryable,
  ctx: StartContext,
  definitionKey: string,
  model: ProcessModel,
): Promise<void> {
  const older = `definition_key IN (SELECT key FROM engine_resource WHERE kind = 'process' AND resource_id = $1 AND key <> $2)`;
  await tx.query(`UPDATE engine_subscription SET state = 'CANCELED' WHERE state = 'OPEN' AND ${older}`, [
    model.processId,
    definitionKey,
  ]);
  await tx.query(`UPDATE engine_timer SET state = 'CANCELED' WHERE state = 'ACTIVE' AND ${older}`, [
    model.processId,
    definitionKey,
  ]);
  for (const id of model.eventStarts) {
    const meta = model.elements.get(id)!;
    if (meta.event === 'timer') {
      const due = timerDue(meta, {}, ctx.now());
      await tx.query(
        `INSERT INTO engine_timer (key, instance_key, definition_key, execution_id, element_id, due_at, state, repetitions)
         VALUES ($1, NULL, $2, $3, $3, $4, 'ACTIVE', $5)`,
        [await ctx.keys.take(tx), definitionKey, id, due.due, due.left ?? 0],
      );
    } else {
      const name = meta.event === 'signal' ? meta.signal!.name : meta.message!.name;
      await tx.query(
        `INSERT INTO engine_subscription (key, instance_key, definition_key, execution_id, element_id, message_name, correlation_key, state, kind)
         VALUES ($1, NULL, $2, $3, $3, $4, '', 'OPEN', $5)`,
        [await ctx.keys.take(tx), definitionKey, id, name, meta.event],
      );
    }
  }
}

/**
 * A message starts an instance of each process whose message start event waits for its name; with a correlation key,
 * not while an instance that a message with the same key started is still active (Zeebe's rule).
 */
export async function startByMessage(
  tx: EngineQueryable,
  ctx: StartContext,
  name: string,
  correlationKey: string,
  variables: Variables,
  except: string[] = [],
): Promise<Array<{ instanceKey: string; processId: string }>> {
  const subscriptions = await tx.query<Definition & { element_id: string }>(
    `SELECT r.key::text, r.resource_id, r.version, s.element_id FROM engine_subscription s JOIN engine_resource r ON r.key = s.definition_key
     WHERE s.definition_key IS NOT NULL AND s.kind = 'message' AND s.state = 'OPEN' AND s.message_name = $1 ORDER BY s.key`,
    [name],
  );
  const started: Array<{ instanceKey: string; processId: string }> = [];
  for (const s of subscriptions) {
    if (except.includes(s.resource_id)) continue; // the message reached this process already
    if (correlationKey !== '') {
      const [running] = await tx.query(
        "SELECT 1 FROM engine_instance WHERE process_id = $1 AND state = 'ACTIVE' AND start_correlation_key = $2 LIMIT 1",
        [s.resource_id, correlationKey],
      );
      if (running) continue;
    }
    started.push({
      instanceKey: await ctx.startInstance(tx, s, variables, {
        at: s.element_id,
        correlationKey: correlationKey || undefined,
      }),
      processId: s.resource_id,
    });
  }
  return started;
}

/** A signal starts an instance of each process whose signal start event waits for its name. */
export async function startBySignal(
  tx: EngineQueryable,
  ctx: StartContext,
  name: string,
  variables: Variables,
): Promise<string[]> {
  const subscriptions = await tx.query<Definition & { element_id: string }>(
    `SELECT r.key::text, r.resource_id, r.version, s.element_id FROM engine_subscription s JOIN engine_resource r ON r.key = s.definition_key
     WHERE s.definition_key IS NOT NULL AND s.kind = 'signal' AND s.state = 'OPEN' AND s.message_name = $1 ORDER BY s.key`,
    [name],
  );
  const started: string[] = [];
  for (const s of subscriptions) started.push(await ctx.startInstance(tx, s, variables, { at: s.element_id }));
  return started;
}

/** A due timer start event starts an instance; a cycle arms its next repetition. */
export async function fireStartTimer(
  tx: EngineQueryable,
  ctx: StartContext,
  timer: { key: string; definition_key: string; element_id: string; due_at: string; repetitions: number | null },
): Promise<void> {
  const [definition] = await tx.query<Definition>(
    "SELECT key::text, resource_id, version FROM engine_resource WHERE kind = 'process' AND key = $1",
    [timer.definition_key],
  );
  await ctx.startInstance(tx, definition, {}, { at: timer.element_id });
  const meta = (await ctx.model(timer.definition_key, tx)).elements.get(timer.element_id)!;
  if (meta.timer?.type !== 'timeCycle') return;
  const cycle = timerDue(meta, {}, new Date(timer.due_at)).cycle!;
  const next = nextCycle(cycle, timer.repetitions ?? 0, new Date(timer.due_at));
  if (!next) return;
  await tx.query(
    `INSERT INTO engine_timer (key, instance_key, definition_key, execution_id, element_id, due_at, state, repetitions)
     VALUES ($1, NULL, $2, $3, $3, $4, 'ACTIVE', $5)`,
    [await ctx.keys.take(tx), timer.definition_key, timer.element_id, next.due, next.left ?? 0],
  );
}
