/**
 * Personal data and secrets stay out of the logs (issue 23, item 3). The app runs as `npm start` would run it (a
 * child process, every log line it writes to stdout and stderr captured, at the most talkative level), and is used
 * the way staff and a resident use it with known values: a petition filed with a name, phone and ID number, the
 * intake page's duplicate check, a lookup sent the old way (numbers in the query string), the outbox's full number,
 * the case driven to its one-time rating link, the link opened as the page and through the API, and rated. Then the
 * whole log is searched for each value. A second test drives the request log in process, where a route can be made
 * to fail, to show the line written for a failed request carries the same redacted address.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { ROUTES } from '../../../api';
import { openApiDocument } from '../../../api/route';
import { createApp } from '../../../server/http/app';
import { createLogger } from '../../../platform/logger';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { pinChildClock, spawnApp, reportUnexpectedExit, type ChildApp } from '../../support/child-app';
import { freePort } from '../../support/ports';
import { TEST_EPOCH, until } from '../../support/engine';
import { Session, type Json } from '../../support/session';

jest.setTimeout(4 * 60 * 1000);

const PETITIONER = { name: '诸葛长青', phone: '13755550123', idNumber: '11010519900307123X' };

/** The values that may not appear in a log, in every spelling a request could have carried them in. */
function secretsOf(values: string[]): string[] {
  return [...new Set(values.flatMap((v) => [v, v.toLowerCase(), encodeURIComponent(v)]))];
}

describe('personal data and secrets in the logs', () => {
  let db: TestDatabase;
  let app: ChildApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    reportUnexpectedExit(app);
    await app?.kill('SIGKILL');
    await db.drop();
  });

  it('when a duplicate check, an outbox reveal and a rating-link visit run with known values, then the whole log holds none of them', async () => {
    // given the app as started in production would be (its workers inside, texts kept in the outbox), logging everything
    const env = testEnv(db, {
      PORT: String(await freePort()),
      LOG_LEVEL: 'trace',
      DEMO_SEED: 'true',
      WORKERS_IN_APP: 'true',
      DEPLOY_MODELS: 'true',
      SMS_PROVIDER: 'outbox',
      ENGINE_API_PASSWORD: 'logs-test-engine-password',
    });
    app = await spawnApp(env);
    // on a working day of a year the calendar holds, whatever the machine's date (the texts carry deadlines)
    await pinChildClock(app, env, TEST_EPOCH);
    const reception = await new Session(app.url).signIn('reception');
    const filed = await reception.call('POST', '/api/cases', {
      channel: 'walk-in',
      category: '路灯维修',
      description: '小区西门路灯不亮',
      petitioner: { ...PETITIONER, consentPublishName: false },
    });
    expect(filed.status).toBe(201);
    const caseId = filed.body.id as string;

    // when the intake page checks for duplicates (numbers in the body), and a client sends them the old way
    const duplicates = await reception.call('POST', '/api/cases/duplicates', {
      phone: PETITIONER.phone,
      idNumber: PETITIONER.idNumber,
      category: '路灯维修',
    });
    expect(duplicates.status).toBe(200);
    expect((duplicates.body.items as Json[]).map((c) => c.id)).toEqual([caseId]);
    const oldWay = await reception.call(
      'GET',
      `/api/cases/duplicates?phone=${PETITIONER.phone}&idNumber=${PETITIONER.idNumber}`,
    );
    expect(oldWay.status).toBe(400);
    expect(
      (
        await reception.call(
          'GET',
          `/api/cases/${caseId}/petitioner?purpose=${encodeURIComponent(`回电 ${PETITIONER.phone}`)}`,
        )
      ).status,
    ).toBe(200);
    // and the first responder takes the full number of the acceptance text waiting in her outbox
    const waiting = await until(
      async () =>
        ((await reception.call('GET', '/api/outbox')).body.items as Json[] | undefined)?.find(
          (m) => (m.case as Json | null)?.id === caseId,
        ),
      60000,
    );
    const revealed = await reception.call('POST', `/api/outbox/${waiting.id as string}/reveal-phone`);
    expect(revealed.body).toMatchObject({ phone: PETITIONER.phone });
    // and the case is handled, and the resident opens the rating link (page, API, case-changed spelling) and rates
    const task = (elementId: string) =>
      until(
        async () =>
          ((await reception.call('GET', '/api/tasks?view=mine')).body.items as Json[]).find(
            (t) => (t.case as Json | null)?.id === caseId && t.elementId === elementId,
          ),
        60000,
      );
    const decision = await task('Task_AcceptanceDecision');
    await reception.call('POST', `/api/tasks/${decision.userTaskKey as string}/complete`, {
      variables: { acceptanceDecision: 'accepted' },
    });
    const confirm = await task('Task_ConfirmCaseClass');
    expect(
      (
        await reception.call('POST', `/api/tasks/${confirm.userTaskKey as string}/complete`, {
          variables: { caseClass: 'simple', feedbackMode: 'sms', isKeyMatter: false },
        })
      ).status,
    ).toBe(204);
    const coordinate = await task('Task_CoordinateUnit');
    expect(
      (
        await reception.call('POST', `/api/tasks/${coordinate.userTaskKey as string}/complete`, {
          variables: { responsibleUnit: '市政路灯所', handlingResult: '已更换灯泡', resolved: true },
        })
      ).status,
    ).toBe(204);
    const link = await until(async () => {
      const res = await reception.call('GET', `/api/cases/${caseId}/rating-link`);
      return res.status === 200 ? (res.body.url as string) : undefined;
    }, 60000);
    const token = new URL(link).pathname.split('/').pop()!;
    expect(token).toMatch(/^[\w-]{16,64}$/);
    const resident = new Session(app.url);
    for (const path of [`/rate/${token}`, `/rate/${token}?from=sms&t=${token}`, `/RATE/${token}`]) {
      // (503 when the pages were not built: answered, and logged as a failure, which is what is searched too)
      expect([200, 503]).toContain((await resident.call('GET', path)).status);
    }
    expect((await resident.call('GET', `/api/public/ratings/${token}`)).body).toMatchObject({
      caseNo: filed.body.caseNo,
    });
    expect(
      (await resident.call('POST', `/api/public/ratings/${token}`, { rating: 'satisfied', comment: '谢谢' })).status,
    ).toBe(201);
    expect((await resident.call('POST', `/api/public/ratings/${token}`, { rating: 'satisfied' })).status).toBe(410);
    // (the app stops, so that every buffered line is written)
    const stopped = app;
    app = undefined;
    await stopped.kill('SIGTERM');

    // then the log holds none of the values, in any spelling
    const log = stopped.output();
    const found = secretsOf([PETITIONER.name, PETITIONER.phone, PETITIONER.idNumber, token]).filter((s) =>
      log.includes(s),
    );
    expect(found).toEqual([]);
    // and the search was not vacuous: each of those requests was logged, with its address redacted
    const urls = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url)
      .filter((url): url is string => !!url);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/api/cases/duplicates',
        '/api/cases/duplicates?[redacted]',
        `/api/cases/${caseId}/petitioner?[redacted]`,
        `/api/outbox/${waiting.id as string}/reveal-phone`,
        '/rate/[redacted]',
        '/rate/[redacted]?[redacted]',
        '/RATE/[redacted]',
        '/api/public/ratings/[redacted]',
      ]),
    );
  });

  it('when the API is documented, then no route takes a phone, an ID number or a token in its query string, and the duplicate check takes them in its body', () => {
    // given the OpenAPI document generated from the route table
    const doc = openApiDocument(ROUTES) as {
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>
      >;
    };

    // when its query parameters are listed
    const inQuery = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, op]) =>
        (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => `${method.toUpperCase()} ${path}?${p.name}`),
      ),
    );

    // then none carries personal data or a secret, and the duplicate check is a POST with a body
    expect(inQuery.filter((q) => /phone|idnumber|token/i.test(q))).toEqual([]);
    expect(Object.keys(doc.paths['/cases/duplicates'])).toEqual(['post']);
    expect(doc.paths['/cases/duplicates'].post.requestBody).toBeDefined();
  });

  it('when a request fails with a 500, then the error line logged with it carries the redacted address too', async () => {
    // given the request log of the app, captured, and a route that fails
    const lines: string[] = [];
    const log = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const failing = express.Router();
    failing.get('/fail', () => {
      throw new Error('the handler broke');
    });
    const server = createApp({ log, readiness: [], mounts: [{ path: '/api', router: failing }] }).listen(
      0,
      '127.0.0.1',
    );
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = 'RatingTokenInAFailingCall0042';
    try {
      // when it is called with personal data in its query string, and a rating path is asked for
      expect((await fetch(`${base}/api/fail?phone=${PETITIONER.phone}&idNumber=${PETITIONER.idNumber}`)).status).toBe(
        500,
      );
      expect((await fetch(`${base}/rate/${token}?t=${token}`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    // then no line holds the values, and the failure's error line names the request by its redacted address
    const text = lines.join('');
    expect(secretsOf([PETITIONER.phone, PETITIONER.idNumber, token]).filter((s) => text.includes(s))).toEqual([]);
    const entries = lines.map((line) => JSON.parse(line) as { level: number; err?: unknown; req?: { url: string } });
    expect(entries.filter((e) => e.level >= 50 && e.req).map((e) => e.req!.url)).toEqual(['/api/fail?[redacted]']);
    expect(entries.filter((e) => e.req?.url.startsWith('/rate/')).map((e) => e.req!.url)).toEqual([
      '/rate/[redacted]?[redacted]',
    ]);
  });
});
