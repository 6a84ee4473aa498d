import { openDatabase, runMigrations } from '../../platform/data-source';
import { migrations } from '../../migrations';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('migrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  it('when run up, down and up again, then every table comes and goes cleanly', async () => {
    // given
    const database = await openDatabase({ databaseUrl: db.env.DATABASE_URL, dataDir: db.env.DATA_DIR, migrate: false });
    const tables = async () =>
      (
        await database.db.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1",
        )
      ).map((r) => r.table_name);
    try {
      // when up
      expect(await runMigrations(database)).toHaveLength(migrations.length);
      const created = await tables();
      expect(created).toEqual(
        expect.arrayContaining(['app_user', 'compound', 'grid', 'petition_case', 'resident', 'role', 'user_role']),
      );
      // when down, all of them
      for (let i = 0; i < migrations.length; i++) await database.dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toEqual([]);
      // when up again
      expect(await runMigrations(database)).toHaveLength(migrations.length);
      expect(await tables()).toEqual(created);
      expect(await runMigrations(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
