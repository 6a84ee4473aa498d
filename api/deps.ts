/** What the domain API's use cases are given: the database, the engine (through the SDK), the PII cipher, a clock. */
import type { LintModel } from '../domain/models';
import type { Db } from '../platform/db';
import type { EngineClient } from '../platform/engine-client';
import type { Logger } from '../platform/logger';
import type { PiiCipher } from '../platform/pii';
import { LRUCache } from 'lru-cache';
import { NOW } from '../platform/engine-client';

/** What the SDK's searches and gets are asked with (see platform/engine-client.ts). */
export { NOW };

export interface ApiDeps {
  db: Db;
  /** The SDK client; resolved lazily because the app knows its own address only once it listens. */
  engine(): EngineClient;
  pii: PiiCipher;
  log: Logger;
  /** The business clock (the embedded engine's, which tests pin). */
  now(): Date;
  /** Cookies are marked Secure when the public address is https. */
  secureCookies: boolean;
  /** Where attachments are kept (DATA_DIR). */
  dataDir: string;
  /** The business time zone days and working days are counted in (BUSINESS_TIMEZONE). */
  timeZone: string;
  /** Where residents reach the app (PUBLIC_URL), for the rating links staff hand out. */
  publicUrl: string;
  /** API requests this process works on at once; more are refused at once (MAX_REQUESTS_IN_FLIGHT; 0 or unset: no limit). */
  maxRequestsInFlight?: number;
  /** Which process instance called which, as the engine answered (see {@link instanceParents}). */
  instanceParents: InstanceParents;
  /** Lints a model file off the request thread (server/lint-thread.ts). */
  lintModel: LintModel;
}

/**
 * The process instance that called each process instance ('' for one nobody called), as the engine answered it. Which
 * process called an instance never changes, so tasklists ask the engine once per instance, not on every read (the
 * street office's queue is all tasks of called processes). Bounded: the least recently used are forgotten.
 */
export type InstanceParents = LRUCache<string, string>;

export function instanceParents(max = 100_000): InstanceParents {
  return new LRUCache<string, string>({ max });
}

/** An instance's variables as one object (values parsed from the JSON text Camunda gives). */
export async function instanceVariables(
  deps: Pick<ApiDeps, 'engine'>,
  processInstanceKey: string,
): Promise<Record<string, unknown>> {
  const { items } = await deps
    .engine()
    .searchVariables({ filter: { processInstanceKey: processInstanceKey as never }, page: { limit: 200 } }, NOW);
  return Object.fromEntries((items ?? []).map((v) => [v.name, JSON.parse(String(v.value)) as unknown]));
}
