/**
 * Zeebe semantics the embedded engine honours, one fixture model each, driven through the SDK with a pinned
 * clock instead of waiting.
 */
import { deploy, now, readFixture, startEngine, until, type Any, type EngineHarness } from '../../support/engine';

const DAY = 24 * 3600 * 1000;

// Every semantic holds whether the steps run on the engine's step thread (the default) or on the thread that answers the API.
describe.each([
  ['step thread', 'true'],
  ['inline', 'false'],
])('engine semantics (%s)', (_mode, stepThread) => {
  let h: EngineHarness;
  let c: Any;
  beforeAll(async () => {
    h = await startEngine({ ENGINE_STEP_THREAD: stepThread });
    c = h.client;
    await deploy(
      c,
      'gateway-conditions.bpmn',
      'message-catch.bpmn',
      'event-gateway.bpmn',
      'boundary-timers.bpmn',
      'two-service-tasks.bpmn',
    );
  });
  afterAll(() => h.stop());
  afterEach(() => c.resetClock());

  const path = async (processInstanceKey: string) =>
    (await c.searchElementInstances({ filter: { processInstanceKey }, page: { limit: 100 } }, now)).items
      .filter((e: Any) => e.state === 'COMPLETED')
      .map((e: Any) => e.elementId);
  const stateOf = async (processInstanceKey: string) => (await c.getProcessInstance({ processInstanceKey }, now)).state;
  const activate = async (type: string) =>
    (await c.activateJobs({ type, timeout: 30000, maxJobsToActivate: 50, worker: 'test', requestTimeout: 300 }))
      .jobs as Any[];

  describe('FEEL conditions', () => {
    it('when a condition matches, then its flow is taken', async () => {
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'gateway-conditions',
        variables: { caseClass: 'complex' },
      });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      expect(await path(processInstanceKey)).toContain('end-complex');
      expect(await path(processInstanceKey)).not.toContain('end-simple');
    });

    it('when no condition matches and there is no default flow, then an incident holds the instance, never a guessed flow', async () => {
      // when
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'gateway-conditions',
        variables: { caseClass: 'unknown' },
      });
      // then
      expect(await stateOf(processInstanceKey)).toBe('ACTIVE');
      const [incident] = (await c.searchIncidents({ filter: { processInstanceKey } }, now)).items;
      expect(incident).toMatchObject({ errorType: 'CONDITION_ERROR', elementId: 'gateway-class', state: 'ACTIVE' });
      // when the variable is fixed and the incident resolved
      await c.createElementInstanceVariables({
        elementInstanceKey: processInstanceKey,
        variables: { caseClass: 'simple' },
      });
      await c.resolveIncident({ incidentKey: incident.incidentKey });
      // then the instance goes on the right way
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      expect(await path(processInstanceKey)).toContain('end-simple');
    });

    it('when a variable is missing, then no condition is true (null = "simple" is false in FEEL) and, without a default flow, a CONDITION_ERROR incident', async () => {
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'gateway-conditions',
        variables: {},
      });
      const [incident] = (await c.searchIncidents({ filter: { processInstanceKey } }, now)).items;
      expect(incident.errorType).toBe('CONDITION_ERROR');
      expect((await c.getProcessInstance({ processInstanceKey }, now)).hasIncident).toBe(true);
    });
  });

  describe('input and output mappings, task headers', () => {
    it('when a job runs, then it sees its input mappings and headers, and only its outputs reach the process', async () => {
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'two-service-tasks',
        variables: { count: 5 },
      });
      const a = (await activate('task-a')).find((j) => j.processInstanceKey === processInstanceKey);
      expect(a.customHeaders).toEqual({ kind: 'first' });
      await c.completeJob({ jobKey: a.jobKey, variables: {} });
      const b = (await activate('task-b')).find((j) => j.processInstanceKey === processInstanceKey);
      expect(b.variables).toMatchObject({ count: 5, doubled: 10 });
      await c.completeJob({ jobKey: b.jobKey, variables: { result: 'r', scratch: 'not mapped' } });
      const vars = (await c.searchVariables({ filter: { processInstanceKey } }, now)).items
        .map((v: Any) => v.name)
        .sort();
      expect(vars).toEqual(['count', 'finalResult']);
    });
  });

  describe('messages', () => {
    it('when a message is published for a waiting catch event, then it is correlated by its key with its variables', async () => {
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'message-catch',
        variables: { caseId: 'case-1' },
      });
      await c.publishMessage({
        name: 'satisfaction-rated',
        correlationKey: 'case-other',
        variables: { rating: 'dissatisfied' },
      });
      expect(await stateOf(processInstanceKey)).toBe('ACTIVE');
      await c.publishMessage({
        name: 'satisfaction-rated',
        correlationKey: 'case-1',
        variables: { rating: 'satisfied' },
      });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      const rating = (await c.searchVariables({ filter: { processInstanceKey } }, now)).items.find(
        (v: Any) => v.name === 'rating',
      );
      expect(rating.value).toBe('"satisfied"');
    });

    it('when a message is published before the catch event is reached, then it is correlated on arrival within its time to live', async () => {
      // given
      await c.publishMessage({
        name: 'satisfaction-rated',
        correlationKey: 'case-early',
        timeToLive: 60000,
        variables: { rating: 'basically-satisfied' },
      });
      // when
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'message-catch',
        variables: { caseId: 'case-early' },
      });
      // then
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      // and a message past its time to live is not
      await c.publishMessage({ name: 'satisfaction-rated', correlationKey: 'case-late', timeToLive: 1000 });
      await c.pinClock({ timestamp: Date.now() + 5000 });
      const late = await c.createProcessInstance({
        processDefinitionId: 'message-catch',
        variables: { caseId: 'case-late' },
      });
      expect(await stateOf(late.processInstanceKey)).toBe('ACTIVE');
    });

    it('when a buffered message and an open subscription missed each other (a commit race), then the scheduler correlates them', async () => {
      // given an instance waiting for its message, and the message buffered as if published while the wait was uncommitted
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'message-catch',
        variables: { caseId: 'case-race' },
      });
      await h.server.database.db.query(
        `INSERT INTO engine_message (key, name, correlation_key, variables, state, expires_at, created_at)
         VALUES (nextval('engine_key_seq'), 'satisfaction-rated', 'case-race', '{"rating":"satisfied"}', 'BUFFERED', now() + interval '1 hour', now())`,
      );
      // when the scheduler runs its round
      await until(async () => (await c.getProcessInstance({ processInstanceKey }, now)).state === 'COMPLETED', 5000);
      // then the instance got the message's variables
      const rating = (await c.searchVariables({ filter: { processInstanceKey, name: 'rating' } }, now)).items[0];
      expect(rating.value).toBe('"satisfied"');
    });

    it('when a message id is published twice, then the second is refused', async () => {
      await c.publishMessage({
        name: 'satisfaction-rated',
        correlationKey: 'x',
        messageId: 'rating-123',
        timeToLive: 60000,
      });
      await expect(
        c.publishMessage({
          name: 'satisfaction-rated',
          correlationKey: 'x',
          messageId: 'rating-123',
          timeToLive: 60000,
        }),
      ).rejects.toMatchObject({
        status: 409,
      });
    });

    it('when a message is correlated with no subscription waiting, then 404; with one, the instance key is returned', async () => {
      await expect(c.correlateMessage({ name: 'satisfaction-rated', correlationKey: 'nobody' })).rejects.toMatchObject({
        status: 404,
      });
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'message-catch',
        variables: { caseId: 'case-c' },
      });
      const result = await c.correlateMessage({ name: 'satisfaction-rated', correlationKey: 'case-c', variables: {} });
      expect(result.processInstanceKey).toBe(processInstanceKey);
    });
  });

  describe('event-based gateway', () => {
    it('when the message comes first, then the timer is dropped', async () => {
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'event-gateway',
        variables: { caseId: 'g-1', ratingWindow: 'P3D' },
      });
      await c.publishMessage({ name: 'satisfaction-rated', correlationKey: 'g-1' });
      expect(await path(processInstanceKey)).toContain('end-rated');
      await c.pinClock({ timestamp: Date.now() + 4 * DAY });
      expect(await path(processInstanceKey)).not.toContain('end-timeout');
    });

    it('when the time runs out first (FEEL duration), then the timeout path is taken and a late message finds nobody', async () => {
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'event-gateway',
        variables: { caseId: 'g-2', ratingWindow: 'P3D' },
      });
      await c.pinClock({ timestamp: Date.now() + 2 * DAY });
      expect(await stateOf(processInstanceKey)).toBe('ACTIVE');
      await c.pinClock({ timestamp: Date.now() + 3 * DAY + 60000 });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      expect(await path(processInstanceKey)).toContain('end-timeout');
      await expect(c.correlateMessage({ name: 'satisfaction-rated', correlationKey: 'g-2' })).rejects.toMatchObject({
        status: 404,
      });
    });
  });

  describe('call activities across separately deployed files', () => {
    it('when a parent calls a child, then the child gets parent variables and inputs; variables come back per propagateAllChildVariables', async () => {
      // given the child deployed on its own
      await deploy(c, 'call-child.bpmn');
      await deploy(c, 'call-parent.bpmn');
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'call-parent',
        variables: { caseId: 'c-9', childProcess: 'call-child' },
      });
      // when the first child's job runs
      const [first] = (await activate('propose-solution')).filter((j) => j.variables.caseId === 'c-9');
      expect(first.variables).toMatchObject({ caseId: 'c-9', groupId: 'c-9-wg' });
      const children = (
        await c.searchProcessInstances({ filter: { processDefinitionId: 'call-child', state: 'ACTIVE' } }, now)
      ).items;
      expect(children.map((i: Any) => i.processInstanceKey)).toContain(first.processInstanceKey);
      // and the child names its parent, and is found by it
      const mine = (await c.searchProcessInstances({ filter: { parentProcessInstanceKey: processInstanceKey } }, now))
        .items;
      expect(mine.map((i: Any) => [i.processInstanceKey, i.parentProcessInstanceKey])).toEqual([
        [first.processInstanceKey, processInstanceKey],
      ]);
      await c.completeJob({ jobKey: first.jobKey, variables: { solution: 'repair the lift', extra: 1 } });
      // then all its variables reached the parent
      let vars = Object.fromEntries(
        (await c.searchVariables({ filter: { processInstanceKey } }, now)).items.map((v: Any) => [
          v.name,
          JSON.parse(v.value),
        ]),
      );
      expect(vars).toMatchObject({ solution: 'repair the lift', extra: 1 });
      // when the second child (propagateAllChildVariables=false, called by a FEEL expression) finishes
      const [second] = (await activate('propose-solution')).filter((j) => j.variables.caseId === 'c-9');
      await c.completeJob({ jobKey: second.jobKey, variables: { solution: 'mediate', leaked: true } });
      // then only the mapped output came back
      vars = Object.fromEntries(
        (await c.searchVariables({ filter: { processInstanceKey } }, now)).items.map((v: Any) => [
          v.name,
          JSON.parse(v.value),
        ]),
      );
      expect(vars.secondSolution).toBe('mediate');
      expect(vars.leaked).toBeUndefined();
      expect(vars.solution).toBe('repair the lift');
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
    });

    it('when the parent is cancelled, then its called process is terminated too', async () => {
      await deploy(c, 'call-child.bpmn');
      await deploy(c, 'call-parent.bpmn');
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'call-parent',
        variables: { caseId: 'c-10', childProcess: 'call-child' },
      });
      const [job] = (await activate('propose-solution')).filter((j) => j.variables.caseId === 'c-10');
      await c.cancelProcessInstance({ processInstanceKey });
      expect(await stateOf(job.processInstanceKey)).toBe('TERMINATED');
      await expect(c.completeJob({ jobKey: job.jobKey })).rejects.toMatchObject({ status: 404 });
    });

    it('when the called process is not deployed, then an incident; deploying it and resolving continues', async () => {
      await deploy(c, 'call-parent.bpmn');
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'call-parent',
        variables: { caseId: 'c-11', childProcess: 'not-deployed-yet' },
      });
      const [first] = (await activate('propose-solution')).filter((j) => j.variables.caseId === 'c-11');
      await c.completeJob({ jobKey: first.jobKey, variables: { solution: 'x' } });
      const [incident] = (await c.searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items;
      expect(incident).toMatchObject({ errorType: 'CALLED_ELEMENT_ERROR', elementId: 'call-none' });
      await c.createElementInstanceVariables({
        elementInstanceKey: processInstanceKey,
        variables: { childProcess: 'call-child' },
      });
      await c.resolveIncident({ incidentKey: incident.incidentKey });
      expect((await activate('propose-solution')).filter((j) => j.variables.caseId === 'c-11')).toHaveLength(1);
    });
  });

  describe('multi-instance', () => {
    it('when a parallel multi-instance runs, then one job per item with its element, and the outputs collected in order', async () => {
      await deploy(c, 'multi-instance.bpmn');
      const members = ['律师', '物业', '居民代表'];
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'multi-instance',
        variables: { members, signers: ['cadre', 'secretary'] },
      });
      // when: all three jobs exist at once (parallel); complete them out of order
      const jobs = (await activate('ask-member')).filter((j) => j.processInstanceKey === processInstanceKey);
      expect(jobs.map((j) => j.variables.member).sort()).toEqual([...members].sort());
      expect(jobs.map((j) => j.variables.loopCounter).sort()).toEqual([1, 2, 3]);
      for (const job of [...jobs].reverse())
        await c.completeJob({ jobKey: job.jobKey, variables: { opinion: `${job.variables.member}同意` } });
      // then the output collection follows the input order
      const vars = Object.fromEntries(
        (await c.searchVariables({ filter: { processInstanceKey } }, now)).items.map((v: Any) => [
          v.name,
          JSON.parse(v.value),
        ]),
      );
      expect(vars.opinions).toEqual(['律师同意', '物业同意', '居民代表同意']);
      // when: a sequential multi-instance user task: one task at a time, each assigned by its item
      let tasks = (await c.searchUserTasks({ filter: { processInstanceKey, state: 'CREATED' } }, now)).items;
      expect(tasks.map((t: Any) => t.assignee)).toEqual(['cadre']);
      await c.completeUserTask({ userTaskKey: tasks[0].userTaskKey, variables: { signed: true } });
      tasks = (await c.searchUserTasks({ filter: { processInstanceKey, state: 'CREATED' } }, now)).items;
      expect(tasks.map((t: Any) => t.assignee)).toEqual(['secretary']);
      await c.completeUserTask({ userTaskKey: tasks[0].userTaskKey, variables: { signed: false } });
      // then
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      const done = Object.fromEntries(
        (await c.searchVariables({ filter: { processInstanceKey } }, now)).items.map((v: Any) => [
          v.name,
          JSON.parse(v.value),
        ]),
      );
      expect(done.signatures).toEqual(['cadre:true', 'secretary:false']);
    });

    it('when the input collection is empty, then the activity completes at once with an empty output', async () => {
      await deploy(c, 'multi-instance.bpmn');
      const result = await c.createProcessInstance({
        processDefinitionId: 'multi-instance',
        variables: { members: [], signers: [] },
        awaitCompletion: true,
        requestTimeout: 10000,
      });
      expect(result.variables).toMatchObject({ opinions: [], signatures: [] });
    });
  });

  describe('business rule tasks on DMN decision tables', () => {
    it('when a business rule task runs, then the deployed decision table decides and its result lands in the result variable', async () => {
      // given
      const deployment = await deploy(c, 'case-class.dmn', 'business-rule.bpmn');
      expect(deployment.decisions.map((d: Any) => d.decisionDefinitionId)).toContain('decide-case-class');
      // when
      const result = await c.createProcessInstance({
        processDefinitionId: 'business-rule',
        variables: { category: '路灯维修' },
        awaitCompletion: true,
        requestTimeout: 10000,
      });
      // then
      expect(result.variables.suggestedClass).toBe('simple');
    });

    it('when no rule matches, then the result is null; when the decision is not deployed, then an incident names it', async () => {
      await deploy(c, 'case-class.dmn', 'business-rule.bpmn');
      const unmatched = await c.createProcessInstance({
        processDefinitionId: 'business-rule',
        variables: { category: '其他' },
        awaitCompletion: true,
        requestTimeout: 10000,
      });
      expect(unmatched.variables.suggestedClass).toBeNull();
      // given a model calling a decision nobody deployed
      const xml = readFixture('business-rule.bpmn')
        .replace('decide-case-class', 'decide-nothing')
        .replace(/"business-rule"/g, '"business-rule-missing"');
      await c.createDeployment({
        resources: [new File([xml], 'business-rule-missing.bpmn', { type: 'application/xml' })],
      });
      // when
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'business-rule-missing',
        variables: { category: '路灯维修' },
      });
      // then
      const [incident] = (await c.searchIncidents({ filter: { processInstanceKey } }, now)).items;
      expect(incident).toMatchObject({ errorType: 'CALLED_DECISION_ERROR', elementId: 'task-suggest-class' });
      expect(incident.errorMessage).toContain('decide-nothing');
      // when the decision is deployed and the incident resolved, then it decides
      const dmn = readFixture('case-class.dmn').replace(/decide-case-class/g, 'decide-nothing');
      await c.createDeployment({ resources: [new File([dmn], 'decide-nothing.dmn', { type: 'application/xml' })] });
      await c.resolveIncident({ incidentKey: incident.incidentKey });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
    });

    it('when an invalid decision table is deployed, then it is refused with the problems listed', async () => {
      const dmn = `<?xml version="1.0"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
        <decision id="broken" name="Broken"><decisionTable id="t" hitPolicy="UNIQUE"><input id="i"><inputExpression id="ie" typeRef="string"><text>category</text></inputExpression></input>
        <output id="o" name="x" typeRef="string" /><rule id="r"><inputEntry id="e"><text>&gt;&gt;&gt;(</text></inputEntry><outputEntry id="oe"><text>"a"</text></outputEntry></rule></decisionTable></decision></definitions>`;
      await expect(
        c.createDeployment({ resources: [new File([dmn], 'broken.dmn', { type: 'application/xml' })] }),
      ).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('sub-processes and escalation events', () => {
    it('when an escalation is thrown inside a sub-process, then the non-interrupting boundary on it catches it and both go on', async () => {
      await deploy(c, 'subprocess-escalation.bpmn');
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'subprocess-escalation',
        variables: {},
      });
      const [task] = (await c.searchUserTasks({ filter: { processInstanceKey } }, now)).items;
      expect(task.elementId).toBe('task-inner');
      await c.completeUserTask({ userTaskKey: task.userTaskKey, variables: { tooHard: true } });
      const [job] = (await activate('notify-escalated')).filter((j) => j.processInstanceKey === processInstanceKey);
      expect(job).toBeDefined();
      await c.completeJob({ jobKey: job.jobKey, variables: {} });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      expect(await path(processInstanceKey)).toEqual(
        expect.arrayContaining(['sub-handle', 'boundary-escalated', 'end', 'end-notified']),
      );
    });

    it('when a called process escalates, then the boundary on the call activity catches it', async () => {
      await deploy(c, 'escalation-child.bpmn');
      await deploy(c, 'escalation-parent.bpmn');
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'escalation-parent',
        variables: { caseId: 'e-1' },
      });
      const [work] = (await activate('try-to-solve')).filter((j) => j.variables.caseId === 'e-1');
      await c.completeJob({ jobKey: work.jobKey, variables: { solvable: false } });
      // the escalation reached the parent, while the child goes on
      const [notify] = (await activate('notify-escalated')).filter((j) => j.processInstanceKey === processInstanceKey);
      expect(notify).toBeDefined();
      const [wrap] = (await activate('wrap-up')).filter((j) => j.variables.caseId === 'e-1');
      await c.completeJob({ jobKey: wrap.jobKey, variables: {} });
      await c.completeJob({ jobKey: notify.jobKey, variables: {} });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      expect(await path(processInstanceKey)).toEqual(expect.arrayContaining(['call-group', 'end', 'end-notified']));
    });
  });

  describe('cycle timers and message boundary events', () => {
    it('when a cycle timer is due, then it fires each repetition, and a message boundary interrupts the task', async () => {
      // given
      await deploy(c, 'reminders.bpmn');
      const start = Date.now();
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'reminders',
        variables: { caseId: 'w-1' },
      });
      // each reminder job is done at once, so only new reminders are handed out
      const reminders = async () => {
        const jobs = (await activate('notify-reminder')).filter((j) => j.processInstanceKey === processInstanceKey);
        for (const job of jobs) await c.completeJob({ jobKey: job.jobKey, variables: {} });
        return jobs.length;
      };
      // when an hour passes, then one reminder; after two hours the second; after three none more (R2)
      await c.pinClock({ timestamp: start + 3600 * 1000 + 1000 });
      expect(await reminders()).toBe(1);
      await c.pinClock({ timestamp: start + 2 * 3600 * 1000 + 2000 });
      expect(await reminders()).toBe(1);
      await c.pinClock({ timestamp: start + 3 * 3600 * 1000 + 3000 });
      expect(await reminders()).toBe(0);
      // when the petitioner withdraws, then the task is cancelled and the withdrawal path ends the case
      await c.publishMessage({ name: 'case-withdrawn', correlationKey: 'w-1' });
      const [task] = (await c.searchUserTasks({ filter: { processInstanceKey } }, now)).items;
      expect(task.state).toBe('CANCELED');
      expect(await path(processInstanceKey)).toContain('end-withdrawn');
    });
  });

  describe('boundary timers', () => {
    it('when the due date passes, then a non-interrupting timer warns and the task stays; at 60 days the interrupting one escalates', async () => {
      // given
      const start = Date.now();
      const slaDueAt = new Date(start + 1 * DAY).toISOString();
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'boundary-timers',
        variables: { slaDueAt },
      });
      const [task] = (await c.searchUserTasks({ filter: { processInstanceKey } }, now)).items;
      expect(task.dueDate).toBe(slaDueAt);
      // when the due date passes
      await c.pinClock({ timestamp: start + DAY + 1000 });
      // then a warning job, and the task is still open
      const warn = (await activate('notify-overdue')).find((j) => j.processInstanceKey === processInstanceKey);
      expect(warn).toBeDefined();
      expect((await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).state).toBe('CREATED');
      // when 59 days pass nothing else happens; at 60 days the legal deadline interrupts
      await c.pinClock({ timestamp: start + 59 * DAY });
      expect((await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).state).toBe('CREATED');
      await c.pinClock({ timestamp: start + 60 * DAY + 1000 });
      expect((await c.getUserTask({ userTaskKey: task.userTaskKey }, now)).state).toBe('CANCELED');
      expect(await path(processInstanceKey)).toContain('end-escalated');
      // and each timer that fired is an element instance of its own, as in Operate
      expect(await path(processInstanceKey)).toEqual(expect.arrayContaining(['timer-warn', 'timer-legal']));
      // the warning path is a token of its own and goes on
      await c.completeJob({ jobKey: warn.jobKey, variables: {} });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
    });

    it.each([
      ['a year before', '2025-06-02T01:00:00Z'],
      ['years after', '2031-06-02T01:00:00Z'],
    ])(
      "when the clock is pinned %s the machine's date, then dates and durations fall due on the engine's clock",
      async (_when, at) => {
        // given the engine's time pinned far from the machine's
        const start = Date.parse(at);
        await c.pinClock({ timestamp: start });
        // when a date timer and a duration timer are armed
        const slaDueAt = new Date(start + DAY).toISOString();
        const dated = (
          await c.createProcessInstance({ processDefinitionId: 'boundary-timers', variables: { slaDueAt } })
        ).processInstanceKey;
        const lasting = (
          await c.createProcessInstance({
            processDefinitionId: 'event-gateway',
            variables: { caseId: `clock-${start}`, ratingWindow: 'P3D' },
          })
        ).processInstanceKey;
        // then neither fires before its time on the engine's clock
        expect((await activate('notify-overdue')).filter((j) => j.processInstanceKey === dated)).toEqual([]);
        expect(await stateOf(lasting)).toBe('ACTIVE');
        await c.pinClock({ timestamp: start + DAY - 1000 });
        expect((await activate('notify-overdue')).filter((j) => j.processInstanceKey === dated)).toEqual([]);
        // and each fires once the engine's clock reaches it
        await c.pinClock({ timestamp: start + DAY + 1000 });
        expect((await activate('notify-overdue')).filter((j) => j.processInstanceKey === dated)).toHaveLength(1);
        await c.pinClock({ timestamp: start + 3 * DAY - 1000 });
        expect(await stateOf(lasting)).toBe('ACTIVE');
        await c.pinClock({ timestamp: start + 3 * DAY + 1000 });
        expect(await stateOf(lasting)).toBe('COMPLETED');
        expect(await path(lasting)).toContain('end-timeout');
        await c.cancelProcessInstance({ processInstanceKey: dated });
      },
    );

    it('when firing a timer fails for a passing reason, then it stays due and fires on a later round (a deadline is not lost)', async () => {
      // given a timer whose first firing fails inside its transaction (a sequence does not roll back: it fails once)
      const db = h.server.database.db;
      const suffix = stepThread === 'true' ? 'thread' : 'inline';
      await db.query(`CREATE SEQUENCE timer_blip_${suffix}`);
      await db.query(`CREATE FUNCTION timer_blip_${suffix}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.state = 'FIRED' AND nextval('timer_blip_${suffix}') = 1 THEN RAISE EXCEPTION 'connection blip'; END IF; RETURN NEW; END $$`);
      await db.query(
        `CREATE TRIGGER timer_blip_${suffix} BEFORE UPDATE ON engine_timer FOR EACH ROW EXECUTE FUNCTION timer_blip_${suffix}()`,
      );
      try {
        const start = Date.now();
        const { processInstanceKey } = await c.createProcessInstance({
          processDefinitionId: 'boundary-timers',
          variables: { slaDueAt: new Date(start + DAY).toISOString() },
        });
        // when its due date passes and the first attempt fails
        await c.pinClock({ timestamp: start + DAY + 1000 });
        const [{ n }] = await db.query<{ n: string }>(`SELECT last_value::text AS n FROM timer_blip_${suffix}`);
        expect(Number(n)).toBeGreaterThanOrEqual(1);
        // then the timer was not cancelled, and the scheduler's next round fires it
        const warn = await until(
          async () => (await activate('notify-overdue')).find((j) => j.processInstanceKey === processInstanceKey),
          15000,
        );
        expect(warn).toBeDefined();
        expect(
          (
            await db.query(`SELECT state FROM engine_timer WHERE instance_key = $1 AND element_id = 'timer-warn'`, [
              processInstanceKey,
            ])
          ).map((r) => r.state),
        ).toEqual(['FIRED']);
      } finally {
        await db.query(`DROP TRIGGER timer_blip_${suffix} ON engine_timer`);
      }
    });
  });

  describe('stored state', () => {
    const db = () => h.server.database.db;
    const stored = async (processInstanceKey: string) => {
      const [row] = await db().query<{ runtime: Any; size: number }>(
        'SELECT runtime, length(runtime::text) AS size FROM engine_instance WHERE key = $1',
        [processInstanceKey],
      );
      return row;
    };

    it('when an instance waits, then its state holds only the element instances that hold tokens, with the timers they armed', async () => {
      // given an instance waiting at a user task with two boundary timers
      const start = Date.now();
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'boundary-timers',
        variables: { slaDueAt: new Date(start + DAY).toISOString() },
      });
      // then its stored state is the process, the task and the task's two timer subscriptions: a few hundred bytes
      const first = await stored(processInstanceKey);
      const elements: Any[] = Object.values(first.runtime.engine.els);
      expect(elements.map((e) => e.e).sort()).toEqual(['boundary-timers', 'task-handle']);
      const task = elements.find((e) => e.e === 'task-handle');
      expect(
        Object.values(task.subs)
          .map((sub: Any) => sub.e)
          .sort(),
      ).toEqual(['timer-legal', 'timer-warn']);
      expect(first.size).toBeLessThan(1000);

      // when the non-interrupting timer fires
      await c.pinClock({ timestamp: start + DAY + 1000 });
      const warn = (await activate('notify-overdue')).find((j) => j.processInstanceKey === processInstanceKey);
      expect(warn).toBeDefined();
      // then the warning task joined the task, which keeps only its legal-deadline timer
      const second: Any[] = Object.values((await stored(processInstanceKey)).runtime.engine.els);
      expect(second.map((e) => e.e).sort()).toEqual(['boundary-timers', 'task-handle', 'task-warn']);
      expect(Object.values(second.find((e) => e.e === 'task-handle').subs).map((sub: Any) => sub.e)).toEqual([
        'timer-legal',
      ]);
      // and both of its tokens finish
      await c.completeJob({ jobKey: warn.jobKey, variables: {} });
      const [task2] = (await c.searchUserTasks({ filter: { processInstanceKey } }, now)).items;
      await c.completeUserTask({ userTaskKey: task2.userTaskKey });
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      expect(await path(processInstanceKey)).toEqual(
        expect.arrayContaining(['task-warn', 'end-warned', 'task-handle', 'end-done']),
      );
      expect(await path(processInstanceKey)).not.toContain('end-escalated');
    });
  });
});
