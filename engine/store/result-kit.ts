/**
 * What every search's specification uses (results.ts, job-results.ts, decision-results.ts): the specification's
 * shape, the one tenant, and the mapping of SQL values to Camunda's (dates as ISO instants, optional text).
 */
import type { FieldSpec, SortSpec } from './search';

export type Row = Record<string, unknown>;

export interface SearchSpec<T> {
  /** The FROM clause; a function for a search whose rows are derived per query (variables: narrowed by the filter). */
  from: string | ((filter: Record<string, unknown>, params: unknown[]) => string);
  select?: string;
  where?: string[];
  fields: Record<string, FieldSpec>;
  sorts: Record<string, SortSpec>;
  /** The unique key: the last sort column of every search, and what a cursor that names only its row gives. */
  key: SortSpec;
  map: (row: Row) => T;
}

export const TENANT = '<default>';
export const iso = (v: unknown) => (v == null ? undefined : new Date(v as string).toISOString());
export const str = (v: unknown) => (v == null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** The tenant of everything here: one, Camunda's default. */
const TENANT_COLUMN = `'${TENANT}'::text`;
export const tenantField: FieldSpec = { column: TENANT_COLUMN };
/** Something this engine never has (version tags, batch operations): a field that is always absent. */
export const absent: FieldSpec = { column: 'NULL::text' };
