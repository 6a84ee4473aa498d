/**
 * The variables search (`POST /v2/variables/search`, `GET /v2/variables/{key}`): every variable of the instances a
 * filter names, as rows made in SQL from the instances' root and local scopes.
 */
import { isOperatorObject } from './search';
import { TENANT, tenantField, type Row, type SearchSpec } from './result-kit';
import { jsonParam, localScopes, valueClauses } from './variable-filters';

// ---------------------------------------------------------------- variables

/**
 * Every variable as a row, in SQL: the instance's root scope (`engine_instance.variables`, scope key = the instance's
 * key) and its local scopes (`runtime.locals`: execution id → variables, scope key = the element instance of that
 * execution in engine_element; a scope without an element instance is not listed).
 *
 * The variable key is `scopeKey * 1000 + index`, the index being the variable name's in `runtime.names` (name →
 * 0..999, kept by the engine's core for the instance). Where a name is not there (an instance stored before the core
 * kept names), the index is the name's position among its scope's names in byte order: stable while the scope gains no
 * name that sorts before it. Keys are unique as long as an instance has at most 1,000 variable names.
 *
 * The filter narrows the instances and scopes before their variables are expanded (name, value, keys), so that a
 * lookup by name and value, or of one instance, does not expand every variable of every instance.
 */
function variablesFrom(filter: Record<string, unknown>, params: unknown[]): string {
  const root: string[] = [];
  const local: string[] = [];
  const instance = keyClause(
    filter.processInstanceKey,
    params,
    (p) => `i.key = ${p}`,
    (p) => `i.key = ANY(${p})`,
  );
  if (instance) {
    root.push(instance);
    local.push(instance);
  }
  narrowToScopes(filter.scopeKey, (p) => p, params, root, local);
  narrowToScopes(filter.variableKey, (p) => `(${p} / 1000)`, params, root, local);
  narrowToNames(filter, params, root, local);
  const and = (c: string[]) => c.map((x) => ` AND ${x}`).join('');
  const index = `CASE WHEN jsonb_typeof(v0.names -> v0.name) = 'number' THEN (v0.names ->> v0.name)::int
      ELSE (SELECT count(*)::int FROM jsonb_object_keys(v0.scope_vars) AS k(n) WHERE k.n COLLATE "C" < v0.name COLLATE "C") END`;
  return `(SELECT v0.process_instance_key, v0.scope_key, v0.name, v0.value, v0.value::text AS value_text,
      v0.scope_key * 1000 + ${index} AS variable_key
    FROM (
      SELECT i.key AS process_instance_key, i.key AS scope_key, rv.key AS name, rv.value, i.runtime -> 'names' AS names, i.variables AS scope_vars
      FROM engine_instance i CROSS JOIN LATERAL jsonb_each(i.variables) AS rv
      WHERE true${and(root)}
      UNION ALL
      SELECT i.key, e.key, lv.key, lv.value, i.runtime -> 'names', s.value
      FROM engine_instance i CROSS JOIN LATERAL ${localScopes('i')} AS s
        JOIN engine_element e ON e.instance_key = i.key AND e.execution_id = s.key
        CROSS JOIN LATERAL jsonb_each(s.value) AS lv
      WHERE i.runtime IS NOT NULL AND jsonb_typeof(s.value) = 'object'${and(local)}
    ) v0) v`;
}

/** A plain value or `$eq`, or the list of `$in`: what can narrow the scan (other operators are left to the filter). */
function wanted(raw: unknown): { one?: unknown; list?: unknown[] } {
  if (!isOperatorObject(raw)) return raw === undefined || raw === null ? {} : { one: raw };
  if (raw.$eq !== undefined) return { one: raw.$eq };
  if (Array.isArray(raw.$in)) return { list: raw.$in };
  return {};
}

/**
 * A clause on keys a filter's value wants: `each` with the parameter of one key, `many` with the parameter of a list
 * of them; none when the value does not narrow (another operator, or not a key: the filter itself refuses it).
 */
function keyClause(
  raw: unknown,
  params: unknown[],
  each: (p: string) => string,
  many: (p: string) => string,
): string | undefined {
  const w = wanted(raw);
  if (w.one !== undefined) {
    const p = keyParam(w.one, params);
    return p ? each(p) : undefined;
  }
  if (w.list && w.list.every((v) => /^-?[0-9]{1,19}$/.test(String(v))))
    return many(`$${params.push(w.list.map(String))}::bigint[]`);
  return undefined;
}

/** The parameter of one key (bigint), or none when the value is not a key (the filter itself refuses it). */
function keyParam(v: unknown, params: unknown[]): string | undefined {
  const text = String(v);
  if (!/^-?[0-9]{1,19}$/.test(text)) return undefined;
  return `$${params.push(text)}::bigint`;
}

/** The root and local scopes narrowed to the scope keys a filter's value wants (`toScope`: a key to its scope's). */
function narrowToScopes(
  raw: unknown,
  toScope: (p: string) => string,
  params: unknown[],
  root: string[],
  local: string[],
): void {
  const r = keyClause(
    raw,
    params,
    (p) => `i.key = ${toScope(p)}`,
    (p) => `i.key = ANY(ARRAY(SELECT ${toScope('x')} FROM unnest(${p}) AS u(x)))`,
  );
  const l = keyClause(
    raw,
    params,
    (p) =>
      `e.key = ${toScope(p)} AND i.key = (SELECT se.instance_key FROM engine_element se WHERE se.key = ${toScope(p)})`,
    (p) => `e.key = ANY(ARRAY(SELECT ${toScope('x')} FROM unnest(${p}) AS u(x)))`,
  );
  if (r) root.push(r);
  if (l) local.push(l);
}

/** The root and local scopes narrowed to those holding the wanted names (and, for one name, the wanted value). */
function narrowToNames(filter: Record<string, unknown>, params: unknown[], root: string[], local: string[]): void {
  const name = wanted(filter.name);
  if (typeof name.one === 'string') {
    const p = `$${params.push(name.one)}::text`;
    root.push(`i.variables ? ${p}`);
    local.push(`s.value ? ${p}`);
    const value = wanted(filter.value);
    if (typeof value.one === 'string') {
      const v = jsonParam(value.one, 'filter.value', params);
      root.push(`i.variables -> ${p} = ${v}`);
      local.push(`s.value -> ${p} = ${v}`);
    }
  } else if (name.list && name.list.every((n) => typeof n === 'string')) {
    const p = `$${params.push(name.list)}::text[]`;
    root.push(`i.variables ?| ${p}`);
    local.push(`s.value ?| ${p}`);
  }
}

export function variableResult(row: Row) {
  return {
    name: String(row.name),
    value: JSON.stringify(row.value),
    tenantId: TENANT,
    variableKey: String(row.variable_key),
    scopeKey: String(row.scope_key),
    processInstanceKey: String(row.process_instance_key),
  };
}

export const variables: SearchSpec<ReturnType<typeof variableResult> & { isTruncated: boolean }> = {
  from: variablesFrom,
  fields: {
    name: { column: 'v.name' },
    value: { column: 'v.value', custom: (value, params, path) => valueClauses('v.value', value, params, path) },
    tenantId: tenantField,
    isTruncated: { column: 'false', cast: 'boolean' },
    variableKey: { column: 'v.variable_key', cast: 'bigint' },
    scopeKey: { column: 'v.scope_key', cast: 'bigint' },
    processInstanceKey: { column: 'v.process_instance_key', cast: 'bigint' },
  },
  sorts: {
    value: { column: 'v.value_text' },
    name: { column: 'v.name' },
    tenantId: tenantField,
    variableKey: { column: 'v.variable_key', cast: 'bigint' },
    scopeKey: { column: 'v.scope_key', cast: 'bigint' },
    processInstanceKey: { column: 'v.process_instance_key', cast: 'bigint' },
  },
  key: { column: 'v.variable_key', cast: 'bigint' },
  // Values are never cut here.
  map: (row) => ({ ...variableResult(row), isTruncated: false }),
};
