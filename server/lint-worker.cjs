// The lint thread's entry (see lint-thread.ts): its TypeScript through tsx's CommonJS loader.
require('tsx/cjs');
require('./lint-worker.ts');
