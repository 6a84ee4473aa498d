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
    if (e?.code !== '0A000' || !/cached plan must not change result type/.test(e.message ?? '') || !this.names.has(sql))
      return false;
    this.names.delete(sql);
    this.refused.add(sql);
    return true;
  }
}

const PREPARABLE = /^\s*(select|with|insert|update|delete)\b/i;

/**
 * How long opening a connection may take before the server counts as not answering (the pool's
 * `connectionTimeoutMillis`, also its wait for a free connection). A server that accepts connections but never answers
 * (hung, overloaded, a half-open failover) would otherwise hold each request for it and then fail it.
 */
export const CONNECT_TIMEOUT_MS = 3000;
/**
 * While the server is away, a statement first waits (at most PROBE_TIMEOUT_MS) for a fresh connection's answer; one
 * such try is shared by the statements that come within PROBE_SHARE_MS of its start.
 */
const PROBE_TIMEOUT_MS = 1000;
const PROBE_SHARE_MS = 50;

/** True for errors that mean the database server cannot be reached right now (not a bug in a query). */
export function isConnectionFailure(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (
    e.code &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'ENOTFOUND',
      'EHOSTUNREACH',
      '57P01',
      '57P02',
      '57P03',
    ].includes(e.code)
  ) {
    return true;
  }
  if (e.code?.startsWith('08')) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    e.message ?? '',
  );
}

/**
 * No connection of the pool came free within CONNECT_TIMEOUT_MS. Not a sign that the server is away (every
 * connection may simply be busy), but for the request as much "the database is not available" as a refusal.
 */
export function isPoolTimeout(error: unknown): boolean {
  return /timeout exceeded when trying to connect/.test((error as Error | undefined)?.message ?? '');
}

/** A statement refused while the database server is away (class 08: connection exception, as the server's own). */
export class DatabaseAwayError extends Error {
  readonly code = '08006';
  constructor(cause: unknown) {
    super(
      `the database is not answering (${(cause as Error)?.message ?? String(cause)}); tried again with each statement`,
      { cause },
    );
    this.name = 'DatabaseAwayError';
  }
}

/**
 * Whether the server answers, as last seen. Once a connection fails (refused, reset, or not answered within
 * CONNECT_TIMEOUT_MS), statements no longer go to the pool, where each would open a connection of its own and wait
 * out the time-out, and the pool would fill with connections stuck on a server that does not answer, holding up the
 * first requests after it comes back. Instead each statement waits for a fresh connection's answer (a short time-out,
 * shared by the statements of the same moment): none, and it is refused (a 503 for a request) within about a second;
 * an answer, and it goes through at once, as every statement after it.
 */
class Reachability {
  private away: DatabaseAwayError | undefined;
  private latest: { started: number; answered: Promise<boolean> } | undefined;

  constructor(private readonly probe: () => Promise<void>) {}

  async check(): Promise<void> {
    if (!this.away) return;
    const now = Date.now();
    // A try that started earlier may be stuck on a server that has come back since: a later statement starts its own.
    if (!this.latest || now - this.latest.started > PROBE_SHARE_MS) {
      this.latest = {
        started: now,
        answered: this.probe().then(
          () => true,
          () => false,
        ),
      };
    }
    if (await this.latest.answered) this.away = undefined;
    else if (this.away) throw this.away;
  }

  failed(error: unknown): void {
    if (!this.away && isConnectionFailure(error)) this.away = new DatabaseAwayError(error);
  }
}

/** One fresh connection with the pool's settings and a short time-out: does the server answer? */
function prober(pool: Pool): () => Promise<void> {
  const { Client, options } = pool as unknown as {
    Client: new (config: object) => import('pg').Client;
    options: object;
  };
  return async () => {
    const client = new Client({ ...options, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      void client.end().catch(() => undefined);
    }
  };
}

export function postgresDb(pool: Pool, options: { preparedStatements?: boolean } = {}): Db {
  const statements = options.preparedStatements === false ? undefined : new StatementNames();
  const config = (sql: string, params?: unknown[]): QueryConfig =>
    statements?.config(sql, params) ?? { text: sql, values: params };
  const reachability = new Reachability(prober(pool));
  const noting = async <T>(work: () => Promise<T>): Promise<T> => {
    await reachability.check();
    try {
      return await work();
    } catch (error) {
      reachability.failed(error);
      throw error;
    }
  };
  return {
    kind: 'postgres',
    query<T>(sql: string, params?: unknown[]) {
      return noting(async () => {
        try {
          return (await pool.query(config(sql, params))).rows as T[];
        } catch (error) {
          // Outside a transaction the statement is simply sent again, unnamed.
          if (statements?.refuseStale(sql, error)) return (await pool.query(config(sql, params))).rows as T[];
          throw error;
        }
      });
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client: PoolClient = await noting(() => pool.connect());
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
              reachability.failed(error);
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
