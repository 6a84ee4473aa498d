/**
 * The engine's throttle of failed authentication per client address (engine/rest/auth-throttle.ts), on a pinned
 * clock: when an address is refused, for how long, and that the table stays bounded.
 */
import { AuthThrottle } from '../../engine/rest/auth-throttle';

describe('the engine API throttle of failed authentication', () => {
  const clock = (start = 1_000_000) => {
    let t = start;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  it('when an address fails as often as allowed, then it is refused for a whole window from that failure, and others are not', () => {
    // given
    const c = clock();
    const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 60_000, now: c.now });
    throttle.fail('10.0.0.1');
    c.advance(50_000);
    throttle.fail('10.0.0.1');
    expect(throttle.refusedFor('10.0.0.1')).toBe(0);
    // when the third failure comes near the end of the first window
    throttle.fail('10.0.0.1');
    // then it is refused for 60 s from then, not the 10 s left of the window
    expect(throttle.refusedFor('10.0.0.1')).toBe(60);
    expect(throttle.refusedFor('10.0.0.2')).toBe(0);
    c.advance(59_000);
    expect(throttle.refusedFor('10.0.0.1')).toBe(1);
    c.advance(1_000);
    expect(throttle.refusedFor('10.0.0.1')).toBe(0);
  });

  it('when failures are spread wider than the window, then the address is never refused', () => {
    // given
    const c = clock();
    const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 60_000, now: c.now });
    // when
    for (let i = 0; i < 10; i++) {
      throttle.fail('10.0.0.1');
      c.advance(31_000);
    }
    // then
    expect(throttle.refusedFor('10.0.0.1')).toBe(0);
  });

  it('when more addresses fail than it keeps, then ended windows go first, then the oldest, and it never holds more than its bound', () => {
    // given a full table whose windows have all ended
    const c = clock();
    const throttle = new AuthThrottle({ maxFailures: 2, windowMs: 60_000, maxAddresses: 100, now: c.now });
    for (let i = 0; i < 100; i++) throttle.fail(`10.1.0.${i}`);
    c.advance(61_000);
    // when a new address fails
    throttle.fail('10.3.0.1');
    throttle.fail('10.3.0.1');
    // then the ended windows made room for it
    expect(throttle.size).toBe(1);
    expect(throttle.refusedFor('10.3.0.1')).toBe(60);
    // when 10,000 more addresses fail within the window
    for (let i = 0; i < 10_000; i++) throttle.fail(`10.4.${i >> 8}.${i & 255}`);
    throttle.fail('10.4.39.15');
    // then the table holds at most its bound, and the latest addresses are counted
    expect(throttle.size).toBe(100);
    expect(throttle.refusedFor('10.4.39.15')).toBe(60);
  });
});
