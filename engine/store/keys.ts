/** Zeebe-style int64 keys, taken from one sequence in blocks of 1000 so that most keys cost no round trip. */
import type { EngineQueryable } from './db';

export class KeyAllocator {
  private next = 0n;
  private end = 0n;

  async take(db: EngineQueryable): Promise<string> {
    if (this.next >= this.end) {
      const [row] = await db.query<{ v: string }>("SELECT nextval('engine_key_seq')::text AS v");
      this.next = BigInt(row.v);
      this.end = this.next + 1000n;
    }
    const key = this.next;
    this.next += 1n;
    return key.toString();
  }
}
