/**
 * petition-handling end to end with the real workers running in the app: the test plays only the people (the
 * first responder, the petitioner's rating); deadlines, notices, the rating link, second handling and closing are
 * done by the workers against the real database.
 */
import { createCase } from '../../support/case-fixtures';
import { piiCipher } from '../../../server/security/pii';
import { now, startEngine, until, type Any, type EngineHarness } from '../../support/engine';

describe('petition-handling with the real workers', () => {
  let h: EngineHarness;
  let c: Any;
  beforeAll(async () => {
    // given the app with its workers, the demo community and the models deployed on start
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    c = h.client;
  });
  afterAll(() => h.stop());

  /** What an instance is doing, for a failure message that says where it stopped. */
  const whereIs = async (processInstanceKey: string) => {
    const elements = ((await c.searchElementInstances({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items as Any[]).map((e) => e.elementId);
    const incidents = ((await c.searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items as Any[]).map(
      (i) => `${i.elementId}: ${i.errorType} ${i.errorMessage}`,
    );
    const jobs = await db().query("SELECT type, state, retries, error_message FROM engine_job WHERE instance_key = $1 AND state <> 'COMPLETED'", [processInstanceKey]);
    return JSON.stringify({ elements, incidents, jobs });
  };
  const openTask = async (processInstanceKey: string, elementId: string) => {
    try {
      return await until(async () => {
        const tasks = (await c.searchUserTasks({ filter: { processInstanceKey, elementId, state: 'CREATED' } }, now)).items as Any[];
        return tasks[0];
      }, 20000);
    } catch {
      throw new Error(`no open task ${elementId}; the instance is at ${await whereIs(processInstanceKey)}`);
    }
  };
  const db = () => h.server.database.db;

  async function start(category: string) {
    // the petitioner's phone is encrypted with the app's own key, as intake would do
    const petition = await createCase(db(), { category, cipher: piiCipher(h.server.secrets.piiKey) });
    // the case belongs to the demo receptionist
    await db().query("UPDATE petition_case SET first_responder_id = (SELECT id FROM app_user WHERE username = 'reception') WHERE id = $1", [petition.caseId]);
    const { processInstanceKey } = await c.createProcessInstance({
      processDefinitionId: 'petition-handling',
      variables: { caseId: petition.caseId, caseNo: petition.caseNo, channel: 'walk-in', category, firstResponder: 'reception' },
    });
    return { ...petition, processInstanceKey };
  }

  it('when a simple case is handled and rated satisfied, then the workers set deadlines, send the notices and close it', async () => {
    // given
    const { caseId, processInstanceKey } = await start('路灯维修');
    // when the first responder confirms the class and coordinates the unit
    const confirm = await openTask(processInstanceKey, 'Task_ConfirmCaseClass');
    await c.completeUserTask({ userTaskKey: confirm.userTaskKey, variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: true } });
    const coordinate = await openTask(processInstanceKey, 'Task_CoordinateUnit');
    expect(coordinate.dueDate).toBeDefined();
    await c.completeUserTask({ userTaskKey: coordinate.userTaskKey, variables: { responsibleUnit: '市政路灯所', handlingResult: '已更换灯泡', resolved: true } });
    // and the petitioner rates by the link's message
    await until(async () => (await db().query('SELECT 1 FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL', [caseId])).length > 0, 20000);
    // the rating may arrive before the process waits for it (the link is sent first): it is kept for a while
    await c.publishMessage({ name: 'satisfaction-rated', correlationKey: caseId, timeToLive: 600000, variables: { rating: 'satisfied', comment: '' } });
    // then the case is closed by the close-case worker
    await until(async () => (await c.getProcessInstance({ processInstanceKey }, now)).state === 'COMPLETED', 20000);
    const [row] = await db().query<{ status: string }>('SELECT status FROM petition_case WHERE id = $1', [caseId]);
    expect(row.status).toBe('closed');
    const vars = Object.fromEntries(((await c.searchVariables({ filter: { processInstanceKey } }, now)).items as Any[]).map((v) => [v.name, JSON.parse(v.value)]));
    expect(vars).toMatchObject({ closingReason: 'resolved', noticePublished: true });
    expect(typeof vars.slaDueAt).toBe('string');
    expect(typeof vars.legalDueAt).toBe('string');
    const notices = await db().query('SELECT case_no FROM notice_board WHERE case_id = $1', [caseId]);
    expect(notices).toHaveLength(1);
    const messages = await db().query<{ template: string }>('SELECT template FROM notification WHERE case_id = $1 ORDER BY created_at', [caseId]);
    expect(messages.map((m) => m.template)).toEqual(expect.arrayContaining(['acceptance', 'result', 'closed']));
  });

  it('when the petitioner is dissatisfied, then the secretary handles it again and an unresolved case is not closed', async () => {
    const { caseId, processInstanceKey } = await start('垃圾清运');
    const confirm = await openTask(processInstanceKey, 'Task_ConfirmCaseClass');
    await c.completeUserTask({ userTaskKey: confirm.userTaskKey, variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: false } });
    const coordinate = await openTask(processInstanceKey, 'Task_CoordinateUnit');
    await c.completeUserTask({ userTaskKey: coordinate.userTaskKey, variables: { handlingResult: '已清运', resolved: true } });
    await until(async () => (await db().query('SELECT 1 FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL', [caseId])).length > 0, 20000);
    // the rating may arrive before the process waits for it (the link is sent first): it is kept for a while
    await c.publishMessage({ name: 'satisfaction-rated', correlationKey: caseId, timeToLive: 600000, variables: { rating: 'dissatisfied', comment: '三天才来一次' } });
    // then second handling by the secretary's group, round 2
    const second = await openTask(processInstanceKey, 'Task_SecondHandling');
    expect(second.candidateGroups).toContain('secretary');
    const [row] = await db().query<{ handling_round: number }>('SELECT handling_round FROM petition_case WHERE id = $1', [caseId]);
    expect(row.handling_round).toBe(2);
  });
});
