/**
 * The pages (built by Vite into dist/web): static files, the resident's rating link (/rate/<token>), and a plain
 * message when the pages were not built rather than a silent 404.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { APP_ROOT } from '../../platform/paths';
import { Problem } from '../../platform/problem';

export const WEB_DIR = join(APP_ROOT, 'dist', 'web');

export function webRouter(dir = WEB_DIR): Router {
  const router = Router();
  if (!existsSync(join(dir, 'index.html'))) {
    router.get(['/', '/tasks.html', '/case.html', '/notices.html', '/rate/:token'], () => {
      throw new Problem(
        503,
        { zh: '页面尚未构建', en: 'Pages not built' },
        {
          zh: '请先运行 npm run build:web（npm start 会自动构建）。',
          en: 'Run npm run build:web first (npm start does it).',
        },
      );
    });
    return router;
  }
  router.get('/rate/:token', (_req, res) => res.sendFile(join(dir, 'rate.html')));
  router.use(
    express.static(dir, {
      index: 'index.html',
      maxAge: '1h',
      setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  return router;
}
