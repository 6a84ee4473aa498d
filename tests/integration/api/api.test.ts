/**
 * The domain API through HTTP against the running app (real engine, real workers, real database): sign-in with
 * lock-out and CSRF, intake that starts the case's process, the tasklist with its forms validated and candidate
 * groups enforced, the one-time rating link, and the case page.
 */
import { deployModels } from '../../../domain/deploy-models';
import { piiCipher } from '../../../platform/pii';
import { startEngine, TEST_EPOCH, until, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';
import { localDay } from '../../../domain/calendar';
import { httpRequests } from '../../../platform/metrics';

describe('the domain API', () => {
  let h: EngineHarness;
  const as = (username: string) => new Session(h.server.url).signIn(username);
  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    // the business clock stands still on a working day of a year the calendar holds, whatever the machine's date
    await h.client.pinClock({ timestamp: TEST_EPOCH });
  });
  afterAll(() => h.stop());

  async function taskOf(s: Session, view: 'mine' | 'queue', caseId: string, elementId: string): Promise<Json> {
    return until(async () => {
      const { body } = await s.call('GET', `/api/tasks?view=${view}`);
      return (body.items as Json[]).find((t) => t.case?.id === caseId && t.elementId === elementId);
    }, 20000);
  }

  it('when a password is wrong five times, then the account is locked, even for the right password, with a clear message', async () => {
    const s = new Session(h.server.url);
    for (let i = 0; i < 5; i++)
      expect((await s.call('POST', '/api/session', { username: 'grid7', password: 'wrong' })).status).toBe(401);
    const locked = await s.call('POST', '/api/session', { username: 'grid7', password: 'demo-2026' });
    expect(locked.status).toBe(423);
    expect(locked.body.detail).toMatch(/分钟后再试/);
    const unknown = await s.call(
      'POST',
      '/api/session',
      { username: 'nobody', password: 'x' },
      { 'accept-language': 'en' },
    );
    expect(unknown.body).toMatchObject({ status: 401, detail: 'Wrong username or password.' });
  });

  it('when there is no session or no CSRF token, then requests are refused', async () => {
    const anonymous = new Session(h.server.url);
    expect((await anonymous.call('GET', '/api/tasks')).status).toBe(401);
    expect((await anonymous.call('POST', '/api/cases', {})).status).toBe(401);
    const s = await as('reception');
    const noToken = await s.call(
      'POST',
      '/api/cases',
      { channel: 'walk-in', category: '路灯维修', description: 'x' },
      { 'x-csrf-token': 'forged' },
    );
    expect(noToken.status).toBe(403);
    expect((await s.call('GET', '/api/me')).body).toMatchObject({ username: 'reception', roles: ['reception'] });
  });

  it('when intake is invalid, then every problem is named and nothing is saved', async () => {
    const s = await as('reception');
    const before = await h.server.database.db.query('SELECT count(*)::int AS n FROM petition_case');
    const res = await s.call('POST', '/api/cases', {
      channel: 'fax',
      category: '',
      description: 'x',
      petitioner: { name: '王', phone: '123' },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/channel/);
    expect(JSON.stringify(res.body)).toMatch(/phone/);
    expect(await h.server.database.db.query('SELECT count(*)::int AS n FROM petition_case')).toEqual(before);
  });

  it('when a receptionist files a simple petition, then its process runs, the form is checked, and the petitioner rates once by the link', async () => {
    // given
    const reception = await as('reception');
    const [compound] = await h.server.database.db.query<{ id: string }>(
      'SELECT id FROM compound ORDER BY name LIMIT 1',
    );
    // when the petition is filed
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '路灯维修',
      description: '小区东门路灯不亮已一周',
      compoundId: compound.id,
      petitioner: { name: '王小明', phone: '13812345678', consentPublishName: false },
    });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ caseNo: expect.stringMatching(/^XF-\d{4}-\d{6}$/), processStarted: true });
    const caseId = filed.body.id as string;
    // then duplicates by the same phone find it
    const dup = await reception.call('POST', '/api/cases/duplicates', { phone: '13812345678', category: '路灯维修' });
    expect(dup.body.items).toEqual([expect.objectContaining({ id: caseId, sameCategory: true })]);
    // and the first responder's classification task appears, and the form refuses what it does not allow
    const decision = await taskOf(reception, 'mine', caseId, 'Task_AcceptanceDecision');
    await reception.call('POST', `/api/tasks/${decision.userTaskKey}/complete`, {
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await taskOf(reception, 'mine', caseId, 'Task_ConfirmCaseClass');
    const detail = await reception.call('GET', `/api/tasks/${confirm.userTaskKey}`);
    expect(detail.body.form.components.length).toBeGreaterThan(0);
    const bad = await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, {
      variables: { caseClass: 'urgent', hacked: true },
    });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as Json[]).map((e) => e.field).sort()).toEqual(
      expect.arrayContaining(['caseClass', 'hacked', 'feedbackMode']),
    );
    const ok = await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, {
      variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: false },
    });
    expect(ok.status).toBe(204);
    const coordinate = await taskOf(reception, 'mine', caseId, 'Task_CoordinateUnit');
    await reception.call('POST', `/api/tasks/${coordinate.userTaskKey}/complete`, {
      variables: { responsibleUnit: '市政路灯所', handlingResult: '已更换灯泡', resolved: true },
    });
    // when the petitioner opens the link from the SMS
    const [link] = await until(async () => {
      const rows = await h.server.database.db.query<{ token_enc: Buffer }>(
        'SELECT token_enc FROM rating_link WHERE case_id = $1 AND sent_at IS NOT NULL',
        [caseId],
      );
      return rows.length ? rows : undefined;
    }, 20000);
    const token = piiCipher(h.server.secrets.piiKey).decrypt(link.token_enc);
    // (with no SMS provider the first responder hands the link over: only she may take it, and it is logged)
    const handOut = await reception.call('GET', `/api/cases/${caseId}/rating-link`);
    expect(handOut.status).toBe(200);
    expect(handOut.body.url).toBe(`http://localhost:${new URL(h.server.url).port}/rate/${token}`);
    expect((await (await as('cadre')).call('GET', `/api/cases/${caseId}/rating-link`)).status).toBe(403);
    // (the case page says a link waits for the petitioner)
    expect((await reception.call('GET', `/api/cases/${caseId}`)).body.ratingLinkOpen).toBe(true);
    // (and the texts no SMS provider sent wait in her outbox, masked, until she marks them passed on)
    const outbox = (await reception.call('GET', '/api/outbox')).body.items as Json[];
    const waiting = outbox.filter((m) => (m.case as Json).id === caseId);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting[0]).toMatchObject({ phoneMasked: '138****5678', status: 'outbox' });
    expect(JSON.stringify(waiting)).not.toContain('13812345678');
    expect((await reception.call('POST', `/api/outbox/${waiting[0].id as string}/passed-on`)).body).toMatchObject({
      status: 'sent',
    });
    expect(
      ((await reception.call('GET', '/api/outbox')).body.items as Json[]).some((m) => m.id === waiting[0].id),
    ).toBe(false);
    const resident = new Session(h.server.url);
    // (a staff session in the same browser, without its CSRF token, does not stand in the way of the public link)
    resident.cookie = reception.cookie;
    const page = await resident.call('GET', `/api/public/ratings/${token}`);
    expect(page.body).toMatchObject({ caseNo: filed.body.caseNo, outcome: '已更换灯泡' });
    expect(JSON.stringify(page.body)).not.toMatch(/138/);
    // then the rating is taken once, and the case closes
    expect(
      (await resident.call('POST', `/api/public/ratings/${token}`, { rating: 'satisfied', comment: '很快' })).status,
    ).toBe(201);
    const again = await resident.call('POST', `/api/public/ratings/${token}`, { rating: 'dissatisfied' });
    expect(again.status).toBe(410);
    expect(again.body.detail).toMatch(/只能评价一次/);
    expect((await reception.call('GET', `/api/cases/${caseId}/rating-link`)).status).toBe(404);
    await until(
      async () => (await reception.call('GET', `/api/cases/${caseId}`)).body.process?.state === 'COMPLETED',
      20000,
    );
    const casePage = (await reception.call('GET', `/api/cases/${caseId}`)).body;
    expect(casePage).toMatchObject({
      owner: { username: 'reception' },
      petitioner: { name: '王**', phone: '138****5678' },
      process: { state: 'COMPLETED' },
    });
    expect(casePage.clocks.internal.state).toBe('met');
    expect(casePage.ratingLinkOpen).toBe(false);
    expect((casePage.timeline as Json[]).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['registered', 'task-completed', 'rated', 'closed', 'step']),
    );
    // the recorded events, the texts sent and the process's steps, in the order they happened, each with its instant
    const times = (casePage.timeline as Json[]).map((e) => e.at as string);
    expect(times.every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(t))).toBe(true);
    expect([...times].sort()).toEqual(times);
    expect(
      (casePage.timeline as Json[]).some((e) => String(e.kind).startsWith('notification:') && e.actor === 'system'),
    ).toBe(true);
    expect((casePage.timeline as Json[]).filter((e) => e.kind === 'step').map((e) => e.detail.elementId)).toEqual(
      expect.arrayContaining(['Task_ConfirmCaseClass', 'Task_CoordinateUnit', 'Task_CloseCase']),
    );
  });

  it('when the answer to a process start was lost, then the retry finds the instance the engine made instead of making a second', async () => {
    // given a filed case whose start was attempted and whose key was never recorded (the answer lost)
    const reception = await as('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '停车管理',
      description: '消防通道停车',
    });
    const first = filed.body.processInstanceKey as string;
    expect(first).toBeTruthy();
    const db = h.server.database.db;
    await db.query(
      'UPDATE petition_case SET process_instance_key = NULL, process_start_claimed_at = NULL WHERE id = $1',
      [filed.body.id],
    );
    // when the background starter takes it up again
    const [row] = await until(async () => {
      const rows = await db.query<{ key: string; attempted: boolean }>(
        'SELECT process_instance_key AS key, process_start_attempted AS attempted FROM petition_case WHERE id = $1 AND process_instance_key IS NOT NULL',
        [filed.body.id],
      );
      return rows.length ? rows : undefined;
    }, 20000);
    // then it is the same instance, and there is only one for the case
    expect(row).toEqual({ key: first, attempted: true });
    const found = await h.client.searchVariables(
      { filter: { name: 'caseId', value: JSON.stringify(filed.body.id) } },
      { consistency: { waitUpToMs: 0 } },
    );
    expect(found.items.map((v: { processInstanceKey: unknown }) => String(v.processInstanceKey))).toEqual([first]);
  });

  it("when a difficult case waits in the street office's queue, then only street-office users see and claim it", async () => {
    // given
    const reception = await as('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '历史遗留问题',
      description: '房产证办理遗留问题',
    });
    const caseId = filed.body.id as string;
    const decision = await taskOf(reception, 'mine', caseId, 'Task_AcceptanceDecision');
    await reception.call('POST', `/api/tasks/${decision.userTaskKey}/complete`, {
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await taskOf(reception, 'mine', caseId, 'Task_ConfirmCaseClass');
    await reception.call('POST', `/api/tasks/${confirm.userTaskKey}/complete`, {
      variables: { caseClass: 'difficult', feedbackMode: 'visit', isKeyMatter: false },
    });
    const office = await as('street-office');
    const queued = await taskOf(office, 'queue', caseId, 'Task_SetUpCaseTeam');
    // and read again, the queue still names the case, without asking the engine again which process called the task's
    // (that never changes)
    const callerSearches = async () =>
      (await httpRequests.get()).values
        .filter((v) => v.labels.route === '/v2/process-instances/search')
        .reduce((n, v) => n + v.value, 0);
    const searchesBefore = await callerSearches();
    expect(searchesBefore).toBeGreaterThan(0);
    const again = (await office.call('GET', '/api/tasks?view=queue')).body.items as Json[];
    expect(again.find((t) => t.userTaskKey === queued.userTaskKey)).toMatchObject({
      case: { id: caseId, caseNo: filed.body.caseNo },
    });
    expect(await callerSearches()).toBe(searchesBefore);
    // and the street office's own queue lists it unclaimed, with its 15 working days (less what passed) left
    const inQueue = async () =>
      ((await office.call('GET', '/api/street-office/queue')).body.items as Json[]).find(
        (i) => i.userTaskKey === queued.userTaskKey,
      )!;
    const waiting = await inQueue();
    expect(waiting).toMatchObject({
      claimedBy: null,
      elementId: 'Task_SetUpCaseTeam',
      case: { id: caseId, status: expect.any(String) },
    });
    expect(waiting.workingDaysLeft).toBeGreaterThanOrEqual(14);
    expect(waiting.workingDaysLeft).toBeLessThanOrEqual(15);
    expect((await reception.call('GET', '/api/street-office/queue')).status).toBe(403);
    // and the case page's timeline shows the step waiting in the process the case called
    const page = (await reception.call('GET', `/api/cases/${caseId}`)).body;
    const steps = (page.timeline as Json[])
      .filter((e) => e.kind === 'step')
      .map((e) => [e.detail.elementId, e.detail.state]);
    expect(steps).toEqual(
      expect.arrayContaining([
        ['Call_StreetOffice', 'ACTIVE'],
        ['Task_SetUpCaseTeam', 'ACTIVE'],
      ]),
    );
    // when someone outside the street office looks for it or tries to claim it
    const member = await as('member');
    const theirQueue = (await member.call('GET', '/api/tasks?view=queue')).body.items as Json[];
    expect(theirQueue.some((t) => t.userTaskKey === queued.userTaskKey)).toBe(false);
    expect((await member.call('GET', `/api/tasks/${queued.userTaskKey}`)).status).toBe(404);
    expect((await member.call('POST', `/api/tasks/${queued.userTaskKey}/claim`)).status).toBe(404);
    expect((await reception.call('POST', `/api/tasks/${queued.userTaskKey}/claim`)).status).toBe(404);
    // then the street office claims it; completing before claiming is refused for others
    expect((await office.call('POST', `/api/tasks/${queued.userTaskKey}/claim`)).body).toMatchObject({
      assignee: 'street-office',
    });
    const mine = await taskOf(office, 'mine', caseId, 'Task_SetUpCaseTeam');
    expect(mine.userTaskKey).toBe(queued.userTaskKey);
    expect((await inQueue()).claimedBy).toEqual({ username: 'street-office', displayName: '刘洋（街道信访办）' });
    // and the escalation reached the street office's inbox, in English too, and is marked read
    const inbox = (await office.call('GET', '/api/inbox')).body;
    const notice = (inbox.items as Json[]).find((n) => (n.case as Json | null)?.id === caseId)!;
    expect(notice).toMatchObject({ readAt: null, text: expect.stringContaining(filed.body.caseNo as string) });
    const english = (await office.call('GET', '/api/inbox', undefined, { 'accept-language': 'en' })).body
      .items as Json[];
    expect(english.find((n) => n.id === notice.id)!.text).toMatch(/street office/);
    expect((await office.call('POST', `/api/inbox/${notice.id as string}/read`)).status).toBe(200);
    expect((await office.call('GET', '/api/inbox')).body.unread).toBe((inbox.unread as number) - 1);
    expect((await member.call('POST', `/api/inbox/${notice.id as string}/read`)).status).toBe(404);
  });

  it('when staff enter a resident in the key-person registry, then their care starts, the plan is kept, and the exit ends the care', async () => {
    // given a resident known from a petition
    const reception = await as('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '物业服务',
      description: '多次反映物业问题',
      petitioner: { name: '李建国', phone: '13900001111' },
    });
    const [{ resident_id: residentId }] = await h.server.database.db.query<{ resident_id: string }>(
      'SELECT resident_id FROM petition_case WHERE id = $1',
      [filed.body.id],
    );
    // when a cadre enters them after a visit to a higher level
    const cadre = await as('cadre');
    const entered = await cadre.call('POST', '/api/key-persons', { residentId, reason: 'higher-level-visit' });
    expect(entered.status).toBe(201);
    expect(entered.body).toMatchObject({ name: '李**', status: 'active', reason: 'higher-level-visit' });
    const id = entered.body.id as string;
    // then the care process gives the cadre a visit task, and the file shows the petition
    await until(
      async () =>
        ((await cadre.call('GET', '/api/tasks?view=mine')).body.items as Json[]).some(
          (t) => t.elementId === 'Task_CareVisit',
        ),
      20000,
    );
    const updated = await cadre.call('PUT', `/api/key-persons/${id}`, {
      plan: '每月走访一次，协调物业整改',
      teamVolunteer: '张阿姨',
    });
    expect(updated.body).toMatchObject({
      plan: '每月走访一次，协调物业整改',
      serviceTeam: { lead: expect.any(String), volunteer: '张阿姨' },
    });
    const file = (await cadre.call('GET', `/api/key-persons/${id}`)).body;
    expect((file.petitions as Json[]).map((p) => p.id)).toContain(filed.body.id);
    // when they leave the registry
    const exit = await cadre.call('POST', `/api/key-persons/${id}/exit`, { reason: '问题已解决，情绪稳定' });
    expect(exit.body).toMatchObject({ status: 'exited', exitReason: '问题已解决，情绪稳定' });
    // then their care ends and a second exit is refused
    const [{ process_instance_key: care }] = await h.server.database.db.query<{ process_instance_key: string }>(
      'SELECT process_instance_key FROM key_person WHERE id = $1',
      [id],
    );
    await until(
      async () =>
        (await h.client.getProcessInstance({ processInstanceKey: care }, { consistency: { waitUpToMs: 0 } })).state ===
        'COMPLETED',
      20000,
    );
    expect((await cadre.call('POST', `/api/key-persons/${id}/exit`, { reason: '再次' })).status).toBe(409);
  });

  it('when an admin adds a rule and complaints reach it, then the alert is listed with its cases and its joint handling running', async () => {
    // given two leaks in one compound make an alert under the admin's new rule
    const admin = await as('admin');
    const rule = await admin.call('POST', '/api/warning-rules', {
      name: '同一小区漏水两次',
      category: '漏水',
      windowDays: 30,
      threshold: 2,
    });
    expect(rule.status).toBe(201);
    const reception = await as('reception');
    const [compound] = await h.server.database.db.query<{ id: string }>(
      'SELECT id FROM compound ORDER BY name DESC LIMIT 1',
    );
    for (const description of ['楼顶漏水', '楼道漏水']) {
      await reception.call('POST', '/api/cases', {
        channel: 'walk-in',
        category: '漏水',
        description,
        compoundId: compound.id,
      });
    }
    // then
    const alert = await until(async () => {
      const items = (await admin.call('GET', '/api/warning-alerts')).body.items as Json[];
      return items.find((a) => a.rule === '同一小区漏水两次' && a.processState === 'ACTIVE');
    }, 20000);
    expect(alert.cases).toHaveLength(2);
    expect(alert).toMatchObject({
      category: '房屋漏水',
      categoryCode: 'property.leak',
      placeKind: 'compound',
      status: 'handling',
    });
    // and a bad rule is refused with the reason
    const bad = await admin.call('POST', '/api/warning-rules', { name: 'x', windowDays: 0, threshold: 1 });
    expect(bad.status).toBe(400);
  });

  it('when an admin changes the simple-class deadline and deploys it, then the engine runs the new version; a broken model is refused with its problems', async () => {
    const admin = await as('admin');
    // given the models as shipped
    const list = (await admin.call('GET', '/api/diagrams')).body.items as Json[];
    expect(list.map((d) => d.name)).toEqual(
      expect.arrayContaining(['petition-handling.bpmn', 'deadline-policy.dmn', 'confirm-case-class.form']),
    );
    const policy = (await admin.call('GET', '/api/diagrams/deadline-policy.dmn')).body;
    expect(policy.version).toBe(0);
    // when the admin makes simple cases due in 12 hours, saves and deploys
    const edited = (policy.content as string).replace(
      '<outputEntry id="OutputEntry_SimpleHours"><text>24</text>',
      '<outputEntry id="OutputEntry_SimpleHours"><text>12</text>',
    );
    expect(edited).not.toBe(policy.content);
    const saved = await admin.call('POST', '/api/diagrams/deadline-policy.dmn/versions', {
      content: edited,
      comment: '简易类改为12小时',
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ version: 1, problems: [] });
    const deployed = await admin.call('POST', '/api/diagrams/deadline-policy.dmn/versions/1/deploy');
    expect(deployed.status).toBe(200);
    // then the engine decides with the new table
    const decided = await h.client.evaluateDecision({
      decisionDefinitionId: 'deadline-policy',
      variables: { caseClass: 'simple' },
    });
    expect(JSON.parse(decided.output as string)).toMatchObject({ internalHours: 12 });
    expect((await admin.call('GET', '/api/diagrams/deadline-policy.dmn')).body.versions[0]).toMatchObject({
      version: 1,
      savedBy: 'admin',
      deployedAt: expect.any(String),
    });
    // and the app's start-up deployment (a restart) keeps the admin's table rather than putting the shipped one back
    await deployModels(h.client, h.server.database.db);
    const afterRestart = await h.client.evaluateDecision({
      decisionDefinitionId: 'deadline-policy',
      variables: { caseClass: 'simple' },
    });
    expect(JSON.parse(afterRestart.output as string)).toMatchObject({ internalHours: 12 });
    // when a broken process is saved, it is kept with its problems, and its deployment is refused
    const model = (await admin.call('GET', '/api/diagrams/petition-handling.bpmn')).body;
    expect(model.running).toEqual([expect.objectContaining({ processDefinitionId: 'petition-handling' })]);
    const broken = (model.content as string).replace('=caseClass = &quot;simple&quot;', '=caseClass = ');
    const lint = await admin.call('POST', '/api/diagrams/petition-handling.bpmn/lint', { content: broken });
    expect((lint.body.problems as Json[]).some((p) => p.severity === 'error')).toBe(true);
    const keptBroken = await admin.call('POST', '/api/diagrams/petition-handling.bpmn/versions', { content: broken });
    expect(keptBroken.status).toBe(201);
    const refused = await admin.call(
      'POST',
      `/api/diagrams/petition-handling.bpmn/versions/${keptBroken.body.version}/deploy`,
    );
    expect(refused.status).toBe(422);
    expect(refused.body.problems.length).toBeGreaterThan(0);
    // and the engine still runs the version it ran
    expect((await admin.call('GET', '/api/diagrams/petition-handling.bpmn')).body.running).toEqual(model.running);
    // and a large model (the modeler saves a model whole) is taken, not refused by the request size limit
    const large = (model.content as string).replace(
      '</bpmn:definitions>',
      `<!-- ${'x'.repeat(600_000)} -->\n</bpmn:definitions>`,
    );
    expect((await admin.call('POST', '/api/diagrams/petition-handling.bpmn/lint', { content: large })).status).toBe(
      200,
    );
    // and the modeler gets the element templates
    expect(((await admin.call('GET', '/api/element-templates')).body as Json[]).map((t) => t.id)).toContain(
      'petition.close-case',
    );
  });

  it('when the dashboard is read after cases closed, then it shows them against the targets, as CSV too, and in the annual report', async () => {
    const leader = await as('leader');
    // the simple case of an earlier test closed rated satisfied
    const board = (await leader.call('GET', '/api/dashboard')).body;
    expect(board.closed).toBeGreaterThanOrEqual(1);
    expect(board.targets).toMatchObject({ avgHandlingWorkingDays: 7, satisfactionPercent: 90 });
    expect(board.satisfaction).toMatchObject({ formula: 'satisfied-and-basic', percent: 100 });
    expect(board.onTime.byClass.simple.closed).toBeGreaterThanOrEqual(1);
    expect(typeof board.avgHandlingWorkingDays).toBe('number');
    const csv = await fetch(`${h.server.url}/api/dashboard/cases.csv`, { headers: { cookie: leader.cookie } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text).toMatch(/XF-\d{4}-\d{6}/);
    expect(text).not.toMatch(/138\d{8}/);
    // the figures (counted in the database) agree with the CSV's rows (the same cases, read one by one)
    const rows = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(board.closed).toBe(rows.length);
    const count = (pick: (r: string[]) => boolean) => rows.filter(pick).length;
    const rated = count((r) => r[10] !== '');
    expect(board.satisfaction.rated).toBe(rated);
    expect(board.satisfaction.percent).toBe(
      Math.round((count((r) => ['satisfied', 'basically-satisfied'].includes(r[10])) / rated) * 1000) / 10,
    );
    expect(board.resolvedFirstRound).toBe(Math.round((count((r) => r[4] === '1') / rows.length) * 1000) / 10);
    const days = rows.filter((r) => r[7] !== '').map((r) => Number(r[7]));
    expect(board.avgHandlingWorkingDays).toBe(Math.round((days.reduce((a, b) => a + b, 0) / days.length) * 10) / 10);
    expect(board.onTime.byClass.simple.closed).toBe(count((r) => r[3] === 'simple'));
    for (const g of board.byCategory as Json[]) expect(g.closed).toBe(count((r) => r[1] === g.name));
    expect((board.byGrid as Json[]).reduce((a, g) => a + (g.closed as number), 0)).toBe(rows.length);
    const year = new Date(TEST_EPOCH).getFullYear();
    const report = (await leader.call('GET', `/api/reports/annual?year=${year}`)).body;
    expect(report.months.length).toBeGreaterThan(0);
    expect(report.channels.map((c: Json) => c.channel)).toContain('walk-in');
  });

  it("when staff read a petitioner's full details, then it is logged; a case accusing someone is invisible to them", async () => {
    const reception = await as('reception');
    // a petition accusing the cadre
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '干部作风',
      description: '反映社区干部办事推诿',
      accusation: true,
      accusedUsername: 'cadre',
      petitioner: { name: '赵六', phone: '13700002222', idNumber: '11010519491231002X' },
    });
    expect(filed.status).toBe(201);
    const caseId = filed.body.id as string;
    // the receptionist reads the full details for a callback, and it is logged
    const full = await reception.call(
      'GET',
      `/api/cases/${caseId}/petitioner?purpose=${encodeURIComponent('电话回访')}`,
    );
    expect(full.body).toMatchObject({ name: '赵六', phone: '13700002222', idNumber: '11010519491231002X' });
    const log = await h.server.database.db.query<{ purpose: string }>(
      'SELECT purpose FROM pii_access_log WHERE case_id = $1',
      [caseId],
    );
    expect(log).toEqual([{ purpose: '电话回访' }]);
    // the case page shows them masked
    expect((await reception.call('GET', `/api/cases/${caseId}`)).body.petitioner).toEqual({
      name: '赵*',
      phone: '137****2222',
    });
    // the accused cadre sees nothing of it
    const cadre = await as('cadre');
    expect((await cadre.call('GET', `/api/cases/${caseId}`)).status).toBe(404);
    expect(
      (await cadre.call('GET', `/api/cases/${caseId}/petitioner?purpose=${encodeURIComponent('查看')}`)).status,
    ).toBe(404);
    expect(((await cadre.call('GET', '/api/cases?limit=100')).body.items as Json[]).some((c) => c.id === caseId)).toBe(
      false,
    );
    // and the case cannot be handed to them
    const leader = await as('leader');
    const handed = await leader.call('POST', `/api/cases/${caseId}/owner`, { username: 'cadre', reason: '调整' });
    expect(handed.status).toBe(400);
    // a leader may hand it to someone else, and the timeline says so
    const moved = await leader.call('POST', `/api/cases/${caseId}/owner`, {
      username: 'secretary',
      reason: '由书记牵头',
    });
    expect(moved.body.owner.username).toBe('secretary');
    expect((moved.body.timeline as Json[]).some((e) => e.kind === 'owner-transferred')).toBe(true);
  });

  it('when a grid worker logs a patrol and two hazards, then the reported one is a petition now and the week is summarised; campaigns count coverage', async () => {
    const grid = await as('grid1');
    const [own] = await h.server.database.db.query<{ id: string; compound_id: string }>(
      "SELECT g.id, c.id AS compound_id FROM grid g JOIN app_user u ON u.id = g.grid_worker_id JOIN compound c ON c.grid_id = g.id WHERE u.username = 'grid1' LIMIT 1",
    );
    // the grid's today is Beijing's (from 16:00 UTC on, UTC's date is yesterday there)
    const today = localDay(new Date(TEST_EPOCH), h.server.config.BUSINESS_TIMEZONE);
    expect(
      (await grid.call('POST', '/api/patrols', { patrolledOn: today, householdsVisited: 35, notes: '巡查东区' }))
        .status,
    ).toBe(201);
    const mediated = await grid.call('POST', '/api/hazards', {
      compoundId: own.compound_id,
      category: 'neighbour-relations', // a kind of the first hazard form, understood as the dictionary's 邻里关系
      description: '楼上楼下噪音纠纷',
      disposition: 'mediated',
      outcome: '双方达成约定',
    });
    expect(mediated.body).toMatchObject({ disposition: 'mediated', caseId: null });
    const reported = await grid.call('POST', '/api/hazards', {
      compoundId: own.compound_id,
      category: '电梯', // a synonym of the dictionary's 电梯故障 (property.elevator)
      description: '物业长期不修电梯',
      disposition: 'reported',
    });
    expect(reported.body.caseNo).toMatch(/^XF-/);
    const [petition] = await h.server.database.db.query<{ channel: string }>(
      'SELECT channel FROM petition_case WHERE id = $1',
      [reported.body.caseId],
    );
    expect(petition.channel).toBe('grid-report');
    const summary = (await grid.call('GET', `/api/grids/summary?period=week&date=${today}`)).body;
    expect((summary.grids as Json[]).find((g) => g.id === own.id)).toMatchObject({
      patrolDays: 1,
      householdsVisited: 35,
      hazards: 2,
      mediated: 1,
      reported: 1,
      byCategory: { neighbour: 1, 'property.elevator': 1 },
    });
    // a grid with nothing logged counts zeros, not nothing
    expect((summary.grids as Json[]).find((g) => g.id !== own.id)).toMatchObject({
      patrolDays: 0,
      householdsVisited: 0,
      hazards: 0,
      mediated: 0,
      reported: 0,
      byCategory: {},
    });
    // a hazard mediated without its outcome is refused
    expect(
      (
        await grid.call('POST', '/api/hazards', {
          category: 'family-conflict',
          description: 'x',
          disposition: 'mediated',
        })
      ).status,
    ).toBe(400);
    // campaigns
    const secretary = await as('secretary');
    const campaign = await secretary.call('POST', '/api/campaigns', {
      quarter: '2026-Q4',
      theme: '冬季供暖',
      team: '物业、业委会、派出所',
    });
    expect(campaign.status).toBe(201);
    await grid.call('PUT', `/api/campaigns/${campaign.body.id}/coverage/${own.compound_id}`, {
      householdsVisited: 100,
      conflictsFound: 4,
      conflictsResolved: 3,
    });
    const listed = ((await secretary.call('GET', '/api/campaigns')).body.items as Json[]).find(
      (c) => c.quarter === '2026-Q4',
    );
    expect(listed).toMatchObject({
      householdsVisited: 100,
      conflictsFound: 4,
      conflictsResolved: 3,
      resolvedEarly: 75,
    });
    expect(listed!.coverage).toBeGreaterThan(0);
  });

  it("when an admin sets next year's holidays and manages users, then deadlines can use the year and a new user can sign in", async () => {
    const admin = await as('admin');
    const years = (await admin.call('GET', '/api/calendar/years')).body.items as Json[];
    expect(years.map((y) => y.year)).toContain(2026);
    const oct = (await admin.call('GET', '/api/calendar/2026')).body.days as Json[];
    expect(oct).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ day: '2026-10-01', isWorkday: false }),
        expect.objectContaining({ day: '2026-10-10', isWorkday: true }),
      ]),
    );
    const put = await admin.call('PUT', '/api/calendar/2031', {
      days: [{ day: '2031-01-01', isWorkday: false, name: '元旦' }],
    });
    expect(put.status).toBe(200);
    const bad = await admin.call('PUT', '/api/calendar/2031', {
      days: [{ day: '2030-12-31', isWorkday: false, name: '跨年' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/2031/);
    const created = await admin.call('POST', '/api/users', {
      username: 'new-cadre',
      displayName: '新干部',
      password: 'a-long-password',
      roles: ['cadre'],
    });
    expect(created.body).toMatchObject({ username: 'new-cadre', roles: ['cadre'], active: true });
    const weak = await admin.call('POST', '/api/users', {
      username: 'weak',
      displayName: '弱',
      password: 'short',
      roles: ['cadre'],
    });
    expect(weak.status).toBe(400);
    expect(await as('new-cadre').catch(() => null)).toBeNull(); // wrong password: the demo one
    const signIn = await new Session(h.server.url).call('POST', '/api/session', {
      username: 'new-cadre',
      password: 'a-long-password',
    });
    expect(signIn.status).toBe(201);
    const off = await admin.call('PUT', `/api/users/${created.body.id}`, { active: false });
    expect(off.body.active).toBe(false);
    expect(
      (
        await new Session(h.server.url).call('POST', '/api/session', {
          username: 'new-cadre',
          password: 'a-long-password',
        })
      ).status,
    ).toBe(401);
  });

  it("when a repeat with no new facts is linked to the open case, then it gets that case's progress and still counts towards the key-person rule", async () => {
    const reception = await as('reception');
    const petitioner = { name: '孙七', phone: '13600003333' };
    const first = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '房屋漏水',
      description: '顶楼漏水',
      petitioner,
    });
    // when the same person comes again about the same matter, twice
    const found = (
      await reception.call('POST', '/api/cases/duplicates', { phone: petitioner.phone, category: '房屋漏水' })
    ).body.items as Json[];
    expect(found.map((c) => c.id)).toEqual([first.body.id]);
    const repeat = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '房屋漏水',
      description: '还在漏',
      petitioner,
      duplicateOf: first.body.id,
    });
    // then the repeat is kept, linked, with the open case's progress and no process of its own
    expect(repeat.status).toBe(201);
    expect(repeat.body).toMatchObject({
      processInstanceKey: null,
      linkedTo: { id: first.body.id, caseNo: first.body.caseNo },
    });
    expect((await reception.call('GET', `/api/cases/${repeat.body.id}`)).body).toMatchObject({
      duplicateOf: first.body.id,
      process: { state: 'linked' },
    });
    // and the third petition in a year enters the petitioner in the registry, with their care
    await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '房屋漏水',
      description: '第三次反映',
      petitioner,
      duplicateOf: first.body.id,
    });
    const [person] = await until(async () => {
      const rows = await h.server.database.db.query<{ process_instance_key: string | null }>(
        "SELECT k.process_instance_key FROM key_person k JOIN petition_case c ON c.resident_id = k.resident_id WHERE c.id = $1 AND k.status = 'active'",
        [first.body.id],
      );
      return rows.length && rows[0].process_instance_key ? rows : undefined;
    }, 20000);
    expect(person.process_instance_key).toMatch(/^\d+$/);
    // a link to a closed or unknown case is refused
    const bad = await reception.call('POST', '/api/cases', {
      channel: 'phone',
      category: '房屋漏水',
      description: 'x',
      duplicateOf: '00000000-0000-4000-8000-000000000000',
    });
    expect(bad.status).toBe(400);
  });

  it('when files are attached to a petition, then a photo is kept and downloadable, while a disguised program or an oversized file is refused', async () => {
    const reception = await as('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '违章搭建',
      description: '楼顶违建',
    });
    const upload = async (bytes: Uint8Array, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), name);
      const res = await fetch(`${h.server.url}/api/cases/${filed.body.id}/attachments`, {
        method: 'POST',
        headers: { cookie: reception.cookie, 'x-csrf-token': reception.csrf },
        body: form,
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    // a PNG (its signature and a header are enough for the detector)
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0e0b40000000049454e44ae426082',
      'hex',
    );
    const ok = await upload(png, '现场照片.png');
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ fileName: '现场照片.png', mediaType: 'image/png', sizeBytes: png.length });
    const listed = (await reception.call('GET', `/api/cases/${filed.body.id}/attachments`)).body.items as Json[];
    expect(listed.map((a) => a.id)).toEqual([ok.body.id]);
    const download = await fetch(`${h.server.url}/api/cases/${filed.body.id}/attachments/${ok.body.id}`, {
      headers: { cookie: reception.cookie },
    });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(png);
    // a Windows program named like a photo
    const exe = await upload(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]), '照片.jpg');
    expect(exe.status).toBe(415);
    expect(exe.body.detail).toMatch(/只能上传/);
    // more than 10 MB
    const big = await upload(Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024)]), 'big.png');
    expect(big.status).toBe(413);
    // nothing of the refused ones was kept
    expect((await reception.call('GET', `/api/cases/${filed.body.id}/attachments`)).body.items).toHaveLength(1);
  });

  it('when the API documentation is asked for, then an OpenAPI 3.1 document lists every route and the interactive page is served', async () => {
    const doc = (await (await fetch(`${h.server.url}/api/openapi.json`)).json()) as Json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths as Json)).toEqual(
      expect.arrayContaining([
        '/cases',
        '/cases/{id}',
        '/tasks/{key}/complete',
        '/public/ratings/{token}',
        '/dashboard',
      ]),
    );
    expect(doc.paths['/cases'].post.requestBody.content['application/json'].schema.properties.channel.enum).toContain(
      'hotline-12345',
    );
    const page = await fetch(`${h.server.url}/api/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger-ui/);
  });

  it('when an admin changes a target and a notice text, then the dashboard measures against it and the next notice uses the text', async () => {
    const admin = await as('admin');
    const settings = (await admin.call('GET', '/api/settings')).body;
    expect(settings.targets.value).toMatchObject({ avgHandlingWorkingDays: 7, satisfactionPercent: 90 });
    const changed = await admin.call('PUT', '/api/settings/targets', {
      ...settings.targets.value,
      satisfactionPercent: 95,
    });
    expect(changed.status).toBe(200);
    expect((await (await as('leader')).call('GET', '/api/dashboard')).body.targets.satisfactionPercent).toBe(95);
    expect((await admin.call('PUT', '/api/settings/targets', { satisfactionPercent: 200 })).status).toBe(400);
    // the registration receipt, reworded
    const bad = await admin.call('PUT', '/api/notification-templates/registered', {
      zh: '您的信访件{caseNo}已登记，{petitionerName}',
    });
    expect(bad.status).toBe(400);
    const put = await admin.call('PUT', '/api/notification-templates/registered', {
      zh: '【XX社区】您的信访件{caseNo}（{category}）已登记，{legalReplyDueAt}前答复是否受理。',
    });
    expect(put.body.sample).toBe(
      '【XX社区】您的信访件XF-2026-000123（电梯故障）已登记，2026年10月13日前答复是否受理。',
    );
    const reception = await as('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '绿化',
      description: '树枝挡窗',
      petitioner: { name: '周八', phone: '13500004444' },
    });
    const [notice] = await until(async () => {
      const rows = await h.server.database.db.query<{ text: string }>(
        "SELECT text FROM notification WHERE case_id = $1 AND template = 'registered'",
        [filed.body.id],
      );
      return rows.length ? rows : undefined;
    }, 20000);
    expect(notice.text).toMatch(
      new RegExp(
        `^【XX社区】您的信访件${filed.body.caseNo}（绿化养护）已登记，\\d{4}年\\d{1,2}月\\d{1,2}日前答复是否受理。$`,
      ),
    );
    expect((await admin.call('DELETE', '/api/notification-templates/registered')).status).toBe(204);
    expect(
      ((await admin.call('GET', '/api/notification-templates')).body.items as Json[]).find(
        (t) => t.template === 'registered',
      )?.override,
    ).toBeNull();
  });
});
