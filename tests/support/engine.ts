/**
 * A running app with the embedded engine and an SDK client with Camunda's strict request and response
 * validation, the way every conformance and semantics test talks to the engine.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { start, type RunningServer } from '../../server/server';
import { createEngineClient } from '../../platform/engine-client';
import { createTestDatabase, testEnv, type TestDatabase } from './database';

// The SDK reads its validation mode from the environment when a client is created.
process.env.CAMUNDA_SDK_VALIDATION = 'req:strict,res:strict';
process.env.CAMUNDA_SDK_LOG_LEVEL = 'error';

/** SDK answers in tests: see EngineHarness.client. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any;

export const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'engine', name);

export interface EngineHarness {
  server: RunningServer;
  /**
   * The SDK client. Typed loosely because its branded, deeply generic filter types reject the plain strings tests
   * pass from earlier answers; strict validation checks every request and response at run time anyway.
   */
  client: Any;
  camunda: ReturnType<typeof createEngineClient>['camunda'];
  /** The engine's credentials as an Authorization header, for requests sent to /v2 without the SDK. */
  authorization: string;
  db: TestDatabase;
  stop(): Promise<void>;
}

export async function startEngine(extraEnv: Record<string, string> = {}, db?: TestDatabase): Promise<EngineHarness> {
  const database = db ?? (await createTestDatabase());
  // Engine tests play the job workers themselves (the app's own workers would race them for the jobs) and deploy
  // what they need; deploying the policy on start is tested in server.test.ts.
  const server = await start({
    env: testEnv(database, { DEMO_SEED: 'false', WORKERS_IN_APP: 'false', DEPLOY_MODELS: 'false', ...extraEnv }),
  });
  const { client, camunda } = createEngineClient(server.config, server.secrets, server.url);
  return {
    server,
    client,
    camunda,
    authorization: `Basic ${Buffer.from(`${server.config.ENGINE_API_USERNAME}:${server.secrets.engineApiPassword}`).toString('base64')}`,
    db: database,
    stop: async () => {
      client.stopAllWorkers();
      await server.stop();
      if (!db) await database.drop();
    },
  };
}

/**
 * The instant tests that run the policy pin the engine's (and so the business) clock to: Monday 2026-03-02, 09:00 in
 * Shanghai, a working day of a year the working-day calendar holds. Filing on the machine's date would make a test
 * depend on it (a deadline in a year the calendar lacks is an incident, by design).
 */
export const TEST_EPOCH = Date.parse('2026-03-02T01:00:00Z');

/** Eventually-consistent reads need a consistency argument; the embedded engine is consistent at once. */
export const now = { consistency: { waitUpToMs: 0 } };

export function deploy(client: Any, ...names: string[]): Promise<Any> {
  return client.deployResourcesFromFiles(names.map(fixture));
}

export function readFixture(name: string): string {
  return readFileSync(fixture(name), 'utf8');
}

/** Polls a condition (used only where a worker runs in the background; engine state is read, never slept on blindly). */
export async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
