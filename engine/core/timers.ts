/**
 * When a timer is due, on the engine's clock (which may be pinned): a date (ISO or FEEL), a duration from now, or a
 * cycle (`R<n>/<duration>`, `R<n>/<start>/<duration>`; `R/…` repeats for ever), parsed with @0dep/piso; or, as Zeebe
 * takes it, a cycle given as a cron expression (`0 0 9 * * MON-FRI`: seconds first, Spring's form; five fields are
 * taken too), repeating for ever, evaluated in UTC as Zeebe's broker does, with croner.
 */
import { ISOInterval, getDate } from '@0dep/piso';
import { Cron } from 'croner';
import { evaluateValue } from '../model/feel';
import type { ElementMeta } from '../model/types';
import { IncidentSignal, type Variables } from '../runtime/types';

export interface Due {
  due: string;
  /** cycles: repetitions left after this one (-1: for ever), and the cycle text for the next ones */
  left?: number;
  cycle?: string;
}

export function timerDue(meta: ElementMeta, variables: Variables, now: Date): Due {
  const timer = meta.timer!;
  let text: string;
  try {
    const value = evaluateValue(timer.value, variables);
    if (typeof value !== 'string' || value === '')
      throw new Error(
        `expected a ${timer.type === 'timeDate' ? 'date' : 'duration or cycle'}, but was ${JSON.stringify(value)}`,
      );
    text = value;
  } catch (error) {
    throw new IncidentSignal(
      meta.id,
      'EXTRACT_VALUE_ERROR',
      `Expected a valid timer ${timer.type} for '${meta.id}': ${(error as Error).message}`,
    );
  }
  try {
    if (timer.type === 'timeDate') {
      const date = getDate(text);
      if (Number.isNaN(date.getTime())) throw new Error('not a date');
      return { due: date.toISOString() };
    }
    if (timer.type === 'timeDuration') {
      return { due: new ISOInterval(text).parse().getExpireAt(now, now).toISOString() };
    }
    if (isCron(text)) return { due: nextCron(text, now).toISOString(), left: -1, cycle: text };
    const interval = new ISOInterval(text).parse();
    const repeat = interval.repeat;
    const left = repeat === undefined || repeat < 0 || !Number.isFinite(repeat) ? -1 : Math.max(0, repeat - 1);
    // With a start date the first repetition is at the start; without one, one period from now.
    const first =
      interval.start && interval.startDate.getTime() > now.getTime() ? interval.startDate : afterPeriod(text, now);
    return { due: first.toISOString(), left, cycle: text };
  } catch (error) {
    throw new IncidentSignal(
      meta.id,
      'EXTRACT_VALUE_ERROR',
      `Expected a valid timer ${timer.type} for '${meta.id}', but '${text}' is not one: ${(error as Error).message}`,
    );
  }
}

/** A cycle's next repetition, one period after the one that fired (due then), or undefined when none is left. */
export function nextCycle(cycle: string, left: number, firedDue: Date): Due | undefined {
  if (left === 0) return undefined;
  if (isCron(cycle)) return { due: nextCron(cycle, firedDue).toISOString(), left: -1, cycle };
  return { due: afterPeriod(cycle, firedDue).toISOString(), left: left < 0 ? -1 : left - 1, cycle };
}

/** A cron expression rather than an ISO 8601 cycle: fields separated by spaces. */
const isCron = (text: string) => /\s/.test(text.trim());

/** The first time after the instant that the cron expression names (UTC). */
function nextCron(expression: string, after: Date): Date {
  const next = new Cron(expression.trim(), { timezone: 'UTC', paused: true }).nextRun(after);
  if (!next) throw new Error('the cron expression names no time after now');
  return next;
}

/** One period of the cycle's (or duration's) length after the instant. */
function afterPeriod(text: string, from: Date): Date {
  const interval = new ISOInterval(text).parse();
  const period = interval.duration ? new ISOInterval(interval.duration.toString()).parse() : interval;
  return period.getExpireAt(from, from);
}
