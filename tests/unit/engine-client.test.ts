/**
 * What the app relies on in the SDK's eventually consistent calls: asked with NOW, a search is one request, answered
 * as the engine answers it — an empty page too (with consistency options that wait, the SDK would ask again).
 */
import { createCamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { NOW } from '../../platform/engine-client';

describe('the SDK asked with NOW', () => {
  function client(items: unknown[]) {
    const calls: string[] = [];
    const fetch = ((input: Request) => {
      calls.push(`${input.method} ${new URL(input.url).pathname}`);
      return Promise.resolve(Response.json({ items, page: { totalItems: items.length } }));
    }) as typeof globalThis.fetch;
    const sdk = createCamundaClientLoose({
      config: { CAMUNDA_REST_ADDRESS: 'http://engine.invalid/v2', CAMUNDA_AUTH_STRATEGY: 'NONE' } as never,
      fetch,
    });
    return { sdk, calls };
  }

  it('when a search finds something, then it is one request and its answer', async () => {
    const { sdk, calls } = client([{ userTaskKey: '1', elementId: 'Task_A' }]);
    const found = await sdk.searchUserTasks({ filter: { state: 'CREATED' } }, NOW);
    expect(found.items).toEqual([{ userTaskKey: '1', elementId: 'Task_A' }]);
    expect(calls).toEqual(['POST /v2/user-tasks/search']);
  });

  it('when a search finds nothing, then the empty page is the answer, at once, after one request', async () => {
    const { sdk, calls } = client([]);
    const started = Date.now();
    const found = await sdk.searchProcessInstances({ filter: { processInstanceKey: '2' as never } }, NOW);
    expect(found.items).toEqual([]);
    expect(calls).toEqual(['POST /v2/process-instances/search']);
    expect(Date.now() - started).toBeLessThan(400);
  });
});
