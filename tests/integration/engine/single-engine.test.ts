import { start } from '../../../server/server';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, type ChildApp } from '../../support/child-app';

describe('one engine per database', () => {
  let db: TestDatabase;
  let first: ChildApp | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await first?.kill('SIGKILL');
    await db.drop();
  });

  it('when a second process starts the engine on the same database, then it is refused with a clear message', async () => {
    // given a running app
    first = await spawnApp(testEnv(db, { LOG_LEVEL: 'warn' }));
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    // when / then
    await expect(start({ env: testEnv(db) })).rejects.toThrow(
      db.kind === 'postgres'
        ? /Another process already runs the embedded engine on this database \(petition-engine/
        : /in use by another process/,
    );
    // and once the first is gone (even killed), a new one starts
    await first.kill('SIGKILL');
    first = undefined;
    const second = await start({ env: testEnv(db) });
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    await second.stop();
  });
});
