/**
 * The policy's models, decisions and forms (bpmn/) are deployed when the app starts, to the embedded engine or a
 * Camunda cluster alike, through the SDK. Deploying is idempotent: an unchanged resource is not a new version, so a
 * restart changes nothing, and a model an admin edited on disk becomes the next version.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineClient } from './engine-client';

export const MODELS_DIR = join(__dirname, '..', 'bpmn');

export class ModelDeploymentError extends Error {
  constructor(cause: unknown) {
    const e = cause as { detail?: string; message?: string };
    super(`Could not deploy the models in bpmn/ to the engine: ${e.detail ?? e.message ?? String(cause)}`, { cause });
    this.name = 'ModelDeploymentError';
  }
}

export async function deployModels(client: EngineClient, dir = MODELS_DIR): Promise<Array<{ id: string; version: number }>> {
  const files = readdirSync(dir)
    .filter((f) => /\.(bpmn|dmn|form)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  try {
    const deployment = (await client.deployResourcesFromFiles(files)) as unknown as {
      processes: Array<{ processDefinitionId: string; processDefinitionVersion: number }>;
    };
    return deployment.processes.map((p) => ({ id: p.processDefinitionId, version: p.processDefinitionVersion }));
  } catch (error) {
    throw new ModelDeploymentError(error);
  }
}
