/**
 * The SQL surface the engine needs from its host. Structural, so the engine does not depend on the app;
 * the app's Db (node-postgres or PGlite) satisfies it.
 */
export interface EngineQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface EngineDb extends EngineQueryable {
  readonly kind: 'postgres' | 'pglite';
  transaction<T>(work: (tx: EngineQueryable) => Promise<T>): Promise<T>;
}
