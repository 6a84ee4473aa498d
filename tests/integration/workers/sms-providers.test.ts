import { testWorkerDeps } from '../../support/worker-deps';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../platform/config';
import { openDatabase, type Database } from '../../../platform/data-source';
import { maskPhone, piiCipher } from '../../../platform/pii';
import type { JobInput, SmsMessage, SmsSender, WorkerDeps } from '../../../workers/job';
import { sendNotification } from '../../../workers/send-notification';
import { createSmsSender } from '../../../workers/sms';
import { AliyunSmsSender, signRpcRequest } from '../../../workers/sms/aliyun';
import { HttpGatewaySender } from '../../../workers/sms/http-gateway';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const SECRET = 'test-secret';
const TOKEN = 'gateway-token';

/**
 * Plays both providers on one port: the generic gateway at POST /sms, Alibaba Cloud at POST /. `mode` says how it
 * answers; the gateway delivers each idempotency key once, as a real one that honours the key would.
 */
class StandIn {
  mode: 'ok' | 'busy' | 'refuse' | 'hang' | 'reset-once' = 'ok';
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];
  delivered: string[] = [];
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => this.answer(req, res, body));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: string) {
    this.requests.push({ path: req.url ?? '', headers: req.headers, body });
    if (this.mode === 'hang') return;
    if (this.mode === 'reset-once') {
      // a pooled connection the provider closed just as it was reused: no answer at all
      this.mode = 'ok';
      req.socket.destroy();
      return;
    }
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.url === '/sms') {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { error: 'bad token' });
      if (this.mode === 'busy') return res.writeHead(503).end('gateway busy, try later');
      if (this.mode === 'refuse')
        return json(400, { error: 'invalid number', to: (JSON.parse(body) as { to: string }).to });
      const { idempotencyKey } = JSON.parse(body) as { idempotencyKey: string };
      if (!this.delivered.includes(idempotencyKey)) this.delivered.push(idempotencyKey);
      return json(200, { messageId: `gw-${this.delivered.indexOf(idempotencyKey) + 1}` });
    }
    const params = Object.fromEntries(new URLSearchParams(body));
    const { Signature, ...signedParams } = params;
    if (Signature !== signRpcRequest('POST', signedParams, SECRET)) {
      return json(400, {
        Code: 'SignatureDoesNotMatch',
        Message: 'Specified signature is not matched with our calculation.',
      });
    }
    if (this.mode === 'refuse')
      return json(200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发小时级流控Permits:5', RequestId: 'r-1' });
    this.delivered.push(params.OutId);
    return json(200, { Code: 'OK', Message: 'OK', BizId: '900619746936498440^0', RequestId: 'r-2' });
  }
}

const message: SmsMessage = {
  to: '13812345678',
  text: '您的信访事项已受理，编号 XF-2026-0001。',
  idempotencyKey: 'job-1:petitioner:c-1',
};

describe('SMS providers against a stand-in server', () => {
  const standIn = new StandIn();
  beforeAll(() => standIn.start());
  afterAll(() => standIn.stop());
  beforeEach(() => {
    standIn.mode = 'ok';
    standIn.requests = [];
    standIn.delivered = [];
  });

  const gateway = (timeoutMs?: number) => new HttpGatewaySender({ url: `${standIn.url}/sms`, token: TOKEN, timeoutMs });
  const aliyun = (overrides: Partial<ConstructorParameters<typeof AliyunSmsSender>[0]> = {}) =>
    new AliyunSmsSender({
      accessKeyId: 'test-id',
      accessKeySecret: SECRET,
      signName: '阳光社区',
      templateCode: 'SMS_123456789',
      endpoint: standIn.url,
      ...overrides,
    });

  describe('generic HTTP gateway', () => {
    it('when the gateway accepts, then it got {to, text, idempotencyKey} with the bearer token and its message id comes back', async () => {
      // when
      const result = await gateway().send(message);
      // then
      expect(result).toEqual({ providerMessageId: 'gw-1' });
      expect(standIn.requests[0].headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
      });
      expect(JSON.parse(standIn.requests[0].body)).toEqual(message);
    });

    it('when the gateway answers 503, then the error names the status and quotes the body', async () => {
      // given
      standIn.mode = 'busy';
      // when / then
      await expect(gateway().send(message)).rejects.toThrow(
        'SMS gateway (SMS_HTTP_URL) answered 503: gateway busy, try later',
      );
    });

    it('when the gateway echoes the number in its refusal, then the error shows it masked', async () => {
      // given
      standIn.mode = 'refuse';
      // when
      const error = await gateway()
        .send(message)
        .catch((e: Error) => e);
      // then
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        'SMS gateway (SMS_HTTP_URL) answered 400: {"error":"invalid number","to":"138****5678"}',
      );
    });

    it('when the gateway does not answer in time, then the send fails after the configured timeout', async () => {
      // given
      standIn.mode = 'hang';
      const started = Date.now();
      // when / then
      await expect(gateway(200).send(message)).rejects.toThrow(
        'SMS gateway (SMS_HTTP_URL) did not answer within 200 ms',
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('when nothing listens at the address, then the error says the gateway is unreachable', async () => {
      // given
      const closed = new HttpGatewaySender({ url: 'http://127.0.0.1:1/sms', timeoutMs: 2_000 });
      // when / then
      await expect(closed.send(message)).rejects.toThrow('SMS gateway (SMS_HTTP_URL) is unreachable');
    });
  });

  describe('Alibaba Cloud SMS', () => {
    it('when the signature is computed for the documented example, then it matches Alibaba Cloud', () => {
      // given the example of Alibaba Cloud's SMS API signature documentation
      const params = {
        AccessKeyId: 'testId',
        Action: 'SendSms',
        Format: 'XML',
        OutId: '123',
        PhoneNumbers: '15300000001',
        RegionId: 'cn-hangzhou',
        SignName: '阿里云短信测试专用',
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
        SignatureVersion: '1.0',
        TemplateCode: 'SMS_71390007',
        TemplateParam: '{"customer":"test"}',
        Timestamp: '2017-07-12T02:42:19Z',
        Version: '2017-05-25',
      };
      // when / then
      expect(signRpcRequest('GET', params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    });

    it('when Alibaba Cloud accepts, then the signed SendSms request carries the template and the text as its content', async () => {
      // when
      const result = await aliyun({ now: () => new Date('2026-03-02T02:00:00.123Z') }).send(message);
      // then
      expect(result).toEqual({ providerMessageId: '900619746936498440^0' });
      const sent = Object.fromEntries(new URLSearchParams(standIn.requests[0].body));
      expect(sent).toMatchObject({
        Action: 'SendSms',
        Version: '2017-05-25',
        AccessKeyId: 'test-id',
        PhoneNumbers: '13812345678',
        SignName: '阳光社区',
        TemplateCode: 'SMS_123456789',
        TemplateParam: JSON.stringify({ content: message.text }),
        Timestamp: '2026-03-02T02:00:00Z',
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        OutId: message.idempotencyKey,
      });
    });

    it('when Alibaba Cloud answers an error code, then the error carries its Code and Message', async () => {
      // given
      standIn.mode = 'refuse';
      // when / then
      await expect(aliyun().send(message)).rejects.toThrow(
        'Alibaba Cloud SMS refused the message: isv.BUSINESS_LIMIT_CONTROL: 触发小时级流控Permits:5',
      );
    });

    it('when the secret is wrong, then the signature error comes back', async () => {
      // when / then
      await expect(aliyun({ accessKeySecret: 'wrong' }).send(message)).rejects.toThrow(
        'Alibaba Cloud SMS refused the message: SignatureDoesNotMatch',
      );
    });

    it('when Alibaba Cloud does not answer in time, then the send fails after the configured timeout', async () => {
      // given
      standIn.mode = 'hang';
      // when / then
      await expect(aliyun({ timeoutMs: 200 }).send(message)).rejects.toThrow(
        'Alibaba Cloud SMS (ALIYUN_SMS_ENDPOINT) did not answer within 200 ms',
      );
    });
  });

  describe('createSmsSender', () => {
    it('when SMS_PROVIDER=http or aliyun, then the matching provider is built; a missing template code is named', () => {
      // given
      const http = loadConfig({ SMS_PROVIDER: 'http', SMS_HTTP_URL: `${standIn.url}/sms` });
      const aliyun = {
        SMS_PROVIDER: 'aliyun',
        ALIYUN_SMS_ACCESS_KEY_ID: 'id',
        ALIYUN_SMS_ACCESS_KEY_SECRET: 's',
        ALIYUN_SMS_SIGN_NAME: '阳光社区',
      };
      // when / then
      expect(createSmsSender(http).name).toBe('http');
      // the configuration refuses to start without the template code, and so does the sender given a hand-built config
      expect(() => loadConfig(aliyun)).toThrow('ALIYUN_SMS_TEMPLATE_CODE is required when SMS_PROVIDER=aliyun');
      const ali = loadConfig({ ...aliyun, ALIYUN_SMS_TEMPLATE_CODE: 'SMS_1' });
      expect(() => createSmsSender({ ...ali, ALIYUN_SMS_TEMPLATE_CODE: undefined })).toThrow(
        'ALIYUN_SMS_TEMPLATE_CODE is required when SMS_PROVIDER=aliyun',
      );
      expect(createSmsSender(ali).name).toBe('aliyun');
    });
  });

  describe('send-notification through the gateway', () => {
    const pii = piiCipher(randomBytes(32));
    let testDb: TestDatabase;
    let database: Database;
    let caseId: string;

    beforeAll(async () => {
      testDb = await createTestDatabase();
      database = await openDatabase({ databaseUrl: testDb.env.DATABASE_URL, dataDir: testDb.env.DATA_DIR });
      const [user] = await database.db.query<{ id: string }>(
        `INSERT INTO app_user (username, display_name, password_hash) VALUES ('reception-sms', '李娜', 'x') RETURNING id`,
      );
      const [resident] = await database.db.query<{ id: string }>(
        `INSERT INTO resident (name, phone_enc, phone_masked) VALUES ('王小明', $1, $2) RETURNING id`,
        [pii.encrypt('13812345678'), maskPhone('13812345678')],
      );
      [{ id: caseId }] = await database.db.query<{ id: string }>(
        `INSERT INTO petition_case (case_no, channel, category, description, resident_id, first_responder_id)
         VALUES ('XF-2026-0100', 'phone', '物业管理', '楼道灯不亮', $1, $2) RETURNING id`,
        [resident.id, user.id],
      );
    });
    afterAll(async () => {
      await database?.close();
      await testDb?.drop();
    });

    const deps = (sms: SmsSender): WorkerDeps => testWorkerDeps({ db: database.db, pii, sms });
    const job = (jobKey: string): JobInput => ({
      variables: { caseId },
      headers: { template: 'result', recipient: 'petitioner' },
      jobKey,
      processInstanceKey: '1',
      elementId: 'Task_SendResultSms',
    });

    it('when the connection is reset before any answer, then the send is tried once more and delivered once', async () => {
      // given a gateway of its own (no pooled connections from other tests) that drops the first request unanswered
      const fresh = new StandIn();
      await fresh.start();
      fresh.mode = 'reset-once';
      try {
        // when
        const result = await new HttpGatewaySender({ url: `${fresh.url}/sms`, token: TOKEN }).send(message);
        // then
        expect(fresh.requests).toHaveLength(2);
        expect(fresh.delivered).toEqual([message.idempotencyKey]);
        expect(result.providerMessageId).toBe('gw-1');
      } finally {
        await fresh.stop();
      }
    });

    it('when the first attempt sent and then crashed before completing, then the second attempt with the same job key sends nothing', async () => {
      // given the first attempt reached the gateway and recorded it; the job was never completed
      await sendNotification.handle(job('job-crash-1'), deps(gateway()));
      // when the engine hands the job out again
      const result = await sendNotification.handle(job('job-crash-1'), deps(gateway()));
      // then
      expect(standIn.requests).toHaveLength(1);
      expect(result).toEqual({ lastNotification: { template: 'result', recipient: 'petitioner', channel: 'sms' } });
      const rows = await database.db.query(
        'SELECT status, provider, provider_message_id FROM notification WHERE job_key = $1',
        ['job-crash-1'],
      );
      expect(rows).toEqual([{ status: 'sent', provider: 'http', provider_message_id: 'gw-1' }]);
    });

    it('when the process died after the gateway accepted but before recording, then the retry repeats the idempotency key and the gateway delivers once', async () => {
      // given a provider that reaches the gateway, then dies before the worker hears back
      const dying: SmsSender = {
        name: 'http',
        send: async (m) => {
          await gateway().send(m);
          throw new Error('worker process killed');
        },
      };
      await expect(sendNotification.handle(job('job-crash-2'), deps(dying))).rejects.toThrow('worker process killed');
      // when
      await sendNotification.handle(job('job-crash-2'), deps(gateway()));
      // then
      const keys = standIn.requests.map((r) => (JSON.parse(r.body) as SmsMessage).idempotencyKey);
      expect(keys).toEqual([`job-crash-2:petitioner:${caseId}`, `job-crash-2:petitioner:${caseId}`]);
      expect(standIn.delivered).toEqual([`job-crash-2:petitioner:${caseId}`]);
    });

    it('when the gateway is down, then the job fails with its message and the row says failed', async () => {
      // given
      standIn.mode = 'busy';
      // when / then
      await expect(sendNotification.handle(job('job-busy'), deps(gateway()))).rejects.toThrow(
        'SMS gateway (SMS_HTTP_URL) answered 503: gateway busy, try later',
      );
      const rows = await database.db.query('SELECT status, error FROM notification WHERE job_key = $1', ['job-busy']);
      expect(rows).toEqual([
        { status: 'failed', error: 'SMS gateway (SMS_HTTP_URL) answered 503: gateway busy, try later' },
      ]);
    });
  });
});
