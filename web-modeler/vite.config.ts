/**
 * The admins' web modeler (/web-modeler/): its own Vite build into dist/web/web-modeler, after the pages' build
 * (web/vite.config.ts) has emptied dist/web. It shares the pages' API client, frame and words (web/src/lib).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: '/web-modeler/',
  build: {
    outDir: resolve(__dirname, '..', 'dist', 'web', 'web-modeler'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
});
