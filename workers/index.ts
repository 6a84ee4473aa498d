/**
 * Every job worker, registered through @camunda8/sdk in this one place. In ENGINE=embedded the app starts them
 * against its own /v2; `npm run workers` starts them as their own process against a Camunda cluster.
 */
import type { EngineClient } from '../platform/engine-client';
import { BpmnError, isRetryable, type JobWorker, type WorkerDeps } from './job';
import { assignServiceTeam } from './assign-service-team';
import { checkEarlyWarning } from './check-early-warning';
import { checkKeyPerson } from './check-key-person';
import { closeCase } from './close-case';
import { computeDeadlines } from './compute-deadlines';
import { issueRatingLink } from './issue-rating-link';
import { publishNotice } from './publish-notice';
import { recordConversion } from './record-conversion';
import { recordProcedure } from './record-procedure';
import { recordReviewOpinion } from './record-review-opinion';
import { startSecondHandling } from './start-second-handling';
import { sendNotification } from './send-notification';

/** The workers, one file per job type. The models' job types must match this list (tests/unit/workers-contract). */
export const WORKERS: JobWorker[] = [
  assignServiceTeam,
  checkEarlyWarning,
  checkKeyPerson,
  closeCase,
  computeDeadlines,
  issueRatingLink,
  publishNotice,
  recordConversion,
  recordProcedure,
  recordReviewOpinion,
  sendNotification,
  startSecondHandling,
];

export interface RunningWorkers {
  stop(): Promise<void>;
}

export function startWorkers(client: EngineClient, deps: WorkerDeps, workers: JobWorker[] = WORKERS): RunningWorkers {
  const started = workers.map((worker) =>
    client.createJobWorker({
      jobType: worker.type,
      jobTimeoutMs: worker.timeoutMs ?? 60_000,
      maxParallelJobs: 8,
      pollTimeoutMs: 10_000,
      workerName: `petition-${worker.type}`,
      jobHandler: async (job) => {
        const input = {
          variables: job.variables as Record<string, unknown>,
          headers: Object.fromEntries(Object.entries(job.customHeaders ?? {}).map(([k, v]) => [k, String(v)])),
          jobKey: String(job.jobKey),
          processInstanceKey: String(job.processInstanceKey),
          elementId: String(job.elementId),
        };
        try {
          const variables = await worker.handle(input, deps);
          return await job.complete(variables);
        } catch (error) {
          if (error instanceof BpmnError) {
            return job.error({ errorCode: error.code, errorMessage: error.message, variables: error.variables });
          }
          const message = error instanceof Error ? error.message : String(error);
          deps.log.warn({ jobType: worker.type, jobKey: input.jobKey, err: error }, 'job failed');
          const retries = isRetryable(error) ? Math.max(0, Number(job.retries) - 1) : 0;
          return job.fail({ errorMessage: message, retries, retryBackOff: 5_000 });
        }
      },
    }),
  );
  return {
    stop: async () => {
      await Promise.all(started.map((w) => w.stopGracefully({ waitUpToMs: 5_000 }).catch(() => undefined)));
    },
  };
}
