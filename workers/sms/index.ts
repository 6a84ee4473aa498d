/**
 * Which SMS provider sends text messages, from the configuration (SMS_PROVIDER). Without one, messages stay in
 * the outbox: the notification worker records every message, and staff read the outbox to pass them on.
 */
import type { Config } from '../../server/config';
import type { SmsSender } from '../job';

export const outboxSender: SmsSender = {
  name: 'outbox',
  send: () => Promise.resolve({}),
};

export function createSmsSender(config: Config): SmsSender {
  switch (config.SMS_PROVIDER) {
    case 'outbox':
      return outboxSender;
    default:
      throw new Error(`SMS_PROVIDER=${config.SMS_PROVIDER} is not available yet; use SMS_PROVIDER=outbox`);
  }
}
