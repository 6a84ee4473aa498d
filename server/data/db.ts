/**
 * The small SQL surface every repository uses: parameterised queries and transactions.
 * Over node-postgres it borrows TypeORM's pool; over PGlite it uses PGlite's own exclusive transactions,
 * because PGlite is a single connection and a BEGIN issued through a shared pool would mix callers' statements.
 */
import type { Pool, PoolClient, QueryConfig } from 'pg';
import type { PGlite, Transaction } from '@electric-sql/pglite';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

/**
 * Named (prepared) statements. Sent unnamed, a statement is parsed, analysed and planned by PostgreSQL every time —
 * for the app's short reads as long as running them (a tasklist search: 0.4 ms to plan, 0.4 to run). Named, each
 * connection parses it once and replans only when a custom plan is worth it (PostgreSQL's plan cache decides). The
 * statements are the app's and the engine's own SQL texts (values are always parameters), so their number is bounded;
 * past `limit` distinct texts the rest go unnamed, so a connection never holds more than that.
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly refused = new Set<string>();
  private next = 0;
  constructor(private readonly limit = 500) {}

  /** The query config for node-postgres: named for a plain SELECT, WITH, INSERT, UPDATE or DELETE. */
  config(sql: string, params?: unknown[]): QueryConfig {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < this.limit && !this.refused.has(sql) && PREPARABLE.test(sql)) {
      name = `s${this.next++}`;
      this.names.set(sql, name);
    }
    return name ? { name, text: sql, values: params } : { text: sql, values: params };
  }

  /**
   * A prepared statement whose result columns changed under it (a table altered by a newer version's migration while
   * this process runs) fails with "cached plan must not change result type" on the connections that prepared it. The
   * text is then sent unnamed from now on; true when the caller may simply send it again.
   */
  refuseStale(sql: string, error: unknown): boolean {
    const e = error as { code?: string; message?: string };
    if (e?.code !== '0A000' || !/cached plan must not change result type/.test(e.message ?? '') || !this.names.has(sql)) return false;
    this.names.delete(sql);
    this.refused.add(sql);
    return true;
  }
}

const PREPARABLE = /^\s*(select|with|insert|update|delete)\b/i;

export function postgresDb(pool: Pool, options: { preparedStatements?: boolean } = {}): Db {
  const statements = options.preparedStatements === false ? undefined : new StatementNames();
  const config = (sql: string, params?: unknown[]): QueryConfig => statements?.config(sql, params) ?? { text: sql, values: params };
  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      try {
        return (await pool.query(config(sql, params))).rows as T[];
      } catch (error) {
        // Outside a transaction the statement is simply sent again, unnamed.
        if (statements?.refuseStale(sql, error)) return (await pool.query(config(sql, params))).rows as T[];
        throw error;
      }
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client: PoolClient = await pool.connect();
      // The pool listens for errors on idle clients only. A checked-out client whose server goes away between two
      // statements (a restart ends every session with 57P01) emits 'error' with nobody listening, which would end
      // the process; here it is noted, and the next statement fails with it (a 503 for a request).
      let lost: Error | undefined;
      const onError = (error: Error) => (lost = error);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R>(sql: string, params?: unknown[]) {
            try {
              return (await client.query(config(sql, params))).rows as R[];
            } catch (error) {
              // Inside one the transaction has failed already; the next one sends the statement unnamed.
              statements?.refuseStale(sql, error);
              throw error;
            }
          },
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onError);
        // A client whose connection broke is destroyed rather than handed to the next caller.
        client.release(lost);
      }
    },
  };
}

export function pgliteDb(pg: PGlite): Db {
  const wrap = (q: PGlite | Transaction): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      return (await q.query<T>(sql, params)).rows;
    },
  });
  const plain = wrap(pg);
  return {
    kind: 'pglite',
    query: (sql, params) => plain.query(sql, params),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) => pg.transaction((t) => work(wrap(t))),
  };
}
