/**
 * A generic HTTP SMS gateway (SMS_PROVIDER=http): POST {to, text, idempotencyKey} as JSON to SMS_HTTP_URL with
 * `Authorization: Bearer SMS_HTTP_TOKEN`. Any 2xx answer is success; its JSON `messageId` (or `id`) is kept. The
 * idempotency key is the same on every retry of a job, so a gateway that honours it drops a duplicate sent after a
 * crash between sending and recording.
 */
import type { SmsMessage, SmsSender } from '../job';

export interface HttpGatewayOptions {
  url: string;
  token?: string;
  /** How long to wait for the gateway's answer (10 s unless a test wants it shorter). */
  timeoutMs?: number;
}

export class HttpGatewaySender implements SmsSender {
  readonly name = 'http';
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpGatewayOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(message: SmsMessage): Promise<{ providerMessageId?: string }> {
    let response: Response;
    try {
      response = await fetchRetryingReset(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify({ to: message.to, text: message.text, idempotencyKey: message.idempotencyKey }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw transportError('SMS gateway (SMS_HTTP_URL)', this.timeoutMs, error);
    }
    const body = await response.text();
    if (!response.ok) {
      throw new Error(`SMS gateway (SMS_HTTP_URL) answered ${response.status}: ${excerpt(body)}`);
    }
    return { providerMessageId: messageId(body) };
  }
}

function messageId(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { messageId?: unknown; id?: unknown };
    const id = parsed.messageId ?? parsed.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first 200 characters of a provider's answer, with anything that looks like a phone number masked: the
 * message becomes the job's error (shown to operators) and the notification row's `error`.
 */
export function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const cut = flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
  return (cut || '(empty body)').replace(/\d{7,}/g, (digits) => `${digits.slice(0, 3)}****${digits.slice(-4)}`);
}

/** A request that got no answer: timed out after `timeoutMs`, or the address could not be reached. */
export function transportError(provider: string, timeoutMs: number, error: unknown): Error {
  // By name, not instanceof: fetch's abort is a DOMException, from another realm under some test runners.
  const { name, message, cause } = (error ?? {}) as { name?: string; message?: string; cause?: { message?: string } };
  if (name === 'TimeoutError') return new Error(`${provider} did not answer within ${timeoutMs} ms`);
  return new Error(
    `${provider} is unreachable: ${message ?? String(error)}${cause?.message ? ` (${cause.message})` : ''}`,
  );
}

/**
 * fetch, tried a second time when the connection was reset before any answer: a pooled keep-alive connection the
 * provider closed at the moment it was reused (seen against Node's 5-second keep-alive under load). The request
 * carries its idempotency key (OutId for Alibaba Cloud), so a provider that did read it can tell the repeat.
 */
export async function fetchRetryingReset(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET') throw error;
    return fetch(url, init);
  }
}
