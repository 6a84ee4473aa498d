/** Dependencies for calling a worker's handler directly in a test: a real database, quiet logs, a fixed clock. */
import type { Db } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import type { PiiCipher } from '../../platform/pii';
import type { SmsMessage, SmsSender, WorkerDeps } from '../../workers/job';

export function testWorkerDeps(options: {
  db: Db;
  pii: PiiCipher;
  sms: SmsSender;
  now?: Date;
  decide?: WorkerDeps['decide'];
  startProcessOnce?: WorkerDeps['startProcessOnce'];
}): WorkerDeps {
  return {
    db: options.db,
    log: createLogger('silent'),
    now: () => options.now ?? new Date('2026-03-02T02:00:00Z'),
    publicUrl: 'http://localhost:3000',
    timeZone: 'Asia/Shanghai',
    pii: options.pii,
    sms: options.sms,
    decide: options.decide ?? (() => Promise.reject(new Error('this worker does not evaluate decisions'))),
    startProcessOnce:
      options.startProcessOnce ?? (() => Promise.reject(new Error('this worker does not start processes'))),
  };
}

/** A provider that records what it was asked to send and can be told to refuse. */
export class FakeSms implements SmsSender {
  readonly name = 'fake';
  sent: SmsMessage[] = [];
  refuse?: string;
  send(message: SmsMessage) {
    if (this.refuse) return Promise.reject(new Error(this.refuse));
    this.sent.push(message);
    return Promise.resolve({ providerMessageId: `m-${this.sent.length}` });
  }
}
