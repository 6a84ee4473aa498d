/** The staff and public pages: a multi-page Vite build into dist/web, served by the app (no runtime downloads). */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const page = (name: string) => resolve(__dirname, `${name}.html`);

export default defineConfig({
  root: __dirname,
  base: '/',
  build: {
    outDir: resolve(__dirname, '..', 'dist', 'web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        index: page('index'),
        tasks: page('tasks'),
        case: page('case'),
        cases: page('cases'),
        ops: page('ops'),
        rate: page('rate'),
        notices: page('notices'),
        intake: page('intake'),
        dashboard: page('dashboard'),
        keypersons: page('keypersons'),
        grids: page('grids'),
        campaigns: page('campaigns'),
        warnings: page('warnings'),
        settings: page('settings'),
        streetOffice: page('street-office'),
      },
    },
  },
});
