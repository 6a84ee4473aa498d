/**
 * What the job workers get, built once for the app (embedded mode) and for `npm run workers`: the database, a
 * logger, the business clock, the personal-data cipher, the SMS provider, and decisions through the engine API.
 */
import type { Config } from '../platform/config';
import type { Secrets } from '../platform/secrets';
import type { Database } from '../platform/data-source';
import type { Logger } from '../platform/logger';
import { startProcessOnce, type EngineClient } from '../platform/engine-client';
import { piiCipher } from '../platform/pii';
import type { WorkerDeps } from '../workers/job';
import { createSmsSender } from '../workers/sms';

/** `now` is the embedded engine's clock (which tests pin); against a cluster it is the real one. */
export function workerDeps(
  config: Config,
  secrets: Secrets,
  database: Database,
  log: Logger,
  client: EngineClient,
  now: () => Date = () => new Date(),
): WorkerDeps {
  return {
    db: database.db,
    log: log.child({ part: 'workers' }),
    now,
    publicUrl: config.PUBLIC_URL,
    timeZone: config.BUSINESS_TIMEZONE,
    pii: piiCipher(secrets.piiKey),
    sms: createSmsSender(config),
    decide: async (decisionDefinitionId, variables) => {
      const result = await client.evaluateDecision({ decisionDefinitionId, variables });
      if (result.failureMessage) throw new Error(`Decision '${decisionDefinitionId}' failed: ${result.failureMessage}`);
      return JSON.parse(result.output) as Record<string, unknown>;
    },
    startProcessOnce: (processDefinitionId, variables, once, firstAttempt) =>
      startProcessOnce(client, processDefinitionId, variables, once, firstAttempt),
  };
}
