/**
 * `npm run workers`: the job workers as their own process, against the engine the configuration names (a Camunda
 * cluster with ENGINE=camunda, or an app's embedded engine). The SDK's workers keep polling through an outage and
 * pick up again when the engine answers; SIGTERM/SIGINT let running jobs finish before the process exits.
 */
import { ConfigError, loadConfig } from '../platform/config';
import { DatabaseUnavailableError, openDatabase } from '../platform/data-source';
import { createLogger } from '../platform/logger';
import { resolveSecrets } from '../platform/secrets';
import { createEngineClient } from '../platform/engine-client';
import { workerDeps } from './worker-deps';
import { startWorkers, WORKERS } from '../workers/index';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const secrets = resolveSecrets(config);
  // Workers record what they do in the app's database; they never run its migrations.
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    migrate: false,
  });
  const address = config.ZEEBE_REST_ADDRESS ?? `http://127.0.0.1:${config.PORT}`;
  const { client } = createEngineClient(
    { ...config, ZEEBE_REST_ADDRESS: address, ENGINE: 'camunda' },
    secrets,
    address,
  );
  const running = startWorkers(client, workerDeps(config, secrets, database, log, client));
  log.info({ engine: address, jobTypes: WORKERS.map((w) => w.type) }, 'workers started');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'workers stopping');
    running
      .stop()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError;
  process.stderr.write(
    `Cannot start the workers: ${known ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
