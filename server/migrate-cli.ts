/** `npm run migrate` (up) and `npm run migrate -- down` (revert the last one). */
import { ConfigError, loadConfig } from '../platform/config';
import { DatabaseUnavailableError, openDatabase, runMigrations } from '../platform/data-source';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    migrate: false,
  });
  try {
    if (process.argv[2] === 'down') {
      await database.dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('Reverted the last migration.\n');
    } else {
      const done = await runMigrations(database);
      process.stdout.write(
        done.length ? `Applied: ${done.join(', ')}\n` : 'Nothing to apply: the schema is up to date.\n',
      );
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError;
  process.stderr.write(`${known ? error.message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
