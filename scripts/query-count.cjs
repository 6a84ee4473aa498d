// Preloaded into the app by `npm run bench:probe` (NODE_OPTIONS=--require): counts the SQL statements the app sends
// through node-postgres, by their text, and the engine calls the app makes to its own /v2 in process (see
// platform/in-process-fetch.ts), by method and route. On SIGUSR2 it writes the
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
  // Every answer the app's HTTP handling gives is counted in its request metrics (platform/metrics.ts), the engine's
  // /v2 calls in process included, whether they go through Express or the engine API's direct handler: those counts
  // are taken here by their route template (keys already left out).
  const { Counter } = require('prom-client');
  // (prom-client sets `inc` on each counter as it is made, to incWithoutExemplar unless exemplars are on.)
  const inc = Counter.prototype.incWithoutExemplar;
  Counter.prototype.incWithoutExemplar = function countedInc(labels, ...rest) {
    if (
      this.name === 'http_requests_total' &&
      labels &&
      typeof labels.route === 'string' &&
      labels.route.startsWith('/v2')
    )
      count(engine, `${labels.method} ${labels.route}`);
    return inc.call(this, labels, ...rest);
  };
  process.on('SIGUSR2', () => {
    fs.writeFileSync(file, JSON.stringify({ sql: Object.fromEntries(sql), engine: Object.fromEntries(engine) }));
    sql.clear();
    engine.clear();
  });
}
