import { ConfigError, loadConfig } from '../../platform/config';

describe('configuration', () => {
  it('when nothing is set, then the embedded defaults apply', () => {
    // when
    const config = loadConfig({});
    // then
    expect(config).toMatchObject({
      PORT: 3000,
      ENGINE: 'embedded',
      DATABASE_URL: undefined,
      DATA_DIR: '.data',
      SMS_PROVIDER: 'outbox',
      DEMO_SEED: true,
      PUBLIC_URL: 'http://localhost:3000',
      BUSINESS_TIMEZONE: 'Asia/Shanghai',
    });
  });

  it('when a value is bad, then the error names the setting, what is allowed and what was given', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT must be a port number \(got "abc"\)/);
    expect(() => loadConfig({ ENGINE: 'zeebe' })).toThrow(/ENGINE .*"embedded"\|"camunda"|ENGINE .*embedded.*camunda/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a URL such as postgres:/);
  });

  it('when the engine step budget is set, then it is taken within its bounds and refused outside them', () => {
    expect(loadConfig({}).ENGINE_STEP_BUDGET_MS).toBe(5000);
    expect(loadConfig({ ENGINE_STEP_BUDGET_MS: '2500' }).ENGINE_STEP_BUDGET_MS).toBe(2500);
    expect(() => loadConfig({ ENGINE_STEP_BUDGET_MS: '10' })).toThrow(
      /ENGINE_STEP_BUDGET_MS must be at least 100 .*\(got "10"\)/,
    );
    expect(() => loadConfig({ ENGINE_STEP_BUDGET_MS: 'soon' })).toThrow(
      /ENGINE_STEP_BUDGET_MS must be a number \(got "soon"\)/,
    );
  });

  it('when several values are bad, then every problem is listed at once', () => {
    try {
      loadConfig({ PORT: '70000', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('when a secret is bad, then its value is not printed', () => {
    expect(() => loadConfig({ PII_ENCRYPTION_KEY: 'short-secret-value' })).toThrow(
      /PII_ENCRYPTION_KEY .*\(got \(hidden\)\)/,
    );
  });

  it('when several app processes are asked for without PostgreSQL, then the start is refused', () => {
    expect(() => loadConfig({ APP_PROCESSES: '2' })).toThrow(/APP_PROCESSES above 1 needs PostgreSQL \(DATABASE_URL\)/);
    expect(() => loadConfig({ APP_PROCESSES: '0' })).toThrow(/APP_PROCESSES must be 1 or more \(got "0"\)/);
    expect(loadConfig({ APP_PROCESSES: '2', DATABASE_URL: 'postgres://u@h:5432/d' }).APP_PROCESSES).toBe(2);
    expect(loadConfig({}).APP_PROCESSES).toBe(1);
  });

  it('when ENGINE=camunda without an address, then the start is refused', () => {
    expect(() => loadConfig({ ENGINE: 'camunda', CAMUNDA_AUTH_STRATEGY: 'NONE' })).toThrow(
      /ZEEBE_REST_ADDRESS is required when ENGINE=camunda/,
    );
  });

  it('when in production, then generated secrets and demo data are refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET is required when NODE_ENV=production/);
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(32),
      PII_ENCRYPTION_KEY: 'a'.repeat(64),
      ENGINE_API_PASSWORD: 'a-long-password',
    });
    expect(config.DEMO_SEED).toBe(false);
  });

  it('when an SMS provider is chosen, then its settings are required', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'http' })).toThrow(/SMS_HTTP_URL is required/);
    expect(() => loadConfig({ SMS_PROVIDER: 'aliyun' })).toThrow(/ALIYUN_SMS_ACCESS_KEY_ID is required/);
  });

  it('when a time zone is unknown, then the start is refused', () => {
    expect(() => loadConfig({ BUSINESS_TIMEZONE: 'Mars/Olympus' })).toThrow(
      /BUSINESS_TIMEZONE must be an IANA time zone/,
    );
  });
});
