/** Liveness and readiness. Readiness runs every check (database, engine) and names the ones that fail. */
import { Router } from 'express';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export function healthRouter(checks: ReadinessCheck[], timeoutMs = 3000): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });
  router.get('/readyz', async (req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), timeoutMs);
          return { name, status: 'up' as const };
        } catch (error) {
          return { name, status: 'down' as const, reason: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const down = results.filter((r) => r.status === 'down');
    if (down.length === 0) {
      res.json({ status: 'ready', checks: results });
      return;
    }
    const en = req.acceptsLanguages('zh', 'zh-CN', 'en') === 'en';
    res
      .status(503)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: en ? 'Not ready' : '服务未就绪',
        status: 503,
        detail: (en ? 'Unavailable: ' : '不可用：') + down.map((d) => `${d.name} (${d.reason})`).join(', '),
        instance: req.originalUrl,
        checks: results,
      });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
