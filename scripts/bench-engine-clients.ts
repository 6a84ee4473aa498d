/**
 * The clients of `npm run bench:engine`'s throughput part, in a process of their own as a deployment has them: 16
 * concurrent callers create BENCH_INSTANCES instances of the two-service-task model over REST, and two
 * `@camunda8/sdk` job workers (32 parallel jobs each) complete their jobs. Started by scripts/bench-engine.ts, which
 * ends it once every instance has completed. Env: BENCH_URL, BENCH_ENGINE_PASSWORD, BENCH_INSTANCES
 * (BENCH_CLIENT_PROF=<dir> on the benchmark: this process's CPU profile).
 */
import { createEngineClient } from '../platform/engine-client';
import { loadConfig } from '../platform/config';
import type { Secrets } from '../platform/secrets';

// Ended by the benchmark with SIGTERM: an orderly exit (a CPU profile, when asked for, is written then).
process.once('SIGTERM', () => process.exit(0));

async function main() {
  const n = Number(process.env.BENCH_INSTANCES);
  const url = process.env.BENCH_URL!;
  const env = { NODE_ENV: 'test', DEMO_SEED: 'false', ENGINE_API_PASSWORD: process.env.BENCH_ENGINE_PASSWORD! };
  const { client } = createEngineClient(
    loadConfig(env),
    { engineApiPassword: env.ENGINE_API_PASSWORD } as Secrets,
    url,
  );
  for (const jobType of ['task-a', 'task-b']) {
    client.createJobWorker({
      jobType,
      jobTimeoutMs: 60000,
      maxParallelJobs: 32,
      pollTimeoutMs: 5000,
      jobHandler: (job) => job.complete(jobType === 'task-b' ? { result: 'ok' } : {}),
    });
  }
  const c = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        next++;
        await c.createProcessInstance({ processDefinitionId: 'two-service-tasks', variables: { count: next } });
      }
    }),
  );
  // The workers go on until this process is ended.
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
