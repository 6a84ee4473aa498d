import { start, type RunningServer } from '../../server/server';
import { createTestDatabase, testEnv, type TestDatabase } from '../support/database';
import { DEMO_USERS } from '../../server/seed';

describe('server', () => {
  let db: TestDatabase;
  let server: RunningServer | undefined;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await db.drop();
  });

  it('when started on an empty database, then it is alive, ready and seeds the demo community', async () => {
    // when
    server = await start({ env: testEnv(db) });
    // then
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect(server.demoLogins.map((u) => u.username)).toEqual(DEMO_USERS.map((u) => u.username));
    const [grids] = await server.database.db.query<{ n: string }>('SELECT count(*) AS n FROM grid');
    expect(Number(grids.n)).toBe(7);
    const roles = await server.database.db.query<{ role_id: string }>(
      'SELECT DISTINCT role_id FROM user_role ORDER BY 1',
    );
    expect(roles.map((r) => r.role_id)).toEqual([
      'admin',
      'cadre',
      'grid-worker',
      'leader',
      'member',
      'reception',
      'secretary',
      'street-office',
    ]);
  });

  it('when started, then the policy models are deployed, and a restart deploys no new versions', async () => {
    // given
    server = await start({ env: testEnv(db) });
    const versions = async () =>
      (
        await server!.database.db.query<{ resource_id: string; version: number }>(
          "SELECT resource_id, max(version) AS version FROM engine_resource WHERE kind = 'process' GROUP BY resource_id ORDER BY 1",
        )
      ).map((r) => `${r.resource_id}@${r.version}`);
    const first = await versions();
    expect(first).toEqual([
      'early-warning-joint-handling@1',
      'key-person-care@1',
      'petition-handling@1',
      'petition-review@1',
      'street-office-escalation@1',
      'working-group-1plusx@1',
    ]);
    // when
    await server.stop();
    server = await start({ env: testEnv(db) });
    // then
    expect(await versions()).toEqual(first);
  });

  it('when restarted on the same data, then the data is kept and nothing is seeded twice', async () => {
    // given
    server = await start({ env: testEnv(db) });
    await server.database.db.query("INSERT INTO grid (code, name) VALUES ('G99', '测试网格')");
    await server.stop();
    // when
    server = await start({ env: testEnv(db) });
    // then
    expect(server.demoLogins).toEqual([]);
    const rows = await server.database.db.query<{ name: string }>("SELECT name FROM grid WHERE code = 'G99'");
    expect(rows).toEqual([{ name: '测试网格' }]);
    const [users] = await server.database.db.query<{ n: string }>('SELECT count(*) AS n FROM app_user');
    expect(Number(users.n)).toBe(DEMO_USERS.length);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('when a route does not exist, then the answer is a problem detail in the asked language', async () => {
    server = await start({ env: testEnv(db) });
    // when
    const zh = await fetch(`${server.url}/no-such-page`);
    const en = await fetch(`${server.url}/no-such-page`, { headers: { 'accept-language': 'en' } });
    // then
    expect(zh.status).toBe(404);
    expect(zh.headers.get('content-type')).toContain('application/problem+json');
    expect(zh.headers.get('x-request-id')).toBeTruthy();
    expect(await zh.json()).toMatchObject({ status: 404, title: '未找到', instance: '/no-such-page' });
    expect(await en.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('sets security headers', async () => {
    server = await start({ env: testEnv(db) });
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('when the database cannot be reached, then the start fails with a message naming DATABASE_URL', async () => {
    // given a port nothing listens on
    const env = testEnv(db, { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/none' });
    // when / then
    await expect(start({ env })).rejects.toThrow(
      /Cannot connect to the database at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none \(DATABASE_URL\): .*ECONNREFUSED/,
    );
  });

  it('when the configuration is bad, then the start fails before touching anything', async () => {
    await expect(start({ env: testEnv(db, { PORT: 'eighty' }) })).rejects.toThrow(/PORT must be a port number/);
  });
});
