/**
 * Filters on variables' values, shared by the searches that take them (process instances, user tasks, variables):
 * a value given as JSON text compared as a JSON value, and a list of `{ name, value }` matched in given scopes.
 */
import { SearchError, isOperatorObject, likePattern } from './search';

// ---------------------------------------------------------------- variable values

/** A variable value given as JSON text, as its jsonb parameter (normalised: "42" and " 42 " are the same value). */
export function jsonParam(text: unknown, path: string, params: unknown[]): string {
  if (typeof text !== 'string')
    throw new SearchError(`Request property [${path}] cannot be parsed: expected JSON text`);
  let normalised: string;
  try {
    normalised = JSON.stringify(JSON.parse(text));
  } catch {
    throw new SearchError(`The variable filter's value must be JSON text (e.g. a quoted string or 42), not ${text}`);
  }
  return `$${params.push(normalised)}::jsonb`;
}

/**
 * Conditions on a variable's value (a jsonb expression) for a string filter property over its JSON text: equality
 * and lists compare the JSON values, `$like` the text.
 */
export function valueClauses(expr: string, raw: unknown, params: unknown[], path: string): string[] {
  const ops = isOperatorObject(raw) ? raw : { $eq: raw };
  const clauses: string[] = [];
  const list = (op: string, value: unknown) => {
    if (!Array.isArray(value))
      throw new SearchError(`Request property [${path}.${op}] cannot be parsed: expected a list`);
    return `ARRAY[${value.map((v, i) => jsonParam(v, `${path}.${op}[${i}]`, params)).join(', ') || 'NULL::jsonb'}]`;
  };
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    switch (op) {
      case '$eq':
        clauses.push(`${expr} = ${jsonParam(value, `${path}.$eq`, params)}`);
        break;
      case '$neq':
        clauses.push(`${expr} <> ${jsonParam(value, `${path}.$neq`, params)}`);
        break;
      case '$in':
        clauses.push(`${expr} = ANY(${list(op, value)})`);
        break;
      case '$notIn':
        clauses.push(`NOT (${expr} = ANY(${list(op, value)}))`);
        break;
      case '$exists':
        if (typeof value !== 'boolean')
          throw new SearchError(`Request property [${path}.$exists] cannot be parsed: expected true or false`);
        clauses.push(`${expr} IS ${value ? 'NOT NULL' : 'NULL'}`);
        break;
      case '$like':
        if (typeof value !== 'string')
          throw new SearchError(`Request property [${path}.$like] cannot be parsed: expected a string`);
        clauses.push(`${expr}::text LIKE $${params.push(likePattern(value))}::text`);
        break;
      default:
        throw new SearchError(
          `Request property [${path}.${op}] cannot be parsed: '${op}' is not an operator of this field`,
        );
    }
  }
  return clauses;
}

/** The locals of an instance's scopes (runtime.locals: execution id → variables), as rows (key, value). */
export const localScopes = (instance: string) =>
  `jsonb_each(CASE WHEN jsonb_typeof(${instance}.runtime -> 'locals') = 'object' THEN ${instance}.runtime -> 'locals' ELSE '{}'::jsonb END)`;

/**
 * A list of `{ name, value }` (VariableValueFilterProperty): every one must match a variable of the given scopes.
 * `scopes` gives the jsonb objects of variables to look in, as SQL of a row set with a column `vars`.
 */
export function variableList(scopes: (name: string) => string) {
  return (raw: unknown, params: unknown[], path: string): string[] => {
    if (!Array.isArray(raw))
      throw new SearchError(`Request property [${path}] cannot be parsed: expected a list of { name, value }`);
    return raw.map((entry, i) => {
      if (!isOperatorObject(entry) || typeof entry.name !== 'string' || entry.value === undefined) {
        throw new SearchError(`Request property [${path}[${i}]] cannot be parsed: expected { name, value }`);
      }
      for (const name of Object.keys(entry))
        if (name !== 'name' && name !== 'value')
          throw new SearchError(
            `Request property [${path}[${i}].${name}] cannot be parsed: not a field of a variable filter`,
          );
      const name = `$${params.push(entry.name)}::text`;
      const conditions = valueClauses(`sv.vars -> ${name}`, entry.value, params, `${path}[${i}].value`);
      return `EXISTS (SELECT 1 FROM ${scopes(name)} WHERE sv.vars ? ${name}${conditions.map((c) => ` AND ${c}`).join('')})`;
    });
  };
}
