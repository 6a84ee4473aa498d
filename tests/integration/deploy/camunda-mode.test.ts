/**
 * The deployment's path, without Docker: three processes, as docker-compose.yml runs them against a Camunda cluster.
 * An engine process (an app with ENGINE=embedded and no workers, standing in for the cluster), the app with
 * ENGINE=camunda pointed at it over HTTP (it deploys bpmn/ through the SDK, as against Zeebe), and `npm run workers`
 * pointed at it too. A petition is filed through the app's API, its tasks are completed through the app's tasklist as
 * the seeded users whose candidate groups they are, the petitioner gets the rating link by SMS (a stand-in gateway,
 * SMS_PROVIDER=http) and rates through the public link, and the case closes: nothing in that path needs the engine in
 * the app's process. PostgreSQL only (three processes share the database; PGlite admits one).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, spawnWorkers, type ChildApp, type ChildWorkers } from '../../support/child-app';
import { freePort } from '../../support/ports';
import { until } from '../../support/engine';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PASSWORD = 'camunda-mode-password';
const PHONE = '13912345678';
const onPostgres = !!process.env.DATABASE_URL;
jest.setTimeout(4 * 60 * 1000);

/** A staff member's browser: the session cookie and the CSRF token it was given. */
async function signIn(base: string, username: string) {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo-2026' }),
  });
  if (res.status !== 201) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Json) : {} };
  };
}

/** An SMS gateway (SMS_PROVIDER=http) that keeps what it was asked to send: the petitioner's phone. */
class SmsGateway {
  readonly sent: Array<{ to: string; text: string }> = [];
  private server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      this.sent.push(JSON.parse(body) as { to: string; text: string });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ messageId: `gw-${this.sent.length}` }));
    });
  });
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }
  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

(onPostgres ? describe : describe.skip)(
  'the app with ENGINE=camunda, the engine and the workers each in a process of its own (PostgreSQL)',
  () => {
    let db: TestDatabase;
    let engine: ChildApp | undefined;
    let app: ChildApp | undefined;
    let workers: ChildWorkers | undefined;
    const gateway = new SmsGateway();
    const piiKey = randomBytes(32).toString('hex');
    let publicUrl = '';

    beforeAll(async () => {
      db = await createTestDatabase();
      await gateway.start();
      // the stand-in for the cluster: an engine at /v2 and nothing else working on it
      engine = await spawnApp(
        testEnv(db, {
          PORT: String(await freePort()),
          ENGINE: 'embedded',
          ENGINE_API_USERNAME: 'engine',
          ENGINE_API_PASSWORD: PASSWORD,
          PII_ENCRYPTION_KEY: piiKey,
          WORKERS_IN_APP: 'false',
          DEPLOY_MODELS: 'false',
          DEMO_SEED: 'true',
          LOG_LEVEL: 'warn',
        }),
      );
      const camunda = {
        ENGINE: 'camunda',
        ZEEBE_REST_ADDRESS: engine.url,
        CAMUNDA_AUTH_STRATEGY: 'BASIC',
        CAMUNDA_BASIC_AUTH_USERNAME: 'engine',
        CAMUNDA_BASIC_AUTH_PASSWORD: PASSWORD,
        PII_ENCRYPTION_KEY: piiKey,
      };
      // the app as in docker-compose.yml: ENGINE=camunda, no workers inside, deploying bpmn/ on start
      const appPort = await freePort();
      publicUrl = `http://localhost:${appPort}`;
      app = await spawnApp(
        testEnv(db, {
          ...camunda,
          PORT: String(appPort),
          PUBLIC_URL: publicUrl,
          WORKERS_IN_APP: 'false',
          DEPLOY_MODELS: 'true',
          DEMO_SEED: 'true',
          LOG_LEVEL: 'warn',
        }),
      );
      // and the workers as their own process, sending SMS through the gateway, with links to the app
      workers = await spawnWorkers(
        testEnv(db, { ...camunda, PUBLIC_URL: publicUrl, SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url }),
      );
    });
    afterAll(async () => {
      await workers?.kill('SIGKILL');
      await app?.kill('SIGKILL');
      await engine?.kill('SIGKILL');
      await gateway.stop();
      await db?.drop();
    });

    it('when a simple petition is filed, handled and rated satisfied through the app, then the case is closed', async () => {
      const base = app!.url;
      // the app reaches its engine over HTTP only, and says so
      expect((await (await fetch(`${base}/readyz`)).json()) as Json).toMatchObject({ status: 'ready' });
      const reception = await signIn(base, 'reception');
      const taskOf = (call: typeof reception, caseId: string, elementId: string) =>
        until(async () => {
          const { body } = await call('GET', '/api/tasks?view=mine');
          return (body.items as Json[]).find((t) => t.case?.id === caseId && t.elementId === elementId);
        }, 60000).catch(() => {
          throw new Error(`no ${elementId} task for the case; the workers said:\n${workers!.output()}`);
        });

      // when a receptionist files a petition with the petitioner's phone
      const filed = await reception('POST', '/api/cases', {
        channel: 'walk-in',
        category: '路灯维修',
        description: '小区北门路灯不亮',
        petitioner: { name: '李小红', phone: PHONE, consentPublishName: false },
      });
      expect(filed.status).toBe(201);
      expect(filed.body).toMatchObject({ processStarted: true });
      const caseId = filed.body.id as string;

      // then the workers (another process) take it to the first responder's classification, which she completes as simple
      const decision = await taskOf(reception, caseId, 'Task_AcceptanceDecision');
      await reception('POST', `/api/tasks/${decision.userTaskKey}/complete`, {
        variables: { acceptanceDecision: 'accepted' },
      });
      const confirm = await taskOf(reception, caseId, 'Task_ConfirmCaseClass');
      expect(
        (
          await reception('POST', `/api/tasks/${confirm.userTaskKey}/complete`, {
            variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: false },
          })
        ).status,
      ).toBe(204);
      // and the coordination with the responsible unit, reporting it resolved
      const coordinate = await taskOf(reception, caseId, 'Task_CoordinateUnit');
      expect(
        (
          await reception('POST', `/api/tasks/${coordinate.userTaskKey}/complete`, {
            variables: { responsibleUnit: '市政路灯所', handlingResult: '已修复路灯', resolved: true },
          })
        ).status,
      ).toBe(204);

      // when the petitioner gets the rating link by SMS
      const sms = await until(
        () => Promise.resolve(gateway.sent.find((m) => m.to === PHONE && m.text.includes('/rate/'))),
        60000,
      ).catch(() => {
        throw new Error(
          `no rating link was sent; the gateway got ${JSON.stringify(gateway.sent)}; the workers said:\n${workers!.output()}`,
        );
      });
      // (the link is built by the workers, from the PUBLIC_URL they share with the app)
      const link = /(http:\/\/\S+)\/rate\/([A-Za-z0-9_-]+)/.exec(sms.text);
      expect(link?.[1]).toBe(publicUrl);
      const token = link![2];
      // and opens it (the page's API), and rates satisfied, without any account
      const page = await fetch(`${base}/api/public/ratings/${token}`);
      expect(page.status).toBe(200);
      expect(((await page.json()) as Json).caseNo).toBe(filed.body.caseNo);
      const rated = await fetch(`${base}/api/public/ratings/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rating: 'satisfied', comment: '修得很快' }),
      });
      expect(rated.status).toBe(201);

      // then the case is closed: its process completed, the closing step ran, the timeline says so
      const closed = await until(async () => {
        const { body } = await reception('GET', `/api/cases/${caseId}`);
        return body.process?.state === 'COMPLETED' ? body : undefined;
      }, 60000).catch(() => {
        throw new Error(`the case did not close; the workers said:\n${workers!.output()}`);
      });
      expect((closed.timeline as Json[]).map((e) => e.kind)).toEqual(
        expect.arrayContaining(['registered', 'task-completed', 'rated', 'closed']),
      );
      expect((closed.timeline as Json[]).filter((e) => e.kind === 'step').map((e) => e.detail.elementId)).toEqual(
        expect.arrayContaining([
          'Task_ConfirmCaseClass',
          'Task_CoordinateUnit',
          'Task_IssueRatingLink',
          'Task_CloseCase',
        ]),
      );
      // and the workers are still running, and stop cleanly when asked
      expect(workers!.process.exitCode).toBeNull();
      expect(await workers!.kill('SIGTERM')).toBe(0);
    });
  },
);
