/**
 * compute-deadlines on a real database (PGlite, or Postgres when DATABASE_URL is set) with the calendar filled from
 * chinese-days. `decide` is a test double for the engine API: it evaluates the real bpmn/deadline-policy.dmn
 * in-process with the engine's DMN module and returns its output as the API would (JSON), so the numbers are the
 * table's own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../../platform/data-source';
import { createLogger } from '../../../platform/logger';
import { evaluateDecision, parseDmn, type DmnModel } from '../../../engine/model/dmn';
import { computeDeadlines } from '../../../workers/compute-deadlines';
import { CalendarMissingError, addWorkingDays, workingDaysBetween } from '../../../domain/calendar';
import { ensureCalendar, setAdminYear } from '../../../domain/calendar-data';
import type { JobInput, WorkerDeps } from '../../../workers/job';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const SHANGHAI = 'Asia/Shanghai';

describe('compute-deadlines', () => {
  let testDb: TestDatabase;
  let database: Database;
  let policy: DmnModel;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({ databaseUrl: testDb.env.DATABASE_URL, dataDir: testDb.env.DATA_DIR });
    await ensureCalendar(database.db);
    policy = await parseDmn(
      'deadline-policy.dmn',
      readFileSync(join(__dirname, '../../../bpmn/deadline-policy.dmn'), 'utf8'),
    );
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  /** Worker dependencies with the business clock pinned; SMS and personal data are not used by this worker. */
  function deps(now: string): WorkerDeps {
    const unused = () => {
      throw new Error('not used by compute-deadlines');
    };
    return {
      db: database.db,
      log: createLogger('silent'),
      now: () => new Date(now),
      publicUrl: 'http://localhost',
      timeZone: SHANGHAI,
      pii: { encrypt: unused, decrypt: unused, lookupHash: unused },
      sms: { name: 'unused', send: unused },
      decide: (decisionId, variables) =>
        Promise.resolve(
          JSON.parse(JSON.stringify(evaluateDecision(policy, decisionId, variables).output ?? null)) as Record<
            string,
            unknown
          >,
        ),
      startProcessOnce: unused,
    };
  }

  function job(phase: string, variables: Record<string, unknown>): JobInput {
    return {
      variables,
      headers: { phase },
      jobKey: '1',
      processInstanceKey: '2',
      elementId: 'Task_ComputeHandlingDeadline',
    };
  }

  describe('the calendar', () => {
    it('when the calendar is ensured, then every year chinese-days knows up to 2026 is stored complete, once', async () => {
      // when
      const again = await ensureCalendar(database.db);
      // then
      expect(again).toEqual([]);
      const years = await database.db.query<{ year: number; source: string; complete: boolean }>(
        "SELECT year, source, complete FROM work_calendar_year WHERE source = 'chinese-days' ORDER BY year",
      );
      expect(years.map((y) => y.year)).toContain(2026);
      expect(years.every((y) => y.complete)).toBe(true);
      const [national] = await database.db.query<{ is_workday: boolean; name: string }>(
        "SELECT is_workday, name FROM work_calendar WHERE day = '2026-10-07'",
      );
      expect(national).toEqual({ is_workday: false, name: '国庆节' });
    });

    it('when 5 working days are added and counted back, then both agree', async () => {
      // given
      const from = new Date('2026-09-28T02:00:00Z');
      // when
      const due = await addWorkingDays(database.db, from, 5, SHANGHAI);
      // then
      expect(due.toISOString()).toBe('2026-10-10T16:00:00.000Z');
      expect(await workingDaysBetween(database.db, from, due, SHANGHAI)).toBe(5);
    });
  });

  describe('phases acceptance, accepted and extension (legal deadlines)', () => {
    it('when a petition is received on 2026-09-28 10:00 local, then whether it is accepted is due at the end of 10-13 (15 days, Art 22–23)', async () => {
      // given
      const input = job('acceptance', { caseId: 'c1', receivedAt: '2026-09-28T02:00:00.000Z' });
      // when
      const result = await computeDeadlines.handle(input, deps('2026-09-28T03:00:00Z'));
      // then
      expect(result).toEqual({ legalReplyDueAt: '2026-10-13T16:00:00.000Z', deadlineProvisional: false });
    });

    it('when there is no receivedAt, then the days count from now, by the local day in Asia/Shanghai', async () => {
      // given: 01:30 on 2026-09-28 in Shanghai is still 09-27 in UTC
      const input = job('acceptance', { caseId: 'c1' });
      // when
      const result = await computeDeadlines.handle(input, deps('2026-09-27T17:30:00Z'));
      // then
      expect(result.legalReplyDueAt).toBe('2026-10-13T16:00:00.000Z');
    });

    it('when the legal deadlines fall in a year without calendar data, then they are still computed (calendar days need none)', async () => {
      // when
      const reply = await computeDeadlines.handle(
        job('acceptance', { caseId: 'c1', receivedAt: '2026-12-20T02:00:00Z' }),
        deps('2026-12-20T02:00:00Z'),
      );
      const opinion = await computeDeadlines.handle(job('accepted', { caseId: 'c1' }), deps('2026-12-20T02:00:00Z'));
      // then
      expect(reply.legalReplyDueAt).toBe('2027-01-04T16:00:00.000Z');
      expect(opinion.legalDueAt).toBe('2027-02-18T16:00:00.000Z');
    });

    it('when a petition is accepted on 2026-10-08, then its opinion is due at the end of 12-07: 60 days from the acceptance (Art 34)', async () => {
      // when (received on 09-28, accepted after National Day)
      const result = await computeDeadlines.handle(
        job('accepted', { caseId: 'c1', receivedAt: '2026-09-28T02:00:00.000Z' }),
        deps('2026-10-08T02:00:00Z'),
      );
      // then
      expect(result).toEqual({ legalDueAt: '2026-12-07T16:00:00.000Z' });
    });

    it('when the leader grants an extension, then the legal date moves by the days granted, never more than asked or 30 (Art 34)', async () => {
      // given an opinion due at the end of 12-07
      const legalDueAt = '2026-12-07T16:00:00.000Z';
      const extend = (variables: Record<string, unknown>) =>
        computeDeadlines.handle(
          job('extension', { caseId: 'c1', legalDueAt, ...variables }),
          deps('2026-11-20T02:00:00Z'),
        );
      // then
      expect(await extend({ extensionRequestedDays: 20, extensionGrantedDays: 20 })).toEqual({
        legalDueAt: '2026-12-27T16:00:00.000Z',
        extensionDays: 20,
      });
      expect((await extend({ extensionRequestedDays: 20, extensionGrantedDays: 10 })).extensionDays).toBe(10);
      expect((await extend({ extensionRequestedDays: 20, extensionGrantedDays: 25 })).extensionDays).toBe(20);
      expect((await extend({ extensionRequestedDays: 45, extensionGrantedDays: 45 })).extensionDays).toBe(30);
      // and a second extension fails the job at once: the law allows one
      await expect(extend({ extensionRequestedDays: 10, extensionDays: 20 })).rejects.toMatchObject({
        message: expect.stringContaining('allows one extension'),
        retryable: false,
      });
    });
  });

  describe('phase handling (internal deadlines)', () => {
    it('when a complex case is handled from 2026-09-28, then it is due at the end of the adjusted Saturday 2026-10-10 and red 2 working days later', async () => {
      // given
      const input = job('handling', { caseId: 'c1', caseClass: 'complex' });
      // when
      const result = await computeDeadlines.handle(input, deps('2026-09-28T02:00:00Z'));
      // then
      expect(result).toEqual({
        slaDueAt: '2026-10-10T16:00:00.000Z',
        slaRedAt: '2026-10-13T16:00:00.000Z',
        returnDueAt: '2026-10-10T16:00:00.000Z',
        deadlineProvisional: false,
      });
    });

    it('when a complex case crosses the Spring Festival, then the adjusted Saturday 2026-02-14 counts and the holiday does not', async () => {
      // given: Wednesday 2026-02-11
      const input = job('handling', { caseId: 'c1', caseClass: 'complex' });
      // when
      const result = await computeDeadlines.handle(input, deps('2026-02-11T02:00:00Z'));
      // then: 02-12, 02-13, 02-14 (Sat, 调休), 02-24, 02-25
      expect(result.slaDueAt).toBe('2026-02-25T16:00:00.000Z');
    });

    it('when a complex case starts before the adjusted Saturday 2026-02-28, then that Saturday is one of its 5 days', async () => {
      // given: Thursday 2026-02-26
      const input = job('handling', { caseId: 'c1', caseClass: 'complex' });
      // when
      const result = await computeDeadlines.handle(input, deps('2026-02-26T02:00:00Z'));
      // then: 02-27, 02-28 (Sat, 调休), 03-02, 03-03, 03-04
      expect(result.slaDueAt).toBe('2026-03-04T16:00:00.000Z');
    });

    it('when a difficult case is handled from 2026-09-14, then the adjusted Sunday 09-20 counts, Mid-Autumn and National Day do not', async () => {
      // given
      const input = job('handling', { caseId: 'c1', caseClass: 'difficult' });
      // when
      const result = await computeDeadlines.handle(input, deps('2026-09-14T02:00:00Z'));
      // then: 15 working days → 2026-10-10; red 3 working days later → 2026-10-14
      expect(result.slaDueAt).toBe('2026-10-10T16:00:00.000Z');
      expect(result.slaRedAt).toBe('2026-10-14T16:00:00.000Z');
    });

    it('when a simple case is handled, then it is due 24 clock hours later even over a holiday, and red at the end of the next working day', async () => {
      // given: 2026-09-30 10:00 local, the day before National Day
      const input = job('handling', { caseId: 'c1', caseClass: 'simple' });
      // when
      const result = await computeDeadlines.handle(input, deps('2026-09-30T02:00:00Z'));
      // then
      expect(result.slaDueAt).toBe('2026-10-01T02:00:00.000Z');
      expect(result.slaRedAt).toBe('2026-10-08T16:00:00.000Z');
      // and the unit may object for 5 working days (Art 23): 10-08, 10-09, 10-10 (调休), 10-12, 10-13
      expect(result.returnDueAt).toBe('2026-10-13T16:00:00.000Z');
    });

    it.each(['simple', 'complex', 'difficult'])(
      'when a %s case is handled, then the red date comes after the due date',
      async (caseClass) => {
        // given
        const input = job('handling', { caseId: 'c1', caseClass });
        // when
        const result = await computeDeadlines.handle(input, deps('2026-06-15T09:00:00Z'));
        // then
        expect(new Date(result.slaRedAt as string).getTime()).toBeGreaterThan(
          new Date(result.slaDueAt as string).getTime(),
        );
      },
    );

    it('when the class is missing, then the job fails naming the variable', async () => {
      // when
      const result = computeDeadlines.handle(job('handling', { caseId: 'c1' }), deps('2026-06-15T09:00:00Z'));
      // then
      await expect(result).rejects.toThrow('"caseClass"');
    });

    it('when the phase header is unknown, then the job fails naming it', async () => {
      // when
      const result = computeDeadlines.handle(job('closing', { caseId: 'c1' }), deps('2026-06-15T09:00:00Z'));
      // then
      await expect(result).rejects.toThrow('"phase"');
    });
  });

  describe('a year past the calendar data', () => {
    it('when a deadline falls in 2027 before an admin adds 2027, then the job fails with CalendarMissingError; after, it is correct', async () => {
      // given a database without 2027 (whatever chinese-days knows by now); the admin's 2027 days are illustrative
      await database.db.query('DELETE FROM work_calendar WHERE EXTRACT(YEAR FROM day) = 2027');
      await database.db.query('DELETE FROM work_calendar_year WHERE year = 2027');
      const input = job('handling', { caseId: 'c1', caseClass: 'complex' });
      const monday = deps('2026-12-28T02:00:00Z');

      // when no data for 2027
      const missing = computeDeadlines.handle(input, monday);
      // then
      await expect(missing).rejects.toThrow(CalendarMissingError);
      await expect(computeDeadlines.handle(input, monday)).rejects.toThrow(
        '2027年的节假日安排尚未录入：请管理员在设置中添加 2027 年日历 / the working-day calendar has no data for 2027: an admin must add it',
      );

      // when an admin saves 2027 as a draft only
      const newYear = [
        { day: '2027-01-01', isWorkday: false, name: '元旦' },
        { day: '2027-01-02', isWorkday: false, name: '元旦' },
        { day: '2027-01-03', isWorkday: false, name: '元旦' },
      ];
      await setAdminYear(database.db, 2027, newYear, { complete: false });
      // then it is still missing
      await expect(computeDeadlines.handle(input, monday)).rejects.toThrow(CalendarMissingError);

      // when the admin completes 2027
      await setAdminYear(database.db, 2027, newYear);
      const result = await computeDeadlines.handle(input, monday);
      // then: 12-29, 12-30, 12-31, (01-01 元旦) 01-04, 01-05; red: 01-06, 01-07
      expect(result).toEqual({
        slaDueAt: '2027-01-05T16:00:00.000Z',
        slaRedAt: '2027-01-07T16:00:00.000Z',
        returnDueAt: '2027-01-05T16:00:00.000Z',
        deadlineProvisional: false,
      });
      const [year] = await database.db.query<{ source: string; complete: boolean }>(
        'SELECT source, complete FROM work_calendar_year WHERE year = 2027',
      );
      expect(year).toEqual({ source: 'admin', complete: true });
    });

    it('when an admin gives a day outside the year or twice, then it is refused', async () => {
      // when / then
      await expect(
        setAdminYear(database.db, 2028, [{ day: '2027-12-31', isWorkday: false, name: '元旦' }]),
      ).rejects.toThrow('not in 2028');
      await expect(
        setAdminYear(database.db, 2028, [
          { day: '2028-01-01', isWorkday: false, name: '元旦' },
          { day: '2028-01-01', isWorkday: false, name: '元旦' },
        ]),
      ).rejects.toThrow('listed twice');
    });
  });
});
