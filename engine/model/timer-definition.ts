/**
 * A timer event definition armed on the engine's clock. bpmn-elements reads the real clock when it arms a timer: a
 * date already past on the real clock fires at once, and a duration or cycle starts from the real time. Here the due
 * time is taken from the session's clock (`environment.timers.now()`, the engine's time for the step, which may be
 * pinned), so a deadline fires when the engine's time reaches it, whatever the machine's date.
 */
import { ISOInterval, getDate } from '@0dep/piso';
import { TimerEventDefinition } from 'bpmn-elements';

interface Timers {
  expireAt?: Date;
  timeout?: number;
}

interface TimerBase {
  environment: { timers: { now?: () => Date } };
  _getTimers(message: unknown): Timers;
}

const Base = TimerEventDefinition as unknown as new (...args: unknown[]) => TimerBase;

export class ClockedTimerEventDefinition extends Base {
  private clock(): Date {
    return this.environment.timers.now?.() ?? new Date();
  }

  /** bpmn-elements' own parse, anchored on the engine's clock. */
  parse(timerType: string, value: string): { expireAt: Date; repeat?: number; delay: number } {
    const now = this.clock();
    if (timerType === 'timeDate') {
      const expireAt = getDate(value);
      return { expireAt, delay: now.getTime() - expireAt.getTime() };
    }
    const interval = new ISOInterval(value).parse();
    const expireAt = interval.getExpireAt(now, now);
    return { expireAt, repeat: interval.repeat, delay: expireAt.getTime() - now.getTime() };
  }

  /**
   * A timer armed in an earlier step (its content carries the due time) is resumed, never fired here: only the
   * engine's scheduler fires it, with a timer action, when the engine's clock reaches the due time.
   */
  _getTimers(message: { content: { expireAt?: unknown } }): Timers {
    const timers = super._getTimers(message);
    if (!(timers.expireAt instanceof Date)) return timers;
    const timeout = timers.expireAt.getTime() - this.clock().getTime();
    timers.timeout = message.content.expireAt === undefined ? timeout : Math.max(1, timeout);
    return timers;
  }
}
