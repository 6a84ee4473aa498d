/**
 * Messages and signals: publication with time to live and message id, correlation (one per process), buffered
 * messages matched after a commit race, message start events; signal broadcasts to open subscriptions and signal
 * start events.
 */
import type { EngineQueryable } from './store/db';
import { TENANT } from './store/results';
import { type Variables } from './runtime/types';
import { EngineError, invalidArgument } from './errors';
import { startByMessage, startBySignal } from './starts';
import type { Kernel } from './kernel';

export class Messaging {
  constructor(private readonly k: Kernel) {}

  /**
   * Publishes a message: it is correlated to the waiting subscriptions with the same name and correlation key (one
   * per process) and starts the processes that start on it; with a time to live it stays buffered until then, for
   * the catch events of other processes reached later (Zeebe: at most once per process). A message id is unique
   * among the buffered messages of its name and correlation key (ALREADY_EXISTS).
   */
  async publishMessage(input: {
    name: string;
    correlationKey?: string;
    timeToLive?: number;
    messageId?: string;
    variables?: Variables;
  }) {
    if (!input.name) throw invalidArgument('Expected a message name, but none given');
    const result = await this.k.transaction(async (tx) => {
      const now = this.k.now();
      if (input.messageId) {
        const [dupe] = await tx.query(
          'SELECT 1 FROM engine_message WHERE message_id = $1 AND name = $2 AND correlation_key = $3 AND expires_at > $4 LIMIT 1',
          [input.messageId, input.name, input.correlationKey ?? '', now.toISOString()],
        );
        if (dupe) {
          throw new EngineError(
            409,
            'ALREADY_EXISTS',
            `Expected to publish a new message with id '${input.messageId}', but a message with that id was already published`,
          );
        }
      }
      const key = await this.k.keys.take(tx);
      const correlated = await this.correlate(tx, input.name, input.correlationKey ?? '', input.variables ?? {});
      const ttl = Math.max(0, Number(input.timeToLive ?? 0));
      await tx.query(
        `INSERT INTO engine_message (key, name, correlation_key, message_id, variables, state, expires_at, created_at, correlated_processes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          key,
          input.name,
          input.correlationKey ?? '',
          input.messageId ?? null,
          JSON.stringify(input.variables ?? {}),
          ttl > 0 ? 'BUFFERED' : correlated.instances.length > 0 ? 'CORRELATED' : 'EXPIRED',
          new Date(now.getTime() + ttl).toISOString(),
          now.toISOString(),
          correlated.processes,
        ],
      );
      if (ttl > 0) this.k.recheckAfterCommit(tx);
      return { tenantId: TENANT, messageKey: key };
    });
    this.k.notifyJobs();
    return result;
  }

  /**
   * Two transactions committing at the same time — a publication buffering a message, a step opening the matching
   * subscription — each miss the other's uncommitted row. After either commits, this pass (a transaction of its
   * own, seeing both) correlates what still matches.
   */
  async matchBufferedMessages(): Promise<void> {
    for (;;) {
      const matched = await this.k.transaction(async (tx) => {
        const [pair] = await tx.query<{
          message_key: string;
          sub_key: string;
          instance_key: string;
          execution_id: string;
          variables: Variables;
          process_id: string;
        }>(
          `SELECT m.key::text AS message_key, s.key::text AS sub_key, s.instance_key::text, s.execution_id, m.variables, i.process_id
           FROM engine_message m JOIN engine_subscription s
             ON s.message_name = m.name AND s.correlation_key = m.correlation_key AND s.state = 'OPEN' AND s.kind = 'message'
           JOIN engine_instance i ON i.key = s.instance_key
           WHERE m.state = 'BUFFERED' AND m.expires_at > $1 AND NOT (i.process_id = ANY(m.correlated_processes))
           ORDER BY m.key, s.key LIMIT 1 FOR UPDATE OF m, s SKIP LOCKED`,
          [this.k.now().toISOString()],
        );
        if (!pair) return false;
        await this.k.messaging.correlatedTo(tx, pair.message_key, pair.process_id);
        await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = $1", [pair.sub_key]);
        await this.k.steps.advance(tx, pair.instance_key, {
          kind: 'message',
          executionId: pair.execution_id,
          variables: pair.variables,
        });
        return true;
      });
      if (!matched) return;
      this.k.notifyJobs();
    }
  }

  /** Correlates a message to a waiting subscription now, or fails with 404 when none waits. */
  async correlateMessage(input: { name: string; correlationKey?: string; variables?: Variables }) {
    if (!input.name) throw invalidArgument('Expected a message name, but none given');
    const result = await this.k.transaction(async (tx) => {
      const correlated = (await this.correlate(tx, input.name, input.correlationKey ?? '', input.variables ?? {}))
        .instances;
      if (correlated.length === 0) {
        throw new EngineError(
          404,
          'NOT_FOUND',
          `Expected to find subscription for message with name '${input.name}' and correlation key '${input.correlationKey ?? ''}', but none was found.`,
        );
      }
      const key = await this.k.keys.take(tx);
      const now = this.k.now().toISOString();
      await tx.query(
        `INSERT INTO engine_message (key, name, correlation_key, variables, state, expires_at, created_at)
         VALUES ($1, $2, $3, $4, 'CORRELATED', $5, $5)`,
        [key, input.name, input.correlationKey ?? '', JSON.stringify(input.variables ?? {}), now],
      );
      return { tenantId: TENANT, messageKey: key, processInstanceKey: correlated[0] };
    });
    this.k.notifyJobs();
    return result;
  }

  /** A buffered message reached a process: it stays buffered for the others. */
  async correlatedTo(tx: EngineQueryable, messageKey: string, processId: string): Promise<void> {
    await tx.query(
      'UPDATE engine_message SET correlated_processes = correlated_processes || ARRAY[$2::text] WHERE key = $1',
      [messageKey, processId],
    );
  }

  /** Correlates a message now: the waiting subscriptions (one per process) and the message start events. */
  async correlate(
    tx: EngineQueryable,
    name: string,
    correlationKey: string,
    variables: Variables,
  ): Promise<{ instances: string[]; processes: string[] }> {
    const open = await tx.query<{ key: string; instance_key: string; execution_id: string; process_id: string }>(
      `SELECT s.key::text, s.instance_key::text, s.execution_id, i.process_id
       FROM engine_subscription s JOIN engine_instance i ON i.key = s.instance_key
       WHERE s.message_name = $1 AND s.correlation_key = $2 AND s.state = 'OPEN' AND s.kind = 'message'
       ORDER BY s.key FOR UPDATE OF s`,
      [name, correlationKey],
    );
    // Like Zeebe: one correlation per process (the oldest waiting instance), never two in one instance.
    const perProcess = new Map<string, (typeof open)[number]>();
    for (const s of open) if (!perProcess.has(s.process_id)) perProcess.set(s.process_id, s);
    const subscriptions = [...perProcess.values()];
    for (const s of subscriptions) {
      await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = $1", [s.key]);
      await this.k.steps.advance(tx, s.instance_key, { kind: 'message', executionId: s.execution_id, variables });
    }
    // And message start events: a new instance of each process that starts on this message.
    const started = await startByMessage(tx, this.k.starts, name, correlationKey, variables, [...perProcess.keys()]);
    return {
      instances: [...subscriptions.map((s) => s.instance_key), ...started.map((s) => s.instanceKey)],
      processes: [...perProcess.keys(), ...started.map((s) => s.processId)],
    };
  }

  /** Broadcasts a signal: every signal catch event waiting for its name is triggered, every signal start event starts. */
  async broadcastSignal(input: { signalName: string; variables?: Variables }) {
    if (!input.signalName) throw invalidArgument('Expected a signal name, but none given');
    const variables = input.variables ?? {};
    if (typeof variables !== 'object' || Array.isArray(variables))
      throw invalidArgument('variables must be a JSON object');
    const result = await this.k.transaction(async (tx) => {
      const key = await this.k.keys.take(tx);
      await this.broadcast(tx, input.signalName, variables);
      return { tenantId: TENANT, signalKey: key };
    });
    this.k.notifyJobs();
    return result;
  }

  /** A signal reaches the subscriptions open now (a signal is not buffered) and the signal start events. */
  async broadcast(tx: EngineQueryable, name: string, variables: Variables): Promise<void> {
    const open = await tx.query<{ key: string; instance_key: string; execution_id: string }>(
      `SELECT key::text, instance_key::text, execution_id FROM engine_subscription
       WHERE kind = 'signal' AND message_name = $1 AND state = 'OPEN' AND instance_key IS NOT NULL ORDER BY key FOR UPDATE`,
      [name],
    );
    if (open.length > 0) {
      await tx.query("UPDATE engine_subscription SET state = 'CORRELATED' WHERE key = ANY($1::bigint[])", [
        open.map((s) => s.key),
      ]);
    }
    for (const s of open) {
      // An earlier delivery of this broadcast may have ended the instance or the waiting element.
      if (!(await this.k.calls.waitsFor(tx, s.instance_key, s.execution_id))) continue;
      await this.k.steps.advance(tx, s.instance_key, { kind: 'signal', executionId: s.execution_id, variables });
    }
    await startBySignal(tx, this.k.starts, name, variables);
  }
}
