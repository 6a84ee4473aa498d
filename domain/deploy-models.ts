/**
 * The policy's models, decisions and forms are deployed when the app starts, to the embedded engine or a Camunda
 * cluster alike, through the SDK: for each resource, the version an admin deployed last from the web modeler
 * (`diagram_version`), else the file shipped in bpmn/. Deploying is idempotent: an unchanged resource is not a new
 * version, so a restart changes nothing — in particular it does not put the shipped file back over an admin's change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../platform/db';
import { APP_ROOT } from '../platform/paths';
import type { EngineClient } from '../platform/engine-client';

export const MODELS_DIR = join(APP_ROOT, 'bpmn');

export class ModelDeploymentError extends Error {
  constructor(cause: unknown) {
    const e = cause as { detail?: string; message?: string };
    super(`Could not deploy the models in bpmn/ to the engine: ${e.detail ?? e.message ?? String(cause)}`, { cause });
    this.name = 'ModelDeploymentError';
  }
}

const MIME = { bpmn: 'text/xml', dmn: 'text/xml', form: 'application/json' } as const;

/** What each resource's deployment should hold: the admin's last deployed version, else the shipped file. */
export async function modelsToDeploy(db: Queryable | undefined, dir = MODELS_DIR): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir)
    .filter((f) => /\.(bpmn|dmn|form)$/.test(f))
    .sort())
    out.set(f, readFileSync(join(dir, f), 'utf8'));
  if (db) {
    const deployed = await db.query<{ resource_name: string; content: string }>(
      `SELECT DISTINCT ON (resource_name) resource_name, content FROM diagram_version
       WHERE deployed_at IS NOT NULL ORDER BY resource_name, deployed_at DESC, version DESC`,
    );
    for (const d of deployed) out.set(d.resource_name, d.content);
  }
  return out;
}

export async function deployModels(
  client: EngineClient,
  db?: Queryable,
  dir = MODELS_DIR,
): Promise<Array<{ id: string; version: number }>> {
  const models = await modelsToDeploy(db, dir);
  const resources = [...models].map(
    ([name, content]) =>
      new File([content], name, { type: MIME[name.slice(name.lastIndexOf('.') + 1) as keyof typeof MIME] }),
  );
  try {
    const deployment = (await client.createDeployment({ resources: resources as never })) as unknown as {
      processes: Array<{ processDefinitionId: string; processDefinitionVersion: number }>;
    };
    return deployment.processes.map((p) => ({ id: p.processDefinitionId, version: p.processDefinitionVersion }));
  } catch (error) {
    throw new ModelDeploymentError(error);
  }
}
