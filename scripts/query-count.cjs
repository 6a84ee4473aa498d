// Preloaded into the app by `npm run bench:probe` (NODE_OPTIONS=--require): counts the SQL statements the app sends
// through node-postgres, by their text, and the engine calls the app makes to its own /v2 in process (through
// light-my-request, see server/in-process-fetch.ts), by method and path with keys left out. On SIGUSR2 it writes the
// counts since the last signal to BENCH_QUERY_COUNT_FILE (JSON: { sql: { text: count }, engine: { call: count } })
// and starts again from zero.
'use strict';
const file = process.env.BENCH_QUERY_COUNT_FILE;
if (file && require('node:worker_threads').isMainThread) {
  const fs = require('node:fs');
  const { Client } = require('pg');
  const sql = new Map();
  const engine = new Map();
  const count = (counts, key) => counts.set(key, (counts.get(key) || 0) + 1);
  const query = Client.prototype.query;
  Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === 'string' ? config : config && config.text;
    count(sql, String(text).replace(/\s+/g, ' ').trim().slice(0, 120));
    return query.call(this, config, ...rest);
  };
  // The app imports light-my-request's default export: the cached module is replaced by a counting one.
  const path = require.resolve('light-my-request');
  const inject = require(path);
  const counted = function countedInject(dispatch, options, ...rest) {
    if (options && typeof options === 'object') count(engine, `${options.method} ${String(options.url).split('?')[0].replace(/\/\d+/g, '/:key')}`);
    return inject(dispatch, options, ...rest);
  };
  Object.assign(counted, inject, { default: counted, inject: counted });
  require.cache[path].exports = counted;
  process.on('SIGUSR2', () => {
    fs.writeFileSync(file, JSON.stringify({ sql: Object.fromEntries(sql), engine: Object.fromEntries(engine) }));
    sql.clear();
    engine.clear();
  });
}
