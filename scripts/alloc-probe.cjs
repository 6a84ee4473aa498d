// Preloaded into the app by the benchmarks when BENCH_ALLOC_PROF=<dir> is set: V8's sampling heap profiler from the
// start, counting also the objects that garbage collection has already freed (node's --heap-prof keeps only those
// still alive), written to <dir>/alloc-<pid>.heapprofile when the process exits: where the app allocates, by call
// stack (open it in Chrome's DevTools, Memory tab). Allocation per request is steadier than CPU time on a noisy machine.
'use strict';
const dir = process.env.BENCH_ALLOC_PROF;
if (dir && require('node:worker_threads').isMainThread) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  // In the same thread the inspector answers at once: the profile is taken and written within the exit handler.
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) fs.writeFileSync(path.join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(result.profile));
    });
  });
}
