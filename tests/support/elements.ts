/**
 * The helpers of the element behaviour tests (tests/integration/engine/elements*.test.ts): deploying fixtures of
 * tests/fixtures/engine/elements/, starting instances, reading element instances, variables and incidents, and taking
 * jobs of a type without losing the others (activating locks every job of the type).
 */
import { deploy, now, type Any } from './engine';

export const MINUTE = 60 * 1000;
export const HOUR = 60 * MINUTE;
export const model = (name: string) => `elements/${name}.bpmn`;

export type SdkError = { status?: number; title?: string; detail?: string };
export async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

/** The helpers over the client a test file starts in its beforeAll (read when called). */
export function elementHelpers(client: () => Any) {
  const deployModels = async (...names: string[]) => {
    for (const name of names) await deploy(client(), model(name));
  };
  const start = async (processDefinitionId: string, variables: Record<string, unknown> = {}): Promise<string> =>
    (await client().createProcessInstance({ processDefinitionId, variables })).processInstanceKey;
  const stateOf = async (processInstanceKey: string): Promise<string> =>
    (await client().getProcessInstance({ processInstanceKey }, now)).state;
  const instancesOf = async (processDefinitionId: string): Promise<Any[]> =>
    (await client().searchProcessInstances({ filter: { processDefinitionId }, page: { limit: 100 } }, now)).items;
  /** The element instances of a process instance in key order; with an element id, only that element's. */
  const elementsOf = async (processInstanceKey: string, elementId?: string): Promise<Any[]> =>
    (
      await client().searchElementInstances(
        {
          filter: { processInstanceKey, ...(elementId ? { elementId } : {}) },
          sort: [{ field: 'elementInstanceKey', order: 'ASC' }],
          page: { limit: 200 },
        },
        now,
      )
    ).items;
  const childrenOf = async (elementInstanceKey: string): Promise<Any[]> =>
    (
      await client().searchElementInstances(
        {
          filter: { elementInstanceScopeKey: elementInstanceKey },
          sort: [{ field: 'elementInstanceKey', order: 'ASC' }],
          page: { limit: 200 },
        },
        now,
      )
    ).items;
  const typeAndState = (e: Any) => `${e.type}:${e.state}`;
  /** The variables of the process instance's own scope, parsed. */
  const variablesOf = async (processInstanceKey: string): Promise<Record<string, unknown>> =>
    Object.fromEntries(
      (
        await client().searchVariables(
          { filter: { processInstanceKey, scopeKey: processInstanceKey }, page: { limit: 100 } },
          now,
        )
      ).items.map((v: Any) => [v.name, JSON.parse(v.value)]),
    );
  const variablesNamed = async (processInstanceKey: string, name: string): Promise<Any[]> =>
    (await client().searchVariables({ filter: { processInstanceKey, name }, page: { limit: 100 } }, now)).items;
  const incidentsOf = async (processInstanceKey: string): Promise<Any[]> =>
    (await client().searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, now)).items;
  /**
   * Activates the jobs of a type and hands out those that match. Activating locks every job of the type, so the ones
   * that do not match are kept for a later call instead of being lost for the job timeout. Long polling answers as
   * soon as there are jobs; without `wait` (or when kept jobs match already) it answers at once (requestTimeout < 0).
   */
  const kept = new Map<string, Any[]>();
  const jobsWhere = async (type: string, match: (job: Any) => boolean, wait = true): Promise<Any[]> => {
    const before = kept.get(type) ?? [];
    const longPoll = wait && !before.some(match);
    const { jobs } = await client().activateJobs({
      type,
      timeout: 10 * MINUTE,
      maxJobsToActivate: 50,
      worker: 'elements-test',
      requestTimeout: longPoll ? 2000 : -1,
    });
    // a kept job that timed out (the clock was moved on) comes again: once is enough
    const all = [...new Map([...before, ...(jobs as Any[])].map((j) => [j.jobKey, j])).values()];
    kept.set(
      type,
      all.filter((j) => !match(j)),
    );
    return all.filter(match);
  };
  const jobsOf = (type: string, processInstanceKey: string) =>
    jobsWhere(type, (j) => j.processInstanceKey === processInstanceKey);
  const jobOf = async (type: string, processInstanceKey: string): Promise<Any> => {
    const jobs = await jobsOf(type, processInstanceKey);
    expect(jobs.map((j) => `${j.type}@${j.elementId}`)).toHaveLength(1);
    return jobs[0];
  };
  /** Asserts that an instance has no job of a type, without waiting for one (requestTimeout < 0: no long polling). */
  const noJobOf = async (type: string, processInstanceKey: string) =>
    expect(
      (await jobsWhere(type, (j) => j.processInstanceKey === processInstanceKey, false)).map((j) => j.elementId),
    ).toEqual([]);
  const complete = (job: Any, variables: Record<string, unknown> = {}) =>
    client().completeJob({ jobKey: job.jobKey, variables });
  return {
    deployModels,
    start,
    stateOf,
    instancesOf,
    elementsOf,
    childrenOf,
    typeAndState,
    variablesOf,
    variablesNamed,
    incidentsOf,
    kept,
    jobsWhere,
    jobsOf,
    jobOf,
    noJobOf,
    complete,
  };
}
