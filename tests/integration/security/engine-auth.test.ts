/**
 * The embedded engine's /v2 API refuses every call without its credentials. The routes are read from the engine's
 * own router (its Express stack), and checked against the route declarations in engine/rest/router.ts, so a new
 * endpoint is covered as soon as it exists. Each is called with no credentials, a wrong password, a malformed
 * Authorization header, a bearer token, and a staff session: 401 each, and the engine's tables do not change. The
 * same for the calls the app's own client makes in process without Express (the API's direct handler). Guessing is
 * throttled per client address (429 with Retry-After, the credentials not checked), never the app's own calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineApi } from '../../../engine';
import { ENGINE_AUTH_MAX_FAILURES } from '../../../engine/rest/auth-throttle';
import { deploy, now, startEngine, type EngineHarness } from '../../support/engine';

const ENGINE_TABLES = [
  'engine_resource',
  'engine_instance',
  'engine_element',
  'engine_job',
  'engine_user_task',
  'engine_incident',
  'engine_clock',
  'engine_timer',
  'engine_subscription',
  'engine_message',
];

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('the engine API without its credentials', () => {
  let h: EngineHarness;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
    // something every refused call could have changed: definitions, a waiting user task, a job, a message subscription
    const deployed = await deploy(
      h.client,
      'user-task.bpmn',
      'review.form',
      'two-service-tasks.bpmn',
      'message-catch.bpmn',
    );
    keys.definition = String(deployed.processes[0].processDefinitionKey);
    const withTask = await h.client.createProcessInstance({
      processDefinitionId: 'user-task',
      variables: { firstResponder: 'reception' },
    });
    keys.instance = String(withTask.processInstanceKey);
    await h.client.createProcessInstance({ processDefinitionId: 'two-service-tasks', variables: {} });
    await h.client.createProcessInstance({ processDefinitionId: 'message-catch', variables: { caseId: 'c-1' } });
    const tasks = await h.client.searchUserTasks({ filter: { processInstanceKey: withTask.processInstanceKey } }, now);
    keys.userTask = String(tasks.items[0].userTaskKey);
    const [job] = await h.server.database.db.query<{ key: string }>('SELECT key::text AS key FROM engine_job LIMIT 1');
    keys.job = job?.key ?? '1';
  });
  afterAll(() => h.stop());

  /** The engine's tables as one digest per table: any insert, update or delete shows. */
  const digest = async () => {
    const out: Record<string, string | null> = {};
    for (const t of ENGINE_TABLES)
      out[t] = (
        await h.server.database.db.query<{ d: string | null }>(
          `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM ${t} t`,
        )
      )[0].d;
    return out;
  };

  function declaredRoutes(): Array<{ method: string; path: string }> {
    const router = engineApi({ engine: h.server.engine!, credentials: { username: 'x', password: 'y' } })
      .router as unknown as { stack: Layer[] };
    return router.stack.flatMap((layer) =>
      layer.route ? Object.keys(layer.route.methods).map((method) => ({ method, path: layer.route!.path })) : [],
    );
  }

  it('when the router is read, then it lists every route declared in engine/rest/router.ts', () => {
    const source = readFileSync(join(__dirname, '../../../engine/rest/router.ts'), 'utf8');
    // Express-only routes are declared as router.get('/path', …), the JSON routes as route('get', '/path', …).
    const inSource = [
      ...source.matchAll(
        /(?:router\.(get|post|put|patch|delete)\(|\broute\(\s*'(get|post|put|patch|delete)',)\s*'([^']+)'/g,
      ),
    ]
      .map((m) => `${m[1] ?? m[2]} ${m[3]}`)
      .sort();
    const fromRouter = declaredRoutes()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(fromRouter).toEqual(inSource);
    expect(fromRouter.length).toBeGreaterThanOrEqual(30);
  });

  it('when every engine route is called with no, wrong or the wrong kind of credentials, then each answers 401 and nothing changes', async () => {
    const admin = await fetch(`${h.server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-2026' }),
    });
    const session = admin.headers.get('set-cookie')!.split(';')[0];
    const { csrfToken } = (await admin.json()) as { csrfToken: string };
    const user = h.server.config.ENGINE_API_USERNAME;
    const password = h.server.secrets.engineApiPassword;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const attempts: Record<string, Record<string, string>> = {
      none: {},
      'wrong password': { authorization: `Basic ${b64(`${user}:${password}x`)}` },
      'wrong user': { authorization: `Basic ${b64(`admin:${password}`)}` },
      'malformed basic': { authorization: 'Basic !!!not-base64' },
      'bearer token': { authorization: `Bearer ${password}` },
      'staff session': { cookie: session, 'x-csrf-token': csrfToken },
    };
    const keyFor = (path: string) =>
      path.startsWith('/user-tasks')
        ? keys.userTask
        : path.startsWith('/jobs')
          ? keys.job
          : path.startsWith('/process-definitions')
            ? keys.definition
            : keys.instance;
    const before = await digest();
    const wrong: string[] = [];
    let sent = 0;
    // each attempt from an address of its own (X-Forwarded-For, from the trusted loopback): one address is throttled
    // after a few failures (tested below), and this test is about the answer to each kind of credentials
    const address = () => `10.66.${Math.floor(sent / 250)}.${(sent % 250) + 1}`;
    const routes = declaredRoutes();
    for (const { method, path } of routes) {
      const concrete = path.replace(/:(\w+)/g, () => keyFor(path));
      for (const [kind, headers] of Object.entries(attempts)) {
        const res = await fetch(`${h.server.url}/v2${concrete}`, {
          method: method.toUpperCase(),
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address(), ...headers },
          body:
            method === 'get'
              ? undefined
              : JSON.stringify({
                  variables: { hacked: true },
                  timestamp: 0,
                  name: 'satisfaction-rated',
                  correlationKey: 'c-1',
                  assignee: 'x',
                  type: 'task-a',
                  maxJobsToActivate: 10,
                }),
        });
        sent++;
        const body = (await res.json().catch(() => null)) as { title?: string } | null;
        if (res.status !== 401 || body?.title !== 'UNAUTHORIZED' || !res.headers.get('www-authenticate'))
          wrong.push(`${method.toUpperCase()} /v2${concrete} with ${kind}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(sent).toBe(routes.length * Object.keys(attempts).length);
    expect(await digest()).toEqual(before);
    // while the right credentials still work (the refusals are not an engine that refuses everything)
    const ok = await fetch(`${h.server.url}/v2/topology`, {
      headers: { authorization: `Basic ${b64(`${user}:${password}`)}` },
    });
    expect(ok.status).toBe(200);
    console.log(
      `engine auth check: ${routes.length} /v2 routes × ${Object.keys(attempts).length} kinds of wrong credentials = ${sent} requests, all 401, engine tables unchanged`,
    );
  });

  it('when a JSON route is called in process with wrong credentials, then it answers 401 as over HTTP and nothing changes', async () => {
    const user = h.server.config.ENGINE_API_USERNAME;
    const password = h.server.secrets.engineApiPassword;
    const api = engineApi({ engine: h.server.engine!, credentials: { username: user, password } });
    const keyFor = (path: string) =>
      path.startsWith('/user-tasks')
        ? keys.userTask
        : path.startsWith('/jobs')
          ? keys.job
          : path.startsWith('/process-definitions')
            ? keys.definition
            : keys.instance;
    const before = await digest();
    const wrong: string[] = [];
    let direct = 0;
    for (const { method, path } of declaredRoutes()) {
      const concrete = path.replace(/:(\w+)/g, () => keyFor(path));
      const handle = api.direct(method.toUpperCase(), concrete);
      if (!handle) continue; // Express only (uploads, XML): covered above
      direct++;
      for (const authorization of [
        null,
        `Basic ${Buffer.from(`${user}:${password}x`).toString('base64')}`,
        `Bearer ${password}`,
      ]) {
        const answer = await handle({
          authorization,
          contentType: 'application/json',
          body: JSON.stringify({ variables: { hacked: true }, timestamp: 0, assignee: 'x' }),
          signal: new AbortController().signal,
        });
        const body = ('body' in answer ? (JSON.parse(answer.body ?? 'null') as unknown) : answer.json) as {
          title?: string;
          instance?: string;
        } | null;
        if (
          answer.status !== 401 ||
          body?.title !== 'UNAUTHORIZED' ||
          body.instance !== `/v2${concrete}` ||
          !answer.headers['www-authenticate']
        )
          wrong.push(`${method} ${concrete}: ${answer.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(direct).toBeGreaterThanOrEqual(30);
    expect(await digest()).toEqual(before);
    const ok = await api.direct('GET', '/topology')!({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      contentType: null,
      body: '',
      signal: new AbortController().signal,
    });
    expect(ok.status).toBe(200);
    expect('body' in ok && (JSON.parse(ok.body!) as { clusterSize: number }).clusterSize).toBe(1);
  });

  describe('password guessing', () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const topology = (authorization: string | undefined, address?: string) =>
      fetch(`${h.server.url}/v2/topology`, {
        headers: { ...(authorization ? { authorization } : {}), ...(address ? { 'x-forwarded-for': address } : {}) },
      });

    it('when one address sends wrong credentials again and again, then after a few it gets 429 with Retry-After even for the right ones, and other addresses are not held up', async () => {
      // given
      const user = h.server.config.ENGINE_API_USERNAME;
      const right = basic(user, h.server.secrets.engineApiPassword);
      const guesser = '10.77.0.1';
      // when the guesser sends wrong passwords
      const statuses: number[] = [];
      for (let i = 0; i < ENGINE_AUTH_MAX_FAILURES + 5; i++)
        statuses.push((await topology(basic(user, `guess-${i}`), guesser)).status);
      // then the first few are refused as wrong, the rest without being checked
      expect(statuses).toEqual([...Array<number>(ENGINE_AUTH_MAX_FAILURES).fill(401), ...Array<number>(5).fill(429)]);
      const refused = await topology(right, guesser);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await refused.json()).toMatchObject({
        status: 429,
        title: 'RESOURCE_EXHAUSTED',
        instance: '/v2/topology',
        detail: expect.stringMatching(/failed authentications from this address/),
      });
      // and the right credentials from another address still work, wrong ones there are still a plain 401
      expect((await topology(right, '10.77.0.2')).status).toBe(200);
      expect((await topology(basic(user, 'wrong'), '10.77.0.3')).status).toBe(401);
    });

    // Last in this file: it holds up the loopback address, which the other tests' SDK client comes from.
    it("when the loopback address is held up by wrong credentials, then the app's own calls to the engine in process still pass", async () => {
      // given 127.0.0.1 (where in-process calls appear to come from) refused for guessing
      for (let i = 0; i < ENGINE_AUTH_MAX_FAILURES; i++)
        expect((await topology(basic('engine', `local-guess-${i}`))).status).toBe(401);
      expect((await topology(h.authorization)).status).toBe(429);
      // when the app's own client deploys (multipart: through the Express router) and reads the topology (direct)
      const deployed = await h.server.engineClient.deployResourcesFromFiles([
        join(__dirname, '../../fixtures/engine/user-task.bpmn'),
      ]);
      const topologyInProcess = await h.server.engineClient.getTopology();
      // then both pass
      expect(deployed.processes[0].processDefinitionId).toBe('user-task');
      expect(topologyInProcess.clusterSize).toBe(1);
    });
  });
});
