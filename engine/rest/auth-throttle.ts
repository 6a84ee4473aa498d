/**
 * Failed authentication to the engine's /v2, counted per client address in memory: after `maxFailures` wrong or
 * missing credentials from one address within `windowMs`, that address is refused for a whole window from the
 * failure that reached the limit, without its credentials being checked (a password guess then learns nothing).
 * Other addresses are not affected. The table is bounded: past `maxAddresses` the ended windows are dropped, then
 * the oldest ones, so a flood of addresses costs a fixed amount of memory.
 */

export interface AuthThrottleOptions {
  /** Failures one address may make in a window before it is refused. */
  maxFailures?: number;
  /** The window, and how long an address stays refused once it reached the limit. */
  windowMs?: number;
  /** Addresses kept at most. */
  maxAddresses?: number;
  /** The time (tests pin it); the real clock by default, not the engine's business clock. */
  now?: () => number;
}

export const ENGINE_AUTH_MAX_FAILURES = 10;
export const ENGINE_AUTH_WINDOW_MS = 60_000;
const MAX_ADDRESSES = 10_000;

interface Window {
  failures: number;
  endsAt: number;
}

export class AuthThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(options: AuthThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? ENGINE_AUTH_MAX_FAILURES;
    this.windowMs = options.windowMs ?? ENGINE_AUTH_WINDOW_MS;
    this.maxAddresses = options.maxAddresses ?? MAX_ADDRESSES;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until `address` may try again, or 0 when it may try now. */
  refusedFor(address: string): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    const left = w.endsAt - this.now();
    if (left <= 0) {
      this.windows.delete(address);
      return 0;
    }
    return w.failures >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  /** Counts a failed authentication from `address`. */
  fail(address: string): void {
    const now = this.now();
    let w = this.windows.get(address);
    if (!w || w.endsAt <= now) {
      if (w) this.windows.delete(address);
      else this.makeRoom(now);
      w = { failures: 0, endsAt: now + this.windowMs };
      this.windows.set(address, w);
    }
    w.failures++;
    // The refusal lasts a whole window from the failure that reached the limit, not what was left of the window.
    if (w.failures === this.maxFailures) w.endsAt = now + this.windowMs;
  }

  /** Addresses held (for tests and bounds). */
  get size(): number {
    return this.windows.size;
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.maxAddresses) return;
    for (const [address, w] of this.windows) if (w.endsAt <= now) this.windows.delete(address);
    // Still full: the oldest windows go (a Map iterates in insertion order).
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.maxAddresses) break;
      this.windows.delete(address);
    }
  }
}
