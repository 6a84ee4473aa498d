/**
 * Alibaba Cloud SMS (SMS_PROVIDER=aliyun): the dysmsapi `SendSms` action, RPC style, signature version 1.0
 * (HMAC-SHA1 over the sorted, percent-encoded parameters). Alibaba Cloud only sends texts from templates it has
 * approved, so the whole text goes into one approved template whose content is a single variable:
 * ALIYUN_SMS_TEMPLATE_CODE names a template such as `${content}` (register it as 通知短信, variable `content`
 * of type 其他; mind the per-variable length limit of your template type). The answer's `Code` is 'OK' on success.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { SmsMessage, SmsSender } from '../job';
import { excerpt, fetchRetryingReset, transportError } from './http-gateway';

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templateCode: string;
  /** https://dysmsapi.aliyuncs.com unless configured otherwise (ALIYUN_SMS_ENDPOINT). */
  endpoint: string;
  timeoutMs?: number;
  /** For tests: the request timestamp and nonce. */
  now?: () => Date;
}

export class AliyunSmsSender implements SmsSender {
  readonly name = 'aliyun';
  private readonly timeoutMs: number;

  constructor(private readonly options: AliyunSmsOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(message: SmsMessage): Promise<{ providerMessageId?: string }> {
    const params: Record<string, string> = {
      AccessKeyId: this.options.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: (this.options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      PhoneNumbers: message.to,
      SignName: this.options.signName,
      TemplateCode: this.options.templateCode,
      TemplateParam: JSON.stringify({ content: message.text }),
      // Alibaba Cloud does not drop duplicates, but echoes OutId in delivery receipts: the receipt names the job.
      OutId: message.idempotencyKey.slice(0, 64),
    };
    const signed = { ...params, Signature: signRpcRequest('POST', params, this.options.accessKeySecret) };
    let response: Response;
    try {
      response = await fetchRetryingReset(`${this.options.endpoint.replace(/\/+$/, '')}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: canonicalQuery(signed),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw transportError('Alibaba Cloud SMS (ALIYUN_SMS_ENDPOINT)', this.timeoutMs, error);
    }
    const body = await response.text();
    let answer: { Code?: string; Message?: string; BizId?: string };
    try {
      answer = JSON.parse(body) as typeof answer;
    } catch {
      throw new Error(`Alibaba Cloud SMS answered ${response.status} with something other than JSON: ${excerpt(body)}`);
    }
    if (answer.Code !== 'OK') {
      throw new Error(
        `Alibaba Cloud SMS refused the message: ${answer.Code ?? `HTTP ${response.status}`}: ${excerpt(answer.Message ?? '')}`,
      );
    }
    return { providerMessageId: answer.BizId };
  }
}

/** RFC 3986 percent-encoding as Alibaba Cloud's RPC signature wants it (space as %20, `~` kept, `*` encoded). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');
}

/** Signature version 1.0: base64(HMAC-SHA1(secret + '&', METHOD & %2F & encode(canonical query))). */
export function signRpcRequest(
  method: 'GET' | 'POST',
  params: Record<string, string>,
  accessKeySecret: string,
): string {
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign).digest('base64');
}
