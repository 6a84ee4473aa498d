// The step thread's entry (see step-thread.ts): its TypeScript through tsx's CommonJS loader.
require('tsx/cjs');
require('./step-worker.ts');
