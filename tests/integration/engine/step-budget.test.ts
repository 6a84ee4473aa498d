/**
 * A step that runs on and on (a condition counting size × size items, a list of `size` at a time, so that it takes
 * time and not memory) is stopped at the engine's step budget
 * (ENGINE_STEP_BUDGET_MS, here 1 s) and becomes an incident on its own instance, naming the element and the budget;
 * the step thread it held is replaced, and another instance started at the same moment runs to its end. Fixed and
 * resolved, the stopped instance goes on from where it was.
 */
import { deploy, now, startEngine, until, type Any, type EngineHarness } from '../../support/engine';

jest.setTimeout(2 * 60 * 1000);

describe('the step budget', () => {
  let h: EngineHarness;
  let c: Any;
  beforeAll(async () => {
    h = await startEngine({ ENGINE_STEP_THREAD: 'true', ENGINE_STEP_BUDGET_MS: '1000' });
    c = h.client;
    await deploy(c, 'slow-condition.bpmn');
  });
  afterAll(() => h.stop());

  const stateOf = async (processInstanceKey: string) => (await c.getProcessInstance({ processInstanceKey }, now)).state;
  const workJob = () =>
    until(
      async () =>
        (
          await c.activateJobs({
            type: 'slow-condition-work',
            timeout: 30000,
            maxJobsToActivate: 1,
            worker: 'test',
            requestTimeout: 300,
          })
        ).jobs[0],
    );

  it('when a step runs past the budget, then it becomes an incident on its instance, and another instance started with it completes', async () => {
    // when an instance whose condition counts 16,000,000 items (many seconds) and an ordinary one start together
    const startedAt = Date.now();
    const [slow, ordinary] = await Promise.all([
      c.createProcessInstance({ processDefinitionId: 'slow-condition', variables: { size: 4000 } }),
      c.createProcessInstance({ processDefinitionId: 'slow-condition', variables: { size: 1 } }),
    ]);
    const took = Date.now() - startedAt;

    // then the slow one was stopped at its gateway, soon after the budget, with a message naming it and the budget
    const [incident] = (await c.searchIncidents({ filter: { processInstanceKey: slow.processInstanceKey } }, now))
      .items;
    expect(incident).toMatchObject({ elementId: 'gateway-count', state: 'ACTIVE', errorType: 'UNKNOWN' });
    expect(incident.errorMessage).toContain(
      "The step at 'gateway-count' ran longer than the engine allows one step (1000 ms, ENGINE_STEP_BUDGET_MS)",
    );
    expect(await stateOf(slow.processInstanceKey)).toBe('ACTIVE');
    expect(took).toBeLessThan(10_000);

    // and the ordinary one went on (on a new step thread) and completes
    const job = await workJob();
    expect(job.processInstanceKey).toBe(ordinary.processInstanceKey);
    await c.completeJob({ jobKey: job.jobKey, variables: {} });
    expect(await stateOf(ordinary.processInstanceKey)).toBe('COMPLETED');

    // when the slow one's variable is fixed and its incident resolved, then it goes on from its gateway
    await c.createElementInstanceVariables({ elementInstanceKey: slow.processInstanceKey, variables: { size: 3 } });
    await c.resolveIncident({ incidentKey: incident.incidentKey });
    const next = await workJob();
    expect(next.processInstanceKey).toBe(slow.processInstanceKey);
    await c.completeJob({ jobKey: next.jobKey, variables: {} });
    expect(await stateOf(slow.processInstanceKey)).toBe('COMPLETED');
  });
});
