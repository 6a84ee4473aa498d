/**
 * Where the app's files are, whether it runs from its TypeScript sources (tsx, Jest) or compiled into dist/app
 * (`npm run build`, the Docker image): the project's root is the nearest folder above this module that holds
 * package.json. The models (bpmn/) and the built pages (dist/web) are read from there, never from beside the code.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: cannot tell where the app's files are`);
  }
}

export const APP_ROOT = projectRoot(__dirname);
