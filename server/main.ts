/** `npm start`: starts the whole system and prints where to open it; a bad setting stops it with a clear message. */
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from '../platform/config';
import { ClusterStartError, STARTED, roleOfThisProcess, runCluster } from './cluster';
import { DatabaseUnavailableError } from '../platform/data-source';
import { EngineLockedError } from './data/engine-lock';
import { ModelDeploymentError } from '../domain/deploy-models';
import { start } from './server';
import { DEMO_PASSWORD, DEMO_USERS } from './seed';

async function main(): Promise<void> {
  if (cluster.isPrimary) {
    const config = loadConfig(process.env);
    // Several processes on one port: this one supervises them (see cluster.ts).
    if (config.APP_PROCESSES > 1) return runCluster(config);
  }
  const role = roleOfThisProcess();
  const server = await start({ role });
  if (role) process.send?.({ type: STARTED, url: server.url });
  if (role?.kind !== 'replica') printBanner(server);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'stopping');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // In a cluster: the primary gone (killed), its processes stop too rather than answer unsupervised.
  if (role) process.on('disconnect', () => shutdown('disconnect'));
}

function printBanner(server: Awaited<ReturnType<typeof start>>): void {
  const lines = [
    '',
    `  社区信访工作平台 / Community petition platform`,
    `  地址 / Open:      ${server.config.PUBLIC_URL === `http://localhost:${server.config.PORT}` ? server.url : server.config.PUBLIC_URL}`,
    `  数据库 / Data:    ${server.database.description}`,
    `  引擎 / Engine:    ${server.config.ENGINE}`,
    ...(server.config.APP_PROCESSES > 1 ? [`  进程 / Processes: ${server.config.APP_PROCESSES}`] : []),
  ];
  if (server.config.DEMO_SEED) {
    lines.push(`  演示账号 / Demo logins (password "${DEMO_PASSWORD}"):`);
    for (const u of DEMO_USERS)
      lines.push(`    ${u.username.padEnd(14)} ${u.roles.join(',').padEnd(14)} ${u.displayName}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof EngineLockedError ||
    error instanceof ModelDeploymentError ||
    error instanceof ClusterStartError
  ) {
    process.stderr.write(`\n无法启动 / Cannot start:\n${error.message}\n\n`);
  } else {
    process.stderr.write(
      `\n无法启动 / Cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
