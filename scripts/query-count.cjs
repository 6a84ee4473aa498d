// Preloaded into the app by `npm run bench:probe` (NODE_OPTIONS=--require): counts the SQL statements the app sends
// through node-postgres, by their text. On SIGUSR2 it writes the counts since the last signal to BENCH_QUERY_COUNT_FILE
// (JSON: { statement text: count }) and starts again from zero.
'use strict';
const file = process.env.BENCH_QUERY_COUNT_FILE;
if (file && require('node:worker_threads').isMainThread) {
  const fs = require('node:fs');
  const { Client } = require('pg');
  const counts = new Map();
  const query = Client.prototype.query;
  Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === 'string' ? config : config && config.text;
    const key = String(text).replace(/\s+/g, ' ').trim().slice(0, 120);
    counts.set(key, (counts.get(key) || 0) + 1);
    return query.call(this, config, ...rest);
  };
  process.on('SIGUSR2', () => {
    fs.writeFileSync(file, JSON.stringify(Object.fromEntries(counts)));
    counts.clear();
  });
}
