/**
 * The petition models in bpmn/ on the embedded engine: everything in the folder is deployed together, and each model
 * is driven through the SDK with the test playing every job worker (completing jobs with the variables a worker
 * would set) and every person (completing user tasks with what their form submits). The clock is pinned, never
 * waited on.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { now, startEngine, type Any, type EngineHarness } from '../../support/engine';
import { parseBpmn, type ProcessModel } from '../../../engine/model/process-model';
import { evaluateDecision, parseDmn } from '../../../engine/model/dmn';
import {
  DEADLINE_PHASES,
  DECISIONS,
  ERROR_CODES,
  JOB_TYPES,
  MESSAGES,
  NOTIFICATION_TEMPLATES,
  PROCESS_IDS,
  RECIPIENTS,
} from '../../../bpmn/job-types';

const BPMN_DIR = join(__dirname, '..', '..', '..', 'bpmn');
const filesEnding = (ext: string) =>
  readdirSync(BPMN_DIR)
    .filter((f) => f.endsWith(ext))
    .sort();
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

async function parseAllModels(): Promise<ProcessModel[]> {
  const models: ProcessModel[] = [];
  for (const file of filesEnding('.bpmn'))
    models.push(...(await parseBpmn(file, readFileSync(join(BPMN_DIR, file), 'utf8'))));
  return models;
}

describe('the bpmn/ folder, read without an engine', () => {
  it('when every model is parsed, then each job type it uses is listed in job-types.ts and each listed job type is used', async () => {
    // given
    const models = await parseAllModels();
    // when
    const used = new Set(
      models.flatMap((m) => [...m.elements.values()].map((e) => e.jobType).filter((t): t is string => !!t)),
    );
    // then
    const listed = new Set<string>(Object.values(JOB_TYPES));
    expect([...used].filter((t) => !listed.has(t))).toEqual([]);
    expect([...listed].filter((t) => !used.has(t))).toEqual([]);
  });

  it('when every model is parsed, then its process ids, called processes, messages, error codes and headers are the listed ones', async () => {
    // given
    const models = await parseAllModels();
    const elements = models.flatMap((m) => [...m.elements.values()]);
    // then one model per listed process id, named after its file
    expect(models.map((m) => m.processId).sort()).toEqual(Object.values(PROCESS_IDS).sort());
    expect(filesEnding('.bpmn')).toEqual(
      Object.values(PROCESS_IDS)
        .map((id) => `${id}.bpmn`)
        .sort(),
    );
    // and every reference resolves to a listed name
    const calls = elements.map((e) => e.call?.processId).filter(Boolean);
    expect(calls.every((p) => (Object.values(PROCESS_IDS) as string[]).includes(p!))).toBe(true);
    const messages = new Set(elements.map((e) => e.message?.name).filter(Boolean));
    expect([...messages].sort()).toEqual(Object.values(MESSAGES).sort());
    const xml = filesEnding('.bpmn')
      .map((f) => readFileSync(join(BPMN_DIR, f), 'utf8'))
      .join('\n');
    const errorCodes = [...xml.matchAll(/errorCode="([^"]+)"/g)].map((m) => m[1]);
    expect([...new Set(errorCodes)]).toEqual(Object.values(ERROR_CODES));
    const decisions = elements.map((e) => e.decision?.decisionId).filter(Boolean);
    expect(decisions.every((d) => (Object.values(DECISIONS) as string[]).includes(d!))).toBe(true);
    // and every notification says which template goes to whom
    for (const e of elements.filter((el) => el.jobType === JOB_TYPES.sendNotification)) {
      expect(Object.values(NOTIFICATION_TEMPLATES)).toContain(e.headers.template);
      expect(Object.values(RECIPIENTS)).toContain(e.headers.recipient);
    }
    for (const e of elements.filter((el) => el.jobType === JOB_TYPES.computeDeadlines)) {
      expect(Object.values(DEADLINE_PHASES)).toContain(e.headers.phase);
    }
  });

  it('when every model is parsed, then every user task has its form in the folder and every element a Chinese label', async () => {
    // given
    const models = await parseAllModels();
    const formIds = new Set(
      filesEnding('.form').map((f) => (JSON.parse(readFileSync(join(BPMN_DIR, f), 'utf8')) as { id: string }).id),
    );
    for (const model of models) {
      for (const element of model.elements.values()) {
        // then
        if (element.type === 'bpmn:UserTask') expect(formIds).toContain(element.userTask?.formId);
        if (element.type !== 'bpmn:SequenceFlow') expect(element.name).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    // and every job type has an element template
    for (const type of Object.values(JOB_TYPES))
      expect(existsSync(join(BPMN_DIR, 'element-templates', `${type}.json`))).toBe(true);
  });

  it('when the deadline policy is asked for each class, then 24 hours, 5 and 15 working days, and the legal 15 and 60 days always', async () => {
    // given
    const dmn = await parseDmn('deadline-policy.dmn', readFileSync(join(BPMN_DIR, 'deadline-policy.dmn'), 'utf8'));
    const decide = (caseClass: string | null) => evaluateDecision(dmn, DECISIONS.deadlinePolicy, { caseClass }).output;
    // then
    expect(decide('simple')).toMatchObject({
      internalHours: 24,
      internalWorkingDays: null,
      legalReplyDays: 15,
      legalOpinionDays: 60,
    });
    expect(decide('complex')).toMatchObject({ internalHours: null, internalWorkingDays: 5, legalOpinionDays: 60 });
    expect(decide('difficult')).toMatchObject({ internalHours: null, internalWorkingDays: 15, legalOpinionDays: 60 });
    expect(decide(null)).toMatchObject({
      internalHours: null,
      internalWorkingDays: null,
      redAfterWorkingDays: null,
      legalReplyDays: 15,
    });
  });
});

describe('the bpmn/ models on the embedded engine', () => {
  let h: EngineHarness;
  let c: Any;
  let deployment: Any;
  beforeAll(async () => {
    h = await startEngine();
    c = h.client;
    deployment = await c.deployResourcesFromFiles(
      ['.dmn', '.form', '.bpmn'].flatMap((ext) => filesEnding(ext)).map((f) => join(BPMN_DIR, f)),
    );
  });
  afterAll(() => h.stop());
  afterEach(() => c.resetClock());

  // ------------------------------------------------------------------ reading the engine

  const variablesOf = async (processInstanceKey: string): Promise<Record<string, Any>> =>
    Object.fromEntries(
      (await c.searchVariables({ filter: { processInstanceKey }, page: { limit: 200 } }, now)).items.map((v: Any) => [
        v.name,
        JSON.parse(v.value),
      ]),
    );
  const stateOf = async (processInstanceKey: string) => (await c.getProcessInstance({ processInstanceKey }, now)).state;
  const path = async (processInstanceKey: string): Promise<string[]> =>
    (await c.searchElementInstances({ filter: { processInstanceKey }, page: { limit: 500 } }, now)).items
      .filter((e: Any) => e.state === 'COMPLETED')
      .map((e: Any) => e.elementId);
  const matches = (variables: Record<string, Any>, where: Record<string, unknown>) =>
    Object.entries(where).every(([k, v]) => variables[k] === v);

  /** The open user tasks of one element whose instance (parent or called) has the given variables. */
  async function openTasks(elementId: string, where: Record<string, unknown>): Promise<Any[]> {
    const { items } = await c.searchUserTasks({ filter: { elementId, state: 'CREATED' }, page: { limit: 100 } }, now);
    const mine: Any[] = [];
    for (const task of items) if (matches(await variablesOf(task.processInstanceKey), where)) mine.push(task);
    return mine;
  }
  async function openTask(elementId: string, where: Record<string, unknown>): Promise<Any> {
    const tasks = await openTasks(elementId, where);
    if (tasks.length !== 1)
      throw new Error(`expected one open ${elementId} for ${JSON.stringify(where)}, found ${tasks.length}`);
    return tasks[0];
  }
  const completeTask = async (
    elementId: string,
    where: Record<string, unknown>,
    variables: Record<string, unknown> = {},
  ) => {
    const task = await openTask(elementId, where);
    await c.completeUserTask({ userTaskKey: task.userTaskKey, variables });
    return task;
  };

  // ------------------------------------------------------------------ playing the job workers

  /** Jobs activated but not yet taken by a test step (activation hands out every open job of a type). */
  const activated = new Map<string, Any>();
  async function takeJob(
    type: string,
    where: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<Any> {
    const fits = (j: Any) => j.type === type && matches(j.variables, where) && matches(j.customHeaders, headers);
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = [...activated.values()].find(fits);
      if (found) {
        activated.delete(found.jobKey);
        return found;
      }
      const { jobs } = await c.activateJobs({
        type,
        timeout: YEAR,
        maxJobsToActivate: 100,
        worker: 'models-test',
        requestTimeout: 200,
      });
      for (const job of jobs) activated.set(job.jobKey, job);
    }
    throw new Error(`no ${type} job ${JSON.stringify(headers)} for ${JSON.stringify(where)}`);
  }
  async function noJob(type: string, where: Record<string, unknown>): Promise<void> {
    const { jobs } = await c.activateJobs({
      type,
      timeout: YEAR,
      maxJobsToActivate: 100,
      worker: 'models-test',
      requestTimeout: 200,
    });
    for (const job of jobs) activated.set(job.jobKey, job);
    expect([...activated.values()].filter((j) => j.type === type && matches(j.variables, where))).toEqual([]);
  }
  const completeJob = async (
    type: string,
    where: Record<string, unknown>,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => {
    const job = await takeJob(type, where, headers);
    await c.completeJob({ jobKey: job.jobKey, variables });
    return job;
  };
  const notified = (where: Record<string, unknown>, template: string, recipient: string) =>
    completeJob(JOB_TYPES.sendNotification, where, {}, { template, recipient });

  // ------------------------------------------------------------------ the petition's steps

  interface Decision {
    caseClass: 'simple' | 'complex' | 'difficult';
    feedbackMode: 'sms' | 'phone' | 'visit';
    isKeyMatter?: boolean;
  }
  const FIRST_RESPONDER = 'reception-wang';

  /** The dictionary codes of the categories these cases are filed under (migration 270), as intake passes them. */
  const CODES: Record<string, string> = {
    路灯维修: 'facilities.streetlight',
    物业合同纠纷: 'property.contract',
    历史遗留问题: 'policy.legacy',
    公共区域改造: 'facilities.public-area',
    邻里纠纷: 'neighbour.dispute',
    垃圾清运: 'environment.garbage',
    环境卫生: 'environment',
  };

  /** Starts a case, plays the acceptance workers, confirms the class and returns the instance with its deadlines. */
  async function acceptCase(caseId: string, category: string, decision: Decision, t0 = Date.now()) {
    const categoryCode = CODES[category];
    const { processInstanceKey } = await c.createProcessInstance({
      processDefinitionId: PROCESS_IDS.petitionHandling,
      variables: {
        caseId,
        caseNo: `XF-2026-${caseId}`,
        channel: 'walk-in',
        category,
        categoryCode,
        firstResponder: FIRST_RESPONDER,
      },
    });
    const legalDueAt = iso(t0 + 60 * DAY);
    const legalReplyDueAt = iso(t0 + 15 * DAY);
    await completeJob(JOB_TYPES.computeDeadlines, { caseId }, { legalReplyDueAt }, { phase: 'acceptance' });
    await notified({ caseId }, 'registered', 'petitioner');
    await completeJob(JOB_TYPES.checkEarlyWarning, { caseId }, { earlyWarningAlertIds: [] });
    await completeJob(JOB_TYPES.checkKeyPerson, { caseId }, { keyPersonId: null, repeatPetition: false });
    // the first responder accepts it within the 15 days (Art 22–23); only then is the petitioner told it is accepted
    const accept = await openTask('Task_AcceptanceDecision', { caseId });
    expect(accept).toMatchObject({ assignee: FIRST_RESPONDER, dueDate: legalReplyDueAt });
    await c.completeUserTask({ userTaskKey: accept.userTaskKey, variables: { acceptanceDecision: 'accepted' } });
    await completeJob(JOB_TYPES.recordProcedure, { caseId }, {}, { procedure: 'acceptance' });
    await completeJob(JOB_TYPES.computeDeadlines, { caseId }, { legalDueAt }, { phase: 'accepted' });
    await notified({ caseId }, 'acceptance', 'petitioner');
    const confirm = await openTask('Task_ConfirmCaseClass', { caseId });
    expect(confirm.assignee).toBe(FIRST_RESPONDER);
    await c.completeUserTask({ userTaskKey: confirm.userTaskKey, variables: { isKeyMatter: false, ...decision } });
    const sla = { slaDueAt: iso(t0 + DAY), slaRedAt: iso(t0 + 2 * DAY) };
    await completeJob(JOB_TYPES.computeDeadlines, { caseId }, sla, { phase: 'handling' });
    return { processInstanceKey, legalDueAt, ...sla };
  }

  /** After handling: the feedback the case's mode asks for, the rating link, and the petitioner's rating by message. */
  async function feedBackAndRate(caseId: string, mode: Decision['feedbackMode'], rating: string) {
    if (mode === 'sms') await notified({ caseId }, 'result', 'petitioner');
    else await completeTask('Task_FeedbackInPerson', { caseId }, { feedbackChannel: mode, feedbackGiven: true });
    await completeJob(JOB_TYPES.issueRatingLink, { caseId }, { ratingWindow: 'P3D' });
    await c.publishMessage({
      name: MESSAGES.satisfactionRated,
      correlationKey: caseId,
      variables: { rating, comment: '' },
    });
  }

  async function closeCase(caseId: string, processInstanceKey: string) {
    await completeJob(JOB_TYPES.closeCase, { caseId });
    await notified({ caseId }, 'closed', 'first-responder');
    expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
  }

  it('when everything in bpmn/ is deployed, then the engine takes every process, decision and form', () => {
    // then
    expect(deployment.processes.map((p: Any) => p.processDefinitionId).sort()).toEqual(
      Object.values(PROCESS_IDS).sort(),
    );
    expect(deployment.decisions.map((d: Any) => d.decisionDefinitionId).sort()).toEqual(
      Object.values(DECISIONS).sort(),
    );
    expect(deployment.forms).toHaveLength(filesEnding('.form').length);
  });

  describe('petition-handling', () => {
    it('when a simple case is handled and rated satisfied, then the first responder coordinates it by its due date and it is closed', async () => {
      // given a broken street light
      const caseId = 'simple-1';
      const { processInstanceKey, slaDueAt } = await acceptCase(caseId, '路灯维修', {
        caseClass: 'simple',
        feedbackMode: 'sms',
      });
      expect((await variablesOf(processInstanceKey)).suggestedClass).toBe('simple');
      // when the first responder coordinates the responsible unit
      const coordinate = await openTask('Task_CoordinateUnit', { caseId });
      expect(coordinate).toMatchObject({ assignee: FIRST_RESPONDER, dueDate: slaDueAt });
      await c.completeUserTask({
        userTaskKey: coordinate.userTaskKey,
        variables: { responsibleUnit: '市政路灯所', handlingResult: '已更换灯泡', resolved: true },
      });
      // and the result goes out by SMS, the petitioner rates satisfied
      await feedBackAndRate(caseId, 'sms', 'satisfied');
      await noJob(JOB_TYPES.publishNotice, { caseId });
      // then
      await closeCase(caseId, processInstanceKey);
      const done = await path(processInstanceKey);
      expect(done).toEqual(
        expect.arrayContaining([
          'Task_CoordinateUnit',
          'Task_SendResultSms',
          'Event_SatisfactionRated',
          'Task_CloseCase',
          'End_CaseClosed',
        ]),
      );
      expect(done).not.toContain('Task_PhoneCallback');
      expect(await variablesOf(processInstanceKey)).toMatchObject({
        caseClass: 'simple',
        rating: 'satisfied',
        handlingRound: 1,
      });
    });

    it('when a complex case goes to the 1+X working group, then every member gives an opinion in parallel and the cadre drafts the solution', async () => {
      // given a property-contract dispute
      const caseId = 'complex-1';
      const { processInstanceKey, slaDueAt } = await acceptCase(caseId, '物业合同纠纷', {
        caseClass: 'complex',
        feedbackMode: 'phone',
      });
      expect((await variablesOf(processInstanceKey)).suggestedClass).toBe('complex');
      // when a cadre forms the group
      const form = await openTask('Task_FormWorkingGroup', { caseId });
      expect(form).toMatchObject({
        candidateGroups: ['cadre'],
        dueDate: slaDueAt,
        processDefinitionId: PROCESS_IDS.workingGroup1PlusX,
      });
      const members = ['lawyer-li', 'police-zhao', 'resident-rep-sun'];
      await c.completeUserTask({ userTaskKey: form.userTaskKey, variables: { members } });
      // then each member has a task of their own, all at once
      const opinions = await openTasks('Task_MemberOpinion', { caseId });
      expect(opinions.map((t) => t.assignee).sort()).toEqual([...members].sort());
      // when they answer in any order
      for (const task of [...opinions].reverse()) {
        await c.completeUserTask({
          userTaskKey: task.userTaskKey,
          variables: { opinion: `${task.assignee}:同意调解` },
        });
      }
      await completeTask('Task_DraftSolution', { caseId }, { solution: '物业退还多收费用', resolved: true });
      // then the opinions, in member order, and the solution are the case's
      expect(await variablesOf(processInstanceKey)).toMatchObject({
        opinions: members.map((m) => `${m}:同意调解`),
        solution: '物业退还多收费用',
        resolved: true,
      });
      // and the first responder phones the petitioner with the result
      const feedback = await openTask('Task_FeedbackInPerson', { caseId });
      expect(feedback.assignee).toBe(FIRST_RESPONDER);
      await feedBackAndRate(caseId, 'phone', 'basically-satisfied');
      await closeCase(caseId, processInstanceKey);
      expect(await path(processInstanceKey)).toEqual(
        expect.arrayContaining(['Call_WorkingGroup', 'Task_FeedbackInPerson']),
      );
    });

    it('when a difficult case is escalated, then the street office claims it from its queue and its team opinion reaches the first responder', async () => {
      // given a legacy problem
      const caseId = 'difficult-1';
      const { processInstanceKey } = await acceptCase(caseId, '历史遗留问题', {
        caseClass: 'difficult',
        feedbackMode: 'visit',
      });
      await notified({ caseId }, 'escalated', 'street-office');
      // when a street-office user claims the task from the group's queue
      const queue = (
        await c.searchUserTasks(
          { filter: { candidateGroup: 'street-office', state: 'CREATED' }, page: { limit: 100 } },
          now,
        )
      ).items;
      const setUp = await openTask('Task_SetUpCaseTeam', { caseId });
      expect(queue.map((t: Any) => t.userTaskKey)).toContain(setUp.userTaskKey);
      expect(setUp.assignee).toBeUndefined();
      await c.assignUserTask({ userTaskKey: setUp.userTaskKey, assignee: 'street-office-zhang', allowOverride: false });
      expect((await c.getUserTask({ userTaskKey: setUp.userTaskKey }, now)).assignee).toBe('street-office-zhang');
      await c.completeUserTask({
        userTaskKey: setUp.userTaskKey,
        variables: { teamDepartments: ['housing', 'justice'] },
      });
      await completeTask('Task_TeamOpinion', { caseId }, { teamOpinion: '按原规划补办手续', resolved: true });
      // then the first responder hears of the opinion and the case goes on to feedback
      await notified({ caseId }, 'team-opinion', 'first-responder');
      await feedBackAndRate(caseId, 'visit', 'satisfied');
      await closeCase(caseId, processInstanceKey);
      expect(await path(processInstanceKey)).toContain('Call_StreetOffice');
      expect(await variablesOf(processInstanceKey)).toMatchObject({
        teamDepartments: ['housing', 'justice'],
        resolved: true,
      });
    });

    it('when the internal deadline passes, then the first responder is warned (yellow), later the leader (red), and the task stays open', async () => {
      // given an open simple case, due in a day
      const caseId = 'overdue-1';
      const t0 = Date.now();
      const { processInstanceKey } = await acceptCase(
        caseId,
        '垃圾清运',
        { caseClass: 'simple', feedbackMode: 'sms' },
        t0,
      );
      const coordinate = await openTask('Task_CoordinateUnit', { caseId });
      await noJob(JOB_TYPES.sendNotification, { caseId });
      // when the due date passes
      await c.pinClock({ timestamp: t0 + DAY + 1000 });
      // then the first responder is warned and the task is still open
      await notified({ caseId }, 'overdue-yellow', 'first-responder');
      await noJob(JOB_TYPES.sendNotification, { caseId });
      expect((await c.getUserTask({ userTaskKey: coordinate.userTaskKey }, now)).state).toBe('CREATED');
      // when the red date passes too, then the leader is told
      await c.pinClock({ timestamp: t0 + 2 * DAY + 1000 });
      await notified({ caseId }, 'overdue-red', 'leader');
      // and the case goes on when the task is done
      await c.completeUserTask({ userTaskKey: coordinate.userTaskKey, variables: { resolved: true } });
      await feedBackAndRate(caseId, 'sms', 'satisfied');
      await closeCase(caseId, processInstanceKey);
      expect(await path(processInstanceKey)).toEqual(
        expect.arrayContaining(['Task_WarnOverdueYellow', 'Task_WarnOverdueRed', 'End_OverdueRedSent']),
      );
    });

    it('when a key matter is fed back, then the petitioner is told and the result is published on the notice board (dual feedback)', async () => {
      // given a key matter
      const caseId = 'key-matter-1';
      const { processInstanceKey } = await acceptCase(caseId, '公共区域改造', {
        caseClass: 'simple',
        feedbackMode: 'sms',
        isKeyMatter: true,
      });
      await completeTask('Task_CoordinateUnit', { caseId }, { resolved: true });
      // when the result is fed back
      await notified({ caseId }, 'result', 'petitioner');
      // then it is also published
      await completeJob(JOB_TYPES.publishNotice, { caseId });
      await completeJob(JOB_TYPES.issueRatingLink, { caseId }, { ratingWindow: 'P3D' });
      await c.publishMessage({
        name: MESSAGES.satisfactionRated,
        correlationKey: caseId,
        variables: { rating: 'satisfied', comment: '' },
      });
      await closeCase(caseId, processInstanceKey);
      expect(await path(processInstanceKey)).toEqual(
        expect.arrayContaining(['Task_SendResultSms', 'Task_PublishNotice']),
      );
    });

    it('when the petitioner does not rate within the window, then the first responder records the rating in a phone callback', async () => {
      // given a case whose rating link went out
      const caseId = 'callback-1';
      const t0 = Date.now();
      const { processInstanceKey } = await acceptCase(
        caseId,
        '环境卫生',
        { caseClass: 'simple', feedbackMode: 'sms' },
        t0,
      );
      await completeTask('Task_CoordinateUnit', { caseId }, { resolved: true });
      await notified({ caseId }, 'result', 'petitioner');
      await completeJob(JOB_TYPES.issueRatingLink, { caseId }, { ratingWindow: 'P3D' });
      // when three days pass without a rating
      await c.pinClock({ timestamp: t0 + 2 * DAY });
      expect(await openTasks('Task_PhoneCallback', { caseId })).toHaveLength(0);
      await c.pinClock({ timestamp: t0 + 3 * DAY + 60000 });
      // then the first responder phones and records it
      const callback = await openTask('Task_PhoneCallback', { caseId });
      expect(callback.assignee).toBe(FIRST_RESPONDER);
      await c.completeUserTask({
        userTaskKey: callback.userTaskKey,
        variables: { rating: 'basically-satisfied', comment: '还算及时' },
      });
      await closeCase(caseId, processInstanceKey);
      expect(await path(processInstanceKey)).toEqual(
        expect.arrayContaining(['Timer_RatingWindow', 'Task_PhoneCallback']),
      );
      expect(await path(processInstanceKey)).not.toContain('Event_SatisfactionRated');
      expect((await variablesOf(processInstanceKey)).rating).toBe('basically-satisfied');
    });

    it('when the petitioner is dissatisfied the first time, then the secretary group handles it again and feedback and rating follow', async () => {
      // given a handled case rated dissatisfied
      const caseId = 'second-1';
      const { processInstanceKey } = await acceptCase(caseId, '邻里纠纷', { caseClass: 'simple', feedbackMode: 'sms' });
      await completeTask('Task_CoordinateUnit', { caseId }, { resolved: false });
      await feedBackAndRate(caseId, 'sms', 'dissatisfied');
      // when second handling starts
      const start = await completeJob(JOB_TYPES.startSecondHandling, { caseId }, { handlingRound: 2 });
      expect(start.variables.handlingRound).toBe(1);
      const secondDue = iso(Date.now() + 5 * DAY);
      await completeJob(
        JOB_TYPES.computeDeadlines,
        { caseId },
        { slaDueAt: secondDue, slaRedAt: iso(Date.now() + 7 * DAY) },
        { phase: 'handling' },
      );
      // then it waits in the secretary group's queue
      const second = await openTask('Task_SecondHandling', { caseId });
      expect(second).toMatchObject({ candidateGroups: ['secretary'], dueDate: secondDue });
      await c.completeUserTask({
        userTaskKey: second.userTaskKey,
        variables: { secondHandlingResult: '重新调解，双方达成协议', resolved: true },
      });
      // and the result is fed back and rated again
      await feedBackAndRate(caseId, 'sms', 'satisfied');
      await closeCase(caseId, processInstanceKey);
      expect(await variablesOf(processInstanceKey)).toMatchObject({ handlingRound: 2, rating: 'satisfied' });
      expect((await path(processInstanceKey)).filter((id) => id === 'Task_IssueRatingLink')).toHaveLength(2);
    });

    it('when the petitioner is dissatisfied after second handling, then the street office handles it on the difficult-class deadline and the case closes after its feedback', async () => {
      // given a case dissatisfied twice
      const caseId = 'twice-1';
      const { processInstanceKey } = await acceptCase(caseId, '垃圾清运', { caseClass: 'simple', feedbackMode: 'sms' });
      await completeTask('Task_CoordinateUnit', { caseId }, { resolved: false });
      await feedBackAndRate(caseId, 'sms', 'dissatisfied');
      await completeJob(JOB_TYPES.startSecondHandling, { caseId }, { handlingRound: 2 });
      await completeJob(
        JOB_TYPES.computeDeadlines,
        { caseId },
        { slaDueAt: iso(Date.now() + 5 * DAY), slaRedAt: iso(Date.now() + 7 * DAY) },
      );
      await completeTask('Task_SecondHandling', { caseId }, { resolved: false });
      await feedBackAndRate(caseId, 'sms', 'dissatisfied');
      // when it is escalated: the deadline is the difficult class's, the case keeps its own class
      const deadline = await takeJob(JOB_TYPES.computeDeadlines, { caseId }, { phase: 'handling' });
      expect(deadline.variables.caseClass).toBe('difficult');
      await c.completeJob({
        jobKey: deadline.jobKey,
        variables: { slaDueAt: iso(Date.now() + 21 * DAY), slaRedAt: iso(Date.now() + 25 * DAY) },
      });
      await notified({ caseId }, 'escalated', 'street-office');
      const setUp = await openTask('Task_SetUpCaseTeam', { caseId });
      await c.assignUserTask({ userTaskKey: setUp.userTaskKey, assignee: 'street-office-zhang', allowOverride: false });
      await c.completeUserTask({
        userTaskKey: setUp.userTaskKey,
        variables: { teamDepartments: ['urban-management'] },
      });
      await completeTask('Task_TeamOpinion', { caseId }, { teamOpinion: '清运频次调整为每日两次', resolved: true });
      await notified({ caseId }, 'team-opinion', 'first-responder');
      // then after the third feedback the case closes, whatever the rating (the petitioner may still ask for a review)
      await feedBackAndRate(caseId, 'sms', 'dissatisfied');
      await closeCase(caseId, processInstanceKey);
      expect(await path(processInstanceKey)).toEqual(
        expect.arrayContaining(['Task_SecondHandling', 'Call_EscalateDissatisfied']),
      );
      expect(await variablesOf(processInstanceKey)).toMatchObject({
        caseClass: 'simple',
        handlingRound: 3,
        teamOpinion: '清运频次调整为每日两次',
      });
    });

    it('when close-case finds the case not resolved, then it goes back to handling and is closed only once resolved (不解决不销号)', async () => {
      // given a case rated satisfied but not resolved
      const caseId = 'not-resolved-1';
      const { processInstanceKey } = await acceptCase(caseId, '路灯维修', { caseClass: 'simple', feedbackMode: 'sms' });
      await completeTask('Task_CoordinateUnit', { caseId }, { resolved: false });
      await feedBackAndRate(caseId, 'sms', 'satisfied');
      // when close-case refuses
      const close = await takeJob(JOB_TYPES.closeCase, { caseId });
      await c.throwJobError({
        jobKey: close.jobKey,
        errorCode: ERROR_CODES.caseNotResolved,
        errorMessage: 'resolved is false',
      });
      // then the case is handled again on a new internal deadline
      await completeJob(
        JOB_TYPES.computeDeadlines,
        { caseId },
        { slaDueAt: iso(Date.now() + DAY), slaRedAt: iso(Date.now() + 2 * DAY) },
        { phase: 'handling' },
      );
      await completeTask('Task_CoordinateUnit', { caseId }, { resolved: true });
      await feedBackAndRate(caseId, 'sms', 'satisfied');
      await closeCase(caseId, processInstanceKey);
      const done = await path(processInstanceKey);
      expect(done.filter((id) => id === 'Task_CoordinateUnit')).toHaveLength(2);
      expect(done).toContain('Error_CloseRefused');
    });
  });

  describe('early-warning-joint-handling', () => {
    it('when an early warning fires, then the leader is alerted, three parties act in parallel, the leader confirms and the petitioners are told', async () => {
      // given three elevator-fault complaints in one compound
      const where = { ruleId: 'elevator-3-per-month', compoundId: 'compound-7' };
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: PROCESS_IDS.earlyWarningJointHandling,
        variables: { ...where, category: '电梯故障', caseIds: ['c-1', 'c-2', 'c-3'] },
      });
      // when the leader is alerted
      await notified(where, 'early-warning', 'leader');
      // then property company, community and maintenance unit act at once
      const groups = async () =>
        Promise.all(
          ['Task_PropertyCompanyAction', 'Task_CommunityAction', 'Task_MaintenanceAction'].map(
            async (id) => (await openTask(id, where)).candidateGroups,
          ),
        );
      expect(await groups()).toEqual([['property-company'], ['cadre'], ['maintenance-unit']]);
      await completeTask('Task_MaintenanceAction', where, { maintenanceAction: '更换曳引机' });
      await completeTask('Task_PropertyCompanyAction', where, { propertyCompanyAction: '张贴停梯公告' });
      expect(await openTasks('Task_LeaderConfirm', where)).toHaveLength(0);
      await completeTask('Task_CommunityAction', where, { communityAction: '督促维保' });
      // when the leader does not confirm, then the three act again
      const confirm = await openTask('Task_LeaderConfirm', where);
      expect(confirm.candidateGroups).toEqual(['leader']);
      await c.completeUserTask({ userTaskKey: confirm.userTaskKey, variables: { confirmed: false } });
      expect(await groups()).toHaveLength(3);
      for (const id of ['Task_PropertyCompanyAction', 'Task_CommunityAction', 'Task_MaintenanceAction'])
        await completeTask(id, where);
      // when the leader confirms, then the linked petitioners are told
      await completeTask('Task_LeaderConfirm', where, { confirmed: true });
      const told = await notified(where, 'joint-handling-result', 'petitioner');
      expect(told.variables.caseIds).toEqual(['c-1', 'c-2', 'c-3']);
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
    });
  });

  describe('key-person-care', () => {
    it('when a key person is cared for, then visits recur on the timer, a conversion is recorded, and the exit message ends it', async () => {
      // given a key person with a service team
      const where = { personId: 'kp-1' };
      const t0 = Date.now();
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: PROCESS_IDS.keyPersonCare,
        variables: where,
      });
      await completeJob(JOB_TYPES.assignServiceTeam, where, { serviceTeamLead: 'cadre-li', visitInterval: 'P30D' });
      // when the first visit is done
      const visit = await openTask('Task_CareVisit', where);
      expect(visit.assignee).toBe('cadre-li');
      await c.completeUserTask({
        userTaskKey: visit.userTaskKey,
        variables: { visitDone: true, conversionProposed: false },
      });
      // then the next one comes after the interval, not before
      await c.pinClock({ timestamp: t0 + 29 * DAY });
      expect(await openTasks('Task_CareVisit', where)).toHaveLength(0);
      await c.pinClock({ timestamp: t0 + 30 * DAY + 60000 });
      // when the second visit proposes a conversion, then it is confirmed and recorded
      await completeTask('Task_CareVisit', where, { visitDone: true, conversionProposed: true });
      await completeTask('Task_ConfirmConversion', where, { conversionRole: 'volunteer', conversionConsent: true });
      const recorded = await completeJob(JOB_TYPES.recordConversion, where);
      expect(recorded.variables.conversionRole).toBe('volunteer');
      // when the person leaves the registry
      await c.publishMessage({ name: MESSAGES.keyPersonExited, correlationKey: 'kp-1' });
      // then the care ends
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      const done = await path(processInstanceKey);
      expect(done.filter((id) => id === 'Task_CareVisit')).toHaveLength(2);
      expect(done).toEqual(
        expect.arrayContaining(['Task_RecordConversion', 'Event_KeyPersonExited', 'End_KeyPersonExited']),
      );
    });

    it('when the person leaves during a visit, then the visit task is cancelled and the care ends', async () => {
      // given an open visit
      const where = { personId: 'kp-2' };
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: PROCESS_IDS.keyPersonCare,
        variables: where,
      });
      await completeJob(JOB_TYPES.assignServiceTeam, where, { serviceTeamLead: 'cadre-li', visitInterval: 'P30D' });
      const visit = await openTask('Task_CareVisit', where);
      // when
      await c.publishMessage({ name: MESSAGES.keyPersonExited, correlationKey: 'kp-2' });
      // then
      expect((await c.getUserTask({ userTaskKey: visit.userTaskKey }, now)).state).toBe('CANCELED');
      expect(await stateOf(processInstanceKey)).toBe('COMPLETED');
      expect(await path(processInstanceKey)).toContain('Event_ExitedDuringVisit');
    });
  });
});
