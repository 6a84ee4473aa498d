import type { InstanceSession } from './session';

/**
 * Live sessions of instances waiting for job workers, least recently used first out. A session is handed back only
 * for the stored version it produced: if that step's transaction did not commit, the database is behind the
 * session, the versions differ and the instance is recovered from what was committed.
 */
export class SessionCache {
  private readonly entries = new Map<string, { version: number; session: InstanceSession }>();

  constructor(private readonly capacity: number) {}

  take(instanceKey: string, version: number): InstanceSession | undefined {
    const entry = this.entries.get(instanceKey);
    if (!entry) return undefined;
    this.entries.delete(instanceKey);
    if (entry.version === version) return entry.session;
    entry.session.dispose();
    return undefined;
  }

  keep(instanceKey: string, version: number, session: InstanceSession): void {
    if (this.capacity <= 0) {
      session.dispose();
      return;
    }
    this.entries.set(instanceKey, { version, session });
    while (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { session: InstanceSession }];
      this.entries.delete(oldest);
      entry.session.dispose();
    }
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.session.dispose();
    this.entries.clear();
  }
}
