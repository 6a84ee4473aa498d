/**
 * A database server that accepts connections but never answers (hung, overloaded, a half-open failover). The app
 * reaches PostgreSQL through a TCP proxy of the test's own: forwarding, it is the database; silent, it drops the
 * connections it carried and accepts new ones without ever passing a byte on, as such a server does. While silent,
 * the API answers 503 with Retry-After and the problem detail that says the database cannot be reached within a few
 * seconds (not a 500 after the pool's time-out); once the proxy forwards again, the next write goes through at once.
 *
 * PostgreSQL only (DATABASE_URL): PGlite runs inside the app's process, there is no server to stop answering.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { start, type RunningServer } from '../../../server/server';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { Session } from '../../support/session';

const onPostgres = !!process.env.DATABASE_URL;
jest.setTimeout(2 * 60 * 1000);

/** A TCP proxy to the database that can turn silent: it accepts connections and answers nothing. */
class SilentableProxy {
  private server: Server | undefined;
  private silent = false;
  private readonly carried = new Set<Socket>();
  private readonly held = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      client.on('error', () => undefined);
      if (this.silent) {
        // Accepted, and never answered: the bytes the app sends go nowhere.
        this.held.add(client);
        client.on('close', () => this.held.delete(client));
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
      this.carried.add(client).add(upstream);
      client.on('close', () => (this.carried.delete(client), this.carried.delete(upstream)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Drops the connections it carries (as a failover does) and answers nothing from now on. */
  goSilent(): void {
    this.silent = true;
    for (const socket of this.carried) socket.destroy();
  }

  forward(): void {
    this.silent = false;
  }

  async stop(): Promise<void> {
    for (const socket of [...this.carried, ...this.held]) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

(onPostgres ? describe : describe.skip)('a database that accepts connections but does not answer (PostgreSQL)', () => {
  let db: TestDatabase;
  let proxy: SilentableProxy;
  let app: RunningServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    const real = new URL(db.env.DATABASE_URL);
    proxy = new SilentableProxy({ host: real.hostname, port: Number(real.port || 5432) });
    await proxy.start();
    const proxied = new URL(real);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    // The whole app on the proxy: the engine, its scheduler and the job workers keep asking the database too.
    app = await start({
      env: testEnv(db, {
        DATABASE_URL: proxied.toString(),
        DEMO_SEED: 'true',
        DEPLOY_MODELS: 'true',
        WORKERS_IN_APP: 'true',
      }),
    });
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.stop();
    await db?.drop();
  });

  const file = (s: Session, description: string, lang = 'zh') =>
    s.call(
      'POST',
      '/api/cases',
      { channel: 'walk-in', category: '环境卫生', description },
      { 'accept-language': lang },
    );

  it('when the database stops answering, then filing gets 503 with Retry-After within a few seconds, and the first filing after it answers again goes through at once', async () => {
    // given a receptionist signed in while the database answers
    const reception = await new Session(app.url).signIn('reception');
    expect((await file(reception, '停电前的诉求')).status).toBe(201);

    // when the database stops answering
    proxy.goSilent();

    // then each filing is refused cleanly within a few seconds, in either language
    for (const lang of ['zh', 'en', 'zh']) {
      const startedAt = Date.now();
      const refused = await file(reception, '数据库无响应时的诉求', lang);
      const took = Date.now() - startedAt;
      expect({
        status: refused.status,
        type: refused.headers.get('content-type'),
        retryAfter: refused.headers.get('retry-after'),
      }).toEqual({
        status: 503,
        type: expect.stringContaining('application/problem+json'),
        retryAfter: expect.stringMatching(/^\d+$/),
      });
      expect(refused.body.detail).toBe(
        lang === 'en'
          ? 'The database cannot be reached right now; please retry shortly. Nothing already accepted is lost.'
          : '数据库暂时无法访问，请稍后重试；已提交的内容不会丢失。',
      );
      expect(took).toBeLessThan(5000);
    }
    // readiness says so too
    expect((await fetch(`${app.url}/readyz`)).status).toBe(503);

    // when the database answers again, the very next filing goes through at once
    proxy.forward();
    const startedAt = Date.now();
    const filed = await file(reception, '恢复后的诉求');
    const took = Date.now() - startedAt;

    // then it is accepted and kept
    expect(filed.status).toBe(201);
    // (a filing takes well under a second; before, it waited some 11 s for the SDK's back-pressure to open again)
    expect(took).toBeLessThan(3000);
    const [row] = await app.database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM petition_case WHERE id = $1',
      [filed.body.id],
    );
    expect(row.n).toBe(1);
  });
});
