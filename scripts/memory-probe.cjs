// Preloaded into the app by the benchmarks (NODE_OPTIONS=--require): appends process.memoryUsage() as one JSON
// line to BENCH_MEMORY_FILE every BENCH_MEMORY_INTERVAL_MS, so the benchmark reads the app's heap, not only its RSS.
// Every process of the app writes its own lines (APP_PROCESSES > 1), each with its pid.
'use strict';
const file = process.env.BENCH_MEMORY_FILE;
// Main thread only: a worker thread's memoryUsage() reports its own heap.
if (file && require('node:worker_threads').isMainThread) {
  const fs = require('node:fs');
  const every = Number(process.env.BENCH_MEMORY_INTERVAL_MS || 5000);
  const sample = () => {
    const m = process.memoryUsage();
    fs.appendFileSync(
      file,
      JSON.stringify({
        t: Date.now(),
        pid: process.pid,
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
      }) + '\n',
    );
  };
  setInterval(sample, every).unref();
}
