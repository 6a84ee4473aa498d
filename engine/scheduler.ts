/**
 * The scheduler: the engine starts and stops, the clock is pinned or reset, and each round fires the timers that
 * fell due (one transaction each), hands out again the jobs whose worker did not answer in time, and correlates
 * buffered messages a race let miss their subscription.
 */
import { ensureEngineSchema } from './store/schema';
import { EngineError } from './errors';
import { fireStartTimer } from './starts';
import type { Kernel } from './kernel';

export class Scheduler {
  constructor(private readonly k: Kernel) {}

  async start(): Promise<void> {
    this.k.stopped = false;
    await ensureEngineSchema(this.k.db);
    await this.k.readClock();
    this.k.sweeper = setInterval(() => {
      if (this.k.sweepQueued) return;
      this.k.sweepQueued = true;
      this.sweep()
        .catch((error: unknown) => this.k.options.onError?.(error))
        .finally(() => (this.k.sweepQueued = false));
    }, this.k.options.sweepIntervalMs ?? 1000);
    // Timers that fell due while the engine was down fire now.
    await this.sweep();
    this.k.sweeper.unref();
  }

  /**
   * For a process that answers reads while another process runs this engine on the same database: no schema work,
   * no scheduler, only the clock as it is pinned now (the searches and gets need nothing else).
   */
  async startReading(): Promise<void> {
    await this.k.readClock();
  }

  stop(): void {
    this.k.stopped = true;
    clearInterval(this.k.sweeper);
    void this.k.stepper.close();
    this.k.signals.emit('stop');
  }

  async pinClock(timestamp: number): Promise<void> {
    await this.k.db.query(
      'INSERT INTO engine_clock (id, pinned_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET pinned_at = $1',
      [new Date(timestamp).toISOString()],
    );
    this.k.pinned = timestamp;
    await this.sweep();
    this.k.notifyJobs(true);
  }

  async resetClock(): Promise<void> {
    await this.k.db.query('DELETE FROM engine_clock');
    this.k.pinned = undefined;
    this.k.notifyJobs(true);
  }

  /**
   * The scheduler's round: due timers fire (each in its own transaction, so a crash fires nothing twice that was
   * committed), jobs whose worker did not answer before the deadline become activatable again, and buffered
   * messages meet subscriptions a race let them miss.
   */
  sweep(): Promise<void> {
    const run = this.k.sweeps.then(async () => {
      await this.fireDueTimers();
      await this.reactivateTimedOutJobs();
      // The safety net of the after-commit recheck (see transaction()): a recheck that failed, or a crash between a
      // commit and its recheck, leaves a buffered message beside its open subscription. Such a pair is correlated here.
      const [waiting] = await this.k.db.query(
        "SELECT 1 FROM engine_message WHERE state = 'BUFFERED' AND expires_at > $1 LIMIT 1",
        [this.k.now().toISOString()],
      );
      if (waiting) await this.k.messaging.matchBufferedMessages();
    });
    this.k.sweeps = run.catch(() => undefined);
    return run;
  }

  async fireDueTimers(): Promise<void> {
    // Timers that failed this round for a passing reason are tried again next round, not now.
    const retryLater: string[] = [];
    for (;;) {
      const now = this.k.now().toISOString();
      const due = await this.k.db.query<{ key: string }>(
        `SELECT key::text FROM engine_timer WHERE state = 'ACTIVE' AND due_at <= $1 AND NOT (key::text = ANY($2::text[]))
         ORDER BY due_at, key LIMIT 100`,
        [now, retryLater],
      );
      if (due.length === 0) return;
      for (const { key } of due) {
        try {
          await this.k.transaction(async (tx) => {
            const [timer] = await tx.query<{
              key: string;
              instance_key: string | null;
              execution_id: string;
              definition_key: string;
              element_id: string;
              due_at: string;
              repetitions: number | null;
            }>(
              `SELECT key::text, instance_key::text, execution_id, definition_key::text, element_id, due_at, repetitions
               FROM engine_timer WHERE key = $1 AND state = 'ACTIVE' FOR UPDATE SKIP LOCKED`,
              [key],
            );
            if (!timer) return;
            await tx.query("UPDATE engine_timer SET state = 'FIRED' WHERE key = $1", [key]);
            // A timer start event (no instance yet) starts one; any other moves its instance on.
            if (timer.instance_key === null) await fireStartTimer(tx, this.k.starts, timer);
            else await this.k.steps.advance(tx, timer.instance_key, { kind: 'timer', executionId: timer.execution_id });
          });
        } catch (error) {
          this.k.options.onError?.(error);
          if (error instanceof EngineError && (error.status === 404 || error.status === 409)) {
            // The instance cannot move on (gone, or not active any more): its timer is void, and must not stop others.
            await this.k.db.query("UPDATE engine_timer SET state = 'CANCELED' WHERE key = $1 AND state = 'ACTIVE'", [
              key,
            ]);
          } else {
            // A database that went away for a moment, or anything unforeseen: the transaction rolled back, the timer
            // is still due and fires on a later round (a deadline must not be lost to a passing failure).
            retryLater.push(key);
          }
        }
      }
      this.k.notifyJobs();
    }
  }

  async reactivateTimedOutJobs(): Promise<void> {
    const rows = await this.k.db.query(
      `UPDATE engine_job SET state = 'ACTIVATABLE', worker = NULL, deadline = NULL
       WHERE state = 'ACTIVATED' AND deadline < $1 RETURNING key`,
      [this.k.now().toISOString()],
    );
    if (rows.length > 0) this.k.notifyJobs(true);
  }
}
