/**
 * Secrets the embedded mode may generate: on one machine with nothing configured they are created once and kept
 * in DATA_DIR, so that encrypted personal data stays readable and sessions survive a restart.
 * Production never reaches this code for them (the configuration requires them there).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config';

export interface Secrets {
  sessionSecret: string;
  piiKey: Buffer;
  engineApiPassword: string;
}

export function resolveSecrets(config: Config): Secrets {
  const file = join(config.DATA_DIR, 'secrets.json');
  let stored: Partial<Record<'sessionSecret' | 'piiKey' | 'engineApiPassword', string>> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  const generated = {
    sessionSecret: stored.sessionSecret ?? randomBytes(32).toString('hex'),
    piiKey: stored.piiKey ?? randomBytes(32).toString('hex'),
    engineApiPassword: stored.engineApiPassword ?? randomBytes(18).toString('base64url'),
  };
  const needsFile = !config.SESSION_SECRET || !config.PII_ENCRYPTION_KEY || !config.ENGINE_API_PASSWORD;
  if (needsFile && JSON.stringify(generated) !== JSON.stringify(stored)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600 });
  }
  return {
    sessionSecret: config.SESSION_SECRET ?? generated.sessionSecret,
    piiKey: Buffer.from(config.PII_ENCRYPTION_KEY ?? generated.piiKey, 'hex'),
    engineApiPassword: config.ENGINE_API_PASSWORD ?? generated.engineApiPassword,
  };
}
