// The app compiled for production: every TypeScript module of the server side (platform, domain, api, workers,
// server, engine, migrations, bpmn's declared names) transpiled one to one into dist/app as CommonJS, beside the
// sources' layout so that relative imports hold. Types are checked by `npm run typecheck`, not here. The models,
// forms and pages are not copied: the app reads them from the project's root (platform/paths.ts).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const FOLDERS = ['platform', 'domain', 'api', 'workers', 'server', 'engine', 'migrations', 'bpmn'];
const entryPoints = FOLDERS.flatMap((folder) =>
  readdirSync(folder, { recursive: true })
    .map((f) => `${folder}/${f}`)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
);

rmSync('dist/app', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist/app',
  outbase: '.',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`dist/app: ${entryPoints.length} modules`);
