/**
 * The app's SQL surface over a PostgreSQL server: statements go as named (prepared) statements unless told not to,
 * and a statement whose table changed under it is sent again rather than failing.
 */
import { openDatabase, type Database } from '../../platform/data-source';
import { createTestDatabase, type TestDatabase } from '../support/database';

const onPostgres = !!process.env.DATABASE_URL;

(onPostgres ? describe : describe.skip)('the database surface on PostgreSQL', () => {
  let testDb: TestDatabase;
  const opened: Database[] = [];
  const open = async (preparedStatements?: boolean) => {
    const database = await openDatabase({
      databaseUrl: testDb.env.DATABASE_URL,
      dataDir: testDb.env.DATA_DIR,
      migrate: false,
      preparedStatements,
    });
    opened.push(database);
    return database;
  };
  /** The statements prepared on the connection a transaction runs on, after running `sql` on it. */
  const preparedAfter = (database: Database, sql: string, params: unknown[]) =>
    database.db.transaction(async (tx) => {
      await tx.query(sql, params);
      return (await tx.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map(
        (r) => r.statement,
      );
    });

  beforeEach(async () => {
    testDb = await createTestDatabase();
  });
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
    await testDb.drop();
  });

  it('when a query runs, then it is prepared on its connection; with DATABASE_PREPARED_STATEMENTS off, it is not', async () => {
    // given
    const sql = 'SELECT $1::int + 1 AS n';
    // when
    const prepared = await preparedAfter(await open(), sql, [1]);
    const unprepared = await preparedAfter(await open(false), sql, [1]);
    // then
    expect(prepared).toContain(sql);
    expect(unprepared).toEqual([]);
  });

  it('when a table gains a column after its statement was prepared, then the statement still answers, with the new column', async () => {
    // given a statement prepared on every connection the pool hands out for it
    const database = await open();
    await database.db.query('CREATE TABLE sample (a int)');
    await database.db.query('INSERT INTO sample VALUES (1)');
    for (let i = 0; i < 5; i++) expect(await database.db.query('SELECT * FROM sample')).toEqual([{ a: 1 }]);
    // when the table changes under it (a newer version's migration while this process runs)
    await database.db.query('ALTER TABLE sample ADD COLUMN b int DEFAULT 2');
    // then
    for (let i = 0; i < 5; i++) expect(await database.db.query('SELECT * FROM sample')).toEqual([{ a: 1, b: 2 }]);
    // and inside a transaction too, once the statement has been seen to be stale
    expect(await database.db.transaction((tx) => tx.query('SELECT * FROM sample'))).toEqual([{ a: 1, b: 2 }]);
  });
});
