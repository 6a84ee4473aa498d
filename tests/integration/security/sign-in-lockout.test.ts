/**
 * Lock-out after wrong passwords is per account AND client address (issue 23, item 9): someone guessing a
 * leader's password from one address locks that address out of the account, not the leader at another address.
 * An account guessed at from many addresses takes sign-ins only from addresses it signed in from before; an admin
 * lifts a lock-out on the settings page. Client addresses are set with X-Forwarded-For (the app trusts its loopback).
 */
import { randomBytes } from 'node:crypto';
import { MAX_FAILED_LOGINS, MAX_FAILED_LOGINS_PER_ACCOUNT } from '../../../api/auth';
import { startEngine, type EngineHarness } from '../../support/engine';
import { Session, type Json } from '../../support/session';

jest.setTimeout(3 * 60 * 1000);

describe('sign-in lock-out per account and address', () => {
  let h: EngineHarness;
  let admin: Session;
  let subnets = 0;
  /** A subnet of its own for each test, so that no two tests share an address. */
  const subnet = () => `10.${40 + subnets++}`;

  beforeAll(async () => {
    h = await startEngine({ DEMO_SEED: 'true' });
    admin = await new Session(h.server.url, '10.39.0.1').signIn('admin');
  });
  afterAll(() => h.stop());

  /** A staff account of its own for a test: its username, password and id. */
  async function newAccount(): Promise<{ username: string; password: string; id: string }> {
    const username = `owner-${randomBytes(4).toString('hex')}`;
    const password = `right-${randomBytes(6).toString('hex')}`;
    const res = await admin.call('POST', '/api/users', {
      username,
      displayName: '负责人',
      password,
      roles: ['leader'],
    });
    expect(res.status).toBe(201);
    return { username, password, id: res.body.id as string };
  }
  const signIn = (ip: string, username: string, password: string, headers: Record<string, string> = {}) =>
    new Session(h.server.url, ip).call('POST', '/api/session', { username, password }, headers);
  const listed = async (id: string): Promise<Json> =>
    ((await admin.call('GET', '/api/users')).body.items as Json[]).find((u) => u.id === id)!;

  it('when an attacker gets five passwords wrong from address A, then A is locked out of that account while its owner signs in from address B', async () => {
    // given
    const owner = await newAccount();
    const net = subnet();
    const [a, b] = [`${net}.0.1`, `${net}.0.2`];
    // when
    for (let i = 0; i < MAX_FAILED_LOGINS; i++)
      expect((await signIn(a, owner.username, `guess-${i}`)).status).toBe(401);
    // then the owner signs in from elsewhere
    const fromB = await signIn(b, owner.username, owner.password);
    expect(fromB.status).toBe(201);
    // and A stays locked out of that account, even with the right password, with a clear message and Retry-After
    const fromA = await signIn(a, owner.username, owner.password);
    expect(fromA.status).toBe(423);
    expect(fromA.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(fromA.body.detail).toMatch(/此地址.*分钟后再试.*管理员解锁/);
    expect(Number(fromA.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect((await signIn(a, owner.username, owner.password, { 'accept-language': 'en' })).body.detail).toMatch(
      /from this address/,
    );
    // and A is not locked out of other accounts
    expect((await signIn(a, 'cadre', 'demo-2026')).status).toBe(201);
    // and the settings page shows the account as locked
    expect((await listed(owner.id)).lockedUntil).not.toBeNull();
  });

  it('when one account fails from many addresses, then past the cap only addresses it signed in from before may try, and the owner at one of them signs in', async () => {
    // given the owner signed in once from their office
    const owner = await newAccount();
    const net = subnet();
    const office = `${net}.0.1`;
    expect((await signIn(office, owner.username, owner.password)).status).toBe(201);
    // when guesses come from several addresses, each under its own lock-out
    let sent = 0;
    for (let n = 1; sent < MAX_FAILED_LOGINS_PER_ACCOUNT; n++) {
      for (let i = 0; i < MAX_FAILED_LOGINS - 1 && sent < MAX_FAILED_LOGINS_PER_ACCOUNT; i++, sent++) {
        expect((await signIn(`${net}.1.${n}`, owner.username, `guess-${sent}`)).status).toBe(401);
      }
    }
    // then a new address is refused without its password being checked, right or wrong
    const fresh = await signIn(`${net}.2.1`, owner.username, owner.password);
    expect(fresh.status).toBe(423);
    expect(fresh.body.detail).toMatch(/以前登录过的地址/);
    expect(Number(fresh.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect((await signIn(`${net}.2.2`, owner.username, 'another-guess')).status).toBe(423);
    // and the owner at the office still signs in
    expect((await signIn(office, owner.username, owner.password)).status).toBe(201);
    // and another account from a new address is not affected
    expect((await signIn(`${net}.2.3`, 'cadre', 'demo-2026')).status).toBe(201);
  });

  it('when an admin unlocks a locked account, then the locked address signs in again; when another role asks, then 403 and it stays locked', async () => {
    // given an account locked out for address A
    const owner = await newAccount();
    const a = `${subnet()}.0.1`;
    for (let i = 0; i < MAX_FAILED_LOGINS; i++)
      expect((await signIn(a, owner.username, `guess-${i}`)).status).toBe(401);
    expect((await signIn(a, owner.username, owner.password)).status).toBe(423);
    // when a leader (not an admin) asks to unlock it
    const leader = await new Session(h.server.url, `${subnet()}.0.1`).signIn('leader');
    const refused = await leader.call('POST', `/api/users/${owner.id}/unlock`);
    // then it is refused and the lock holds
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await listed(owner.id)).lockedUntil).not.toBeNull();
    expect((await signIn(a, owner.username, owner.password)).status).toBe(423);
    // when the admin unlocks it
    const unlocked = await admin.call('POST', `/api/users/${owner.id}/unlock`);
    // then
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ id: owner.id, username: owner.username, lockedUntil: null });
    expect((await signIn(a, owner.username, owner.password)).status).toBe(201);
  });

  it('when an admin unlocks an account that is locked for new addresses, then new addresses may try again', async () => {
    // given an account past the cap over several addresses
    const owner = await newAccount();
    const net = subnet();
    for (let n = 1, sent = 0; sent < MAX_FAILED_LOGINS_PER_ACCOUNT; n++) {
      for (let i = 0; i < MAX_FAILED_LOGINS && sent < MAX_FAILED_LOGINS_PER_ACCOUNT; i++, sent++)
        await signIn(`${net}.1.${n}`, owner.username, `guess-${sent}`);
    }
    expect((await signIn(`${net}.2.1`, owner.username, owner.password)).status).toBe(423);
    // when
    expect((await admin.call('POST', `/api/users/${owner.id}/unlock`)).status).toBe(200);
    // then
    expect((await signIn(`${net}.2.1`, owner.username, owner.password)).status).toBe(201);
    expect((await signIn(`${net}.1.1`, owner.username, owner.password)).status).toBe(201);
  });

  it('when an admin unlocks an account that does not exist, then 404', async () => {
    // when
    const res = await admin.call('POST', '/api/users/00000000-0000-4000-8000-000000000000/unlock');
    // then
    expect(res.status).toBe(404);
    expect(res.body.detail).toMatch(/用户不存在/);
  });
});
