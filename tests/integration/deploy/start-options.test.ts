/**
 * How node runs the app (`npm start`, the image, the benchmarks), for its memory under load (BENCHMARKS.md, "The app's
 * memory under bench:e2e"): a bounded old generation and V8's own young generation, so that garbage does not pile up
 * to several times the live heap; and glibc's mmap threshold fixed, so that the 16 MB each password hash (scrypt)
 * takes on a thread of libuv's pool goes back to the system instead of staying in that thread's malloc arena.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCommand } from '../../../scripts/bench-support';

const ROOT = join(__dirname, '..', '..', '..');
const read = (name: string) => readFileSync(join(ROOT, name), 'utf8');
const OLD_SPACE = /^--max-old-space-size=(\d+)$/;

/** The RSS (MB) that hashing `count` passwords at once, twice, leaves behind in a fresh node process with `env`. */
function rssLeftByHashing(env: Record<string, string>, count = 8): number {
  const script = `
    const { hashPassword } = require('./platform/password.ts');
    (async () => {
      await hashPassword('warm-up');
      const before = process.memoryUsage().rss;
      for (let round = 0; round < 2; round++) await Promise.all(Array.from({ length: ${count} }, (_, i) => hashPassword('password ' + i)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.stdout.write(String((process.memoryUsage().rss - before) / 1048576));
    })();`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
    cwd: ROOT,
    // libuv's default pool of four threads, each of which takes hashes in turn
    env: { PATH: process.env.PATH ?? '', UV_THREADPOOL_SIZE: '4', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`the hashing process failed (${run.status}): ${run.stderr}`);
  return Number(run.stdout);
}

const glibc = Boolean(
  (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime,
);

describe('how node runs the app', () => {
  const start = startCommand();
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

  it('when started with npm start, then the old generation is bounded and the young generation is V8’s own', () => {
    const old = start.nodeArgs.map((a) => OLD_SPACE.exec(a)).find(Boolean);
    expect(old).toBeTruthy();
    expect(Number(old![1])).toBeGreaterThanOrEqual(256);
    expect(Number(old![1])).toBeLessThanOrEqual(1024);
    // Each isolate, the step thread's too, commits its young generation whole: 64 MB semi-spaces cost 128 MB twice.
    expect(pkg.scripts.start).not.toMatch(/semi-space/);
    expect(pkg.scripts.workers).not.toMatch(/semi-space/);
    expect(pkg.scripts.workers).toMatch(/--max-old-space-size=\d+/);
    expect(start.env.MALLOC_MMAP_THRESHOLD_).toMatch(/^\d+$/);
  });

  it('when run from the image, then node gets the same heap bound and allocator setting as npm start', () => {
    const dockerfile = read('Dockerfile').replace(/\\\n/g, ' ');
    const env = [...dockerfile.matchAll(/^ENV\s+(.*)$/gm)].flatMap((m) => m[1].trim().split(/\s+/));
    expect(env).toContain(`NODE_OPTIONS=${start.nodeArgs.find((a) => OLD_SPACE.test(a))}`);
    expect(env).toContain(`MALLOC_MMAP_THRESHOLD_=${start.env.MALLOC_MMAP_THRESHOLD_}`);
  });

  (glibc ? it : it.skip)(
    'when passwords are hashed on every thread of the pool, then npm start’s environment leaves their memory behind no more',
    () => {
      // Without the setting, glibc raises its mmap threshold past the hash's 16 MB once the first is freed, and each of
      // the four threads then keeps 16 MB in its arena for good (64 MB of RSS).
      expect(rssLeftByHashing({})).toBeGreaterThanOrEqual(32);
      expect(rssLeftByHashing(start.env)).toBeLessThan(16);
    },
  );
});
