/**
 * The layer rules of .dependency-cruiser.cjs (run by `npm run lint`) catch a crossing: a fixture tree with a route
 * importing the composition root, the engine importing the domain, and a cycle between them fails each rule; the
 * project itself passes. (dependency-cruiser is an ES module: it is run as `npm run lint` runs it, by its CLI.)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function violations(cwd: string, folders: string[]): string[] {
  const run = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'depcruise'),
    ['--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', ...folders],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0 && !run.stdout) throw new Error(`depcruise failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as {
    summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> };
  };
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('the layer rules (npm run lint)', () => {
  it('when a route imports the composition root and the engine imports the domain in a cycle, then each crossing is a violation', () => {
    // when
    const found = violations(join(ROOT, 'tests', 'fixtures', 'layers'), ['api', 'server', 'engine', 'domain']);
    // then
    expect(found).toEqual([
      'engine-stands-apart: engine/core.ts -> domain/rule.ts',
      'no-circular: domain/rule.ts -> engine/core.ts',
      'nothing-imports-server: api/routes.ts -> server/server.ts',
      'only-server-imports-the-engine: domain/rule.ts -> engine/core.ts',
    ]);
  });

  it('when the project itself is checked, then no layer is crossed and there is no cycle', () => {
    // when
    const found = violations(ROOT, [
      'platform',
      'domain',
      'api',
      'workers',
      'server',
      'engine',
      'web/src',
      'bpmn',
      'migrations',
      'scripts',
      'tests',
    ]);
    // then
    expect(found).toEqual([]);
  });
});
