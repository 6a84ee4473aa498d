/**
 * Reads about an instance's surroundings and a definition's instances as a whole: the call hierarchy, and how many
 * element instances of each element are active, completed, canceled and held by an incident (Operate's counts on a
 * diagram).
 */
import type { EngineDb } from './db';
import { notFound } from '../errors';
import { SEARCHES, filterClauses } from './results';

/** The instance and the instances that called it, from the root down (Camunda's call hierarchy). */
export async function callHierarchy(db: EngineDb, key: string) {
  const rows = await db.query<{
    key: string;
    definition_key: string;
    name: string | null;
    resource_id: string;
    depth: number;
  }>(
    `WITH RECURSIVE chain(key, parent, depth) AS (
       SELECT key, parent_instance_key, 0 FROM engine_instance WHERE key = $1
       UNION ALL SELECT p.key, p.parent_instance_key, chain.depth + 1 FROM engine_instance p JOIN chain ON p.key = chain.parent)
     SELECT i.key::text, i.definition_key::text, r.name, r.resource_id, chain.depth
     FROM chain JOIN engine_instance i ON i.key = chain.key JOIN engine_resource r ON r.key = i.definition_key ORDER BY chain.depth DESC`,
    [key],
  );
  if (rows.length === 0) throw notFound('process instance', key);
  return rows.map((r) => ({
    processInstanceKey: r.key,
    processDefinitionKey: r.definition_key,
    processDefinitionName: r.name ?? r.resource_id,
  }));
}

/**
 * How many element instances of each element are active, completed, canceled and held by an incident: of one
 * instance, or of a definition's instances that match a process instance filter (Operate's counts on a diagram).
 */
export async function elementStatistics(
  db: EngineDb,
  scope: { instanceKey: string } | { definitionKey: string; filter?: unknown },
) {
  const params: unknown[] = [];
  let instances: string;
  if ('instanceKey' in scope) {
    const [found] = await db.query('SELECT 1 FROM engine_instance WHERE key = $1', [scope.instanceKey]);
    if (!found) throw notFound('process instance', scope.instanceKey);
    instances = `SELECT $${params.push(scope.instanceKey)}::bigint`;
  } else {
    const [found] = await db.query("SELECT 1 FROM engine_resource WHERE kind = 'process' AND key = $1", [
      scope.definitionKey,
    ]);
    if (!found) throw notFound('process definition', scope.definitionKey);
    const where = [
      `i.definition_key = $${params.push(scope.definitionKey)}::bigint`,
      ...filterClauses(SEARCHES.instances, scope.filter ?? {}, params),
    ];
    instances = `SELECT i.key FROM engine_instance i JOIN engine_resource r ON r.key = i.definition_key WHERE ${where.join(' AND ')}`;
  }
  const rows = await db.query<{
    element_id: string;
    active: string;
    completed: string;
    canceled: string;
    incidents: string;
  }>(
    `WITH picked AS (${instances}),
     counts AS (
       SELECT e.element_id, count(*) FILTER (WHERE e.state = 'ACTIVE') AS active, count(*) FILTER (WHERE e.state = 'COMPLETED') AS completed,
         count(*) FILTER (WHERE e.state = 'TERMINATED') AS canceled
       FROM engine_element e WHERE e.instance_key IN (SELECT * FROM picked) AND e.element_type NOT IN ('PROCESS', 'MULTI_INSTANCE_BODY')
       GROUP BY e.element_id),
     held AS (
       SELECT n.element_id, count(DISTINCT n.element_key) AS incidents FROM engine_incident n
       WHERE n.instance_key IN (SELECT * FROM picked) AND n.state = 'ACTIVE' GROUP BY n.element_id)
     SELECT coalesce(c.element_id, h.element_id) AS element_id, coalesce(c.active, 0) AS active, coalesce(c.completed, 0) AS completed,
       coalesce(c.canceled, 0) AS canceled, coalesce(h.incidents, 0) AS incidents
     FROM counts c FULL JOIN held h ON h.element_id = c.element_id ORDER BY 1`,
    params,
  );
  return {
    items: rows.map((r) => ({
      elementId: r.element_id,
      active: Number(r.active),
      canceled: Number(r.canceled),
      incidents: Number(r.incidents),
      completed: Number(r.completed),
    })),
  };
}
