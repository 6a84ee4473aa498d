/**
 * Faults around the edges of one running app (in this process: embedded engine, the real workers, SMS through the
 * generic HTTP gateway played by a stand-in that records every message with its idempotency key):
 * - a job worker that throws: the gateway answers 500 for one petitioner; the notification job fails, is retried
 *   after its back-off, and at zero retries an incident holds the case, naming the cause; the case is still there;
 *   once the gateway is fixed and the incident resolved through the SDK, the case goes on, the SMS sent once;
 * - a slow gateway: it holds one petitioner's message for 20 s; meanwhile other petitions go on to classification
 *   (the stuck job blocks nothing else); the job gives up after the sender's 10 s time-out and its retry sends the
 *   message again under the same idempotency key, so the petitioner gets it once;
 * - a full disk for attachments (a 256 KB tmpfs mounted over DATA_DIR/attachments; needs root, skipped elsewhere):
 *   an upload that does not fit is refused with 507 and a clear message, nothing of it is kept, the case is intact,
 *   and an upload that fits works again.
 * Runs on both databases.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { start, type RunningServer } from '../../../server/server';
import { createEngineClient } from '../../../platform/engine-client';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { SmsGatewayStandIn } from '../../support/sms-gateway';
import { now, until, type Any } from '../../support/engine';

jest.setTimeout(2 * 60 * 1000);

const REFUSED = '13900000001';
const SLOW = '13900000002';
const SLOW_MS = 20_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a worker that throws, a slow SMS gateway, a full disk', () => {
  let db: TestDatabase;
  let server: RunningServer;
  let client: Any;
  let session: { cookie: string; csrf: string };
  const gateway = new SmsGatewayStandIn();
  let refusing = true;

  beforeAll(async () => {
    [db] = await Promise.all([createTestDatabase(), gateway.start()]);
    gateway.answer = (request) => {
      if (request.to === REFUSED && refusing) return { status: 500 };
      // the slow petitioner's first message is held 20 s (and then delivered); a repeat is answered at once
      if (request.to === SLOW && gateway.to(SLOW).length === 1) return { status: 200, delayMs: SLOW_MS };
      return { status: 200 };
    };
    server = await start({
      env: testEnv(db, {
        WORKERS_IN_APP: 'true',
        DEPLOY_MODELS: 'true',
        DEMO_SEED: 'true',
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: gateway.url,
      }),
    });
    client = createEngineClient(server.config, server.secrets, server.url).client;
    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'reception', password: 'demo-2026' }),
    });
    session = {
      cookie: res.headers.get('set-cookie')!.split(';')[0],
      csrf: ((await res.json()) as { csrfToken: string }).csrfToken,
    };
  });
  afterAll(async () => {
    await server?.stop();
    await gateway.stop();
    await db.drop();
  });

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        cookie: session.cookie,
        'x-csrf-token': session.csrf,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  };
  const file = async (phone: string, description: string): Promise<{ id: string; key: string }> => {
    const res = await call('POST', '/api/cases', {
      channel: 'phone',
      category: '物业服务',
      description,
      petitioner: { name: '测试居民', phone },
    });
    expect(res.status).toBe(201);
    expect(res.body.processStarted).toBe(true);
    return { id: res.body.id as string, key: res.body.processInstanceKey as string };
  };
  const atClassification = async (key: string) =>
    (
      (await client.searchUserTasks({ filter: { processInstanceKey: key, elementId: 'Task_AcceptanceDecision' } }, now))
        .items as Any[]
    ).length > 0;
  const notices = (caseId: string) =>
    server.database.db.query<{ status: string; error: string | null; job_key: string }>(
      "SELECT status, error, job_key FROM notification WHERE case_id = $1 AND template = 'registered'",
      [caseId],
    );

  it('when the SMS gateway refuses one petitioner and is slow for another, then an incident names the cause, other cases go on, and after resolution each SMS goes out once', async () => {
    // given a petition whose registration receipt SMS the gateway refuses (500), and one it holds for 20 s
    const started = Date.now();
    const refused = await file(REFUSED, '楼道堆物（短信网关故障）');
    const slow = await file(SLOW, '电梯异响（短信网关很慢）');
    // when other petitions are filed meanwhile
    await until(() => Promise.resolve(gateway.to(SLOW).length > 0), 20_000);
    const others = [await file('13900000003', '绿化带破坏'), await file('13900000004', '停车位纠纷')];

    // then they reach classification while the slow message is still held
    await until(async () => (await Promise.all(others.map((o) => atClassification(o.key)))).every(Boolean), 20_000);
    const othersDoneMs = Date.now() - started;
    expect(gateway.to(SLOW)[0].status).toBe(0); // not answered yet
    expect(await atClassification(slow.key)).toBe(false);

    // and the refused one ends in an incident naming the gateway's answer, after its retries
    const incident = await until(async () => {
      const { items } = await client.searchIncidents(
        { filter: { processInstanceKey: refused.key, state: 'ACTIVE' } },
        now,
      );
      return (items as Any[])[0];
    }, 45_000);
    const incidentMs = Date.now() - started;
    expect(incident).toMatchObject({ errorType: 'JOB_NO_RETRIES', elementId: 'Task_SendRegisteredNotice' });
    expect(incident.errorMessage).toMatch(/SMS gateway \(SMS_HTTP_URL\) answered 500/);
    expect(gateway.to(REFUSED).map((r) => r.status)).toEqual([500, 500, 500]);
    // the case is there, its process waiting at the notice, and the notice recorded as failed with the reason
    const page = await call('GET', `/api/cases/${refused.id}`);
    expect(page.status).toBe(200);
    expect((await client.getProcessInstance({ processInstanceKey: refused.key }, now)).hasIncident).toBe(true);
    expect(await notices(refused.id)).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.stringMatching(/answered 500/) }),
    ]);

    // when the gateway is fixed and the incident resolved through the SDK (retries given back first)
    refusing = false;
    await client.updateJob({ jobKey: incident.jobKey, changeset: { retries: 1 } });
    await client.resolveIncident({ incidentKey: incident.incidentKey });
    // then the case goes on to classification, its SMS delivered once
    await until(() => atClassification(refused.key), 20_000);
    expect((await client.getProcessInstance({ processInstanceKey: refused.key }, now)).hasIncident).toBe(false);
    expect(await notices(refused.id)).toEqual([expect.objectContaining({ status: 'sent' })]);
    expect(new Set(gateway.to(REFUSED).map((r) => r.idempotencyKey)).size).toBe(1);

    // and the slow one: its job gave up after 10 s, the retry was answered, and the held message is delivered
    // too — under the same key, so the petitioner gets one SMS
    await until(() => atClassification(slow.key), 40_000);
    const slowDoneMs = Date.now() - started;
    await until(() => Promise.resolve(gateway.to(SLOW).every((r) => r.status === 200)), SLOW_MS + 5000);
    const slowRequests = gateway.to(SLOW);
    expect(slowRequests.length).toBe(2);
    expect(new Set(slowRequests.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(gateway.delivered.filter((k) => k === slowRequests[0].idempotencyKey)).toHaveLength(1);
    expect(await notices(slow.id)).toEqual([expect.objectContaining({ status: 'sent' })]);
    // nobody got two different messages
    const keysByPhone = new Map<string, Set<string>>();
    for (const r of gateway.requests) keysByPhone.set(r.to, (keysByPhone.get(r.to) ?? new Set()).add(r.idempotencyKey));
    expect([...keysByPhone.values()].every((keys) => keys.size === 1)).toBe(true);
    console.log(
      `worker faults figures: ${JSON.stringify({
        othersAtClassificationMs: othersDoneMs,
        incidentAfterMs: incidentMs,
        refusedRequests: gateway.to(REFUSED).length,
        slowAtClassificationMs: slowDoneMs,
        slowRequests: slowRequests.length,
        delivered: gateway.delivered.length,
      })}`,
    );
  });

  const disk = smallDiskPossible();
  (disk ? it : it.skip)(
    'when the disk for attachments is full, then the upload is refused with 507, nothing of it is kept, and the case is intact',
    async () => {
      // given a case, and its attachments folder on a 256 KB file system
      const filed = await file('13900000005', '违章搭建（附件）');
      const folder = join(db.env.DATA_DIR, 'attachments');
      mkdirSync(folder, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', folder]);
      try {
        const png = Buffer.from(
          '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0e0b40000000049454e44ae426082',
          'hex',
        );
        const upload = async (bytes: Uint8Array, name: string) => {
          const form = new FormData();
          form.append('file', new Blob([bytes]), name);
          const res = await fetch(`${server.url}/api/cases/${filed.id}/attachments`, {
            method: 'POST',
            headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'accept-language': 'en' },
            body: form,
          });
          return { status: res.status, body: (await res.json()) as Json };
        };
        // a photo that fits is kept
        expect((await upload(Buffer.concat([png, Buffer.alloc(150 * 1024)]), 'first.png')).status).toBe(201);
        // when the next does not fit
        const full = await upload(Buffer.concat([png, Buffer.alloc(200 * 1024)]), 'second.png');
        // then a clear refusal, nothing of it on disk or in the database
        expect(full).toMatchObject({ status: 507, body: { title: 'Storage full' } });
        expect(full.body.detail).toMatch(/out of disk space/);
        expect(readdirSync(join(folder, filed.id))).toHaveLength(1);
        expect((await call('GET', `/api/cases/${filed.id}/attachments`)).body.items).toHaveLength(1);
        // and the case is intact, its process running
        expect((await call('GET', `/api/cases/${filed.id}`)).status).toBe(200);
        expect((await client.getProcessInstance({ processInstanceKey: filed.key }, now)).state).toBe('ACTIVE');
        // and a small file still fits
        expect((await upload(png, 'small.png')).status).toBe(201);
        expect((await call('GET', `/api/cases/${filed.id}/attachments`)).body.items).toHaveLength(2);
      } finally {
        execFileSync('umount', [folder]);
      }
    },
  );
});

/** A small tmpfs can be mounted (root with CAP_SYS_ADMIN, as in CI's container); tried once on a scratch folder. */
function smallDiskPossible(): boolean {
  if (userInfo().uid !== 0) return false;
  const probe = join(tmpdir(), `disk-probe-${process.pid}`);
  try {
    mkdirSync(probe, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
