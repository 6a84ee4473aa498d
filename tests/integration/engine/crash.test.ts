/**
 * Crash safety: the engine runs in a child process with 500 instances spread over jobs, user tasks, message waits
 * and timers; it is killed with SIGKILL at random moments while work is being done; after every restart each
 * instance is still there, nothing acknowledged is handed out again, and driven on, every instance completes with
 * each element completed exactly once.
 */
import { loadConfig } from '../../../platform/config';
import { createEngineClient } from '../../../platform/engine-client';
import type { Secrets } from '../../../platform/secrets';
import { createTestDatabase, testEnv, type TestDatabase } from '../../support/database';
import { spawnApp, type ChildApp } from '../../support/child-app';
import { fixture, now, type Any } from '../../support/engine';

const INSTANCES = 500;
const KILLS = 4;
const PASSWORD = 'crash-test-password';
jest.setTimeout(10 * 60 * 1000);

describe('crash safety (SIGKILL)', () => {
  let db: TestDatabase;
  let app: ChildApp | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = testEnv(db, { ENGINE_API_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', DEMO_SEED: 'false' });
  });
  afterAll(async () => {
    await app?.kill('SIGKILL');
    await db.drop();
  });

  const clientFor = (url: string): Any =>
    createEngineClient(loadConfig(env), { engineApiPassword: PASSWORD } as Secrets, url).client;

  it('when the engine is killed repeatedly under load, then nothing is lost and nothing committed happens twice', async () => {
    // given 500 instances
    app = await spawnApp(env);
    let c = clientFor(app.url);
    await c.deployResourcesFromFiles([fixture('crash-path.bpmn')]);
    const keys: string[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const { processInstanceKey } = await c.createProcessInstance({
        processDefinitionId: 'crash-path',
        variables: { id: `i-${i}` },
      });
      keys.push(processInstanceKey);
    }
    const acknowledged = new Set<string>(); // jobs and tasks whose completion the engine confirmed
    const published = new Set<string>();

    /** One round of work on whatever waits now; errors (the engine being killed) end the round. */
    const drive = async (client: Any, budget: number) => {
      let done = 0;
      try {
        for (const type of ['crash-work', 'crash-final']) {
          const { jobs } = await client.activateJobs({
            type,
            timeout: 60000,
            maxJobsToActivate: 40,
            worker: 'crash',
            requestTimeout: 200,
          });
          for (const job of jobs as Any[]) {
            expect(acknowledged.has(job.jobKey)).toBe(false); // a completed job is never handed out again
            await client.completeJob({ jobKey: job.jobKey, variables: { [`${type}At`]: Date.now() } });
            acknowledged.add(job.jobKey);
            if (++done >= budget) return;
          }
        }
        const tasks = (await client.searchUserTasks({ filter: { state: 'CREATED' }, page: { limit: 40 } }, now))
          .items as Any[];
        for (const task of tasks) {
          expect(acknowledged.has(task.userTaskKey)).toBe(false);
          await client.completeUserTask({ userTaskKey: task.userTaskKey, variables: {} });
          acknowledged.add(task.userTaskKey);
          if (++done >= budget) return;
        }
        for (let i = 0; i < INSTANCES && done < budget; i += 7) {
          if (published.has(`i-${i}`)) continue;
          await client.publishMessage({
            name: 'crash-go-on',
            correlationKey: `i-${i}`,
            timeToLive: 30 * 24 * 3600000,
            messageId: `go-${i}`,
          });
          published.add(`i-${i}`);
          done++;
        }
      } catch (error) {
        if ((error as Error).name === 'JestAssertionError' || /expect/.test(String((error as Error).message)))
          throw error;
      }
    };

    // when: work goes on while the engine is killed at random moments
    for (let round = 0; round < KILLS; round++) {
      const work = drive(c, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1500));
      await app.kill('SIGKILL');
      await work;
      app = await spawnApp(env);
      c = clientFor(app.url);
      // then every instance is still there
      const found = await c.searchProcessInstances(
        { filter: { processDefinitionId: 'crash-path' }, page: { limit: 1 } },
        now,
      );
      expect(Number(found.page.totalItems)).toBe(INSTANCES);
    }

    // when driven on to the end (messages for everyone, then the clock past the timers)
    for (let i = 0; i < INSTANCES; i++) {
      if (!published.has(`i-${i}`)) {
        // A publication in flight when the engine was killed may have been committed: its id is then refused (409).
        await c
          .publishMessage({
            name: 'crash-go-on',
            correlationKey: `i-${i}`,
            timeToLive: 30 * 24 * 3600000,
            messageId: `go-${i}`,
          })
          .catch((error: Any) => {
            if (error.status !== 409) throw error;
          });
        published.add(`i-${i}`);
      }
    }
    for (let pass = 0; pass < 60; pass++) {
      await drive(c, 100_000);
      // each pass moves the clock two hours further, past the timers the last pass created
      await c.pinClock({ timestamp: Date.now() + (pass + 1) * 2 * 3600 * 1000 });
      const active = await c.searchProcessInstances(
        { filter: { processDefinitionId: 'crash-path', state: 'ACTIVE' }, page: { limit: 1 } },
        now,
      );
      if (Number(active.page.totalItems) === 0) break;
    }

    // then every instance completed, each element exactly once
    const stuck = (
      await c.searchProcessInstances(
        { filter: { processDefinitionId: 'crash-path', state: 'ACTIVE' }, page: { limit: 1 } },
        now,
      )
    ).items as Any[];
    if (stuck.length > 0) {
      const elements = (
        await c.searchElementInstances({ filter: { processInstanceKey: stuck[0].processInstanceKey } }, now)
      ).items as Any[];
      const incidents = (await c.searchIncidents({ filter: { processInstanceKey: stuck[0].processInstanceKey } }, now))
        .items as Any[];
      throw new Error(`stuck: ${JSON.stringify({ elements: elements.map((e) => [e.elementId, e.state]), incidents })}`);
    }
    const completed = await c.searchProcessInstances(
      { filter: { processDefinitionId: 'crash-path', state: 'COMPLETED' }, page: { limit: 1 } },
      now,
    );
    expect(Number(completed.page.totalItems)).toBe(INSTANCES);
    for (const key of keys.filter((_, i) => i % 25 === 0)) {
      const elements = (
        await c.searchElementInstances({ filter: { processInstanceKey: key }, page: { limit: 100 } }, now)
      ).items as Any[];
      const ids = elements.map((e) => e.elementId).sort();
      expect(ids).toEqual([
        'catch-go-on',
        'crash-path',
        'end',
        'start',
        'task-final',
        'task-review',
        'task-work',
        'timer-wait',
      ]);
      expect(elements.every((e) => e.state === 'COMPLETED')).toBe(true);
    }
    await c.resetClock();
  });
});
