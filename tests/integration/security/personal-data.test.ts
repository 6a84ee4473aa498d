/**
 * No answer leaks personal data to a role that may not see it (DOMAIN.md, Personal information; Art 30). Petitions
 * are filed with known full names, phone and ID numbers, one of them accusing the cadre; then every GET route of
 * ROUTES is called as every role and with no session, path parameters taken from the real rows (so a new route is
 * covered as soon as it is in the table, and a new kind of parameter fails until it is given a sampler here).
 *
 * A full phone, ID number or name may only come back from GET /cases/:id/petitioner, to the roles it names, and
 * each such read is in pii_access_log. The accused cadre finds the accusation nowhere: not by id, case number,
 * description or its petitioner's details, in lists, search, tasks, alerts, the key-person file or the CSV. No answer
 * may be kept by a browser's or a proxy's cache (Cache-Control: no-store).
 */
import { ROUTES } from '../../../api';
import { ROLES, allowed, type Role } from '../../../api/route';
import { hashToken } from '../../../domain/rating-links';
import { now, startEngine, until, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

jest.setTimeout(4 * 60 * 1000);

/** The demo user of each role (the seed has one per role). */
const USER_OF: Record<Role, string> = {
  admin: 'admin',
  reception: 'reception',
  cadre: 'cadre',
  secretary: 'secretary',
  'grid-worker': 'grid1',
  'street-office': 'street-office',
  member: 'member',
  leader: 'leader',
};

const ORDINARY = { name: '欧阳明远', phone: '13912340001', idNumber: '110105198001010011' };
const ACCUSER = { name: '司马清风', phone: '13912340002', idNumber: '11010519800202002X' };
const ACCUSATION_TEXT = '反映社区干部张伟收受好处费ACC7731';
/** The one route that answers full details, to the roles it names (logged). */
const DETAILS_ROUTE = 'GET /cases/:id/petitioner';

describe('personal data in every answer', () => {
  let h: EngineHarness;
  const as = (username: string) => new Session(h.server.url).signIn(username);
  const db = () => h.server.database.db;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startEngine({ WORKERS_IN_APP: 'true', DEMO_SEED: 'true', DEPLOY_MODELS: 'true' });
    const [compound] = await db().query<{ id: string }>('SELECT id FROM compound ORDER BY name LIMIT 1');
    ids.compound = compound.id;
    const admin = await as('admin');
    // a rule that raises an alert on the second complaint of the category in the compound (the accusation is one)
    const rule = await admin.call('POST', '/api/warning-rules', {
      name: '干部作风集中反映',
      category: '干部作风',
      scope: 'compound',
      compoundId: compound.id,
      windowDays: 30,
      threshold: 2,
    });
    expect(rule.status).toBe(201);
    ids.rule = rule.body.id as string;
    const reception = await as('reception');
    const file = async (body: Json) => {
      const res = await reception.call('POST', '/api/cases', { channel: 'walk-in', compoundId: compound.id, ...body });
      expect(res.status).toBe(201);
      return res.body;
    };
    const ordinary = await file({
      category: '路灯维修',
      description: '东门路灯不亮',
      petitioner: { ...ORDINARY, consentPublishName: true },
    });
    const accusation = await file({
      category: '干部作风',
      description: ACCUSATION_TEXT,
      accusation: true,
      accusedUsername: 'cadre',
      petitioner: ACCUSER,
    });
    const second = await file({
      category: '干部作风',
      description: '办事拖拉',
      petitioner: { name: '路人甲', phone: '13912340003' },
    });
    Object.assign(ids, {
      ordinary: ordinary.id,
      accusation: accusation.id,
      second: second.id,
      accusationNo: accusation.caseNo,
      ordinaryNo: ordinary.caseNo,
    });
    // the accuser enters the key-person registry (a leader, who is not accused, names them by the case)
    const leader = await as('leader');
    const kp = await leader.call('POST', '/api/key-persons', {
      caseNo: accusation.caseNo,
      reason: 'higher-level-visit',
    });
    expect(kp.status).toBe(201);
    ids.keyPerson = kp.body.id as string;
    // an attachment on each case
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0e0b40000000049454e44ae426082',
      'hex',
    );
    for (const which of ['ordinary', 'accusation']) {
      const form = new FormData();
      form.append('file', new Blob([png]), 'photo.png');
      const res = await fetch(`${h.server.url}/api/cases/${ids[which]}/attachments`, {
        method: 'POST',
        headers: { cookie: reception.cookie, 'x-csrf-token': reception.csrf },
        body: form,
      });
      expect(res.status).toBe(201);
      ids[`${which}Attachment`] = ((await res.json()) as Json).id as string;
    }
    // the workers have run: the alert is raised and the first responder's tasks exist
    await until(
      async () =>
        (await db().query('SELECT 1 FROM early_warning_alert_case WHERE case_id = $1', [accusation.id])).length > 0,
      30000,
    );
    await until(async () => {
      const tasks = await h.client.searchUserTasks({ filter: { state: 'CREATED' }, page: { limit: 100 } }, now);
      return (tasks.items ?? []).length >= 3;
    }, 30000);
    // rating links and a notice (as the workers would write them once the cases reach rating), and the accusation
    // closed as far as the dashboard's CSV is concerned
    for (const [which, token] of [
      ['ordinary', 'ratingTokenOrdinary000001'],
      ['accusation', 'ratingTokenAccusation0001'],
    ]) {
      await db().query(
        `INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, sent_at, expires_at) VALUES ($1, $2, 1, $3, $4, now(), now() + interval '3 days')`,
        [hashToken(token), ids[which], `job-${which}`, Buffer.from('x')],
      );
      ids[`${which}Token`] = token;
    }
    await db().query(
      `INSERT INTO notice_board (case_id, round, case_no, category, compound_name, outcome, petitioner_masked) VALUES ($1, 1, $2, '路灯维修', '幸福里小区', '已修复', '欧***')`,
      [ids.ordinary, ids.ordinaryNo],
    );
    // (the closing instant and event close-case writes; its status stays open, so that the duplicate check finds it)
    await db().query('UPDATE petition_case SET closed_at = now() WHERE id = $1', [ids.accusation]);
    await db().query(
      `INSERT INTO case_event (case_id, kind, detail, actor) VALUES ($1, 'closed', '{"handlingWorkingDays": 3, "onTimeInternal": true, "onTimeLegal": true}', 'system')`,
      [ids.accusation],
    );
  });
  afterAll(() => h.stop());

  /** Concrete paths for a route, from the real rows: every case for /cases/:id…, every open task, … */
  async function samplePaths(path: string): Promise<string[]> {
    const tasks = (await h.client.searchUserTasks({ filter: { state: 'CREATED' }, page: { limit: 100 } }, now))
      .items as Json[];
    const [user] = await db().query<{ id: string }>("SELECT id FROM app_user WHERE username = 'reception'");
    const [notification] = await db().query<{ id: string }>('SELECT id FROM notification ORDER BY created_at LIMIT 1');
    const values: Record<string, string[]> = {
      ':key': tasks.map((t) => String(t.userTaskKey)),
      ':token': [ids.ordinaryToken, ids.accusationToken],
      ':name': ['petition-handling.bpmn'],
      ':version': ['0'],
      ':year': [String(new Date().getFullYear())],
      ':compoundId': [ids.compound],
      ':template': ['acceptance'],
    };
    const idOf: Array<[RegExp, string[]]> = [
      [/^\/cases\/:id/, [ids.ordinary, ids.accusation, ids.second]],
      [/^\/key-persons\/:id/, [ids.keyPerson]],
      [/^\/warning-rules\/:id/, [ids.rule]],
      [/^\/users\/:id/, [user.id]],
      [/^\/(inbox|outbox)\/:id/, notification ? [notification.id] : []],
    ];
    let out = [path];
    for (const name of path.match(/:\w+/g) ?? []) {
      let pool = values[name];
      if (name === ':id') pool = idOf.find(([re]) => re.test(path))?.[1] as string[];
      if (name === ':attachmentId') {
        out = out.map((p) =>
          p.replace(':attachmentId', p.includes(ids.accusation) ? ids.accusationAttachment : ids.ordinaryAttachment),
        );
        continue;
      }
      if (!pool) throw new Error(`no sampler for ${name} in ${path}: add one to samplePaths`);
      out = out.flatMap((p) => pool.map((v) => p.replace(name, v)));
    }
    return out;
  }

  /** Queries a GET route needs (the rest get none). */
  const QUERIES: Record<string, string[]> = {
    'GET /cases': ['limit=100'],
    'GET /cases/:id/petitioner': ['purpose=%E7%94%B5%E8%AF%9D%E5%9B%9E%E8%AE%BF'],
    'GET /tasks': ['view=mine', 'view=queue'],
    'GET /reports/annual': [`year=${new Date().getFullYear()}`],
  };

  it('when every GET route is called by every role and by nobody, then full personal data leaves only through the logged details route, and the accused finds the accusation nowhere', async () => {
    const sessions = new Map<Role, Session>();
    for (const role of ROLES) sessions.set(role, await as(USER_OF[role]));
    const secrets = [ORDINARY.name, ORDINARY.phone, ORDINARY.idNumber, ACCUSER.name, ACCUSER.phone, ACCUSER.idNumber];
    const accusationMarks = [
      ids.accusation,
      ids.accusationNo,
      ACCUSATION_TEXT,
      ACCUSER.name,
      ACCUSER.phone,
      ACCUSER.idNumber,
      ids.accusationAttachment,
    ];
    const leaks: string[] = [];
    /** Answers a browser or a proxy may keep a copy of. */
    const kept: string[] = [];
    const counted = { requests: 0, routes: 0, ok: 0, detailsReads: 0 };
    const logBefore = (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM pii_access_log'))[0].n;
    const gets = ROUTES.filter((r) => r.method === 'get');
    for (const spec of gets) {
      const name = `GET ${spec.path}`;
      counted.routes++;
      for (const path of await samplePaths(spec.path)) {
        for (const query of QUERIES[name] ?? ['']) {
          for (const who of [undefined, ...ROLES]) {
            const session = who ? sessions.get(who)! : new Session(h.server.url);
            const url = `/api${path}${query ? `?${query}` : ''}`;
            const res = await session.call('GET', url);
            counted.requests++;
            if (res.status < 300) counted.ok++;
            if (res.headers.get('cache-control') !== 'no-store')
              kept.push(
                `${url} as ${who ?? 'nobody'} (${res.status}): Cache-Control ${res.headers.get('cache-control')}`,
              );
            const mayReadDetails =
              name === DETAILS_ROUTE && who !== undefined && allowed(spec.access, { roles: [who] } as never) === 'ok';
            if (mayReadDetails && res.status === 200) counted.detailsReads++;
            // (a refusal names the address asked in `instance`: the caller's own input, not something shown to them)
            const text = res.text.split(url).join('');
            const found = secrets.filter((s) => text.includes(s));
            if (found.length > 0 && !mayReadDetails)
              leaks.push(`${url} as ${who ?? 'nobody'} (${res.status}) shows ${found.join(', ')}`);
            // (a public route answers the same to everyone: the rating link goes to the petitioner's phone only)
            if (who === 'cadre' && spec.access !== 'public') {
              const seen = accusationMarks.filter((m) => text.includes(m));
              if (seen.length > 0)
                leaks.push(`${url} as the accused cadre (${res.status}) shows the accusation: ${seen.join(', ')}`);
            }
          }
        }
      }
    }
    // every read of full details was logged
    const logged = (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM pii_access_log'))[0].n - logBefore;
    console.log(
      `personal-data check: ${counted.routes} GET routes, ${counted.requests} requests (${counted.ok} answered 2xx) as ${ROLES.length} roles and nobody; ${counted.detailsReads} full-detail reads, ${logged} logged`,
    );
    expect(leaks).toEqual([]);
    expect(kept).toEqual([]);
    expect(counted.detailsReads).toBeGreaterThan(0);
    expect(logged).toBe(counted.detailsReads);
    // the details route really answers full details to those it names (the check above is not vacuous)
    const full = await sessions
      .get('reception')!
      .call('GET', `/api/cases/${ids.accusation}/petitioner?purpose=${encodeURIComponent('电话回访')}`);
    expect(full.body).toMatchObject({ name: ACCUSER.name, phone: ACCUSER.phone, idNumber: ACCUSER.idNumber });
    // and the others see the accusation where the accused does not (the cadre's blindness is not a missing case)
    const secretary = sessions.get('secretary')!;
    expect(
      ((await secretary.call('GET', '/api/cases?limit=100')).body.items as Json[]).some((c) => c.id === ids.accusation),
    ).toBe(true);
    expect((await secretary.call('GET', '/api/dashboard/cases.csv')).text).toContain(ids.accusationNo);
    // (the duplicate check is a POST, the numbers in its body: it finds the accusation for others, never for the accused)
    for (const lookup of [{ phone: ACCUSER.phone }, { idNumber: ACCUSER.idNumber }]) {
      expect((await secretary.call('POST', '/api/cases/duplicates', lookup)).text).toContain(ids.accusation);
      const accused = await sessions.get('cadre')!.call('POST', '/api/cases/duplicates', lookup);
      expect(accused.status).toBe(200);
      expect(accusationMarks.filter((m) => accused.text.includes(m))).toEqual([]);
    }
    expect((await secretary.call('GET', `/api/key-persons/${ids.keyPerson}`)).text).toContain(ids.accusationNo);
    expect((await secretary.call('GET', '/api/warning-alerts')).text).toContain(ids.accusationNo);
  });
});
