/**
 * Bad input and access, each refused cleanly and counted: malformed and oversized uploads, invalid models, expired
 * and reused rating links, CSRF attempts, brute-force sign-in (per account and across accounts from one address).
 * Every refusal is a problem detail with its status and a clear message in Chinese (or English when asked), no stack
 * trace or internal detail, nothing saved; and petition_refusals_total at GET /metrics (bearer METRICS_TOKEN) counts
 * it under its reason.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../../server/http/app';
import { createLogger } from '../../../platform/logger';
import { hashToken } from '../../../domain/rating-links';
import { spawnApp, type ChildApp } from '../../support/child-app';
import { createTestDatabase, testEnv } from '../../support/database';
import { startEngine, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

jest.setTimeout(3 * 60 * 1000);

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0e0b40000000049454e44ae426082',
  'hex',
);
/** What must never be in an answer: a stack frame, a source path, SQL, an internal error name. */
const INTERNAL =
  /\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|\/tmp\/|SELECT |INSERT |TypeError|ReferenceError|"stack"/;
const CJK = /[\u4e00-\u9fff]/;

/** A clean refusal: the status, a problem detail with title and detail in the language asked, nothing internal. */
function expectRefused(
  res: { status: number; body: Json; text: string; headers: Headers },
  status: number,
  lang: 'zh' | 'en' = 'zh',
) {
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({
    status,
    type: expect.stringContaining('application/problem+json'),
  });
  expect(res.body).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
    requestId: expect.any(String),
  });
  expect(CJK.test(`${res.body.title as string}${res.body.detail as string}`)).toBe(lang === 'zh');
  expect(res.text).not.toMatch(INTERNAL);
}

describe('bad input and access', () => {
  let h: EngineHarness;
  const as = (username: string, ip?: string) => new Session(h.server.url, ip).signIn(username);
  const db = () => h.server.database.db;
  const count = async (table: string) =>
    (await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  /** petition_refusals_total by reason, read the way Prometheus reads it. */
  async function refusals(): Promise<Record<string, number>> {
    const res = await fetch(`${h.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const out: Record<string, number> = {};
    for (const m of (await res.text()).matchAll(/^petition_refusals_total\{reason="([\w-]+)"\} (\d+)$/gm))
      out[m[1]] = Number(m[2]);
    return out;
  }
  async function counted<T>(expected: Record<string, number>, work: () => Promise<T>): Promise<T> {
    const before = await refusals();
    const result = await work();
    const after = await refusals();
    const delta = Object.fromEntries(
      Object.keys(after)
        .filter((k) => after[k] !== before[k])
        .map((k) => [k, after[k] - (before[k] ?? 0)]),
    );
    expect(delta).toEqual(expected);
    return result;
  }

  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true', METRICS_TOKEN });
  });
  afterAll(() => h.stop());

  describe('uploads', () => {
    let reception: Session;
    let caseId: string;
    const dir = () => join(h.server.config.DATA_DIR, 'attachments', caseId);
    const files = () => (existsSync(dir()) ? readdirSync(dir()).length : 0);
    beforeAll(async () => {
      reception = await as('reception');
      const filed = await reception.call('POST', '/api/cases', {
        channel: 'walk-in',
        category: '违章搭建',
        description: '楼顶违建',
      });
      caseId = filed.body.id as string;
    });
    const form = (...parts: Array<[string, Blob | string, string?]>) => {
      const f = new FormData();
      for (const [field, value, name] of parts) {
        if (typeof value === 'string') f.append(field, value);
        else f.append(field, value, name);
      }
      return f;
    };
    const upload = (body: FormData | string | Uint8Array, headers: Record<string, string> = {}) =>
      reception.call('POST', `/api/cases/${caseId}/attachments`, body, headers);

    it('when an upload has no file, the wrong field, a truncated body, too many files, an empty, oversized or disguised file, then each is refused with its reason and nothing is kept', async () => {
      const savedBefore = await count('case_attachment');
      await counted({ upload: 10 }, async () => {
        // no file at all, only a text field
        expectRefused(await upload(form(['comment', '照片稍后补'])), 400);
        // a JSON body instead of a form
        expectRefused(await upload('{"file":"x"}', { 'content-type': 'application/json' }), 400);
        // the file in another field
        const wrongField = await upload(form(['photo', new Blob([PNG]), 'a.png']), { 'accept-language': 'en' });
        expectRefused(wrongField, 400, 'en');
        expect(wrongField.body.detail).toMatch(/field "file"/);
        // a body cut off in the middle of the file
        const boundary = '----petition-test-boundary';
        const truncated = Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
          ),
          PNG.subarray(0, 20),
        ]);
        expectRefused(
          await upload(new Uint8Array(truncated), { 'content-type': `multipart/form-data; boundary=${boundary}` }),
          400,
        );
        // two files, and fifty
        expectRefused(await upload(form(['file', new Blob([PNG]), 'a.png'], ['file', new Blob([PNG]), 'b.png'])), 400);
        expectRefused(
          await upload(
            form(
              ...Array.from({ length: 50 }, (_, i) => ['file', new Blob([PNG]), `${i}.png`] as [string, Blob, string]),
            ),
          ),
          400,
        );
        // a zero-byte file
        const empty = await upload(form(['file', new Blob([]), 'empty.png']));
        expectRefused(empty, 400);
        expect(empty.body.detail).toMatch(/空文件/);
        // more than 10 MB
        const big = await upload(form(['file', new Blob([PNG, Buffer.alloc(10 * 1024 * 1024)]), 'big.png']));
        expectRefused(big, 413);
        expect(big.body.detail).toMatch(/10 MB/);
        // a Windows program named like a photo, and a shell script named like a PDF
        const exe = await upload(form(['file', new Blob([Buffer.from('MZ'), Buffer.alloc(300)]), '照片.jpg']));
        expectRefused(exe, 415);
        expectRefused(await upload(form(['file', new Blob(['#!/bin/sh\nrm -rf /\n']), 'report.pdf'])), 415);
      });
      expect(await count('case_attachment')).toBe(savedBefore);
      expect(files()).toBe(0);
    });

    it('when a file is named ../../etc/passwd (or with backslashes), then it is kept under its own id inside the case folder, its name only a label without path separators', async () => {
      const res = await upload(form(['file', new Blob([PNG]), '../../etc/passwd']));
      expect(res.status).toBe(201);
      // (the multipart parser keeps the last part of a path; the app would turn any separator left into _)
      expect(res.body.fileName).toBe('passwd');
      const windows = await upload(form(['file', new Blob([PNG]), '..\\..\\windows\\win.ini']));
      expect(windows.body.fileName).toMatch(/^[^/\\]+$/);
      expect(readdirSync(dir()).sort()).toEqual([res.body.id, windows.body.id].sort());
      const download = await fetch(`${h.server.url}/api/cases/${caseId}/attachments/${res.body.id as string}`, {
        headers: { cookie: reception.cookie },
      });
      expect(download.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''passwd");
      expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);
    });

    it('when a role without access uploads, then it is refused before the body is read', async () => {
      const member = await as('member');
      const f = form(['file', new Blob([PNG]), 'a.png']);
      const res = await counted({ forbidden: 1 }, () => member.call('POST', `/api/cases/${caseId}/attachments`, f));
      expectRefused(res, 403);
    });
  });

  describe('models', () => {
    const BOMB = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x"><bpmn:process id="bomb" name="&lol9;" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>`;
    const SCRIPT = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="d" targetNamespace="x" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
<bpmn:process id="scripted" name="Scripted" isExecutable="true"><bpmn:startEvent id="s" name="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:scriptTask id="t" name="Run" scriptFormat="javascript"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>require('child_process').execSync('id')</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e" name="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent></bpmn:process></bpmn:definitions>`;
    const engineDigest = async () =>
      (
        await db().query<{ d: string | null; n: number }>(
          "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d, count(*)::int AS n FROM engine_resource t",
        )
      )[0];

    it('when an admin deploys something that is not XML, an entity-expansion bomb, a script task the engine cannot run, or an oversized body, then each is refused with its problems and the engine runs what it ran', async () => {
      const admin = await as('admin');
      const engineBefore = await engineDigest();
      const deployedBefore = await db().query(
        'SELECT resource_name, version FROM diagram_version WHERE deployed_at IS NOT NULL',
      );
      const tryDeploy = async (name: string, content: string, expectedInMessage: RegExp) => {
        // (a draft is kept with its problems, by design: the modeler saves work in progress; only deployment is refused)
        const saved = await admin.call('POST', `/api/diagrams/${name}/versions`, { content });
        expect(saved.status).toBe(201);
        expect((saved.body.problems as Json[]).some((p) => p.severity === 'error')).toBe(true);
        const started = Date.now();
        const refused = await admin.call(
          'POST',
          `/api/diagrams/${name}/versions/${saved.body.version as number}/deploy`,
        );
        expectRefused(refused, 422);
        expect(refused.body.detail).toMatch(expectedInMessage);
        expect(Date.now() - started).toBeLessThan(10000);
        return refused;
      };
      await counted({ model: 3, 'too-large': 1 }, async () => {
        await tryDeploy('not-xml.bpmn', 'hello, this is not XML', /不是有效的 BPMN XML/);
        const bomb = await tryDeploy('billion-laughs.bpmn', BOMB, /unparsable|不是有效/);
        expect(bomb.text).not.toMatch(/(lol){20}/); // the entities were never expanded
        await tryDeploy('script-task.bpmn', SCRIPT, /ScriptTask|zeebe:Script/);
        // a body over the model routes' 3 MB limit
        const huge = await admin.call('POST', '/api/diagrams/huge.bpmn/versions', {
          content: `<x>${'a'.repeat(3200 * 1024)}</x>`,
        });
        expectRefused(huge, 413);
      });
      expect(await engineDigest()).toEqual(engineBefore);
      expect(
        await db().query('SELECT resource_name, version FROM diagram_version WHERE deployed_at IS NOT NULL'),
      ).toEqual(deployedBefore);
      expect(await count("diagram_version WHERE resource_name = 'huge.bpmn'")).toBe(0);
    });

    it('when the bomb goes straight to the engine with its credentials, then the engine refuses it at once', async () => {
      const form = new FormData();
      form.append('resources', new Blob([BOMB], { type: 'application/xml' }), 'bomb.bpmn');
      const started = Date.now();
      const res = await fetch(`${h.server.url}/v2/deployments`, {
        method: 'POST',
        headers: { authorization: h.authorization },
        body: form,
      });
      expect(res.status).toBe(400);
      expect(await res.text()).not.toMatch(/(lol){20}/);
      expect(Date.now() - started).toBeLessThan(10000);
    });
  });

  describe('rating links', () => {
    let caseId: string;
    const link = async (token: string, expires: string, used: boolean) => {
      await db().query(
        `INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, sent_at, expires_at, used_at) VALUES ($1, $2, 1, $3, $4, now(), ${expires}, ${used ? 'now()' : 'NULL'})`,
        [hashToken(token), caseId, `job-${token}`, Buffer.from('x')],
      );
    };
    beforeAll(async () => {
      const reception = await as('reception');
      caseId = (
        await reception.call('POST', '/api/cases', {
          channel: 'walk-in',
          category: '路灯维修',
          description: '路灯不亮',
        })
      ).body.id as string;
      await link('expiredLinkToken00000001', "now() - interval '1 day'", false);
      await link('usedLinkToken00000000001', "now() + interval '1 day'", true);
    });

    it('when a rating link is expired, used, unknown or malformed, then it is refused in plain words and no rating is kept', async () => {
      const resident = new Session(h.server.url, '10.9.0.1');
      const ratingsBefore = await count('case_rating');
      await counted({ 'rating-link': 5, validation: 1 }, async () => {
        const expired = await resident.call('GET', '/api/public/ratings/expiredLinkToken00000001');
        expectRefused(expired, 410);
        expect(expired.body.detail).toMatch(/已过期/);
        expectRefused(
          await resident.call('POST', '/api/public/ratings/expiredLinkToken00000001', { rating: 'satisfied' }),
          410,
        );
        const used = await resident.call(
          'POST',
          '/api/public/ratings/usedLinkToken00000000001',
          { rating: 'dissatisfied' },
          { 'accept-language': 'en' },
        );
        expectRefused(used, 410, 'en');
        expect(used.body.detail).toMatch(/rates once/);
        expectRefused(await resident.call('GET', '/api/public/ratings/usedLinkToken00000000001'), 410);
        expectRefused(await resident.call('GET', '/api/public/ratings/unknownLinkToken00000001'), 404);
        expectRefused(await resident.call('GET', '/api/public/ratings/x'), 400);
      });
      expect(await count('case_rating')).toBe(ratingsBefore);
    });

    it('when one address keeps trying links, then after 30 a minute it is told to wait', async () => {
      const guesser = new Session(h.server.url, '10.9.0.2');
      const statuses = await counted({ 'rating-link': 30, 'rate-limited': 5 }, async () => {
        const out: number[] = [];
        for (let i = 0; i < 35; i++)
          out.push(
            (await guesser.call('GET', `/api/public/ratings/guessedToken${String(i).padStart(12, '0')}`)).status,
          );
        return out;
      });
      expect(statuses.filter((s) => s === 404)).toHaveLength(30);
      expect(statuses.slice(30)).toEqual([429, 429, 429, 429, 429]);
      const limited = await guesser.call('GET', '/api/public/ratings/guessedToken999999999999');
      expectRefused(limited, 429);
      expect(limited.body.retryAfterSeconds).toBeGreaterThan(0);
      // another address is not held up
      expect(
        (await new Session(h.server.url, '10.9.0.3').call('GET', '/api/public/ratings/guessedToken000000000000'))
          .status,
      ).toBe(404);
    });
  });

  describe('NUL characters', () => {
    it('when a query, a path or a body carries a NUL character (which PostgreSQL cannot store), then it is refused as bad input, not a 500, and nothing is filed', async () => {
      const leader = await as('leader');
      const reception = await as('reception');
      const casesBefore = await count('petition_case');
      await counted({ validation: 3 }, async () => {
        expectRefused(await leader.call('GET', '/api/dashboard?category=%00'), 400);
        expectRefused(await leader.call('GET', '/api/cases/%00'), 400);
        const filed = await reception.call('POST', '/api/cases', {
          channel: 'walk-in',
          category: '路灯维修',
          description: '路灯\u0000不亮',
        });
        expectRefused(filed, 400);
        expect(filed.body.detail).toMatch(/NUL/);
      });
      expect(await count('petition_case')).toBe(casesBefore);
    });
  });

  describe('CSRF', () => {
    it("when a change comes without the token, with another session's token, or from another site, then it is refused and nothing is filed", async () => {
      const mine = await as('reception');
      const other = await as('reception');
      const petition = { channel: 'walk-in', category: '路灯维修', description: '跨站请求' };
      const casesBefore = await count('petition_case');
      await counted({ csrf: 6 }, async () => {
        const noToken = new Session(h.server.url);
        noToken.cookie = mine.cookie;
        const missing = await noToken.call('POST', '/api/cases', petition);
        expectRefused(missing, 403);
        expect(missing.body.detail).toMatch(/CSRF/);
        const borrowed = new Session(h.server.url);
        borrowed.cookie = mine.cookie;
        borrowed.csrf = other.csrf;
        expectRefused(await borrowed.call('POST', '/api/cases', petition, { 'accept-language': 'en' }), 403, 'en');
        // from a page of another site, even with the right token (a token that leaked, say)
        const evil = await mine.call('POST', '/api/cases', petition, { origin: 'https://evil.example' });
        expectRefused(evil, 403);
        expect(evil.body.detail).toMatch(/其他网站/);
        expectRefused(await mine.call('POST', '/api/cases', petition, { 'sec-fetch-site': 'cross-site' }), 403);
        expectRefused(await mine.call('POST', '/api/cases', petition, { origin: 'null' }), 403);
        // and sign-in from another site (login CSRF)
        expectRefused(
          await new Session(h.server.url).call(
            'POST',
            '/api/session',
            { username: 'reception', password: 'demo-2026' },
            { origin: 'https://evil.example' },
          ),
          403,
        );
      });
      expect(await count('petition_case')).toBe(casesBefore);
      // the app's own pages still work: same origin, the right token
      const own = await mine.call('POST', '/api/cases', petition, {
        origin: h.server.url,
        'sec-fetch-site': 'same-origin',
      });
      expect(own.status).toBe(201);
    });
  });

  describe('brute-force sign-in', () => {
    it('when one account gets five wrong passwords from one address, then it is locked there even for the right one, and other accounts are not', async () => {
      const attacker = new Session(h.server.url, '10.8.0.1');
      const sessionsBefore = await count('user_session');
      await counted({ 'sign-in-failed': 5, locked: 2 }, async () => {
        for (let i = 0; i < 5; i++)
          expectRefused(
            await attacker.call('POST', '/api/session', { username: 'grid7', password: `guess-${i}` }),
            401,
          );
        const locked = await attacker.call('POST', '/api/session', { username: 'grid7', password: 'demo-2026' });
        expectRefused(locked, 423);
        expect(locked.body.detail).toMatch(/分钟后再试/);
        expectRefused(
          await attacker.call(
            'POST',
            '/api/session',
            { username: 'grid7', password: 'demo-2026' },
            { 'accept-language': 'en' },
          ),
          423,
          'en',
        );
      });
      expect(await count('user_session')).toBe(sessionsBefore);
      expect((await attacker.call('POST', '/api/session', { username: 'grid6', password: 'demo-2026' })).status).toBe(
        201,
      );
    });

    it('when one address tries many accounts, then after 20 failures it is paused, whatever the account, while other addresses sign in', async () => {
      const sprayer = new Session(h.server.url, '10.8.0.2');
      const sessionsBefore = await count('user_session');
      const names = ['grid1', 'grid2', 'grid3', 'grid4', 'grid5', 'secretary', 'leader', 'member', 'cadre', 'admin'];
      const paused = await counted({ 'sign-in-failed': 20, 'rate-limited': 2 }, async () => {
        // two wrong passwords per account: under each account's lock-out
        for (let i = 0; i < 20; i++)
          expect(
            (await sprayer.call('POST', '/api/session', { username: names[i % names.length], password: `spray-${i}` }))
              .status,
          ).toBe(401);
        const res = await sprayer.call('POST', '/api/session', { username: 'reception', password: 'demo-2026' });
        expectRefused(
          await sprayer.call(
            'POST',
            '/api/session',
            { username: 'nobody-at-all', password: 'x' },
            { 'accept-language': 'en' },
          ),
          429,
          'en',
        );
        return res;
      });
      expectRefused(paused, 429);
      expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await count('user_session')).toBe(sessionsBefore);
      // no account was locked by it, and another address signs in
      const admin = await new Session(h.server.url, '10.8.0.4').signIn('admin');
      const users = (await admin.call('GET', '/api/users')).body.items as Json[];
      expect(users.filter((u) => u.lockedUntil !== null && u.username !== 'grid7').map((u) => u.username)).toEqual([]);
      expect(
        (
          await new Session(h.server.url, '10.8.0.3').call('POST', '/api/session', {
            username: 'reception',
            password: 'demo-2026',
          })
        ).status,
      ).toBe(201);
    });
  });

  describe('metrics', () => {
    it('when /metrics is scraped without the token or with a wrong one, then it is refused; with it, Prometheus text with requests, latency and refusals per route template', async () => {
      const anonymous = new Session(h.server.url);
      await counted({ unauthenticated: 3 }, async () => {
        const none = await anonymous.call('GET', '/metrics');
        expectRefused(none, 401);
        expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expectRefused(await anonymous.call('GET', '/metrics', undefined, { authorization: 'Bearer wrong-token' }), 401);
        expectRefused(
          await anonymous.call('GET', '/metrics', undefined, {
            authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`,
          }),
          401,
        );
      });
      const res = await fetch(`${h.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toMatch(/^# TYPE petition_refusals_total counter$/m);
      expect(text).toMatch(
        /^http_requests_total\{method="POST",route="\/api\/cases\/:id\/attachments",status="415"\} 2$/m,
      );
      expect(text).toMatch(
        /^http_requests_total\{method="GET",route="\/api\/public\/ratings\/:token",status="429"\} \d+$/m,
      );
      expect(text).toMatch(
        /^http_request_duration_seconds_bucket\{le="0\.5",method="POST",route="\/api\/session"\} \d+$/m,
      );
      // route templates, never raw ids
      expect(text).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    });

    it('when METRICS_TOKEN is not set, then there is no /metrics', async () => {
      const app = createApp({ log: createLogger('silent'), readiness: [], mounts: [] });
      const res = await request(app).get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    });
  });
});

describe('limits per address, counted in the database', () => {
  it('when the app process restarts after an address was paused for failed sign-ins, then the pause holds for that address only', async () => {
    const db = await createTestDatabase();
    // A process of its own, restarted: what the app kept in memory is gone, what it kept in the database is not.
    const env = testEnv(db, {
      LOG_LEVEL: 'warn',
      DEMO_SEED: 'true',
      WORKERS_IN_APP: 'false',
      DEPLOY_MODELS: 'false',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    });
    let app: ChildApp | undefined;
    try {
      app = await spawnApp(env);
      const sprayer = new Session(app.url, '10.9.0.1');
      for (let i = 0; i < 20; i++)
        expect((await sprayer.call('POST', '/api/session', { username: `nobody-${i}`, password: 'x' })).status).toBe(
          401,
        );
      expect(
        (await sprayer.call('POST', '/api/session', { username: 'reception', password: 'demo-2026' })).status,
      ).toBe(429);
      // when
      await app.kill('SIGTERM');
      app = await spawnApp(env);
      // then the restarted app refuses the same address, and only it
      const again = await new Session(app.url, '10.9.0.1').call('POST', '/api/session', {
        username: 'reception',
        password: 'demo-2026',
      });
      expectRefused(again, 429);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(
        (
          await new Session(app.url, '10.9.0.2').call('POST', '/api/session', {
            username: 'reception',
            password: 'demo-2026',
          })
        ).status,
      ).toBe(201);
    } finally {
      await app?.kill('SIGTERM');
      await db.drop();
    }
  });
});
