import {
  CalendarMissingError,
  YearNotLoaded,
  addCalendarDays,
  countWorkingDays,
  countWorkingDaysBetween,
  endDay,
  endOfDay,
  localDay,
  lookupFromYears,
  nthWorkingDayAfter,
  plusDays,
  workingDeadline,
  type CalendarYear,
  type IsWorkday,
} from '../../domain/calendar';
import { chineseDaysYear, chineseDaysYears } from '../../domain/calendar-data';

const SHANGHAI = 'Asia/Shanghai';

/** National Day and Mid-Autumn 2026 as the State Council published them (chinese-days agrees: see below). */
const AUTUMN_2026: Array<[string, boolean]> = [
  ['2026-09-20', true], // Sunday, 调休上班
  ['2026-09-25', false], // 中秋节
  ['2026-10-01', false],
  ['2026-10-02', false],
  ['2026-10-03', false],
  ['2026-10-04', false],
  ['2026-10-05', false],
  ['2026-10-06', false],
  ['2026-10-07', false],
  ['2026-10-10', true], // Saturday, 调休上班
];

function calendar2026(): IsWorkday {
  const year: CalendarYear = { year: 2026, days: new Map(AUTUMN_2026) };
  return lookupFromYears(
    new Map([
      [2026, year],
      [2027, null],
    ]),
  );
}

describe('working-day calendar (pure arithmetic)', () => {
  describe('local days in Asia/Shanghai', () => {
    it('when an instant is after 16:00 UTC, then its local day is the next calendar day', () => {
      // when
      const justBefore = localDay(new Date('2026-09-27T15:59:59.999Z'), SHANGHAI);
      const midnight = localDay(new Date('2026-09-27T16:00:00.000Z'), SHANGHAI);
      // then
      expect(justBefore).toBe('2026-09-27');
      expect(midnight).toBe('2026-09-28');
    });

    it('when a day ends, then its end is 24:00 local, the instant the next day starts', () => {
      // when
      const end = endOfDay('2026-10-10', SHANGHAI);
      // then
      expect(end.toISOString()).toBe('2026-10-10T16:00:00.000Z');
      expect(endDay(end, SHANGHAI)).toBe('2026-10-10');
      expect(endDay(new Date('2026-10-10T16:00:00.001Z'), SHANGHAI)).toBe('2026-10-11');
    });

    it('when the zone has daylight saving, then the end of day follows the offset of that day', () => {
      // when / then: Berlin switches to summer time on 2026-03-29
      expect(endOfDay('2026-03-28', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
      expect(endOfDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    });

    it('when days are added across a month and a year end, then the calendar date is right', () => {
      // when / then
      expect(plusDays('2026-12-30', 3)).toBe('2027-01-02');
      expect(plusDays('2028-02-28', 1)).toBe('2028-02-29');
      expect(() => plusDays('2026-02-30', 1)).toThrow('Not a date');
    });
  });

  describe('working days', () => {
    it('when 5 working days are counted from 2026-09-28, then National Day is skipped and the adjusted Saturday 2026-10-10 is the last', () => {
      // given
      const isWorkday = calendar2026();
      // when
      const day = nthWorkingDayAfter('2026-09-28', 5, isWorkday);
      // then
      expect(day).toBe('2026-10-10');
    });

    it('when the start day is a rest day, then the count starts on the next working day', () => {
      // given
      const isWorkday = calendar2026();
      // when / then: from Saturday 2026-10-03 (holiday) the 1st working day is Thursday 2026-10-08
      expect(nthWorkingDayAfter('2026-10-03', 1, isWorkday)).toBe('2026-10-08');
      expect(nthWorkingDayAfter('2026-10-03', 0, isWorkday)).toBe('2026-10-03');
    });

    it('when an adjusted Sunday is a workday, then it counts', () => {
      // given
      const isWorkday = calendar2026();
      // when: Friday 2026-09-18 + 1 working day
      const day = nthWorkingDayAfter('2026-09-18', 1, isWorkday);
      // then
      expect(day).toBe('2026-09-20');
    });

    it('when the deadline of 5 working days from Monday 10:00 local is computed, then it ends at 24:00 on 2026-10-10', () => {
      // given
      const isWorkday = calendar2026();
      const acceptedAt = new Date('2026-09-28T02:00:00Z');
      // when
      const due = workingDeadline(acceptedAt, 5, SHANGHAI, isWorkday);
      // then
      expect(due.toISOString()).toBe('2026-10-10T16:00:00.000Z');
      expect(countWorkingDaysBetween(acceptedAt, due, SHANGHAI, isWorkday)).toBe(5);
    });

    it('when working days between two days are counted, then the first is excluded and the last included', () => {
      // given
      const isWorkday = calendar2026();
      // when / then
      expect(countWorkingDays('2026-09-28', '2026-10-10', isWorkday)).toBe(5);
      expect(countWorkingDays('2026-09-30', '2026-10-07', isWorkday)).toBe(0);
      expect(countWorkingDays('2026-10-10', '2026-09-28', isWorkday)).toBe(0);
    });

    it('when a count reaches a year without data, then CalendarMissingError names that year', () => {
      // given
      const isWorkday = calendar2026();
      // when
      const compute = () => nthWorkingDayAfter('2026-12-28', 5, isWorkday);
      // then
      expect(compute).toThrow(CalendarMissingError);
      expect(compute).toThrow('2027年的节假日安排尚未录入：请管理员在设置中添加 2027 年日历');
      expect(compute).toThrow('the working-day calendar has no data for 2027: an admin must add it');
    });

    it('when a count reaches a year that is not loaded, then the lookup asks for it', () => {
      // given
      const isWorkday = lookupFromYears(new Map());
      // when / then
      expect(() => isWorkday('2026-05-06')).toThrow(YearNotLoaded);
    });

    it('when a year has no working day at all, then the count stops with an error instead of running on', () => {
      // given
      const isWorkday: IsWorkday = () => false;
      // when / then
      expect(() => nthWorkingDayAfter('2026-01-01', 1, isWorkday)).toThrow('no working day');
    });

    it('when a count is not a whole number, then it is refused', () => {
      // when / then
      expect(() => nthWorkingDayAfter('2026-01-01', 1.5, calendar2026())).toThrow('whole number');
      expect(() => addCalendarDays(new Date(), -1, SHANGHAI)).toThrow('whole number');
    });
  });

  describe('calendar days', () => {
    it('when 15 calendar days are added to 2026-09-28 01:30 local (still 09-27 in UTC), then the deadline is 24:00 local on 2026-10-13', () => {
      // given
      const acceptedAt = new Date('2026-09-27T17:30:00Z');
      // when
      const due = addCalendarDays(acceptedAt, 15, SHANGHAI);
      // then
      expect(due.toISOString()).toBe('2026-10-13T16:00:00.000Z');
    });
  });

  describe('chinese-days data', () => {
    it('when 2026 is read, then the checked holidays and adjusted workdays are there', () => {
      // when
      const days = new Map(chineseDaysYear(2026).map((d) => [d.day, d]));
      // then
      expect(days.get('2026-10-07')).toEqual({ day: '2026-10-07', isWorkday: false, name: '国庆节' });
      expect(days.has('2026-10-08')).toBe(false);
      for (const adjusted of ['2026-02-14', '2026-02-28', '2026-09-20', '2026-10-10'])
        expect(days.get(adjusted)?.isWorkday).toBe(true);
      expect(days.get('2026-10-10')?.name).toBe('调休上班（国庆节）');
    });

    it('when the known years are listed, then they include 2026 and the year after the last one is missing', () => {
      // when
      const years = chineseDaysYears();
      // then
      expect(years).toContain(2026);
      expect(() => chineseDaysYear(Math.max(...years) + 1)).toThrow(CalendarMissingError);
    });

    it('when the autumn of 2026 is built from chinese-days, then it agrees with the table this file checks by hand', () => {
      // given
      const days = new Map(chineseDaysYear(2026).map((d) => [d.day, d.isWorkday]));
      // then
      for (const [day, isWorkday] of AUTUMN_2026) expect(days.get(day)).toBe(isWorkday);
    });
  });
});
