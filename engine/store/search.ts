/**
 * Camunda 8.8 search queries ({ filter, sort, page }) turned into SQL, refused with a 400 (SearchError) when they ask
 * for something this engine does not know:
 * - `filter`: each field takes a plain value (equality) or an operator object, with the operators Camunda allows for
 *   the field's kind (string: $eq $neq $exists $in $notIn $like; key: $eq $neq $exists $in $notIn; integer and
 *   date-time: $eq $neq $exists $gt $gte $lt $lte $in; enum: $eq $neq $exists $in $like; boolean: a plain value).
 *   An unknown field, an unsupported one, an unknown operator or a value of the wrong kind is a 400 naming it.
 * - `sort`: fields from a closed list per search, `order` 'ASC' or 'DESC'; the search's key breaks ties.
 * - `page`: `{ from, limit }`, `{ after, limit }` or `{ before, limit }`. Cursors are opaque to the client: base64 of
 *   the JSON list of the row's sort values (as text) and its key, or of `{ "k": key }` when that would be longer than
 *   Camunda's 300 characters (the row's sort values are then read again by its key).
 */
export interface SearchQuery {
  filter?: Record<string, unknown>;
  sort?: Array<{ field: string; order?: 'ASC' | 'DESC' }>;
  page?: { from?: number; limit?: number; after?: string; before?: string };
}

export type FieldKind = 'string' | 'key' | 'integer' | 'date' | 'boolean' | 'enum';
type Cast = 'bigint' | 'timestamptz' | 'boolean' | 'integer';

export interface FieldSpec {
  /** The SQL expression the field is read from. */
  column: string;
  /** Which operators and values it takes; by default from `cast` (bigint: key, integer, timestamptz: date, boolean), else string. */
  kind?: FieldKind;
  cast?: Cast;
  /** A text[] column: matches when it contains the value (candidate groups and users). */
  array?: boolean;
  /** For an enum: the values Camunda defines. */
  values?: readonly string[];
  /** A filter with its own SQL: the clauses for the value given (it validates the value itself). */
  custom?: (value: unknown, params: unknown[], name: string) => string[];
  /** Known to Camunda but not to this engine: refused with this reason. */
  unsupported?: string;
}

export interface SortSpec {
  column: string;
  cast?: Cast;
}

/** A request the engine refuses with 400 INVALID_ARGUMENT (router.ts). */
export class SearchError extends Error {}

/** Camunda's largest page; a larger limit is cut to it. */
export const MAX_PAGE_SIZE = 10000;

const OPERATORS: Record<FieldKind, readonly string[]> = {
  string: ['$eq', '$neq', '$exists', '$in', '$notIn', '$like'],
  key: ['$eq', '$neq', '$exists', '$in', '$notIn'],
  integer: ['$eq', '$neq', '$exists', '$gt', '$gte', '$lt', '$lte', '$in'],
  date: ['$eq', '$neq', '$exists', '$gt', '$gte', '$lt', '$lte', '$in'],
  enum: ['$eq', '$neq', '$exists', '$in', '$like'],
  boolean: [],
};

const kindOf = (spec: FieldSpec): FieldKind =>
  spec.kind ??
  (spec.cast === 'bigint'
    ? 'key'
    : spec.cast === 'integer'
      ? 'integer'
      : spec.cast === 'timestamptz'
        ? 'date'
        : spec.cast === 'boolean'
          ? 'boolean'
          : 'string');

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const KEY = /^-?[0-9]{1,19}$/;

export const unknownField = (path: string) =>
  new SearchError(`Request property [${path}] cannot be parsed: '${path}' is not a field this search knows`);

/** Whether a value is an operator object ({ $eq: … }) rather than a plain value. */
export function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain value of the field's kind, as the SQL parameter (keys as text, for bigint). */
function checked(kind: FieldKind, spec: FieldSpec, path: string, value: unknown): unknown {
  const wrong = (expected: string) =>
    new SearchError(
      `Request property [${path}] cannot be parsed: expected ${expected}, but was ${JSON.stringify(value) ?? String(value)}`,
    );
  switch (kind) {
    case 'key':
      if ((typeof value === 'string' && KEY.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value)))
        return String(value);
      throw wrong('a numeric key');
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw wrong('an integer');
    case 'date':
      if (typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value))) return value;
      throw wrong('an RFC 3339 date-time');
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw wrong('true or false');
    case 'enum':
      if (typeof value === 'string' && (!spec.values || spec.values.includes(value))) return value;
      throw wrong(spec.values ? `one of ${spec.values.join(', ')}` : 'a string');
    default:
      if (typeof value === 'string') return value;
      throw wrong('a string');
  }
}

/** Camunda's like pattern (`*` any run, `?` one character, `\` escapes) as a LIKE pattern with `\` as its escape. */
export function likePattern(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i];
      out += next === '%' || next === '_' || next === '\\' ? `\\${next}` : next;
    } else if (c === '*') out += '%';
    else if (c === '?') out += '_';
    else if (c === '%' || c === '_' || c === '\\') out += `\\${c}`;
    else out += c;
  }
  return out;
}

/**
 * The SQL conditions of a filter. `prefix` names the filter in error messages (`filter`, `filter.$or[0]`).
 */
export function buildWhere(
  filter: unknown,
  fields: Record<string, FieldSpec>,
  params: unknown[],
  prefix = 'filter',
): string[] {
  if (filter === undefined || filter === null) return [];
  if (!isOperatorObject(filter))
    throw new SearchError(`Request property [${prefix}] cannot be parsed: expected an object`);
  const clauses: string[] = [];
  for (const [name, raw] of Object.entries(filter)) {
    if (raw === undefined || raw === null) continue;
    const path = `${prefix}.${name}`;
    const spec = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    if (!spec) throw unknownField(path);
    if (spec.unsupported)
      throw new SearchError(`Request property [${path}] is not supported by this engine: ${spec.unsupported}`);
    if (spec.custom) {
      clauses.push(...spec.custom(raw, params, path));
      continue;
    }
    clauses.push(...fieldClauses(spec, path, raw, params));
  }
  return clauses;
}

/** The conditions on one field's SQL expression for a plain value or an operator object. */
export function fieldClauses(spec: FieldSpec, path: string, raw: unknown, params: unknown[]): string[] {
  const kind = kindOf(spec);
  const column = spec.column;
  const type = spec.cast ?? 'text';
  const p = (value: unknown) => `$${params.push(value)}::${type}`;
  const list = (op: string, value: unknown) => {
    if (!Array.isArray(value))
      throw new SearchError(`Request property [${path}.${op}] cannot be parsed: expected a list`);
    return `$${params.push(value.map((v, i) => String(checked(kind, spec, `${path}.${op}[${i}]`, v))))}::${type}[]`;
  };
  if (kind === 'boolean') {
    if (isOperatorObject(raw))
      throw new SearchError(`Request property [${path}] cannot be parsed: expected true or false`);
    return [`${column} = ${p(checked(kind, spec, path, raw))}`];
  }
  const ops = isOperatorObject(raw) ? raw : { $eq: raw };
  const clauses: string[] = [];
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    if (!OPERATORS[kind].includes(op))
      throw new SearchError(
        `Request property [${path}.${op}] cannot be parsed: '${op}' is not an operator of this field`,
      );
    const one = () => checked(kind, spec, `${path}.${op}`, value);
    if (op === '$exists') {
      if (typeof value !== 'boolean')
        throw new SearchError(`Request property [${path}.$exists] cannot be parsed: expected true or false`);
      clauses.push(
        spec.array ? `cardinality(${column}) ${value ? '>' : '='} 0` : `${column} IS ${value ? 'NOT NULL' : 'NULL'}`,
      );
      continue;
    }
    if (op === '$like') {
      if (typeof value !== 'string')
        throw new SearchError(`Request property [${path}.$like] cannot be parsed: expected a string`);
      const pattern = `$${params.push(likePattern(value))}::text`;
      clauses.push(
        spec.array
          ? `EXISTS (SELECT 1 FROM unnest(${column}) AS a(v) WHERE a.v LIKE ${pattern})`
          : `${column}::text LIKE ${pattern}`,
      );
      continue;
    }
    if (spec.array) {
      // Containment (@>, &&) rather than = ANY(…), so that a GIN index on the column can serve it.
      if (op === '$eq') clauses.push(`${column} @> ARRAY[${p(one())}]`);
      else if (op === '$neq') clauses.push(`NOT (${column} @> ARRAY[${p(one())}])`);
      else if (op === '$in') clauses.push(`${column} && ${list(op, value)}`);
      else if (op === '$notIn') clauses.push(`NOT (${column} && ${list(op, value)})`);
      continue;
    }
    switch (op) {
      case '$eq':
        clauses.push(`${column} = ${p(one())}`);
        break;
      case '$neq':
        clauses.push(`${column} IS DISTINCT FROM ${p(one())}`);
        break;
      case '$in':
        // Compared in the column's own type, so that its index serves the list.
        clauses.push(`${column} = ANY(${list(op, value)})`);
        break;
      case '$notIn':
        clauses.push(`(${column} IS NULL OR NOT (${column} = ANY(${list(op, value)})))`);
        break;
      case '$gt':
        clauses.push(`${column} > ${p(one())}`);
        break;
      case '$gte':
        clauses.push(`${column} >= ${p(one())}`);
        break;
      case '$lt':
        clauses.push(`${column} < ${p(one())}`);
        break;
      case '$lte':
        clauses.push(`${column} <= ${p(one())}`);
        break;
    }
  }
  return clauses;
}

/** One column of the order: its expression, type and direction. The last one is always the search's key. */
export interface OrderColumn {
  column: string;
  cast?: Cast;
  desc: boolean;
}

/** The order a search asks for, then its key (ascending), which makes every position unique. */
export function parseSort(sort: unknown, sorts: Record<string, SortSpec>, key: SortSpec): OrderColumn[] {
  if (sort !== undefined && sort !== null && !Array.isArray(sort))
    throw new SearchError('Request property [sort] cannot be parsed: expected a list');
  const order: OrderColumn[] = [];
  for (const [i, entry] of ((sort as unknown[] | null) ?? []).entries()) {
    if (!isOperatorObject(entry))
      throw new SearchError(`Request property [sort[${i}]] cannot be parsed: expected an object`);
    const field = entry.field;
    const spec =
      typeof field === 'string' && Object.prototype.hasOwnProperty.call(sorts, field) ? sorts[field] : undefined;
    if (!spec)
      throw new SearchError(
        `Request property [sort[${i}].field] cannot be parsed: ${JSON.stringify(field)} is not a sort field of this search (${Object.keys(sorts).join(', ')})`,
      );
    const direction = entry.order ?? 'ASC';
    if (direction !== 'ASC' && direction !== 'DESC')
      throw new SearchError(
        `Request property [sort[${i}].order] cannot be parsed: expected 'ASC' or 'DESC', but was ${JSON.stringify(direction)}`,
      );
    for (const name of Object.keys(entry))
      if (name !== 'field' && name !== 'order') throw unknownField(`sort[${i}].${name}`);
    order.push({ column: spec.column, cast: spec.cast, desc: direction === 'DESC' });
  }
  order.push({ column: key.column, cast: key.cast, desc: false });
  return order;
}

export function orderBy(order: OrderColumn[], reversed = false): string {
  return `ORDER BY ${order.map((o) => `${o.column} ${o.desc !== reversed ? 'DESC' : 'ASC'}`).join(', ')}`;
}

export type Page = { limit: number } & ({ from: number } | { after: string } | { before: string });

/** The page asked for: an offset (the default, from 0) or a cursor, and a limit (100 by default, at most 10,000). */
export function pageOf(page: unknown): Page {
  if (page === undefined || page === null) return { from: 0, limit: 100 };
  if (!isOperatorObject(page)) throw new SearchError('Request property [page] cannot be parsed: expected an object');
  for (const name of Object.keys(page))
    if (!['from', 'limit', 'after', 'before'].includes(name)) throw unknownField(`page.${name}`);
  const {
    from,
    limit = 100,
    after,
    before,
  } = page as { from?: unknown; limit?: unknown; after?: unknown; before?: unknown };
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
    throw new SearchError(
      `Request property [page.limit] cannot be parsed: expected an integer of at least 1, but was ${JSON.stringify(limit)}`,
    );
  const size = Math.min(limit, MAX_PAGE_SIZE);
  if (after !== undefined && before !== undefined)
    throw new SearchError('Both searchAfter and searchBefore cannot be set at the same time');
  if ((after !== undefined || before !== undefined) && from !== undefined)
    throw new SearchError('Request property [page] cannot be parsed: from cannot be combined with after or before');
  for (const [name, cursor] of [
    ['after', after],
    ['before', before],
  ] as const) {
    if (cursor === undefined) continue;
    if (typeof cursor !== 'string')
      throw new SearchError(`Request property [page.${name}] cannot be parsed: expected a cursor`);
    return name === 'after' ? { after: cursor, limit: size } : { before: cursor, limit: size };
  }
  const offset = from ?? 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
    throw new SearchError(
      `Request property [page.from] cannot be parsed: expected an integer of at least 0, but was ${JSON.stringify(from)}`,
    );
  return { from: offset, limit: size };
}

const CURSOR = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=)?$/;
const MAX_CURSOR = 300;

/** A row's position as a cursor: its sort values (text, the key last), or only its key when they are too long. */
export function encodeCursor(values: Array<string | null>): string {
  const full = Buffer.from(JSON.stringify(values)).toString('base64');
  if (full.length <= MAX_CURSOR) return full;
  return Buffer.from(JSON.stringify({ k: values[values.length - 1] })).toString('base64');
}

/** A cursor's sort values, or `{ key }` for a cursor that names only its row. */
export function decodeCursor(cursor: string, columns: number, name: string): Array<string | null> | { key: string } {
  const invalid = () =>
    new SearchError(
      `Request property [page.${name}] cannot be parsed: not a cursor of this search (use a startCursor or endCursor it answered)`,
    );
  if (cursor.length < 2 || cursor.length > MAX_CURSOR || !CURSOR.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (Array.isArray(decoded)) {
    if (decoded.length !== columns || !decoded.every((v) => v === null || typeof v === 'string')) throw invalid();
    if (typeof decoded[columns - 1] !== 'string' || !KEY.test(decoded[columns - 1] as string)) throw invalid();
    return decoded as Array<string | null>;
  }
  if (
    isOperatorObject(decoded) &&
    typeof decoded.k === 'string' &&
    KEY.test(decoded.k) &&
    Object.keys(decoded).length === 1
  )
    return { key: decoded.k };
  throw invalid();
}

/**
 * The rows strictly after a position in the given order: for each column, every earlier one equal and this one
 * past it. NULL sorts last ascending and first descending (PostgreSQL's default), i.e. as the greatest value.
 */
export function afterPosition(
  order: OrderColumn[],
  values: Array<string | null>,
  params: unknown[],
  reversed = false,
): string {
  const alternatives: string[] = [];
  const equal: string[] = [];
  order.forEach((o, i) => {
    const value = values[i];
    const v = value === null ? null : `$${params.push(value)}::${o.cast ?? 'text'}`;
    const desc = o.desc !== reversed;
    let past: string | undefined;
    if (v === null) past = desc ? `${o.column} IS NOT NULL` : undefined;
    else past = desc ? `${o.column} < ${v}` : `(${o.column} > ${v} OR ${o.column} IS NULL)`;
    if (past) alternatives.push([...equal, past].join(' AND '));
    equal.push(v === null ? `${o.column} IS NULL` : `${o.column} = ${v}`);
  });
  return alternatives.length ? `(${alternatives.map((a) => `(${a})`).join(' OR ')})` : 'false';
}
