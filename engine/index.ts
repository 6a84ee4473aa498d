/** The embedded engine, publishable on its own: an engine over a Postgres-compatible database and its /v2 router. */
export { EmbeddedEngine, type EngineOptions, type Resource } from './engine';
export { engineApi, engineRouter, type EngineApi, type RouterOptions } from './rest/router';
export type { EngineDb, EngineQueryable } from './store/db';
export { EngineError } from './errors';
