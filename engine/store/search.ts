/**
 * Camunda search queries ({ filter, sort, page }) turned into SQL: each filter field may be a plain value or an
 * advanced operator object ({ $eq, $neq, $in, $exists, $gt, $gte, $lt, $lte, $like }).
 */
export interface SearchQuery {
  filter?: Record<string, unknown>;
  sort?: Array<{ field: string; order?: 'ASC' | 'DESC' | 'asc' | 'desc' }>;
  page?: { from?: number; limit?: number };
}

export interface FieldSpec {
  column: string;
  /** array columns (candidate groups) match when they contain the value */
  array?: boolean;
  cast?: 'bigint' | 'timestamptz' | 'boolean' | 'integer';
}

export class SearchError extends Error {}

export function buildWhere(
  filter: Record<string, unknown> | undefined,
  fields: Record<string, FieldSpec>,
  params: unknown[],
): string[] {
  const clauses: string[] = [];
  for (const [name, raw] of Object.entries(filter ?? {})) {
    if (raw === undefined) continue;
    const spec = fields[name];
    if (!spec) continue; // filters the embedded engine does not index are ignored, like unknown properties
    const p = (value: unknown) => {
      params.push(spec.cast === 'bigint' ? String(value) : value);
      return `$${params.length}${spec.cast ? `::${spec.cast}` : ''}`;
    };
    const ops = isOperatorObject(raw) ? raw : { $eq: raw };
    for (const [op, value] of Object.entries(ops)) {
      if (spec.array) {
        // Containment (@>, &&) rather than = ANY(…), so that a GIN index on the column can serve it.
        if (op === '$eq') clauses.push(`${spec.column} @> ARRAY[${p(String(value))}]::text[]`);
        else if (op === '$in') clauses.push(`${spec.column} && ${p((value as unknown[]).map(String))}::text[]`);
        else if (op === '$exists') clauses.push(value ? `cardinality(${spec.column}) > 0` : `cardinality(${spec.column}) = 0`);
        else throw new SearchError(`filter ${name} does not support ${op}`);
        continue;
      }
      switch (op) {
        case '$eq':
          clauses.push(`${spec.column} = ${p(value)}`);
          break;
        case '$neq':
          clauses.push(`${spec.column} IS DISTINCT FROM ${p(value)}`);
          break;
        case '$in': {
          if (!Array.isArray(value)) throw new SearchError(`filter ${name}.$in must be a list`);
          params.push(value.map(String));
          // Compared in the column's own type, so its index serves the list (keys compared as text cast every row).
          clauses.push(`${spec.column} = ANY($${params.length}::${spec.cast ?? 'text'}[])`);
          break;
        }
        case '$exists':
          clauses.push(value ? `${spec.column} IS NOT NULL` : `${spec.column} IS NULL`);
          break;
        case '$gt':
          clauses.push(`${spec.column} > ${p(value)}`);
          break;
        case '$gte':
          clauses.push(`${spec.column} >= ${p(value)}`);
          break;
        case '$lt':
          clauses.push(`${spec.column} < ${p(value)}`);
          break;
        case '$lte':
          clauses.push(`${spec.column} <= ${p(value)}`);
          break;
        case '$like':
          clauses.push(`${spec.column}::text LIKE ${p(String(value).replace(/\*/g, '%'))}`);
          break;
        default:
          throw new SearchError(`filter ${name} does not support ${op}`);
      }
    }
  }
  return clauses;
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).every((k) => k.startsWith('$'));
}

export function buildOrder(sort: SearchQuery['sort'], fields: Record<string, FieldSpec>, fallback: string): string {
  const parts = (sort ?? [])
    .filter((s) => fields[s.field])
    .map((s) => `${fields[s.field].column} ${String(s.order ?? 'ASC').toUpperCase() === 'DESC' ? 'DESC' : 'ASC'}`);
  return `ORDER BY ${[...parts, fallback].join(', ')}`;
}

export function pageOf(page: SearchQuery['page']): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Number(page?.limit ?? 100), 0), 10000);
  const offset = Math.max(Number(page?.from ?? 0), 0);
  if (!Number.isFinite(limit) || !Number.isFinite(offset)) throw new SearchError('page.from and page.limit must be numbers');
  return { limit, offset };
}
