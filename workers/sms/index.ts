/**
 * Which SMS provider sends text messages, from the configuration (SMS_PROVIDER). Without one, messages stay in
 * the outbox: the notification worker records every message, and staff read the outbox to pass them on.
 */
import type { Config } from '../../platform/config';
import type { SmsSender } from '../job';
import { AliyunSmsSender } from './aliyun';
import { HttpGatewaySender } from './http-gateway';

export const outboxSender: SmsSender = {
  name: 'outbox',
  send: () => Promise.resolve({}),
};

/** The configuration validates these settings at start; the checks here keep a hand-built config honest too. */
export function createSmsSender(config: Config): SmsSender {
  switch (config.SMS_PROVIDER) {
    case 'outbox':
      return outboxSender;
    case 'http':
      if (!config.SMS_HTTP_URL) throw new Error('SMS_HTTP_URL is required when SMS_PROVIDER=http');
      return new HttpGatewaySender({ url: config.SMS_HTTP_URL, token: config.SMS_HTTP_TOKEN });
    case 'aliyun': {
      const settings = {
        ALIYUN_SMS_ACCESS_KEY_ID: config.ALIYUN_SMS_ACCESS_KEY_ID,
        ALIYUN_SMS_ACCESS_KEY_SECRET: config.ALIYUN_SMS_ACCESS_KEY_SECRET,
        ALIYUN_SMS_SIGN_NAME: config.ALIYUN_SMS_SIGN_NAME,
        ALIYUN_SMS_TEMPLATE_CODE: config.ALIYUN_SMS_TEMPLATE_CODE,
      };
      const missing = Object.entries(settings)
        .filter(([, value]) => !value)
        .map(([name]) => name);
      if (missing.length > 0)
        throw new Error(`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required when SMS_PROVIDER=aliyun`);
      return new AliyunSmsSender({
        accessKeyId: settings.ALIYUN_SMS_ACCESS_KEY_ID ?? '',
        accessKeySecret: settings.ALIYUN_SMS_ACCESS_KEY_SECRET ?? '',
        signName: settings.ALIYUN_SMS_SIGN_NAME ?? '',
        templateCode: settings.ALIYUN_SMS_TEMPLATE_CODE ?? '',
        endpoint: config.ALIYUN_SMS_ENDPOINT,
      });
    }
    default:
      throw new Error(`SMS_PROVIDER=${String(config.SMS_PROVIDER)} is unknown; use outbox, http or aliyun`);
  }
}
