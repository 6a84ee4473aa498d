/**
 * Camunda 8.8's REST surface where the engine fell short of it (engine/docs/zeebe-events-and-api.md, §6 and §7):
 * cursor paging, refused unknown filters, variables searched in SQL with keys of their own, process instance tags,
 * decision requirements, failing an activatable job, the license, diagrams that name missing elements, and the gets
 * of element instances, incidents and variables. Driven through @camunda8/sdk with strict validation, and with plain
 * requests where the SDK would refuse (or rewrite) the request itself.
 *
 * Searches over many rows read rows written straight into the engine's tables (instances that have run, with root
 * and local variables), so that they check the reads alone, whatever runs the processes.
 */
import { createCamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { translateToOcaEnvOverrides } from '@camunda8/sdk/dist/lib/CamundaClientConfigTranslator';
import { deploy, now, startEngine, type Any, type EngineHarness } from '../../support/engine';

type SdkError = { name: string; status?: number; title?: string; detail?: string };
async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

/** Camunda's cursor format (the SDK's zStartCursor / zEndCursor). */
const CURSOR = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=)?$/;
const isCursor = (c: unknown) => typeof c === 'string' && c.length >= 2 && c.length <= 300 && CURSOR.test(c);

/** Keys of rows written by the tests themselves: far above the engine's own (which start at 2251799813685249). */
let nextKey = 4_000_000_000_000_000n;
const takeKeys = (n: number) => {
  const first = nextKey;
  nextKey += BigInt(n) + 1000n;
  return first;
};

describe('Camunda 8.8 REST surface of the embedded engine (strict validation)', () => {
  let h: EngineHarness;
  /** An SDK client that checks answers strictly but sends requests as given: strict request validation turns { after } into { from: 0 }. */
  let cursors: Any;
  let definitionKey: string;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    h.server.database.db.query<T>(text, params);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${h.server.url}/v2${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: h.authorization },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Any };
  };

  /** Instances that have run (or run now) of the deployed two-service-tasks, written as the engine stores them. */
  async function insertInstances(
    count: number,
    rows: (n: number) => {
      variables?: object;
      runtime?: object | null;
      state?: string;
      startDate?: string;
      endDate?: string | null;
    },
  ): Promise<string[]> {
    const first = takeKeys(count);
    const keys: string[] = [];
    for (let n = 0; n < count; n++) {
      const r = rows(n);
      const key = String(first + BigInt(n));
      keys.push(key);
      await sql(
        `INSERT INTO engine_instance (key, definition_key, process_id, state, variables, runtime, start_date, end_date)
         VALUES ($1, $2, 'two-service-tasks', $3, $4, $5, $6, $7)`,
        [
          key,
          definitionKey,
          r.state ?? 'COMPLETED',
          JSON.stringify(r.variables ?? {}),
          r.runtime ? JSON.stringify(r.runtime) : null,
          r.startDate ?? new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
          r.endDate === undefined ? new Date(Date.UTC(2026, 0, 2, 0, 0, n)).toISOString() : r.endDate,
        ],
      );
    }
    return keys;
  }

  beforeAll(async () => {
    h = await startEngine();
    const config = {
      ...translateToOcaEnvOverrides({
        sdkConfig: {
          ZEEBE_REST_ADDRESS: h.server.url,
          CAMUNDA_AUTH_STRATEGY: 'BASIC',
          CAMUNDA_BASIC_AUTH_USERNAME: h.server.config.ENGINE_API_USERNAME,
          CAMUNDA_BASIC_AUTH_PASSWORD: h.server.secrets.engineApiPassword,
          CAMUNDA_LOG_LEVEL: 'error',
        } as Any,
      }),
      CAMUNDA_SDK_VALIDATION: 'req:none,res:strict',
    };
    cursors = createCamundaClientLoose({ config });
    const deployed = await deploy(h.client, 'two-service-tasks.bpmn');
    definitionKey = String(deployed.processes[0].processDefinitionKey);
  });
  afterAll(() => h.stop());

  describe('paging', () => {
    it('pages forward after the end cursor and back before the start cursor, and from/limit still works', async () => {
      // given five instances started a second apart
      const keys = await insertInstances(5, () => ({}));
      const filter = { processInstanceKey: { $in: keys } };
      const sort = [{ field: 'startDate', order: 'DESC' }];
      // when the first page of two is asked for, by the SDK (strict: its cursors must be Camunda's format)
      const first = await h.client.searchProcessInstances({ filter, sort, page: { limit: 2 } }, now);
      // then it tells the total and where it starts and ends
      expect(first.items.map((i: Any) => i.processInstanceKey)).toEqual([keys[4], keys[3]]);
      expect(Number(first.page.totalItems)).toBe(5);
      expect(isCursor(first.page.startCursor) && isCursor(first.page.endCursor)).toBe(true);
      // when paging forward
      const second = await cursors.searchProcessInstances(
        { filter, sort, page: { after: first.page.endCursor, limit: 2 } },
        now,
      );
      const third = await cursors.searchProcessInstances(
        { filter, sort, page: { after: second.page.endCursor, limit: 2 } },
        now,
      );
      const past = await cursors.searchProcessInstances(
        { filter, sort, page: { after: third.page.endCursor, limit: 2 } },
        now,
      );
      // then
      expect(second.items.map((i: Any) => i.processInstanceKey)).toEqual([keys[2], keys[1]]);
      expect(third.items.map((i: Any) => i.processInstanceKey)).toEqual([keys[0]]);
      expect(past.items).toEqual([]);
      expect(Number(past.page.totalItems)).toBe(5);
      expect(past.page.startCursor).toBeUndefined();
      // when paging back: the page before, in the search's own order
      const back = await cursors.searchProcessInstances(
        { filter, sort, page: { before: second.page.startCursor, limit: 2 } },
        now,
      );
      const backFromLast = await cursors.searchProcessInstances(
        { filter, sort, page: { before: third.page.startCursor, limit: 2 } },
        now,
      );
      expect(back.items.map((i: Any) => i.processInstanceKey)).toEqual([keys[4], keys[3]]);
      expect(backFromLast.items.map((i: Any) => i.processInstanceKey)).toEqual([keys[2], keys[1]]);
      expect(Number(back.page.totalItems)).toBe(5);
      // and an offset page is what it was
      const offset = await h.client.searchProcessInstances({ filter, sort, page: { from: 2, limit: 2 } }, now);
      expect(offset.items.map((i: Any) => i.processInstanceKey)).toEqual([keys[2], keys[1]]);
    });

    it('pages through values that are absent (end dates of running instances) in either order, as one page would list them', async () => {
      // given three ended and three running instances
      const keys = await insertInstances(6, (n) => (n % 2 ? { state: 'ACTIVE', endDate: null } : {}));
      const filter = { processInstanceKey: { $in: keys } };
      for (const order of ['ASC', 'DESC'] as const) {
        const sort = [{ field: 'endDate', order }];
        const whole = (await h.client.searchProcessInstances({ filter, sort, page: { limit: 10 } }, now)).items.map(
          (i: Any) => i.processInstanceKey,
        );
        // when paged two at a time forward, then back from the end
        const forward: string[] = [];
        let page = await cursors.searchProcessInstances({ filter, sort, page: { limit: 2 } }, now);
        for (;;) {
          forward.push(...page.items.map((i: Any) => i.processInstanceKey));
          if (page.items.length < 2) break;
          page = await cursors.searchProcessInstances(
            { filter, sort, page: { after: page.page.endCursor, limit: 2 } },
            now,
          );
        }
        const backward: string[] = [];
        let last = await cursors.searchProcessInstances({ filter, sort, page: { from: 4, limit: 2 } }, now);
        backward.unshift(...last.items.map((i: Any) => i.processInstanceKey));
        while (backward.length < 6) {
          last = await cursors.searchProcessInstances(
            { filter, sort, page: { before: last.page.startCursor, limit: 2 } },
            now,
          );
          backward.unshift(...last.items.map((i: Any) => i.processInstanceKey));
        }
        // then both walks list what one page lists
        expect(forward).toEqual(whole);
        expect(backward).toEqual(whole);
      }
    });

    it('pages by sort values too long for a cursor (a cursor then names its row)', async () => {
      // given variables whose values are longer than a cursor may be
      const keys = await insertInstances(4, (n) => ({
        variables: { long: `${String.fromCharCode(100 - n)}${'x'.repeat(400)}` },
      }));
      const filter = { processInstanceKey: { $in: keys }, name: 'long' };
      const sort = [{ field: 'value', order: 'ASC' }];
      // when
      const first = await cursors.searchVariables({ filter, sort, page: { limit: 3 } }, now);
      const second = await cursors.searchVariables(
        { filter, sort, page: { after: first.page.endCursor, limit: 3 } },
        now,
      );
      const back = await cursors.searchVariables(
        { filter, sort, page: { before: second.page.startCursor, limit: 3 } },
        now,
      );
      // then
      expect(isCursor(first.page.endCursor)).toBe(true);
      expect([...first.items, ...second.items].map((v: Any) => v.processInstanceKey)).toEqual([...keys].reverse());
      expect(back.items.map((v: Any) => v.processInstanceKey)).toEqual(
        first.items.map((v: Any) => v.processInstanceKey),
      );
    });

    it('refuses a cursor it did not make, both cursors at once, and an offset with a cursor', async () => {
      expect((await post('/process-instances/search', { page: { after: 'bm90LWEtY3Vyc29y' } })).status).toBe(400);
      const both = await post('/process-instances/search', { page: { after: 'WyIxIl0=', before: 'WyIxIl0=' } });
      expect(both.status).toBe(400);
      expect(both.body.detail).toContain('Both searchAfter and searchBefore cannot be set at the same time');
      expect((await post('/process-instances/search', { page: { from: 0, after: 'WyIxIl0=' } })).status).toBe(400);
      expect((await post('/process-instances/search', { page: { limit: 0 } })).status).toBe(400);
    });

    it('pages the latest process definitions forward only, without a start cursor, as Camunda does', async () => {
      // when
      const latest = await h.client.searchProcessDefinitions(
        { filter: { isLatestVersion: true }, page: { limit: 1 } },
        now,
      );
      const back = await post('/process-definitions/search', {
        filter: { isLatestVersion: true },
        page: { before: latest.page.endCursor },
      });
      // then
      expect(latest.page.startCursor).toBeUndefined();
      expect(isCursor(latest.page.endCursor)).toBe(true);
      expect(back.status).toBe(400);
    });
  });

  describe('refused requests', () => {
    it('answers 400 INVALID_ARGUMENT naming an unknown or unsupported filter field, operator or sort field', async () => {
      // given requests past the SDK (its strict validation would drop an unknown field before sending)
      const cases: Array<[string, unknown, string]> = [
        ['/process-instances/search', { filter: { processInstanceKeys: '1' } }, 'filter.processInstanceKeys'],
        ['/user-tasks/search', { filter: { candidateGroups: 'x' } }, 'filter.candidateGroups'],
        ['/process-instances/search', { filter: { incidentErrorHashCode: 1 } }, 'filter.incidentErrorHashCode'],
        ['/incidents/search', { filter: { state: { $gt: 'ACTIVE' } } }, 'filter.state.$gt'],
        ['/variables/search', { filter: { scope: '1' } }, 'filter.scope'],
        ['/process-instances/search', { filter: { $or: [{ bogus: 1 }] } }, 'filter.$or[0].bogus'],
        ['/process-instances/search', { sort: [{ field: 'name' }] }, 'sort[0].field'],
        ['/user-tasks/search', { sort: [{ field: 'dueDate', order: 'asc' }] }, 'sort[0].order'],
        ['/process-definitions/search', { filter: { version: '1' } }, 'filter.version'],
        ['/process-instances/search', { filter: { startDate: { $gt: 'yesterday' } } }, 'filter.startDate.$gt'],
        [
          '/process-instances/search',
          { filter: { processInstanceKey: { $in: ['x1'] } } },
          'filter.processInstanceKey.$in[0]',
        ],
      ];
      for (const [path, body, field] of cases) {
        // when
        const res = await post(path, body);
        // then
        expect([path, field, res.status, res.body.title]).toEqual([path, field, 400, 'INVALID_ARGUMENT']);
        expect(res.body.detail).toContain(field);
      }
    });

    it('accepts every filter and sort the app itself sends', async () => {
      // given the searches of api/, server/, workers/ and the tests, with the shapes they use
      const key = '2251799813685249';
      const searches: Array<Promise<unknown>> = [
        h.client.searchUserTasks(
          {
            filter: { assignee: 'u', state: 'CREATED' },
            sort: [{ field: 'dueDate', order: 'ASC' }],
            page: { limit: 100 },
          },
          now,
        ),
        h.client.searchUserTasks(
          { filter: { candidateGroup: 'g', assignee: { $exists: false }, state: 'CREATED' } },
          now,
        ),
        h.client.searchUserTasks(
          {
            filter: {
              candidateUser: 'u',
              elementId: 'e',
              processInstanceKey: key,
              processDefinitionId: 'p',
              userTaskKey: key,
            },
          },
          now,
        ),
        h.client.searchUserTasks(
          { filter: { dueDate: { $gte: '2026-12-23T00:00:00Z', $lt: '2026-12-25T00:00:00Z' } } },
          now,
        ),
        h.client.searchProcessInstances({ filter: { processInstanceKey: { $in: [key] } }, page: { limit: 2 } }, now),
        h.client.searchProcessInstances(
          { filter: { parentProcessInstanceKey: key, processDefinitionId: 'p', state: 'ACTIVE' } },
          now,
        ),
        h.client.searchProcessInstances({ filter: { processDefinitionVersion: { $in: [1, 2] } } }, now),
        h.client.searchElementInstances(
          { filter: { processInstanceKey: key, elementId: 'e', state: 'ACTIVE' }, page: { limit: 1000 } },
          now,
        ),
        h.client.searchProcessDefinitions(
          { filter: { processDefinitionId: 'p' }, sort: [{ field: 'version', order: 'DESC' }], page: { limit: 1 } },
          now,
        ),
        h.client.searchIncidents({ filter: { jobKey: key, state: 'ACTIVE', processInstanceKey: key } }, now),
        h.client.searchVariables(
          { filter: { processInstanceKey: key, name: 'caseId', value: '"c-1"' }, page: { limit: 1 } },
          now,
        ),
      ];
      // when / then: every one answers (an empty page), none is refused
      for (const search of searches) expect(await search).toMatchObject({ items: expect.any(Array) });
    });
  });

  describe('variables', () => {
    it('counts and pages the variables of more than 1,000 instances exactly', async () => {
      // given 1,200 instances with a variable of a name no other has (written at once, in SQL)
      const first = takeKeys(1200);
      await sql(
        `INSERT INTO engine_instance (key, definition_key, process_id, state, variables, start_date, end_date)
         SELECT $1::bigint + n, $2, 'two-service-tasks', 'COMPLETED', jsonb_build_object('bulkMarker', n, 'other', 'x'), now(), now()
         FROM generate_series(0, 1199) AS n`,
        [String(first), definitionKey],
      );
      // when
      const page = await h.client.searchVariables({ filter: { name: 'bulkMarker' }, page: { limit: 5 } }, now);
      const last = await h.client.searchVariables(
        { filter: { name: 'bulkMarker' }, page: { from: 1195, limit: 10 } },
        now,
      );
      const big = await h.client.searchVariables(
        { filter: { name: 'bulkMarker', value: { $in: ['1199', '7', '5000'] } } },
        now,
      );
      // then
      expect(Number(page.page.totalItems)).toBe(1200);
      expect(page.items).toHaveLength(5);
      expect(last.items).toHaveLength(5);
      expect(big.items.map((v: Any) => v.value).sort()).toEqual(['1199', '7']);
    });

    it('lists local variables with their element instance as scope; every variable has a key of its own, by which it is read', async () => {
      // given an instance with root variables and a task's locals (runtime.locals by execution, runtime.names kept by the
      // core), and one stored before names were kept
      const [withNames, withoutNames] = await insertInstances(2, (n) =>
        n === 0
          ? {
              state: 'ACTIVE',
              endDate: null,
              variables: { caseId: 'c-1', shared: 0 },
              runtime: { locals: { 'task-a': { loc: 'x', shared: 1 } }, names: { caseId: 0, shared: 1, loc: 2 } },
            }
          : { variables: { b: 1, a: [2] } },
      );
      const elementKey = String(takeKeys(1));
      await sql(
        `INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date)
         VALUES ($1, $2, 'task-a', 'task-a', 'Task A', 'SERVICE_TASK', 'ACTIVE', now())`,
        [elementKey, withNames],
      );
      const variableKey = (scope: string, index: number) => String(BigInt(scope) * 1000n + BigInt(index));
      // when
      const all = await h.client.searchVariables(
        { filter: { processInstanceKey: withNames }, sort: [{ field: 'variableKey', order: 'ASC' }] },
        now,
      );
      // then
      expect(all.items.map((v: Any) => [v.name, v.value, v.scopeKey, v.variableKey, v.isTruncated])).toEqual([
        ['caseId', '"c-1"', withNames, variableKey(withNames, 0), false],
        ['shared', '0', withNames, variableKey(withNames, 1), false],
        ['shared', '1', elementKey, variableKey(elementKey, 1), false],
        ['loc', '"x"', elementKey, variableKey(elementKey, 2), false],
      ]);
      expect(all.items.every((v: Any) => v.processInstanceKey === withNames)).toBe(true);
      const sorted = await h.client.searchVariables(
        { filter: { processInstanceKey: withoutNames }, sort: [{ field: 'name', order: 'ASC' }] },
        now,
      );
      expect(sorted.items.map((v: Any) => [v.name, v.variableKey])).toEqual([
        ['a', variableKey(withoutNames, 0)],
        ['b', variableKey(withoutNames, 1)],
      ]);
      // and each is read by its key, with its scope
      const local = await h.client.getVariable({ variableKey: variableKey(elementKey, 2) }, now);
      expect(local).toMatchObject({
        name: 'loc',
        value: '"x"',
        scopeKey: elementKey,
        processInstanceKey: withNames,
        tenantId: '<default>',
      });
      expect((await h.client.getVariable({ variableKey: variableKey(withoutNames, 0) }, now)).value).toBe('[2]');
      expect(await sdkError(h.client.getVariable({ variableKey: variableKey(withoutNames, 7) }, now))).toMatchObject({
        status: 404,
      });
      // and the key stays when the value changes
      await sql(`UPDATE engine_instance SET variables = variables || '{"shared": 5, "aaa": 1}' WHERE key = $1`, [
        withNames,
      ]);
      const again = await h.client.searchVariables({ filter: { variableKey: variableKey(withNames, 1) } }, now);
      expect(again.items.map((v: Any) => [v.name, v.value])).toEqual([['shared', '5']]);
    });

    it('filters by scope, variable key, truncation, tenant and advanced name and value operators, and sorts', async () => {
      // given
      const [key] = await insertInstances(1, () => ({
        state: 'ACTIVE',
        endDate: null,
        variables: { alpha: 'a-1', beta: { n: 1 }, gamma: 3, 'with%percent': true },
        runtime: { locals: { 'task-b': { alpha: 'local' } } },
      }));
      const elementKey = String(takeKeys(1));
      await sql(
        `INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date)
         VALUES ($1, $2, 'task-b', 'task-b', 'Task B', 'SERVICE_TASK', 'ACTIVE', now())`,
        [elementKey, key],
      );
      const names = async (filter: Any, sort?: Any) =>
        (
          await h.client.searchVariables(
            { filter: { processInstanceKey: key, ...filter }, ...(sort ? { sort } : {}) },
            now,
          )
        ).items.map((v: Any) => v.name);
      // when / then
      expect(await names({ scopeKey: elementKey })).toEqual(['alpha']);
      expect(await names({ scopeKey: { $neq: elementKey } }, [{ field: 'name', order: 'ASC' }])).toEqual([
        'alpha',
        'beta',
        'gamma',
        'with%percent',
      ]);
      expect(await names({ name: { $like: 'a*' } })).toEqual(['alpha', 'alpha']);
      expect(await names({ name: { $like: 'with%*' } })).toEqual(['with%percent']);
      expect(await names({ name: { $like: 'with_*' } })).toEqual([]);
      expect(await names({ name: { $like: '?eta' } })).toEqual(['beta']);
      expect(await names({ name: { $in: ['beta', 'gamma'] } }, [{ field: 'name', order: 'DESC' }])).toEqual([
        'gamma',
        'beta',
      ]);
      expect(await names({ name: { $notIn: ['alpha', 'with%percent'] } }, [{ field: 'name', order: 'ASC' }])).toEqual([
        'beta',
        'gamma',
      ]);
      expect(await names({ value: '{ "n" : 1 }' })).toEqual(['beta']);
      expect(await names({ value: { $like: '"a-*' } })).toEqual(['alpha']);
      expect(await names({ isTruncated: true })).toEqual([]);
      expect(await names({ tenantId: '<default>', name: 'gamma' })).toEqual(['gamma']);
      const values = await h.client.searchVariables(
        { filter: { processInstanceKey: key, name: 'alpha' }, sort: [{ field: 'value', order: 'DESC' }] },
        now,
      );
      expect(values.items.map((v: Any) => v.value)).toEqual(['"local"', '"a-1"']);
      const byScope = await h.client.searchVariables(
        { filter: { processInstanceKey: key }, sort: [{ field: 'scopeKey', order: 'DESC' }] },
        now,
      );
      expect(byScope.items[0].scopeKey).toBe(elementKey);
    });
  });

  describe('process instance filters', () => {
    it('filters by variables, by element instances and incidents, by the call activity, and by any of several filters ($or)', async () => {
      // given three instances: one with a task that has an incident, one called by the other's task, one plain
      const [withIncident, called, plain] = await insertInstances(3, (n) => ({
        state: 'ACTIVE',
        endDate: null,
        variables: n === 2 ? { caseId: 'c-3', rating: 5 } : { caseId: `c-${n + 1}` },
        runtime: n === 0 ? { locals: { 'task-a': { attempt: 2 } } } : null,
      }));
      const elementKey = String(takeKeys(1));
      await sql(
        `INSERT INTO engine_element (key, instance_key, execution_id, element_id, element_name, element_type, state, start_date)
         VALUES ($1, $2, 'task-a', 'task-a', 'Task A', 'SERVICE_TASK', 'ACTIVE', now())`,
        [elementKey, withIncident],
      );
      await sql(
        `INSERT INTO engine_incident (key, instance_key, element_key, element_id, error_type, error_message, state, creation_time)
         VALUES ($1, $2, $3, 'task-a', 'JOB_NO_RETRIES', 'SMS gateway refused', 'ACTIVE', now())`,
        [String(takeKeys(1)), withIncident, elementKey],
      );
      await sql(`UPDATE engine_instance SET parent_instance_key = $2, parent_execution_id = 'task-a' WHERE key = $1`, [
        called,
        withIncident,
      ]);
      const among = { processInstanceKey: { $in: [withIncident, called, plain] } };
      const keys = async (filter: Any) =>
        (
          await h.client.searchProcessInstances(
            { filter: { ...among, ...filter }, sort: [{ field: 'processInstanceKey', order: 'ASC' }] },
            now,
          )
        ).items.map((i: Any) => i.processInstanceKey);
      // when / then
      expect(
        await keys({
          variables: [
            { name: 'caseId', value: '"c-3"' },
            { name: 'rating', value: { $in: ['4', '5'] } },
          ],
        }),
      ).toEqual([plain]);
      expect(await keys({ variables: [{ name: 'attempt', value: '2' }] })).toEqual([withIncident]);
      expect(
        await keys({ elementId: 'task-a', elementInstanceState: 'ACTIVE', hasElementInstanceIncident: true }),
      ).toEqual([withIncident]);
      expect(await keys({ errorMessage: { $like: 'SMS*' } })).toEqual([withIncident]);
      expect(await keys({ parentElementInstanceKey: elementKey })).toEqual([called]);
      expect(
        await keys({
          $or: [{ variables: [{ name: 'caseId', value: '"c-3"' }] }, { parentProcessInstanceKey: withIncident }],
        }),
      ).toEqual([called, plain]);
      const [child] = (await h.client.searchProcessInstances({ filter: { processInstanceKey: called } }, now)).items;
      expect(child).toMatchObject({
        parentProcessInstanceKey: withIncident,
        parentElementInstanceKey: elementKey,
        tags: [],
      });
    });
  });

  describe('process instance tags', () => {
    it('creates an instance with tags, answers them and filters by them; bad tags are a 400', async () => {
      // given
      await deploy(h.client, 'user-task.bpmn', 'review.form');
      // when
      const created = await h.client.createProcessInstance({
        processDefinitionId: 'user-task',
        variables: {},
        tags: ['petition', 'region:north-1'],
      });
      const untagged = await h.client.createProcessInstance({ processDefinitionId: 'user-task', variables: {} });
      // then
      expect(created.tags).toEqual(['petition', 'region:north-1']);
      expect((await h.client.getProcessInstance({ processInstanceKey: created.processInstanceKey }, now)).tags).toEqual(
        ['petition', 'region:north-1'],
      );
      expect(
        (await h.client.getProcessInstance({ processInstanceKey: untagged.processInstanceKey }, now)).tags,
      ).toEqual([]);
      const both = await h.client.searchProcessInstances({ filter: { tags: ['region:north-1', 'petition'] } }, now);
      expect(both.items.map((i: Any) => i.processInstanceKey)).toEqual([created.processInstanceKey]);
      expect((await h.client.searchProcessInstances({ filter: { tags: ['petition', 'other'] } }, now)).items).toEqual(
        [],
      );
      // and tags Camunda refuses are refused here too (sent past the SDK, which checks them itself)
      for (const tags of [
        ['1starts-with-a-digit'],
        ['has space'],
        ['x'.repeat(101)],
        Array.from({ length: 11 }, (_, i) => `t${i}`),
        'not-a-list',
      ]) {
        const res = await post('/process-instances', { processDefinitionId: 'user-task', tags });
        expect([JSON.stringify(tags).slice(0, 40), res.status]).toEqual([JSON.stringify(tags).slice(0, 40), 400]);
      }
      expect((await post('/process-instances/search', { filter: { tags: ['bad tag'] } })).status).toBe(400);
    });
  });

  describe('deployments', () => {
    it('deploys a DMN file as decision requirements with a key and version of their own, which its decisions name', async () => {
      // when
      const first = await deploy(h.client, 'case-class.dmn');
      const again = await deploy(h.client, 'case-class.dmn');
      // then
      const [graph] = first.decisionRequirements;
      expect(graph).toMatchObject({
        decisionRequirementsId: 'case-class-drd',
        decisionRequirementsName: '案件分类',
        version: 1,
        resourceName: expect.stringContaining('case-class.dmn'),
      });
      expect(first.decisions.map((d: Any) => d.decisionRequirementsKey)).toEqual(
        first.decisions.map(() => graph.decisionRequirementsKey),
      );
      expect(first.decisions.map((d: Any) => d.decisionDefinitionKey)).not.toContain(graph.decisionRequirementsKey);
      expect(again.decisionRequirements[0]).toEqual(graph);
      expect(again.decisions).toEqual(first.decisions);
      // and a changed file is a new version of both
      const xml = await h.client.getDecisionRequirementsXml(
        { decisionRequirementsKey: graph.decisionRequirementsKey },
        now,
      );
      expect(String(xml)).toContain('decide-case-class');
      const changed = await h.client.createDeployment({
        resources: [
          new File([String(xml).replace('name="分类建议"', 'name="分类建议 v2"')], 'case-class.dmn', {
            type: 'application/xml',
          }),
        ],
      });
      expect(changed.decisionRequirements[0]).toMatchObject({ decisionRequirementsId: 'case-class-drd', version: 2 });
      expect(changed.decisions[0]).toMatchObject({
        version: 2,
        decisionRequirementsKey: changed.decisionRequirements[0].decisionRequirementsKey,
      });
      // and they are searched and read like Camunda's
      const found = await h.client.searchDecisionRequirements(
        { filter: { decisionRequirementsId: 'case-class-drd' }, sort: [{ field: 'version', order: 'DESC' }] },
        now,
      );
      expect(found.items.map((d: Any) => d.version)).toEqual([2, 1]);
      expect(
        await h.client.getDecisionRequirements({ decisionRequirementsKey: graph.decisionRequirementsKey }, now),
      ).toEqual(graph);
      expect(await sdkError(h.client.getDecisionRequirements({ decisionRequirementsKey: '123' }, now))).toMatchObject({
        status: 404,
      });
    });

    it('deploys a model whose diagram names an element that is not there, as Zeebe does (it ignores the diagram)', async () => {
      // when
      const deployed = await deploy(h.client, 'diagram-missing-element.bpmn');
      // then
      expect(deployed.processes[0]).toMatchObject({
        processDefinitionId: 'diagram-missing-element',
        processDefinitionVersion: 1,
      });
    });
  });

  describe('jobs, incidents and element instances', () => {
    it('fails a job that is activatable, not only an activated one; a failed job with no retries left is in the wrong state', async () => {
      // given a job that failed once with retries left: activatable again, and not activated by anyone
      const { processInstanceKey } = await h.client.createProcessInstance({
        processDefinitionId: 'two-service-tasks',
        variables: { count: 1 },
      });
      const activate = () =>
        h.client.activateJobs({
          type: 'task-a',
          timeout: 30000,
          maxJobsToActivate: 10,
          worker: 'w',
          requestTimeout: 2000,
        });
      const job = (await activate()).jobs.find((j: Any) => j.processInstanceKey === processInstanceKey);
      await h.client.failJob({ jobKey: job.jobKey, retries: 2, errorMessage: 'try later' });
      // when it is failed again, unactivated, with no retries left
      await h.client.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'gave up' });
      // then an incident holds it, and it is read by its key
      const [incident] = (await h.client.searchIncidents({ filter: { processInstanceKey } }, now)).items;
      expect(incident).toMatchObject({
        errorType: 'JOB_NO_RETRIES',
        errorMessage: 'gave up',
        jobKey: job.jobKey,
        state: 'ACTIVE',
      });
      expect(await h.client.getIncident({ incidentKey: incident.incidentKey }, now)).toEqual(incident);
      expect((await activate()).jobs.find((j: Any) => j.jobKey === job.jobKey)).toBeUndefined();
      // and failing it once more is refused as Zeebe refuses it
      const refused = await sdkError(h.client.failJob({ jobKey: job.jobKey, retries: 1 }));
      expect(refused).toMatchObject({ status: 409, title: 'INVALID_STATE' });
      expect(refused.detail).toBe(`Expected to fail job with key '${job.jobKey}', but it is in state 'FAILED'`);
    });

    it('reads an element instance and an incident by key; unknown keys are 404', async () => {
      // given
      const { processInstanceKey } = await h.client.createProcessInstance({
        processDefinitionId: 'two-service-tasks',
        variables: { count: 2 },
      });
      // when
      const found = await h.client.searchElementInstances({ filter: { processInstanceKey, elementId: 'task-a' } }, now);
      const one = await h.client.getElementInstance({ elementInstanceKey: found.items[0].elementInstanceKey }, now);
      const processElement = await h.client.getElementInstance({ elementInstanceKey: processInstanceKey }, now);
      // then
      expect(one).toEqual(found.items[0]);
      expect(processElement).toMatchObject({
        type: 'PROCESS',
        elementId: 'two-service-tasks',
        processInstanceKey,
        state: 'ACTIVE',
      });
      expect(await sdkError(h.client.getElementInstance({ elementInstanceKey: '123' }, now))).toMatchObject({
        status: 404,
      });
      expect(await sdkError(h.client.getIncident({ incidentKey: '123' }, now))).toMatchObject({ status: 404 });
    });
  });

  it('tells what it is on GET /v2/license: no Camunda license, as Camunda without a license key answers', async () => {
    // when
    const license = await h.client.getLicense();
    // then
    expect(license).toEqual({ validLicense: false, licenseType: 'unknown', isCommercial: false, expiresAt: null });
  });
});
