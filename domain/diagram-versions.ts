/**
 * The versions of the models admins save in the web modeler (diagram_version): each saved version with its comment,
 * who saved it, its problems counted and when it was deployed. Version 0 of a model, the file in bpmn/, is not here.
 */
import type { Queryable } from '../platform/db';

/** A saved version of a model as the history shows it. */
export interface VersionRow {
  version: number;
  content: string;
  comment: string | null;
  saved_by: string;
  saved_at: Date;
  error_count: number;
  deployed_at: Date | null;
}

/** The saved version `version` of the model, or its latest saved version when `version` is undefined. */
export async function savedVersion(
  db: Queryable,
  name: string,
  version?: number,
): Promise<Pick<VersionRow, 'version' | 'content'> | undefined> {
  const [row] = await db.query<VersionRow>(
    `SELECT version, content FROM diagram_version WHERE resource_name = $1 ${version === undefined ? '' : 'AND version = $2'} ORDER BY version DESC LIMIT 1`,
    version === undefined ? [name] : [name, version],
  );
  return row;
}

/** Per model with saved versions: its latest saved version, its latest deployed one (or null), when saved last. */
export async function savedModels(
  db: Queryable,
): Promise<Array<{ resource_name: string; latest: number; deployed: number | null; saved_at: Date }>> {
  return db.query<{
    resource_name: string;
    latest: number;
    deployed: number | null;
    saved_at: Date;
  }>(
    `SELECT resource_name, max(version) AS latest, max(version) FILTER (WHERE deployed_at IS NOT NULL) AS deployed, max(saved_at) AS saved_at
         FROM diagram_version GROUP BY resource_name`,
  );
}

/** The model's saved versions, newest first, without their content. */
export async function versionHistory(db: Queryable, name: string): Promise<VersionRow[]> {
  return db.query<VersionRow>(
    'SELECT version, comment, saved_by, saved_at, error_count, deployed_at FROM diagram_version WHERE resource_name = $1 ORDER BY version DESC',
    [name],
  );
}

/** A new version of the model saved (numbered after its latest), with its problems counted; answers its number. */
export async function saveVersion(
  db: Queryable,
  v: { name: string; content: string; comment: string | null; savedBy: string; errorCount: number },
): Promise<number> {
  const [row] = await db.query<{ version: number }>(
    `INSERT INTO diagram_version (resource_name, version, content, comment, saved_by, error_count)
         SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4, $5 FROM diagram_version WHERE resource_name = $1
         RETURNING version`,
    [v.name, v.content, v.comment, v.savedBy, v.errorCount],
  );
  return row.version;
}

/** The saved version is deployed now, as the engine's deployment `deploymentKey`. */
export async function versionDeployed(
  db: Queryable,
  name: string,
  version: number,
  deploymentKey: string,
): Promise<void> {
  await db.query(
    'UPDATE diagram_version SET deployed_at = now(), deployment_key = $3 WHERE resource_name = $1 AND version = $2',
    [name, version, deploymentKey],
  );
}
