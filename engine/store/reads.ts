/**
 * The engine's reads over REST: Camunda 8.8's searches (filter, sort, offset or cursor paging, totals) and gets, all
 * straight from the database, so any process may answer them (a replica too). The SQL of each search is in
 * results.ts; search.ts turns the request into SQL and refuses what it does not know.
 */
import type { EngineDb } from './db';
import { notFound } from '../errors';
import {
  afterPosition,
  decodeCursor,
  encodeCursor,
  orderBy,
  pageOf,
  parseSort,
  SearchError,
  isOperatorObject,
  unknownField,
  type OrderColumn,
} from './search';
import {
  SEARCHES,
  TENANT,
  ELEMENT_RESULT_COLUMNS,
  INCIDENT_RESULT_COLUMNS,
  INSTANCE_RESULT_COLUMNS,
  definitionResult,
  elementResult,
  filterClauses,
  incidentResult,
  instanceResult,
  type Row,
  type SearchSpec,
} from './results';
import {
  DECISION_COLUMNS,
  DECISION_FROM,
  decisionDefinitionResult,
  decisionRequirementsResult,
} from './decision-results';
import { variableResult } from './variable-results';
import { callHierarchy, elementStatistics } from './statistics';

export interface SearchPage {
  totalItems: number;
  startCursor?: string;
  endCursor?: string;
}

export interface SearchResult<T> {
  page: SearchPage;
  items: T[];
}

/** Options of one search: conditions of its own, and (the latest process definitions) paging forward only. */
interface SearchOptions {
  /** Conditions of its own, given the statement's parameters so far (to add theirs). */
  where?: (params: unknown[]) => string[];
  forwardOnly?: boolean;
}

/**
 * What Camunda answers for GET /v2/license when it runs without a license key (CamundaLicense: no key → not valid,
 * type "unknown"): this engine is not Camunda and holds no Camunda license, and "unknown" is the one type of
 * Camunda's (saas, production, unknown) that says so. Not commercial, and nothing to expire.
 */
export const LICENSE = { validLicense: false, licenseType: 'unknown', isCommercial: false, expiresAt: null } as const;

export class EngineReads {
  constructor(private readonly db: EngineDb) {}

  /** Runs a search: the rows of the page asked for, and the page's total and cursors. */
  async search<T>(spec: SearchSpec<T>, query: unknown, options: SearchOptions = {}): Promise<SearchResult<T>> {
    if (query !== undefined && query !== null && !isOperatorObject(query))
      throw new SearchError('The search request must be a JSON object');
    const request = query ?? {};
    for (const name of Object.keys(request)) if (!['filter', 'sort', 'page'].includes(name)) throw unknownField(name);
    const filter = request.filter ?? {};
    if (!isOperatorObject(filter))
      throw new SearchError('Request property [filter] cannot be parsed: expected an object');
    const params: unknown[] = [];
    const from = typeof spec.from === 'function' ? spec.from(filter, params) : spec.from;
    const where = [...(spec.where ?? []), ...(options.where?.(params) ?? []), ...filterClauses(spec, filter, params)];
    const order = parseSort(request.sort, spec.sorts, spec.key);
    const page = pageOf(request.page);
    if ('before' in page && options.forwardOnly)
      throw new SearchError('Request property [page.before] cannot be parsed: this search pages forward only (after)');
    const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const countParams = [...params];

    // The sort values of each row, as text: the cursors of the first and last row.
    const positions = order.map((o, i) => `(${o.column})::text AS __s${i}`).join(', ');
    const reversed = 'before' in page;
    const cursor = 'after' in page ? page.after : 'before' in page ? page.before : undefined;
    if (cursor !== undefined) {
      let values = decodeCursor(cursor, order.length, reversed ? 'before' : 'after');
      if (!Array.isArray(values)) values = await this.positionOf(from, order, values.key, params, where);
      where.push(afterPosition(order, values, params, reversed));
    }
    const offset = 'from' in page ? page.from : 0;
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // The page's bounds are parameters too: one SQL text per kind of search, whatever the page (the host may prepare it).
    const rows = await this.db.query<Row>(
      `SELECT ${spec.select ?? '*'}, ${positions} FROM ${from} ${whereSql} ${orderBy(order, reversed)} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, offset],
    );
    if (reversed) rows.reverse();
    // An offset page that is not full and not past the end tells the total itself; only otherwise are the matches
    // counted (a round trip and a second pass over them saved on nearly every search the app makes).
    const told = cursor === undefined && rows.length < page.limit && (rows.length > 0 || offset === 0);
    const totalItems = told
      ? offset + rows.length
      : Number(
          (
            await this.db.query<{ total: string }>(`SELECT count(*) AS total FROM ${from} ${countWhere}`, countParams)
          )[0].total,
        );
    const position = (row: Row) => encodeCursor(order.map((_, i) => (row[`__s${i}`] ?? null) as string | null));
    const result: SearchPage = { totalItems };
    if (rows.length > 0) {
      if (!options.forwardOnly) result.startCursor = position(rows[0]);
      result.endCursor = position(rows[rows.length - 1]);
    }
    return { page: result, items: rows.map((row) => spec.map(row)) };
  }

  /** The sort values of the row a key-only cursor names (its values were too long to carry). */
  private async positionOf(
    from: string,
    order: OrderColumn[],
    key: string,
    params: unknown[],
    where: string[],
  ): Promise<Array<string | null>> {
    const keyColumn = order[order.length - 1];
    const [row] = await this.db.query<Row>(
      `SELECT ${order.map((o, i) => `(${o.column})::text AS __s${i}`).join(', ')} FROM ${from}
       ${where.length ? `WHERE ${where.join(' AND ')} AND` : 'WHERE'} ${keyColumn.column} = $${params.length + 1}::${keyColumn.cast ?? 'text'}`,
      [...params, key],
    );
    if (!row)
      throw new SearchError(
        'Request property [page] cannot be parsed: the cursor names an item that no longer matches this search',
      );
    return order.map((_, i) => (row[`__s${i}`] ?? null) as string | null);
  }

  // ---------------------------------------------------------------- process definitions

  searchProcessDefinitions(query: unknown) {
    const filter = isOperatorObject(query) && isOperatorObject(query.filter) ? query.filter : {};
    // Camunda: the latest versions are paged forward only, without a start cursor.
    return this.search(SEARCHES.definitions, query, { forwardOnly: filter.isLatestVersion === true });
  }

  async getProcessDefinition(key: string) {
    const [row] = await this.db.query("SELECT * FROM engine_resource WHERE kind = 'process' AND key = $1", [key]);
    if (!row) throw notFound('process definition', key);
    return definitionResult(row);
  }

  async getProcessDefinitionXml(key: string): Promise<string> {
    const [row] = await this.db.query<{ content: string }>(
      "SELECT content FROM engine_resource WHERE kind = 'process' AND key = $1",
      [key],
    );
    if (!row) throw notFound('process definition', key);
    return row.content;
  }

  // ---------------------------------------------------------------- decision requirements

  searchDecisionRequirements(query: unknown) {
    return this.search(SEARCHES.decisionRequirements, query);
  }

  async getDecisionRequirements(key: string) {
    const [row] = await this.db.query(
      "SELECT * FROM engine_resource WHERE kind = 'decision_requirements' AND key = $1",
      [key],
    );
    if (!row) throw notFound('decision requirements', key);
    return decisionRequirementsResult(row);
  }

  async getDecisionRequirementsXml(key: string): Promise<string> {
    const [row] = await this.db.query<{ content: string }>(
      "SELECT content FROM engine_resource WHERE kind = 'decision_requirements' AND key = $1",
      [key],
    );
    if (!row) throw notFound('decision requirements', key);
    return row.content;
  }

  // ---------------------------------------------------------------- process and element instances

  searchProcessInstances(query: unknown) {
    return this.search(SEARCHES.instances, query);
  }

  async getProcessInstance(key: string) {
    const [row] = await this.db.query(
      `SELECT ${INSTANCE_RESULT_COLUMNS} FROM engine_instance i JOIN engine_resource r ON r.key = i.definition_key WHERE i.key = $1`,
      [key],
    );
    if (!row) throw notFound('process instance', key);
    return instanceResult(row);
  }

  searchElementInstances(query: unknown) {
    return this.search(SEARCHES.elements, query);
  }

  async getElementInstance(key: string) {
    const [row] = await this.db.query(
      `SELECT ${ELEMENT_RESULT_COLUMNS} FROM engine_element e JOIN engine_instance i ON i.key = e.instance_key WHERE e.key = $1`,
      [key],
    );
    if (!row) throw notFound('element instance', key);
    return elementResult(row);
  }

  // ---------------------------------------------------------------- user tasks, incidents, variables

  searchUserTasks(query: unknown) {
    return this.search(SEARCHES.userTasks, query);
  }

  async getUserTask(key: string) {
    const { items } = await this.searchUserTasks({ filter: { userTaskKey: key } });
    if (items.length === 0) throw notFound('user task', key);
    return items[0];
  }

  searchIncidents(query: unknown) {
    return this.search(SEARCHES.incidents, query);
  }

  async getIncident(key: string) {
    const [row] = await this.db.query(
      `SELECT ${INCIDENT_RESULT_COLUMNS} FROM engine_incident n JOIN engine_instance i ON i.key = n.instance_key WHERE n.key = $1`,
      [key],
    );
    if (!row) throw notFound('incident', key);
    return incidentResult(row);
  }

  searchVariables(query: unknown) {
    return this.search(SEARCHES.variables, query);
  }

  /** One variable by its key (see results.ts for how keys are made): its full value. */
  async getVariable(key: string) {
    const params: unknown[] = [];
    const from = (SEARCHES.variables.from as (f: Record<string, unknown>, p: unknown[]) => string)(
      { variableKey: key },
      params,
    );
    const [row] = await this.db.query<Row>(
      `SELECT * FROM ${from} WHERE v.variable_key = $${params.length + 1}::bigint`,
      [...params, key],
    );
    if (!row) throw notFound('variable', key);
    return variableResult(row);
  }

  license() {
    return { ...LICENSE };
  }

  /** A deployed form as Camunda answers it (a user task's form, a process's start form): by its key, or its id's latest version. */
  async form(by: { key: string } | { formId: string }) {
    const [form] = await this.db.query<{ key: string; resource_id: string; version: number; content: string }>(
      'key' in by
        ? "SELECT key::text, resource_id, version, content FROM engine_resource WHERE kind = 'form' AND key = $1"
        : "SELECT key::text, resource_id, version, content FROM engine_resource WHERE kind = 'form' AND resource_id = $1 ORDER BY version DESC LIMIT 1",
      ['key' in by ? by.key : by.formId],
    );
    if (!form) throw notFound('form', 'key' in by ? by.key : by.formId);
    return {
      tenantId: TENANT,
      formId: form.resource_id,
      schema: JSON.parse(form.content) as Row,
      version: form.version,
      formKey: form.key,
    };
  }

  // ---------------------------------------------------------------- jobs, message subscriptions, decisions

  searchJobs(query: unknown) {
    return this.search(SEARCHES.jobs, query);
  }

  searchMessageSubscriptions(query: unknown) {
    return this.search(SEARCHES.messageSubscriptions, query);
  }

  searchDecisionDefinitions(query: unknown) {
    return this.search(SEARCHES.decisionDefinitions, query);
  }

  async getDecisionDefinition(key: string) {
    const [row] = await this.db.query(
      `SELECT ${DECISION_COLUMNS} FROM ${DECISION_FROM} WHERE d.kind = 'decision' AND d.key = $1`,
      [key],
    );
    if (!row) throw notFound('decision definition', key);
    return decisionDefinitionResult(row);
  }

  /** A decision's DMN: the file it was deployed in (its decision requirements graph's). */
  async getDecisionDefinitionXml(key: string): Promise<string> {
    const [row] = await this.db.query<{ content: string }>(
      `SELECT coalesce(g.content, d.content) AS content FROM ${DECISION_FROM} WHERE d.kind = 'decision' AND d.key = $1`,
      [key],
    );
    if (!row) throw notFound('decision definition', key);
    return row.content;
  }

  // ---------------------------------------------------------------- an instance's surroundings, statistics

  /** The incidents of an instance and of the instances it called, at any depth. */
  searchInstanceIncidents(key: string, query: unknown) {
    // Camunda's query of this search has no filter (sort and page only).
    if (isOperatorObject(query) && query.filter !== undefined) throw unknownField('filter');
    return this.search(SEARCHES.incidents, query, {
      where: (params) => [
        `n.instance_key IN (WITH RECURSIVE tree(key) AS (SELECT $${params.push(key)}::bigint UNION ALL
           SELECT c.key FROM engine_instance c JOIN tree ON c.parent_instance_key = tree.key) SELECT key FROM tree)`,
      ],
    });
  }

  /**
   * The variables a user task sees: its own element instance's locals and those of the scopes around it, up to the
   * process instance's (Camunda's user task variables search).
   */
  async searchUserTaskVariables(key: string, query: unknown) {
    const [task] = await this.db.query<{ instance_key: string; element_key: string }>(
      'SELECT instance_key::text, element_key::text FROM engine_user_task WHERE key = $1',
      [key],
    );
    if (!task) throw notFound('user task', key);
    // The task's instance as a filter (the variables' rows are made for the instances a filter names), its name the
    // only filter of Camunda's (UserTaskVariableFilter).
    const request = isOperatorObject(query) ? query : {};
    const filter = isOperatorObject(request.filter) ? request.filter : {};
    for (const name of Object.keys(filter)) if (name !== 'name') throw unknownField(`filter.${name}`);
    return this.search(
      SEARCHES.variables,
      { ...request, filter: { ...filter, processInstanceKey: task.instance_key } },
      {
        where: (params) => [
          `v.scope_key IN (WITH RECURSIVE up(key, scope) AS (SELECT key, scope_key FROM engine_element WHERE key = $${params.push(task.element_key)}::bigint
           UNION ALL SELECT e.key, e.scope_key FROM engine_element e JOIN up ON e.key = up.scope)
         SELECT key FROM up UNION SELECT $${params.push(task.instance_key)}::bigint)`,
        ],
      },
    );
  }

  callHierarchy(key: string) {
    return callHierarchy(this.db, key);
  }

  elementStatistics(scope: Parameters<typeof elementStatistics>[1]) {
    return elementStatistics(this.db, scope);
  }
}

const readers = new WeakMap<EngineDb, EngineReads>();

/** The reads over a database (one per database, they keep nothing). */
export function reads(db: EngineDb): EngineReads {
  let found = readers.get(db);
  if (!found) readers.set(db, (found = new EngineReads(db)));
  return found;
}

export { TENANT };
