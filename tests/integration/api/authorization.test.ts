/**
 * Every route of the API with every role and with no session, against the running app: who is let through is
 * checked against the table below, written by hand from DOMAIN.md's roles (not read from the routes' own
 * declarations), and a route missing from the table fails the test.
 */
import { ROUTES } from '../../../api';
import { ROLES, type Role } from '../../../api/route';
import { startEngine, type EngineHarness } from '../../support/engine';

const STAFF_WITH_CASES: Role[] = ['reception', 'cadre', 'secretary', 'street-office', 'leader', 'admin', 'grid-worker'];
const INTAKE: Role[] = ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'];
const GRID_STAFF: Role[] = ['grid-worker', 'cadre', 'secretary', 'leader', 'admin'];
const DASHBOARD: Role[] = ['leader', 'admin', 'secretary', 'cadre', 'street-office'];
const ATTACHMENTS: Role[] = ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin', 'street-office'];

/** route → who may call it: 'public', every signed-in role, or the listed roles. */
const EXPECTED: Record<string, 'public' | 'signed-in' | Role[]> = {
  'POST /session': 'public',
  'GET /session': 'public',
  'DELETE /session': 'signed-in',
  'GET /me': 'signed-in',
  'GET /street-office/queue': ['street-office', 'leader', 'admin'],
  'GET /inbox': ['reception', 'cadre', 'secretary', 'grid-worker', 'street-office', 'leader', 'admin', 'member'],
  'POST /inbox/:id/read': [
    'reception',
    'cadre',
    'secretary',
    'grid-worker',
    'street-office',
    'leader',
    'admin',
    'member',
  ],
  'GET /outbox': ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'],
  'POST /outbox/:id/passed-on': ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'],
  'POST /outbox/:id/reveal-phone': ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'],
  'GET /cases/:id/rating-link': ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'],
  'GET /public/ratings/:token': 'public',
  'POST /public/ratings/:token': 'public',
  'GET /public/notices': 'public',
  'POST /cases/duplicates': INTAKE,
  'POST /cases': INTAKE,
  'GET /cases': STAFF_WITH_CASES,
  'GET /cases/facets': STAFF_WITH_CASES,
  'GET /cases/export.csv': STAFF_WITH_CASES,
  'GET /ops/processes': ['admin'],
  'GET /ops/processes/:key': ['admin'],
  'GET /ops/instances': ['admin'],
  'GET /ops/instances/:key': ['admin'],
  'POST /ops/incidents/:key/retry': ['admin'],
  'POST /ops/instances/:key/cancel': ['admin'],
  'POST /ops/instances/:key/variables': ['admin'],
  'GET /cases/:id': STAFF_WITH_CASES,
  'POST /cases/:id/owner': ['leader'],
  'POST /cases/:id/review': ['reception', 'cadre', 'secretary', 'leader', 'admin'],
  'POST /cases/:id/withdraw': ['reception', 'cadre', 'secretary', 'street-office', 'leader', 'admin'],
  'POST /cases/:id/return': ['reception', 'cadre', 'secretary', 'street-office', 'leader', 'admin'],
  'POST /cases/:id/extension': ['reception', 'cadre', 'secretary', 'street-office', 'leader', 'admin'],
  'GET /tasks': 'signed-in',
  'GET /tasks/:key': 'signed-in',
  'POST /tasks/:key/claim': 'signed-in',
  'POST /tasks/:key/unclaim': 'signed-in',
  'GET /tasks/:key/colleagues': 'signed-in',
  'GET /tasks/:key/history': 'signed-in',
  'GET /tasks/:key/alert': 'signed-in',
  'POST /tasks/:key/hand-over': 'signed-in',
  'POST /tasks/:key/complete': 'signed-in',
  'GET /working-group/candidates': ['cadre', 'secretary', 'leader', 'admin'],
  'GET /key-persons': ['cadre', 'secretary', 'leader', 'admin', 'reception', 'grid-worker'],
  'GET /key-persons/:id': ['cadre', 'secretary', 'leader', 'admin', 'reception', 'grid-worker'],
  'POST /key-persons': ['cadre', 'secretary', 'leader', 'admin'],
  'PUT /key-persons/:id': ['cadre', 'secretary', 'leader', 'admin'],
  'POST /key-persons/:id/exit': ['cadre', 'secretary', 'leader', 'admin'],
  'POST /key-persons/:id/conversion': ['cadre', 'secretary', 'leader', 'admin'],
  'GET /warning-rules': ['admin', 'leader', 'cadre', 'secretary'],
  'POST /warning-rules': ['admin'],
  'PUT /warning-rules/:id': ['admin'],
  'GET /warning-alerts': ['admin', 'leader', 'cadre', 'secretary'],
  'GET /diagrams': ['admin', 'leader'],
  'GET /diagrams/:name': ['admin', 'leader'],
  'GET /diagrams/:name/versions/:version': ['admin', 'leader'],
  'POST /diagrams/:name/lint': ['admin'],
  'POST /diagrams/:name/versions': ['admin'],
  'POST /diagrams/:name/versions/:version/deploy': ['admin'],
  'GET /element-templates': ['admin', 'leader'],
  'GET /cases/:id/diagram': STAFF_WITH_CASES,
  'GET /cases/:id/petitioner': ['reception', 'cadre', 'secretary', 'leader', 'street-office'],
  'GET /calendar/years': 'signed-in',
  'GET /calendar/:year': 'signed-in',
  'PUT /calendar/:year': ['admin'],
  'GET /calendar/waiting': ['admin'],
  'POST /calendar/waiting/retry': ['admin'],
  'GET /users': ['admin'],
  'POST /users': ['admin'],
  'PUT /users/:id': ['admin'],
  'GET /categories': 'signed-in',
  'POST /categories': ['admin'],
  'PUT /categories/:code': ['admin'],
  'POST /users/:id/unlock': ['admin'],
  'GET /grids': 'signed-in',
  'GET /grid-register': 'signed-in',
  'POST /grids': ['admin'],
  'PUT /grids/:id': ['admin'],
  'POST /grids/:id/retire': ['admin'],
  'POST /compounds': ['admin'],
  'PUT /compounds/:id': ['admin'],
  'POST /compounds/:id/retire': ['admin'],
  'POST /patrols': GRID_STAFF,
  'GET /patrols': GRID_STAFF,
  'POST /hazards': GRID_STAFF,
  'GET /grids/summary': GRID_STAFF,
  'GET /campaigns': GRID_STAFF,
  'POST /campaigns': ['cadre', 'secretary', 'leader', 'admin'],
  'PUT /campaigns/:id/coverage/:compoundId': GRID_STAFF,
  'GET /dashboard': DASHBOARD,
  'GET /dashboard/cases.csv': DASHBOARD,
  'GET /reports/annual': DASHBOARD,
  'GET /settings': 'signed-in',
  'PUT /settings/:key': ['admin'],
  'GET /notification-templates': ['admin'],
  'PUT /notification-templates/:template': ['admin'],
  'DELETE /notification-templates/:template': ['admin'],
  'POST /cases/:id/attachments': ATTACHMENTS,
  'GET /cases/:id/attachments': ATTACHMENTS,
  'GET /cases/:id/attachments/:attachmentId': ATTACHMENTS,
};

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

const samplePath = (path: string) =>
  path
    .replace(':id', '00000000-0000-4000-8000-000000000000')
    .replace(':key', '2251799813685249')
    .replace(':token', 'tttttttttttttttttttttttt')
    .replace(':name', 'petition-handling.bpmn')
    .replace(':version', '999')
    .replace(':year', '2026')
    .replace(':compoundId', '00000000-0000-4000-8000-000000000001')
    .replace(':attachmentId', '00000000-0000-4000-8000-000000000002')
    .replace(':template', 'acceptance')
    .replace(':code', 'other');

describe('authorization of every route', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
  });
  afterAll(() => h.stop());

  async function signIn(username: string) {
    const res = await fetch(`${h.server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'demo-2026' }),
    });
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf: csrfToken };
  }

  it('every route in the API is in the table of expected access', () => {
    expect(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('when each role and no session call each route, then exactly the expected ones get past authentication and authorization', async () => {
    const sessions = new Map<Role, { cookie: string; csrf: string }>();
    for (const role of ROLES) sessions.set(role, await signIn(USER_OF[role]));
    const wrong: string[] = [];
    for (const spec of ROUTES) {
      const name = `${spec.method.toUpperCase()} ${spec.path}`;
      const expected = EXPECTED[name];
      for (const who of [undefined, ...ROLES]) {
        // signing out ends the session: that route gets a session of its own
        const session = who
          ? spec.method === 'delete' && spec.path === '/session'
            ? await signIn(USER_OF[who])
            : sessions.get(who)!
          : undefined;
        const res = await fetch(`${h.server.url}/api${samplePath(spec.path)}`, {
          method: spec.method.toUpperCase(),
          headers: {
            'content-type': 'application/json',
            'x-forwarded-for': `10.0.0.${ROLES.indexOf(who as Role) + 2}`,
            ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
          },
          body: spec.method === 'get' ? undefined : '{}',
        });
        await res.arrayBuffer();
        const mayPass =
          expected === 'public' || (who !== undefined && (expected === 'signed-in' || expected.includes(who)));
        const passed = res.status !== 401 && res.status !== 403;
        const expectedStatus = mayPass ? 'not 401/403' : who === undefined ? '401' : '403';
        const ok = mayPass ? passed : res.status === (who === undefined ? 401 : 403);
        if (!ok) wrong.push(`${name} as ${who ?? 'nobody'}: ${res.status}, expected ${expectedStatus}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('when the engine API is called without its credentials, then it refuses', async () => {
    for (const path of ['/v2/topology', '/v2/process-instances/search', '/v2/user-tasks/search']) {
      const res = await fetch(`${h.server.url}${path}`, {
        method: path.endsWith('search') ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json' },
        body: path.endsWith('search') ? '{}' : undefined,
      });
      expect(res.status).toBe(401);
    }
  });
});
