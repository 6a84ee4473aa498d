/**
 * Camunda 8.8 (Zeebe) element behaviour, written test-first for the engine's new execution core: one fixture model per
 * behaviour in tests/fixtures/engine/elements/, driven through the SDK, each expectation what a Camunda 8.8 cluster
 * answers (sources: engine/docs/zeebe-elements.md and engine/docs/zeebe-events-and-api.md, and the Camunda 8.8 docs).
 * Each describe deploys its own fixtures, so a model the engine refuses fails only the tests that need it.
 * The clock is pinned to TEST_EPOCH before each test; timers fire when a test pins the clock past them.
 */
import { deploy, now, startEngine, TEST_EPOCH, type Any, type EngineHarness } from '../../support/engine';
import { elementHelpers, failure, HOUR, MINUTE, model } from '../../support/elements';

describe('Camunda 8.8 elements', () => {
  let h: EngineHarness;
  let c: Any;
  beforeAll(async () => {
    h = await startEngine();
    c = h.client;
  });
  afterAll(() => h.stop());
  beforeEach(() => c.pinClock({ timestamp: TEST_EPOCH }));
  afterEach(() => c.resetClock());

  const {
    deployModels,
    start,
    stateOf,
    instancesOf,
    elementsOf,
    childrenOf,
    typeAndState,
    variablesOf,
    variablesNamed,
    incidentsOf,
    jobsWhere,
    jobsOf,
    jobOf,
    noJobOf,
    complete,
  } = elementHelpers(() => c);

  // -- 1 ---------------------------------------------------------------------------------------------------------

  describe('inclusive gateway', () => {
    beforeAll(() => deployModels('inclusive-gateway', 'inclusive-gateway-no-default'));

    it('when two conditions are true, then both flows are taken and not the default; the join waits for both tokens, then continues once', async () => {
      // given
      const pik = await start('inclusive-gateway', { needsLegal: true, needsHousing: true });
      const legal = await jobOf('inclusive-legal', pik);
      const housing = await jobOf('inclusive-housing', pik);
      await noJobOf('inclusive-general', pik);
      expect((await elementsOf(pik, 'fork-which-help')).map(typeAndState)).toEqual(['INCLUSIVE_GATEWAY:COMPLETED']);
      // when the first branch arrives at the join
      await complete(legal);
      // then the join waits: the housing token can still arrive
      expect(await elementsOf(pik, 'join-help')).toEqual([]);
      await noJobOf('inclusive-reply', pik);
      // when the second arrives
      await complete(housing);
      // then the join is activated once and the process goes on once
      expect((await elementsOf(pik, 'join-help')).map(typeAndState)).toEqual(['INCLUSIVE_GATEWAY:COMPLETED']);
      await complete(await jobOf('inclusive-reply', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await elementsOf(pik, 'task-general')).toEqual([]);
    });

    it('when only one condition is true, then the join does not wait for the flows that were not taken', async () => {
      const pik = await start('inclusive-gateway', { needsLegal: true, needsHousing: false });
      await noJobOf('inclusive-housing', pik);
      await complete(await jobOf('inclusive-legal', pik));
      // nothing else can reach the join, so it continues at once
      await complete(await jobOf('inclusive-reply', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await elementsOf(pik, 'join-help')).map(typeAndState)).toEqual(['INCLUSIVE_GATEWAY:COMPLETED']);
    });

    it('when no condition is true, then the default flow is taken, and only it', async () => {
      const pik = await start('inclusive-gateway', { needsLegal: false, needsHousing: false });
      await noJobOf('inclusive-legal', pik);
      await noJobOf('inclusive-housing', pik);
      await complete(await jobOf('inclusive-general', pik));
      await complete(await jobOf('inclusive-reply', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
    });

    it('when no condition is true and there is no default flow, then a CONDITION_ERROR incident holds the gateway', async () => {
      // when
      const pik = await start('inclusive-gateway-no-default', { bySms: false, byLetter: false });
      // then
      const [incident] = await incidentsOf(pik);
      expect(incident).toMatchObject({
        errorType: 'CONDITION_ERROR',
        elementId: 'fork-how-to-notify',
        state: 'ACTIVE',
      });
      expect(await stateOf(pik)).toBe('ACTIVE');
      expect(await elementsOf(pik, 'end-sms')).toEqual([]);
      expect(await elementsOf(pik, 'end-letter')).toEqual([]);
      // when a condition is made true and the incident resolved, then the gateway is evaluated again
      await c.createElementInstanceVariables({ elementInstanceKey: pik, variables: { bySms: true, byLetter: true } });
      await c.resolveIncident({ incidentKey: incident.incidentKey });
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(
        (await elementsOf(pik))
          .filter((e) => e.type === 'END_EVENT')
          .map((e) => e.elementId)
          .sort(),
      ).toEqual(['end-letter', 'end-sms']);
    });
  });

  // -- 2 ---------------------------------------------------------------------------------------------------------

  describe('script task', () => {
    beforeAll(() => deployModels('script-task'));

    it('when a script task with a FEEL expression runs, then its result is set in the result variable and it reads SCRIPT_TASK; one with a task definition is a job', async () => {
      // when
      const pik = await start('script-task', { amounts: [10, 20, 12] });
      // then the two FEEL scripts ran at once, one after the other
      const archive = await jobOf('script-archive', pik);
      expect(archive).toMatchObject({
        elementId: 'script-archive',
        kind: 'BPMN_ELEMENT',
        listenerEventType: 'UNSPECIFIED',
        customHeaders: { language: 'javascript' },
      });
      expect(archive.variables).toMatchObject({ total: 42, summary: 'total: 42' });
      expect((await elementsOf(pik, 'script-total')).map(typeAndState)).toEqual(['SCRIPT_TASK:COMPLETED']);
      expect((await elementsOf(pik, 'script-summary')).map(typeAndState)).toEqual(['SCRIPT_TASK:COMPLETED']);
      expect((await elementsOf(pik, 'script-archive')).map(typeAndState)).toEqual(['SCRIPT_TASK:ACTIVE']);
      // when the job-based script task's job is completed
      await complete(archive, { archivedAs: 'A-1' });
      // then
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await variablesOf(pik)).toMatchObject({ total: 42, summary: 'total: 42', archivedAs: 'A-1' });
    });

    it('when the script expression fails, then an incident holds the script task; fixed and resolved, the script is evaluated again', async () => {
      // when (assert() fails the evaluation: nothing to add up)
      const pik = await start('script-task', { amounts: [] });
      // then
      const [incident] = await incidentsOf(pik);
      expect(incident).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'script-total' });
      expect(await elementsOf(pik, 'script-summary')).toEqual([]);
      expect(await variablesOf(pik)).not.toHaveProperty('total');
      // when the variable is fixed and the incident resolved
      await c.createElementInstanceVariables({ elementInstanceKey: pik, variables: { amounts: [7] } });
      await c.resolveIncident({ incidentKey: incident.incidentKey });
      // then
      expect((await jobOf('script-archive', pik)).variables).toMatchObject({ total: 7, summary: 'total: 7' });
    });
  });

  // -- 3 ---------------------------------------------------------------------------------------------------------

  describe('message throw and end events', () => {
    beforeAll(() => deployModels('message-throw-events'));

    it('when a message intermediate throw event and a message end event have a task definition, then each is a job of its type; completing it continues or ends', async () => {
      // when
      const pik = await start('message-throw-events', { caseId: 'mt-1' });
      // then the throw event waits for its job
      const notify = await jobOf('notify-petitioner', pik);
      expect(notify).toMatchObject({ elementId: 'throw-notify', kind: 'BPMN_ELEMENT', retries: 3 });
      expect((await elementsOf(pik, 'throw-notify')).map(typeAndState)).toEqual(['INTERMEDIATE_THROW_EVENT:ACTIVE']);
      await noJobOf('report-to-street-office', pik);
      // when its job is completed, then the message end event's job
      await complete(notify, { notifiedBy: 'sms' });
      const report = await jobOf('report-to-street-office', pik);
      expect(report).toMatchObject({ elementId: 'end-report', kind: 'BPMN_ELEMENT' });
      expect(report.variables).toMatchObject({ caseId: 'mt-1', notifiedBy: 'sms' });
      expect((await elementsOf(pik, 'end-report')).map(typeAndState)).toEqual(['END_EVENT:ACTIVE']);
      expect(await stateOf(pik)).toBe('ACTIVE');
      // when that job is completed, then the process ends
      await complete(report);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await elementsOf(pik, 'throw-notify')).map(typeAndState)).toEqual(['INTERMEDIATE_THROW_EVENT:COMPLETED']);
    });
  });

  // -- 4 ---------------------------------------------------------------------------------------------------------

  describe('signal events', () => {
    beforeAll(() =>
      deployModels('signal-catch', 'signal-boundary', 'signal-start', 'signal-relay-wait', 'signal-throw'),
    );

    it('when a signal is broadcast, then every intermediate signal catch event waiting for it is triggered with the signal variables', async () => {
      // given two instances waiting
      const first = await start('signal-catch', { caseId: 'sc-1' });
      const second = await start('signal-catch', { caseId: 'sc-2' });
      // when another signal is broadcast, then nothing happens
      await c.broadcastSignal({ signalName: 'signal-catch-nobody-waits' });
      expect(await stateOf(first)).toBe('ACTIVE');
      expect((await elementsOf(first, 'catch-go-ahead')).map(typeAndState)).toEqual([
        'INTERMEDIATE_CATCH_EVENT:ACTIVE',
      ]);
      // when their signal is broadcast (signals have no "once per process" rule: all are triggered)
      const broadcast = await c.broadcastSignal({
        signalName: 'signal-catch-go-ahead',
        variables: { goAhead: 'granted' },
      });
      // then
      expect(broadcast.signalKey).toEqual(expect.any(String));
      expect(await stateOf(first)).toBe('COMPLETED');
      expect(await stateOf(second)).toBe('COMPLETED');
      expect(await variablesOf(first)).toMatchObject({ caseId: 'sc-1', goAhead: 'granted' });
      expect((await elementsOf(second, 'catch-go-ahead')).map(typeAndState)).toEqual([
        'INTERMEDIATE_CATCH_EVENT:COMPLETED',
      ]);
    });

    it('when signals reach a task with signal boundary events, then the non-interrupting one fires for each signal and the task stays; the interrupting one terminates it', async () => {
      // given
      const pik = await start('signal-boundary');
      const work = await jobOf('signal-boundary-work', pik);
      // when the non-interrupting signal is broadcast twice
      await c.broadcastSignal({ signalName: 'signal-boundary-note' });
      await c.broadcastSignal({ signalName: 'signal-boundary-note' });
      // then two boundary paths, and the task is still active
      const notes = await jobsOf('signal-boundary-note', pik);
      expect(notes).toHaveLength(2);
      expect((await elementsOf(pik, 'boundary-note')).map(typeAndState)).toEqual([
        'BOUNDARY_EVENT:COMPLETED',
        'BOUNDARY_EVENT:COMPLETED',
      ]);
      expect((await elementsOf(pik, 'task-work')).map(typeAndState)).toEqual(['SERVICE_TASK:ACTIVE']);
      // when the interrupting signal is broadcast
      await c.broadcastSignal({ signalName: 'signal-boundary-stop' });
      // then the task is terminated (its job is gone) and the boundary's path is taken
      expect((await elementsOf(pik, 'task-work')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await failure(complete(work))).status).toBe(404);
      expect((await elementsOf(pik, 'end-stopped')).map(typeAndState)).toEqual(['END_EVENT:COMPLETED']);
      // and the note paths go on by themselves
      expect(await stateOf(pik)).toBe('ACTIVE');
      for (const note of notes) await complete(note);
      expect(await stateOf(pik)).toBe('COMPLETED');
    });

    it('when a signal is broadcast, then a process with a matching signal start event gets one new instance, with the signal variables', async () => {
      // given
      const before = (await instancesOf('signal-start')).length;
      // when
      await c.broadcastSignal({ signalName: 'signal-start-new-case', variables: { caseId: 'ss-1' } });
      // then
      expect(await instancesOf('signal-start')).toHaveLength(before + 1);
      const [job] = await jobsWhere('signal-start-register', (j) => j.variables.caseId === 'ss-1');
      expect(job).toMatchObject({ processDefinitionId: 'signal-start', elementId: 'task-register' });
      expect(await variablesOf(job.processInstanceKey)).toEqual({ caseId: 'ss-1' });
      expect((await elementsOf(job.processInstanceKey, 'start-new-case')).map(typeAndState)).toEqual([
        'START_EVENT:COMPLETED',
      ]);
      await complete(job);
      expect(await stateOf(job.processInstanceKey)).toBe('COMPLETED');
    });

    it('when a signal intermediate throw event and a signal end event are reached, then each broadcasts its signal with its local variables, and a waiting instance catches both', async () => {
      // given an instance of another process waiting for both signals
      const waiting = await start('signal-relay-wait');
      // when
      const thrower = await start('signal-throw');
      // then the thrower went through without waiting
      expect(await stateOf(thrower)).toBe('COMPLETED');
      expect((await elementsOf(thrower, 'throw-first')).map(typeAndState)).toEqual([
        'INTERMEDIATE_THROW_EVENT:COMPLETED',
      ]);
      expect((await elementsOf(thrower, 'end-second')).map(typeAndState)).toEqual(['END_EVENT:COMPLETED']);
      // and the waiting instance caught both, with the input-mapped variables as the signals' variables
      expect(await stateOf(waiting)).toBe('COMPLETED');
      expect(await variablesOf(waiting)).toEqual({
        firstNote: 'from the throw event',
        secondNote: 'from the end event',
      });
    });
  });

  // -- 5 ---------------------------------------------------------------------------------------------------------

  describe('event sub-processes', () => {
    beforeAll(() =>
      deployModels(
        'event-sub-process-message',
        'event-sub-process-timer',
        'event-sub-process-error',
        'event-sub-process-escalation',
      ),
    );

    it('when the message of a non-interrupting event sub-process arrives, then it runs beside the task, again for a second message, and the task still completes', async () => {
      // given
      const pik = await start('event-sub-process-message', { caseId: 'espm-1' });
      const handle = await jobOf('esp-handle', pik);
      // when two reminders arrive
      await c.publishMessage({ name: 'esp-reminder', correlationKey: 'espm-1', variables: { reminder: 1 } });
      await c.publishMessage({ name: 'esp-reminder', correlationKey: 'espm-1', variables: { reminder: 2 } });
      // then the event sub-process runs twice beside the task
      const reminders = await jobsOf('esp-remind', pik);
      expect(reminders).toHaveLength(2);
      expect((await elementsOf(pik, 'esp-reminder')).map(typeAndState)).toEqual([
        'EVENT_SUB_PROCESS:ACTIVE',
        'EVENT_SUB_PROCESS:ACTIVE',
      ]);
      expect((await elementsOf(pik, 'task-handle')).map(typeAndState)).toEqual(['SERVICE_TASK:ACTIVE']);
      // when everything is done, then the process completes (not before the event sub-processes do)
      await complete(handle);
      expect(await stateOf(pik)).toBe('ACTIVE');
      for (const job of reminders) await complete(job);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await elementsOf(pik, 'esp-reminder')).map(typeAndState)).toEqual([
        'EVENT_SUB_PROCESS:COMPLETED',
        'EVENT_SUB_PROCESS:COMPLETED',
      ]);
    });

    it('when the message of an interrupting event sub-process arrives, then every other element of the scope is terminated and the event sub-process runs; the process completes with it', async () => {
      // given a task and a running non-interrupting event sub-process
      const pik = await start('event-sub-process-message', { caseId: 'espm-2' });
      const handle = await jobOf('esp-handle', pik);
      await c.publishMessage({ name: 'esp-reminder', correlationKey: 'espm-2' });
      const remind = await jobOf('esp-remind', pik);
      // when
      await c.publishMessage({
        name: 'esp-case-withdrawn',
        correlationKey: 'espm-2',
        variables: { withdrawnBy: 'petitioner' },
      });
      // then
      expect((await elementsOf(pik, 'task-handle')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await elementsOf(pik, 'esp-reminder')).map(typeAndState)).toEqual(['EVENT_SUB_PROCESS:TERMINATED']);
      expect((await elementsOf(pik, 'task-remind')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await failure(complete(handle))).status).toBe(404);
      expect((await failure(complete(remind))).status).toBe(404);
      expect((await elementsOf(pik, 'esp-withdrawal')).map(typeAndState)).toEqual(['EVENT_SUB_PROCESS:ACTIVE']);
      const withdraw = await jobOf('esp-withdraw', pik);
      expect(withdraw.variables).toMatchObject({ withdrawnBy: 'petitioner' });
      // when the event sub-process ends, then so does the process (completed, not terminated)
      await complete(withdraw);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await elementsOf(pik, 'end-handled')).toEqual([]);
    });

    it('when the timer of an interrupting event sub-process is due on the pinned clock, then it interrupts the task and runs', async () => {
      // given an instance started at TEST_EPOCH
      const pik = await start('event-sub-process-timer');
      const answer = await jobOf('esp-timer-answer', pik);
      // when 59 minutes pass, then nothing happens
      await c.pinClock({ timestamp: TEST_EPOCH + 59 * MINUTE });
      expect(await elementsOf(pik, 'esp-chase')).toEqual([]);
      // when the hour is up
      await c.pinClock({ timestamp: TEST_EPOCH + HOUR + 1000 });
      // then
      expect((await elementsOf(pik, 'task-answer')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await elementsOf(pik, 'esp-chase')).map(typeAndState)).toEqual(['EVENT_SUB_PROCESS:ACTIVE']);
      expect((await failure(complete(answer))).status).toBe(404);
      await complete(await jobOf('esp-timer-chase', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
    });

    it('when a job throws a BPMN error, then the error event sub-process catches it, with the error variables', async () => {
      // given
      const pik = await start('event-sub-process-error');
      const check = await jobOf('esp-error-check', pik);
      // when
      await c.throwJobError({
        jobKey: check.jobKey,
        errorCode: 'INVALID_CASE',
        errorMessage: 'no address given',
        variables: { reason: 'no address' },
      });
      // then (the start event's output mapping passes the error variable on)
      expect((await elementsOf(pik, 'task-check')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await elementsOf(pik, 'esp-invalid')).map(typeAndState)).toEqual(['EVENT_SUB_PROCESS:ACTIVE']);
      const fix = await jobOf('esp-error-fix', pik);
      expect(fix.variables).toMatchObject({ invalidReason: 'no address' });
      await complete(fix);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await incidentsOf(pik)).toEqual([]);
    });

    it('when an error end event throws, then the error event sub-process catches it', async () => {
      const pik = await start('event-sub-process-error');
      // when the check finds the case invalid, the path ends in the error end event
      await complete(await jobOf('esp-error-check', pik), { valid: false, reason: 'duplicate' });
      // then
      expect((await elementsOf(pik, 'esp-invalid')).map(typeAndState)).toEqual(['EVENT_SUB_PROCESS:ACTIVE']);
      const fix = await jobOf('esp-error-fix', pik);
      expect(fix.variables).toMatchObject({ invalidReason: 'duplicate' });
      await complete(fix);
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await elementsOf(pik, 'end-valid')).toEqual([]);
      expect(await incidentsOf(pik)).toEqual([]);
    });

    it('when an escalation is thrown, then the non-interrupting escalation event sub-process runs and the thrower goes on', async () => {
      const pik = await start('event-sub-process-escalation');
      // when the throw event is reached
      await complete(await jobOf('esp-escalation-draft', pik));
      // then the event sub-process runs and the path after the throw event goes on
      expect((await elementsOf(pik, 'throw-needs-review')).map(typeAndState)).toEqual([
        'INTERMEDIATE_THROW_EVENT:COMPLETED',
      ]);
      expect((await elementsOf(pik, 'esp-review')).map(typeAndState)).toEqual(['EVENT_SUB_PROCESS:ACTIVE']);
      const review = await jobOf('esp-escalation-review', pik);
      const send = await jobOf('esp-escalation-send', pik);
      await complete(send);
      expect(await stateOf(pik)).toBe('ACTIVE');
      await complete(review);
      expect(await stateOf(pik)).toBe('COMPLETED');
    });
  });

  // -- 6 ---------------------------------------------------------------------------------------------------------

  describe('timer start events', () => {
    // Deployed inside the tests, on the pinned clock: a timer start event is scheduled when its version is deployed.

    it('when the pinned clock passes the timeDate of a timer start event, then one instance is created, and only one', async () => {
      // given (the clock stands at TEST_EPOCH, 2026-03-02T01:00Z; the date is 03:00Z)
      await deployModels('timer-start-date');
      expect(await instancesOf('timer-start-date')).toEqual([]);
      // when the clock is just before the date, then nothing
      await c.pinClock({ timestamp: TEST_EPOCH + 2 * HOUR - 1000 });
      expect(await instancesOf('timer-start-date')).toEqual([]);
      // when it passes the date, then one instance
      await c.pinClock({ timestamp: TEST_EPOCH + 2 * HOUR + 1000 });
      const [instance] = await instancesOf('timer-start-date');
      expect(instance).toMatchObject({ processDefinitionId: 'timer-start-date', state: 'COMPLETED' });
      expect((await elementsOf(instance.processInstanceKey, 'start-on-date')).map(typeAndState)).toEqual([
        'START_EVENT:COMPLETED',
      ]);
      // when more time passes, then no other
      await c.pinClock({ timestamp: TEST_EPOCH + 30 * HOUR });
      expect(await instancesOf('timer-start-date')).toHaveLength(1);
    });

    it('when a timeCycle R2/PT1H start event is deployed, then an instance is created each hour, twice, and no more', async () => {
      // given
      await deployModels('timer-start-cycle');
      // when an hour passes, then one; after two hours, two
      await c.pinClock({ timestamp: TEST_EPOCH + HOUR - 1000 });
      expect(await instancesOf('timer-start-cycle')).toHaveLength(0);
      await c.pinClock({ timestamp: TEST_EPOCH + HOUR + 1000 });
      expect(await instancesOf('timer-start-cycle')).toHaveLength(1);
      await c.pinClock({ timestamp: TEST_EPOCH + 2 * HOUR + 1000 });
      expect(await instancesOf('timer-start-cycle')).toHaveLength(2);
      // when hours more pass, then no third (the cycle has two repetitions)
      await c.pinClock({ timestamp: TEST_EPOCH + 5 * HOUR });
      expect(await instancesOf('timer-start-cycle')).toHaveLength(2);
    });

    it('when a timeCycle given as a cron expression (0 0 9 * * MON-FRI) start event is deployed, then an instance is created at 09:00 UTC each working day, the weekend skipped', async () => {
      // given (TEST_EPOCH is Monday 2026-03-02, 01:00 UTC)
      await deployModels('timer-start-cron');
      // when 09:00 passes on Monday, then one; on Tuesday, two
      await c.pinClock({ timestamp: TEST_EPOCH + 8 * HOUR - 1000 });
      expect(await instancesOf('timer-start-cron')).toHaveLength(0);
      await c.pinClock({ timestamp: TEST_EPOCH + 8 * HOUR + 1000 });
      expect(await instancesOf('timer-start-cron')).toHaveLength(1);
      await c.pinClock({ timestamp: TEST_EPOCH + 32 * HOUR + 1000 });
      expect(await instancesOf('timer-start-cron')).toHaveLength(2);
      // when Friday 09:00 has passed and the weekend follows, then Wednesday to Friday add three, and Saturday and Sunday none
      await c.pinClock({ timestamp: TEST_EPOCH + (4 * 24 + 8) * HOUR + 1000 });
      expect(await instancesOf('timer-start-cron')).toHaveLength(5);
      await c.pinClock({ timestamp: TEST_EPOCH + (6 * 24 + 20) * HOUR });
      expect(await instancesOf('timer-start-cron')).toHaveLength(5);
    });
  });

  // -- 7 ---------------------------------------------------------------------------------------------------------

  describe('message start events', () => {
    beforeAll(() => deployModels('message-start'));
    const registerJobFor = (caseId: string, wait = true) =>
      jobsWhere('message-start-register', (j) => j.variables.caseId === caseId, wait);

    it('when a message is published for a message start event, then an instance is created with the message variables; without a correlation key each message starts one', async () => {
      // given
      const before = (await instancesOf('message-start')).length;
      // when
      await c.publishMessage({ name: 'message-start-case-filed', variables: { caseId: 'ms-1' } });
      await c.publishMessage({ name: 'message-start-case-filed', variables: { caseId: 'ms-2' } });
      // then
      expect(await instancesOf('message-start')).toHaveLength(before + 2);
      const jobs = await jobsWhere('message-start-register', (j) => ['ms-1', 'ms-2'].includes(j.variables.caseId));
      const first = jobs.find((j) => j.variables.caseId === 'ms-1');
      const second = jobs.find((j) => j.variables.caseId === 'ms-2');
      expect(first).toMatchObject({ processDefinitionId: 'message-start', elementId: 'task-register' });
      expect(second).toMatchObject({ processDefinitionId: 'message-start', elementId: 'task-register' });
      expect(await variablesOf(first.processInstanceKey)).toEqual({ caseId: 'ms-1' });
      expect((await elementsOf(first.processInstanceKey, 'start-case-filed')).map(typeAndState)).toEqual([
        'START_EVENT:COMPLETED',
      ]);
      await complete(first);
      await complete(second);
    });

    it('when an instance started by a message with a correlation key is active, then another message with that key starts none; once it has completed, one does', async () => {
      // given
      await c.publishMessage({
        name: 'message-start-case-filed',
        correlationKey: 'ms-key-1',
        variables: { caseId: 'ms-key-1-first' },
      });
      const [first] = await registerJobFor('ms-key-1-first');
      const count = (await instancesOf('message-start')).length;
      // when the same key comes again while the first instance is active
      await c.publishMessage({
        name: 'message-start-case-filed',
        correlationKey: 'ms-key-1',
        variables: { caseId: 'ms-key-1-second' },
      });
      // then no second instance
      expect(await instancesOf('message-start')).toHaveLength(count);
      // and a message with another key does start one
      await c.publishMessage({
        name: 'message-start-case-filed',
        correlationKey: 'ms-key-2',
        variables: { caseId: 'ms-key-2-first' },
      });
      expect(await instancesOf('message-start')).toHaveLength(count + 1);
      await complete((await registerJobFor('ms-key-2-first'))[0]);
      // when the first instance has completed, then the key starts an instance again
      await complete(first);
      expect(await stateOf(first.processInstanceKey)).toBe('COMPLETED');
      await c.publishMessage({
        name: 'message-start-case-filed',
        correlationKey: 'ms-key-1',
        variables: { caseId: 'ms-key-1-third' },
      });
      const [third] = await registerJobFor('ms-key-1-third');
      expect(third.processInstanceKey).not.toBe(first.processInstanceKey);
      expect(await registerJobFor('ms-key-1-second', false)).toEqual([]);
      await complete(third);
    });

    it('when a message with the key of an active instance is buffered, then it starts the next instance once that one has completed', async () => {
      // given
      await c.publishMessage({
        name: 'message-start-case-filed',
        correlationKey: 'ms-key-3',
        variables: { caseId: 'ms-key-3-first' },
      });
      const [first] = await registerJobFor('ms-key-3-first');
      const count = (await instancesOf('message-start')).length;
      // when a second message with the key is published with a time to live
      await c.publishMessage({
        name: 'message-start-case-filed',
        correlationKey: 'ms-key-3',
        timeToLive: 10 * MINUTE,
        variables: { caseId: 'ms-key-3-second' },
      });
      // then it waits in the buffer
      expect(await instancesOf('message-start')).toHaveLength(count);
      // when the first instance completes, then the buffered message starts the next
      await complete(first);
      const [second] = await registerJobFor('ms-key-3-second');
      expect(second).toBeDefined();
      expect(await instancesOf('message-start')).toHaveLength(count + 1);
      await complete(second);
    });
  });

  // -- 8 ---------------------------------------------------------------------------------------------------------

  describe('link events', () => {
    beforeAll(() => deployModels('link-events'));

    it('when a link throw event is reached, then the flow continues at the link catch event with the same name', async () => {
      const pik = await start('link-events');
      const review = await jobOf('link-review', pik);
      expect((await elementsOf(pik, 'throw-to-review')).map(typeAndState)).toEqual([
        'INTERMEDIATE_THROW_EVENT:COMPLETED',
      ]);
      expect((await elementsOf(pik, 'catch-review')).map(typeAndState)).toEqual(['INTERMEDIATE_CATCH_EVENT:COMPLETED']);
      await complete(review);
      expect(await stateOf(pik)).toBe('COMPLETED');
    });
  });

  // -- 9 ---------------------------------------------------------------------------------------------------------

  describe('terminate end event', () => {
    beforeAll(() => deployModels('terminate-end-sub-process', 'terminate-end-process'));

    it('when a terminate end event is reached inside a sub-process, then the sibling task is terminated (its job is gone), the sub-process completes and the process goes on', async () => {
      // given
      const pik = await start('terminate-end-sub-process');
      const slow = await jobOf('terminate-sub-slow', pik);
      // when
      await complete(await jobOf('terminate-sub-fast', pik));
      // then
      expect((await elementsOf(pik, 'task-slow')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await failure(complete(slow))).status).toBe(404);
      expect((await elementsOf(pik, 'sub-end-terminate')).map(typeAndState)).toEqual(['END_EVENT:COMPLETED']);
      expect((await elementsOf(pik, 'sub-handle')).map(typeAndState)).toEqual(['SUB_PROCESS:COMPLETED']);
      // and the process goes on after the sub-process
      await complete(await jobOf('terminate-sub-after', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
    });

    it('when a terminate end event is reached at the process level, then the process completes and its other active elements read TERMINATED', async () => {
      const pik = await start('terminate-end-process');
      const slow = await jobOf('terminate-process-slow', pik);
      // when
      await complete(await jobOf('terminate-process-fast', pik));
      // then
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await elementsOf(pik, 'task-slow')).map(typeAndState)).toEqual(['SERVICE_TASK:TERMINATED']);
      expect((await elementsOf(pik, 'end-terminate')).map(typeAndState)).toEqual(['END_EVENT:COMPLETED']);
      expect((await elementsOf(pik, 'terminate-end-process')).map(typeAndState)).toEqual(['PROCESS:COMPLETED']);
      expect((await failure(complete(slow))).status).toBe(404);
    });
  });

  // -- 10 --------------------------------------------------------------------------------------------------------

  describe('multi-instance', () => {
    beforeAll(async () => {
      await deployModels('multi-instance-sub-process', 'multi-instance-called-child', 'multi-instance-call-activity');
      await deploy(c, 'case-class.dmn');
      await deployModels('multi-instance-business-rule');
    });
    const reviewers = ['lawyer', 'neighbour', 'cadre'];

    it('when a parallel multi-instance sub-process runs, then a MULTI_INSTANCE_BODY with one sub-process per item, each with its item and loopCounter; the outputs are collected in input order', async () => {
      // when
      const pik = await start('multi-instance-sub-process', { reviewers, enough: 3 });
      // then one body, three inner instances at once, all with the sub-process's element id
      const bodies = (await elementsOf(pik, 'sub-review')).filter((e) => e.type === 'MULTI_INSTANCE_BODY');
      expect(bodies.map(typeAndState)).toEqual(['MULTI_INSTANCE_BODY:ACTIVE']);
      const inner = (await elementsOf(pik, 'sub-review')).filter((e) => e.type !== 'MULTI_INSTANCE_BODY');
      expect(inner.map(typeAndState)).toEqual(['SUB_PROCESS:ACTIVE', 'SUB_PROCESS:ACTIVE', 'SUB_PROCESS:ACTIVE']);
      const jobs = await jobsOf('mi-sub-process-opinion', pik);
      expect(jobs.map((j) => [j.variables.reviewer, j.variables.loopCounter]).sort()).toEqual([
        ['cadre', 3],
        ['lawyer', 1],
        ['neighbour', 2],
      ]);
      // when the jobs complete in reverse order
      for (const job of [...jobs].reverse()) await complete(job, { opinion: `${job.variables.reviewer} agrees` });
      // then the outputs are in the order of the input
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await variablesOf(pik)).opinions).toEqual(['lawyer agrees', 'neighbour agrees', 'cadre agrees']);
      expect((await elementsOf(pik, 'sub-review')).map(typeAndState).sort()).toEqual([
        'MULTI_INSTANCE_BODY:COMPLETED',
        'SUB_PROCESS:COMPLETED',
        'SUB_PROCESS:COMPLETED',
        'SUB_PROCESS:COMPLETED',
      ]);
      // and the inner instances are the body's children (element instance search by scope)
      expect((await childrenOf(bodies[0].elementInstanceKey)).map((e) => e.elementInstanceKey)).toEqual(
        inner.map((e) => e.elementInstanceKey),
      );
    });

    it('when the completion condition is met, then the remaining iterations are terminated and the body completes', async () => {
      // given (complete when two of three have answered)
      const pik = await start('multi-instance-sub-process', { reviewers, enough: 2 });
      const jobs = await jobsOf('mi-sub-process-opinion', pik);
      const by = (reviewer: string) => jobs.find((j) => j.variables.reviewer === reviewer);
      // when two complete
      await complete(by('lawyer'), { opinion: 'lawyer agrees' });
      expect(await stateOf(pik)).toBe('ACTIVE');
      await complete(by('cadre'), { opinion: 'cadre disagrees' });
      // then the third is terminated, its job gone, and the body completed with what was collected
      expect(await stateOf(pik)).toBe('COMPLETED');
      const iterations = await elementsOf(pik, 'sub-review');
      expect(iterations.filter((e) => e.type === 'MULTI_INSTANCE_BODY').map(typeAndState)).toEqual([
        'MULTI_INSTANCE_BODY:COMPLETED',
      ]);
      // (in key order: lawyer, neighbour, cadre)
      expect(iterations.filter((e) => e.type !== 'MULTI_INSTANCE_BODY').map(typeAndState)).toEqual([
        'SUB_PROCESS:COMPLETED',
        'SUB_PROCESS:TERMINATED',
        'SUB_PROCESS:COMPLETED',
      ]);
      expect((await failure(complete(by('neighbour')))).status).toBe(404);
      expect((await variablesOf(pik)).opinions).toEqual(['lawyer agrees', null, 'cadre disagrees']);
    });

    it('when a sequential multi-instance call activity runs, then one called instance at a time, each with its item and loopCounter; the results come back in order', async () => {
      // given
      const pik = await start('multi-instance-call-activity', { cases: ['c-1', 'c-2'], batch: 'mi-call-1' });
      const ofBatch = (j: Any) => j.variables.batch === 'mi-call-1';
      // then the first called instance only
      const [first, ...more] = await jobsWhere('mi-child-handle-case', ofBatch);
      expect(more).toEqual([]);
      expect(first.variables).toMatchObject({ caseRef: 'c-1', loopCounter: 1 });
      expect(first.processInstanceKey).not.toBe(pik);
      const callActivity = async () => (await elementsOf(pik, 'call-each-case')).map(typeAndState);
      expect(await callActivity()).toEqual(['MULTI_INSTANCE_BODY:ACTIVE', 'CALL_ACTIVITY:ACTIVE']);
      // when it completes, then the second
      await complete(first, { result: 'c-1 done' });
      const [second, ...again] = await jobsWhere('mi-child-handle-case', ofBatch);
      expect(again).toEqual([]);
      expect(second.variables).toMatchObject({ caseRef: 'c-2', loopCounter: 2 });
      expect(second.processInstanceKey).not.toBe(first.processInstanceKey);
      await complete(second, { result: 'c-2 done' });
      // then
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await variablesOf(pik)).results).toEqual(['c-1 done', 'c-2 done']);
      expect(await callActivity()).toEqual([
        'MULTI_INSTANCE_BODY:COMPLETED',
        'CALL_ACTIVITY:COMPLETED',
        'CALL_ACTIVITY:COMPLETED',
      ]);
      const children = (await c.searchProcessInstances({ filter: { parentProcessInstanceKey: pik } }, now)).items;
      expect(children.map((i: Any) => `${i.processDefinitionId}:${i.state}`)).toEqual([
        'multi-instance-called-child:COMPLETED',
        'multi-instance-called-child:COMPLETED',
      ]);
    });

    it('when a multi-instance business rule task runs, then the decision is evaluated once per item, its results collected in order', async () => {
      // when
      const pik = await start('multi-instance-business-rule', { categories: ['路灯维修', '物业合同纠纷', '其他'] });
      // then (no rule matches the third: null)
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect((await variablesOf(pik)).classes).toEqual(['simple', 'complex', null]);
      expect((await elementsOf(pik, 'decide-each-class')).map(typeAndState)).toEqual([
        'MULTI_INSTANCE_BODY:COMPLETED',
        'BUSINESS_RULE_TASK:COMPLETED',
        'BUSINESS_RULE_TASK:COMPLETED',
        'BUSINESS_RULE_TASK:COMPLETED',
      ]);
    });
  });

  // -- 11 --------------------------------------------------------------------------------------------------------

  describe('errors from a called process', () => {
    beforeAll(() => deployModels('call-error-child', 'call-error-parent'));
    const decideJobFor = async (caseId: string) => {
      const jobs = await jobsWhere('call-error-decide', (j) => j.variables.caseId === caseId);
      expect(jobs).toHaveLength(1);
      return jobs[0];
    };

    it('when a called process ends with an error end event, then the error boundary event on the call activity catches it: the child is terminated and the parent takes the boundary path', async () => {
      // given
      const pik = await start('call-error-parent', { caseId: 'ce-1' });
      const decide = await decideJobFor('ce-1');
      const child = decide.processInstanceKey;
      expect(child).not.toBe(pik);
      // when the child ends in the error end event
      await complete(decide, { outcome: 'withdrawn' });
      // then
      expect(await stateOf(child)).toBe('TERMINATED');
      expect((await elementsOf(pik, 'call-handle')).map(typeAndState)).toEqual(['CALL_ACTIVITY:TERMINATED']);
      expect((await elementsOf(pik, 'boundary-withdrawn')).map(typeAndState)).toEqual(['BOUNDARY_EVENT:COMPLETED']);
      await complete(await jobOf('call-error-withdrawn', pik));
      expect(await stateOf(pik)).toBe('COMPLETED');
      expect(await elementsOf(pik, 'end-handled')).toEqual([]);
    });

    it('when no catch event matches the error anywhere up through the call activity, then an UNHANDLED_ERROR_EVENT incident holds the error end event', async () => {
      // given
      const pik = await start('call-error-parent', { caseId: 'ce-2' });
      const decide = await decideJobFor('ce-2');
      const child = decide.processInstanceKey;
      // when
      await complete(decide, { outcome: 'broken' });
      // then
      const [incident] = await incidentsOf(child);
      expect(incident).toMatchObject({
        errorType: 'UNHANDLED_ERROR_EVENT',
        elementId: 'end-error-broken',
        state: 'ACTIVE',
      });
      expect(incident.errorMessage).toContain('CASE_BROKEN');
      expect(await stateOf(child)).toBe('ACTIVE');
      expect(await stateOf(pik)).toBe('ACTIVE');
      expect((await elementsOf(pik, 'call-handle')).map(typeAndState)).toEqual(['CALL_ACTIVITY:ACTIVE']);
      expect(await elementsOf(pik, 'boundary-withdrawn')).toEqual([]);
      await c.cancelProcessInstance({ processInstanceKey: pik });
    });
  });

  // -- 12 --------------------------------------------------------------------------------------------------------

  describe('non-interrupting message boundary event', () => {
    beforeAll(() => deployModels('message-boundary-non-interrupting'));

    it('when two messages are correlated while the task is active, then the boundary path is taken twice, and the task still completes', async () => {
      // given
      const pik = await start('message-boundary-non-interrupting', { caseId: 'mb-1' });
      const handle = await jobOf('message-boundary-handle', pik);
      // when
      await c.publishMessage({
        name: 'message-boundary-reminder',
        correlationKey: 'mb-1',
        variables: { reminder: 'first' },
      });
      await c.publishMessage({
        name: 'message-boundary-reminder',
        correlationKey: 'mb-1',
        variables: { reminder: 'second' },
      });
      // then
      const notes = await jobsOf('message-boundary-note', pik);
      expect(notes).toHaveLength(2);
      expect((await elementsOf(pik, 'boundary-reminder')).map(typeAndState)).toEqual([
        'BOUNDARY_EVENT:COMPLETED',
        'BOUNDARY_EVENT:COMPLETED',
      ]);
      expect((await elementsOf(pik, 'task-handle')).map(typeAndState)).toEqual(['SERVICE_TASK:ACTIVE']);
      // when the task completes, then its path ends; the process ends with the note paths
      await complete(handle);
      expect((await elementsOf(pik, 'end-handled')).map(typeAndState)).toEqual(['END_EVENT:COMPLETED']);
      for (const note of notes) await complete(note);
      expect(await stateOf(pik)).toBe('COMPLETED');
      // and once the task is done, a further message finds no subscription
      expect(
        (await failure(c.correlateMessage({ name: 'message-boundary-reminder', correlationKey: 'mb-1' }))).status,
      ).toBe(404);
    });
  });

  // -- 13 --------------------------------------------------------------------------------------------------------

  describe('variables and scopes', () => {
    beforeAll(() => deployModels('variable-scopes'));

    it('when a sub-process has input mappings, then its jobs see them and they are locals of the sub-process (its element instance is their scopeKey)', async () => {
      // when
      const pik = await start('variable-scopes', { caseId: 'vs-1' });
      // then
      const write = await jobOf('variable-scopes-write', pik);
      expect(write.variables).toEqual({ caseId: 'vs-1', handledCase: 'vs-1', note: 'draft' });
      const [sub] = await elementsOf(pik, 'sub-handle');
      const locals = (await c.searchVariables({ filter: { scopeKey: sub.elementInstanceKey } }, now)).items;
      expect(locals.map((v: Any) => `${v.name}=${v.value}`).sort()).toEqual(['handledCase="vs-1"', 'note="draft"']);
      expect(locals.every((v: Any) => v.processInstanceKey === pik)).toBe(true);
      expect(Object.keys(await variablesOf(pik))).toEqual(['caseId']);
      await complete(write);
    });

    it('when a job completes without output mappings, then each variable is set in the nearest scope that has it, else in the process scope', async () => {
      // given
      const pik = await start('variable-scopes', { caseId: 'vs-2' });
      const [sub] = await elementsOf(pik, 'sub-handle');
      // when
      await complete(await jobOf('variable-scopes-write', pik), { note: 'written', verdict: 'ok', caseId: 'vs-2b' });
      // then "note" updated the sub-process's local, "caseId" the process's, and "verdict" is new in the process scope
      const scopeOf = async (name: string) =>
        (await variablesNamed(pik, name)).map((v: Any) => [
          v.scopeKey === pik ? 'process' : v.scopeKey === sub.elementInstanceKey ? 'sub-process' : v.scopeKey,
          JSON.parse(v.value),
        ]);
      expect(await scopeOf('note')).toEqual([['sub-process', 'written']]);
      expect(await scopeOf('caseId')).toEqual([['process', 'vs-2b']]);
      expect(await scopeOf('verdict')).toEqual([['process', 'ok']]);
      expect(await scopeOf('handledCase')).toEqual([['sub-process', 'vs-2']]);
      // and the next job in the sub-process sees them
      const check = await jobOf('variable-scopes-check', pik);
      expect(check.variables).toEqual({ caseId: 'vs-2b', handledCase: 'vs-2', note: 'written', verdict: 'ok' });
      await complete(check);
      expect(await stateOf(pik)).toBe('COMPLETED');
    });
  });

  // -- 14 --------------------------------------------------------------------------------------------------------

  describe('FEEL in sequence-flow conditions', () => {
    beforeAll(() => deployModels('feel-type-mismatch'));

    it.each([
      ['"lots"', 'lots', 1000],
      ['"5"', '5', 3],
    ])(
      'when a condition compares the string %s with a number, then it is null in FEEL: an incident holds the gateway and no flow is taken, not even the default',
      async (_shown, amount, threshold) => {
        // when
        const pik = await start('feel-type-mismatch', { amount, threshold });
        // then
        const [incident] = await incidentsOf(pik);
        expect(incident).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'gateway-amount' });
        expect(await stateOf(pik)).toBe('ACTIVE');
        expect((await elementsOf(pik)).filter((e) => e.type === 'END_EVENT')).toEqual([]);
        await c.cancelProcessInstance({ processInstanceKey: pik });
      },
    );

    it('when the values compared are numbers, then the condition decides', async () => {
      const big = await start('feel-type-mismatch', { amount: 5000, threshold: 1000 });
      const small = await start('feel-type-mismatch', { amount: 5, threshold: 30 });
      expect((await elementsOf(big)).filter((e) => e.type === 'END_EVENT').map((e) => e.elementId)).toEqual([
        'end-big',
      ]);
      expect((await elementsOf(small)).filter((e) => e.type === 'END_EVENT').map((e) => e.elementId)).toEqual([
        'end-small',
      ]);
    });
  });

  // -- 15 --------------------------------------------------------------------------------------------------------

  describe('element instance search', () => {
    beforeAll(() => deployModels('message-boundary-interrupting'));

    it('when a boundary event has fired, then its element instance reads BOUNDARY_EVENT; the task it interrupted reads TERMINATED, not COMPLETED', async () => {
      // given
      const pik = await start('message-boundary-interrupting', { caseId: 'eis-1' });
      const handle = await jobOf('message-boundary-interrupting-handle', pik);
      // when
      await c.publishMessage({ name: 'message-boundary-withdrawn', correlationKey: 'eis-1' });
      // then
      expect(await stateOf(pik)).toBe('COMPLETED');
      const [boundary] = await elementsOf(pik, 'boundary-withdrawn');
      expect(boundary).toMatchObject({ type: 'BOUNDARY_EVENT', state: 'COMPLETED', elementName: 'Case withdrawn' });
      const [task] = await elementsOf(pik, 'task-handle');
      expect(task).toMatchObject({ type: 'SERVICE_TASK', state: 'TERMINATED' });
      expect(task.endDate).toEqual(expect.any(String));
      expect((await failure(complete(handle))).status).toBe(404);
      // and each reads the same alone and by filter
      expect(await c.getElementInstance({ elementInstanceKey: boundary.elementInstanceKey }, now)).toMatchObject({
        type: 'BOUNDARY_EVENT',
        state: 'COMPLETED',
      });
      expect(await c.getElementInstance({ elementInstanceKey: task.elementInstanceKey }, now)).toMatchObject({
        type: 'SERVICE_TASK',
        state: 'TERMINATED',
      });
      const terminated = (
        await c.searchElementInstances({ filter: { processInstanceKey: pik, state: 'TERMINATED' } }, now)
      ).items;
      expect(terminated.map((e: Any) => e.elementId)).toEqual(['task-handle']);
      const boundaries = (
        await c.searchElementInstances({ filter: { processInstanceKey: pik, type: 'BOUNDARY_EVENT' } }, now)
      ).items;
      expect(boundaries.map((e: Any) => e.elementId)).toEqual(['boundary-withdrawn']);
      expect((await elementsOf(pik)).map((e) => `${e.elementId}:${typeAndState(e)}`)).toEqual([
        'message-boundary-interrupting:PROCESS:COMPLETED',
        'start:START_EVENT:COMPLETED',
        'task-handle:SERVICE_TASK:TERMINATED',
        'boundary-withdrawn:BOUNDARY_EVENT:COMPLETED',
        'end-withdrawn:END_EVENT:COMPLETED',
      ]);
    });
  });

  // -- 16 --------------------------------------------------------------------------------------------------------

  describe('deployment', () => {
    it('when a file holds two executable processes, then both are deployed, both in the answer, and both run', async () => {
      // when
      const deployment = await deploy(c, model('two-processes'));
      // then
      expect(deployment.processes.map((p: Any) => p.processDefinitionId).sort()).toEqual([
        'two-processes-first',
        'two-processes-second',
      ]);
      for (const p of deployment.processes) expect(p.resourceName).toMatch(/two-processes\.bpmn$/);
      expect(await stateOf(await start('two-processes-first'))).toBe('COMPLETED');
      expect(await stateOf(await start('two-processes-second'))).toBe('COMPLETED');
    });

    it('when a collaboration (two pools, a message flow between them) is deployed, then both processes are deployed and run', async () => {
      // when
      const deployment = await deploy(c, model('collaboration'));
      // then
      expect(deployment.processes.map((p: Any) => p.processDefinitionId).sort()).toEqual([
        'collaboration-office',
        'collaboration-petitioner',
      ]);
      const office = await start('collaboration-office');
      await complete(await jobOf('collaboration-send-notice', office));
      expect(await stateOf(office)).toBe('COMPLETED');
      // the message flow is documentation; the petitioner's process starts on its message
      await c.publishMessage({ name: 'collaboration-notice', variables: { notice: 'decision' } });
      const [petitioner] = await instancesOf('collaboration-petitioner');
      expect(petitioner.state).toBe('COMPLETED');
    });
  });
});
