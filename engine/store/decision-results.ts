/**
 * Searches of the deployed decisions, as Camunda 8.8 answers them: decision requirements graphs (a DMN file) and
 * decision definitions (each decision of one). Same rules as results.ts.
 */
import type { FieldSpec } from './search';
import { str, tenantField, TENANT, type Row, type SearchSpec } from './result-kit';

// ---------------------------------------------------------------- decision requirements

export function decisionRequirementsResult(row: Row) {
  return {
    decisionRequirementsName: str(row.name) ?? String(row.resource_id),
    version: Number(row.version),
    decisionRequirementsId: String(row.resource_id),
    resourceName: String(row.resource_name),
    tenantId: TENANT,
    decisionRequirementsKey: String(row.key),
  };
}

export const decisionRequirements: SearchSpec<ReturnType<typeof decisionRequirementsResult>> = {
  from: 'engine_resource d',
  where: ["d.kind = 'decision_requirements'"],
  fields: {
    decisionRequirementsKey: { column: 'd.key', cast: 'bigint' },
    decisionRequirementsId: { column: 'd.resource_id' },
    decisionRequirementsName: { column: 'd.name' },
    version: { column: 'd.version', cast: 'integer' },
    resourceName: { column: 'd.resource_name' },
    tenantId: tenantField,
  },
  sorts: {
    decisionRequirementsKey: { column: 'd.key', cast: 'bigint' },
    decisionRequirementsName: { column: 'd.name' },
    version: { column: 'd.version', cast: 'integer' },
    decisionRequirementsId: { column: 'd.resource_id' },
    tenantId: tenantField,
  },
  key: { column: 'd.key', cast: 'bigint' },
  map: decisionRequirementsResult,
};

// ---------------------------------------------------------------- decision definitions

export function decisionDefinitionResult(row: Row) {
  return {
    decisionDefinitionId: String(row.resource_id),
    name: str(row.name) ?? String(row.resource_id),
    version: Number(row.version),
    decisionRequirementsId: str(row.requirements_id) ?? '',
    tenantId: TENANT,
    decisionDefinitionKey: String(row.key),
    decisionRequirementsKey: str(row.decision_requirements_key) ?? '',
  };
}

/** What {@link decisionDefinitionResult} reads: the decision and its requirements graph's id. */
export const DECISION_FROM =
  "engine_resource d LEFT JOIN engine_resource g ON g.key = d.decision_requirements_key AND g.kind = 'decision_requirements'";
export const DECISION_COLUMNS =
  'd.key, d.resource_id, d.name, d.version, d.decision_requirements_key, g.resource_id AS requirements_id';

/** A decision's fields: each filters and sorts alike. */
const DECISION_FIELDS: Record<string, FieldSpec> = {
  decisionDefinitionKey: { column: 'd.key', cast: 'bigint' },
  decisionDefinitionId: { column: 'd.resource_id' },
  name: { column: 'd.name' },
  version: { column: 'd.version', cast: 'integer' },
  decisionRequirementsId: { column: 'g.resource_id' },
  decisionRequirementsKey: { column: 'd.decision_requirements_key', cast: 'bigint' },
  tenantId: tenantField,
};

export const decisionDefinitions: SearchSpec<ReturnType<typeof decisionDefinitionResult>> = {
  from: DECISION_FROM,
  select: DECISION_COLUMNS,
  where: ["d.kind = 'decision'"],
  fields: DECISION_FIELDS,
  sorts: DECISION_FIELDS,
  key: { column: 'd.key', cast: 'bigint' },
  map: decisionDefinitionResult,
};
