/**
 * The small SQL surface every repository uses: parameterised queries and transactions.
 * Over node-postgres it borrows TypeORM's pool; over PGlite it uses PGlite's own exclusive transactions,
 * because PGlite is a single connection and a BEGIN issued through a shared pool would mix callers' statements.
 */
import type { Pool, PoolClient } from 'pg';
import type { PGlite, Transaction } from '@electric-sql/pglite';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

export function postgresDb(pool: Pool): Db {
  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      const result = await pool.query(sql, params);
      return result.rows as T[];
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
            return (await client.query(sql, params)).rows as R[];
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
