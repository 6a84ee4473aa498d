/** `npm start`: starts the whole system and prints where to open it; a bad setting stops it with a clear message. */
import { ConfigError } from './config';
import { DatabaseUnavailableError } from './data/data-source';
import { EngineLockedError } from './data/engine-lock';
import { ModelDeploymentError } from './deploy-models';
import { start } from './server';
import { DEMO_PASSWORD, DEMO_USERS } from './seed';

async function main(): Promise<void> {
  const server = await start();
  const lines = [
    '',
    `  社区信访工作平台 / Community petition platform`,
    `  地址 / Open:      ${server.config.PUBLIC_URL === `http://localhost:${server.config.PORT}` ? server.url : server.config.PUBLIC_URL}`,
    `  数据库 / Data:    ${server.database.description}`,
    `  引擎 / Engine:    ${server.config.ENGINE}`,
  ];
  if (server.config.DEMO_SEED) {
    lines.push(`  演示账号 / Demo logins (password "${DEMO_PASSWORD}"):`);
    for (const u of DEMO_USERS) lines.push(`    ${u.username.padEnd(14)} ${u.roles.join(',').padEnd(14)} ${u.displayName}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
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
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof EngineLockedError ||
    error instanceof ModelDeploymentError
  ) {
    process.stderr.write(`\n无法启动 / Cannot start:\n${error.message}\n\n`);
  } else {
    process.stderr.write(`\n无法启动 / Cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
