/**
 * A stand-in for the generic SMS gateway (SMS_PROVIDER=http, see workers/sms/http-gateway.ts): it records every
 * request it gets (recipient, text, idempotency key, when) and delivers each idempotency key once, as a gateway
 * that honours the key does. How it answers a message is up to the test (`answer`): at once (200), after a delay,
 * with an error status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatewayRequest {
  to: string;
  text: string;
  idempotencyKey: string;
  at: number;
  /** The status answered (0 while the answer is still being held back). */
  status: number;
}

export type GatewayAnswer = { status: number; delayMs?: number };

export class SmsGatewayStandIn {
  readonly requests: GatewayRequest[] = [];
  /** Idempotency keys delivered to a phone, in order; a repeated key is not delivered again. */
  readonly delivered: string[] = [];
  /** How a message is answered; 200 at once unless the test says otherwise. */
  answer: (request: GatewayRequest) => GatewayAnswer = () => ({ status: 200 });
  url = '';
  private server?: Server;

  constructor(private readonly port = 0) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        let parsed: { to?: string; text?: string; idempotencyKey?: string };
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          res.writeHead(400).end('not JSON');
          return;
        }
        const request: GatewayRequest = {
          to: String(parsed.to),
          text: String(parsed.text),
          idempotencyKey: String(parsed.idempotencyKey),
          at: Date.now(),
          status: 0,
        };
        this.requests.push(request);
        const { status, delayMs = 0 } = this.answer(request);
        const reply = () => {
          request.status = status;
          // A message the gateway accepted is delivered, once per key, even when the sender stopped waiting.
          if (status >= 200 && status < 300 && !this.delivered.includes(request.idempotencyKey))
            this.delivered.push(request.idempotencyKey);
          const index = this.delivered.indexOf(request.idempotencyKey);
          if (res.destroyed) return;
          if (status >= 200 && status < 300)
            res
              .writeHead(status, { 'content-type': 'application/json' })
              .end(JSON.stringify({ messageId: `gw-${index + 1}` }));
          else
            res
              .writeHead(status, { 'content-type': 'application/json' })
              .end(JSON.stringify({ error: `stand-in answers ${status}` }));
        };
        if (delayMs > 0) setTimeout(reply, delayMs).unref();
        else reply();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  /** Requests for one phone number. */
  to(phone: string): GatewayRequest[] {
    return this.requests.filter((r) => r.to === phone);
  }
}
