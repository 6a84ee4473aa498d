/**
 * Intake screening on a real database (no engine; the process start is recorded): early-warning rules raise one
 * alert per rule, place and window, and the key-person rule enters a petitioner with three petitions in a year
 * once, counting their later petitions as repeats. A crash between raising and starting loses nothing and doubles
 * nothing.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '../../../platform/data-source';
import { FakeSms, testWorkerDeps } from '../../support/worker-deps';
import type { WorkerDeps } from '../../../workers/job';
import { checkEarlyWarning } from '../../../workers/check-early-warning';
import { checkKeyPerson } from '../../../workers/check-key-person';
import { enterRegistry } from '../../../domain/key-persons';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { createCase, testCipher } from '../../support/case-fixtures';

describe('intake screening workers', () => {
  let tdb: TestDatabase;
  let database: Database;
  let deps: WorkerDeps;
  /** Processes "started": once-key → the variables, like the engine would keep them. */
  const started = new Map<string, { processId: string; variables: Record<string, unknown> }>();
  let crashNextStart = false;
  /** Every call to start a process, per once-key: a second call for one alert or person would race in a real engine. */
  const startCalls = new Map<string, number>();
  /** Starts said to be first attempts for a key that had been started: a second instance in a real engine. */
  const doubleStarts: string[] = [];
  const job = (variables: Record<string, unknown>) => ({
    variables,
    headers: {},
    jobKey: randomUUID(),
    processInstanceKey: '1',
    elementId: 'task',
  });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = await openDatabase({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR });
    deps = testWorkerDeps({
      db: database.db,
      pii: testCipher,
      sms: new FakeSms(),
      startProcessOnce: (processId, variables, once, firstAttempt) => {
        const key = `${once.name}=${once.value}`;
        startCalls.set(key, (startCalls.get(key) ?? 0) + 1);
        // The real start does not look for an existing instance on a first attempt: one there would be started twice.
        if (firstAttempt && started.has(key)) doubleStarts.push(key);
        if (!started.has(key)) started.set(key, { processId, variables: { ...variables, [once.name]: once.value } });
        if (crashNextStart) {
          crashNextStart = false;
          return Promise.reject(new Error('connection reset after the instance was created'));
        }
        return Promise.resolve(String(1000 + [...started.keys()].indexOf(key)));
      },
    });
  });
  afterAll(async () => {
    await database.close();
    await tdb.drop();
  });

  /** Another petition by the same resident in the same compound, `daysAgo` before the pinned clock. */
  async function another(
    first: { residentId: string; compoundId: string; firstResponderId: string },
    category: string,
    daysAgo: number,
  ) {
    const [row] = await database.db.query<{ id: string }>(
      `INSERT INTO petition_case (case_no, channel, category, description, resident_id, compound_id, first_responder_id, received_at)
       VALUES ($1, 'phone', $2, '又坏了', $3, $4, $5, COALESCE($6::timestamptz, now())) RETURNING id`,
      // today's petitions get the database's own now(), with microseconds, as intake's do
      [
        `XF-T-${randomUUID().slice(0, 8)}`,
        category,
        first.residentId,
        first.compoundId,
        first.firstResponderId,
        daysAgo === 0 ? null : new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
      ],
    );
    return row.id;
  }
  const alertsOf = (caseId: string) =>
    database.db.query<{ alert_id: string }>('SELECT alert_id FROM early_warning_alert_case WHERE case_id = $1', [
      caseId,
    ]);

  it('when the third complaint of one category in one compound arrives within 30 days, then one joint handling starts, and a fourth joins it', async () => {
    // given two earlier complaints (one 40 days ago does not count) and the default rule (3 in 30 days, per compound)
    const first = await createCase(database.db, { category: '电梯故障' });
    await database.db.query("UPDATE petition_case SET received_at = now() - interval '10 days' WHERE id = $1", [
      first.caseId,
    ]);
    await another(first, '电梯故障', 40);
    const second = await another(first, '电梯故障', 5);
    const otherCategory = await another(first, '噪音扰民', 1);
    // when the second and the other category are screened, nothing fires
    expect(await checkEarlyWarning.handle(job({ caseId: second }), deps)).toEqual({ earlyWarningAlertIds: [] });
    expect(await checkEarlyWarning.handle(job({ caseId: otherCategory }), deps)).toEqual({ earlyWarningAlertIds: [] });
    // when the third arrives
    const third = await another(first, '电梯故障', 0);
    const out = await checkEarlyWarning.handle(job({ caseId: third }), deps);
    // then one alert holds the three complaints of the window, and its process started with them
    expect(out.earlyWarningAlertIds).toHaveLength(1);
    const alertId = (out.earlyWarningAlertIds as string[])[0];
    const process = started.get(`alertId=${alertId}`);
    expect(process?.processId).toBe('early-warning-joint-handling');
    expect(process?.variables).toMatchObject({ compoundId: first.compoundId, category: '电梯故障', alertId });
    expect(new Set(process?.variables.caseIds as string[])).toEqual(new Set([first.caseId, second, third]));
    const [alert] = await database.db.query<{ status: string; process_instance_key: string }>(
      'SELECT status, process_instance_key FROM early_warning_alert WHERE id = $1',
      [alertId],
    );
    expect(alert).toMatchObject({ status: 'handling' });
    // when a fourth complaint arrives within the window, and the third's job is retried
    const fourth = await another(first, '电梯故障', 0);
    const processesBefore = started.size;
    expect(await checkEarlyWarning.handle(job({ caseId: fourth }), deps)).toEqual({ earlyWarningAlertIds: [alertId] });
    expect(await checkEarlyWarning.handle(job({ caseId: third }), deps)).toEqual({ earlyWarningAlertIds: [alertId] });
    // then no other process started, and the fourth belongs to the alert
    expect(started.size).toBe(processesBefore);
    expect(await alertsOf(fourth)).toHaveLength(1);
  });

  it('when the process start fails after the engine created it, then the retry finds that instance instead of starting another', async () => {
    // given
    const first = await createCase(database.db, { category: '漏水' });
    await another(first, '漏水', 3);
    const third = await another(first, '漏水', 0);
    // when the start "fails" once, then the job is retried
    crashNextStart = true;
    await expect(checkEarlyWarning.handle(job({ caseId: third }), deps)).rejects.toThrow('connection reset');
    const [pending] = await database.db.query<{ process_instance_key: string | null }>(
      'SELECT a.process_instance_key FROM early_warning_alert a JOIN early_warning_alert_case ac ON ac.alert_id = a.id WHERE ac.case_id = $1',
      [third],
    );
    expect(pending.process_instance_key).toBeNull();
    const out = await checkEarlyWarning.handle(job({ caseId: third }), deps);
    // then one alert, one process, now recorded
    const alertId = (out.earlyWarningAlertIds as string[])[0];
    expect([...started.keys()].filter((k) => k === `alertId=${alertId}`)).toHaveLength(1);
    expect(doubleStarts).toEqual([]);
    const [alert] = await database.db.query<{ process_instance_key: string | null }>(
      'SELECT process_instance_key FROM early_warning_alert WHERE id = $1',
      [alertId],
    );
    expect(alert.process_instance_key).not.toBeNull();
  });

  it('when the cases of one alert and of one key person are screened at the same moment, then each process is asked for once', async () => {
    // given three complaints of one resident, in one compound, in one category, none screened yet
    const first = await createCase(database.db, { category: '墙体开裂' });
    const second = await another(first, '墙体开裂', 0);
    const third = await another(first, '墙体开裂', 0);
    const fourth = await another(first, '墙体开裂', 0);
    // when all four are screened at once
    const ids = [first.caseId, second, third, fourth];
    const warnings = await Promise.all(ids.map((caseId) => checkEarlyWarning.handle(job({ caseId }), deps)));
    const persons = await Promise.all(ids.map((caseId) => checkKeyPerson.handle(job({ caseId }), deps)));
    // then one alert holding all four and one key person, each started by one call
    const alertIds = new Set(warnings.flatMap((w) => w.earlyWarningAlertIds as string[]));
    expect(alertIds.size).toBe(1);
    expect(startCalls.get(`alertId=${[...alertIds][0]}`)).toBe(1);
    const keyPersonIds = new Set(persons.map((p) => p.keyPersonId).filter(Boolean));
    expect(keyPersonIds.size).toBe(1);
    expect(startCalls.get(`personId=${[...keyPersonIds][0] as string}`)).toBe(1);
  });

  it('when a rule is disabled or a case has no compound, then nothing fires', async () => {
    // given
    await database.db.query('UPDATE early_warning_rule SET enabled = false');
    const first = await createCase(database.db, { category: '停车' });
    await another(first, '停车', 1);
    const third = await another(first, '停车', 0);
    // when / then
    expect(await checkEarlyWarning.handle(job({ caseId: third }), deps)).toEqual({ earlyWarningAlertIds: [] });
    await database.db.query('UPDATE early_warning_rule SET enabled = true');
    await database.db.query('UPDATE petition_case SET compound_id = NULL WHERE id = $1', [third]);
    expect(await checkEarlyWarning.handle(job({ caseId: third }), deps)).toEqual({ earlyWarningAlertIds: [] });
  });

  it('when a resident files a third petition within a year, then they enter the registry once and later petitions count as repeats', async () => {
    // given a petition 400 days ago (outside the year) and one 100 days ago
    const first = await createCase(database.db, { category: '物业服务' });
    await database.db.query("UPDATE petition_case SET received_at = now() - interval '100 days' WHERE id = $1", [
      first.caseId,
    ]);
    await another(first, '物业服务', 400);
    const second = await another(first, '物业服务', 1);
    // when the second is screened, the resident is not a key person (two in the year)
    expect(await checkKeyPerson.handle(job({ caseId: second }), deps)).toEqual({
      keyPersonId: null,
      repeatPetition: false,
    });
    // when the third is screened (twice: a retry)
    const third = await another(first, '物业服务', 0);
    const out = await checkKeyPerson.handle(job({ caseId: third }), deps);
    expect(await checkKeyPerson.handle(job({ caseId: third }), deps)).toEqual(out);
    // then one registry entry, its care process started once
    expect(out).toMatchObject({ repeatPetition: false });
    const keyPersonId = out.keyPersonId as string;
    const persons = await database.db.query<{ id: string; reason: string; process_instance_key: string }>(
      'SELECT id, reason, process_instance_key FROM key_person WHERE resident_id = $1',
      [first.residentId],
    );
    expect(persons).toEqual([
      { id: keyPersonId, reason: 'repeat-petitions', process_instance_key: expect.any(String) },
    ]);
    expect(started.get(`personId=${keyPersonId}`)?.processId).toBe('key-person-care');
    // when they petition again, then it is a repeat and no second entry is made
    const fourth = await another(first, '物业服务', 0);
    expect(await checkKeyPerson.handle(job({ caseId: fourth }), deps)).toEqual({ keyPersonId, repeatPetition: true });
    const [repeat] = await database.db.query<{ key_person_id: string }>(
      'SELECT key_person_id FROM petition_case WHERE id = $1',
      [fourth],
    );
    expect(repeat.key_person_id).toBe(keyPersonId);
    // and staff entering them by hand find the same entry
    expect(await enterRegistry(deps, first.residentId, 'higher-level-visit')).toEqual({ keyPersonId, created: false });
  });

  it('when staff enter a resident after a visit to a higher level, then the entry and its care process are made', async () => {
    const { residentId } = await createCase(database.db);
    const out = await enterRegistry(deps, residentId, 'higher-level-visit');
    expect(out.created).toBe(true);
    expect(started.get(`personId=${out.keyPersonId}`)?.processId).toBe('key-person-care');
  });

  it('when an anonymous petition is screened, then no one enters the registry', async () => {
    const { caseId } = await createCase(database.db);
    await database.db.query('UPDATE petition_case SET resident_id = NULL WHERE id = $1', [caseId]);
    expect(await checkKeyPerson.handle(job({ caseId }), deps)).toEqual({ keyPersonId: null, repeatPetition: false });
  });
});
