// Baseline for docs/PERFORMANCE.md: tardis-dev's OrderBook applying the level updates of a real
// Binance USD-M capture, the same stream rlx's OrderBook benchmark replays: the REST snapshot,
// then every diff with u >= lastUpdateId, in capture order. Prints the median of N repetitions.
//   node tardis_orderbook.js FILE.gz [REPETITIONS]
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const { OrderBook } = require('tardis-dev');

const [file, reps = '5'] = process.argv.slice(2);
const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
let snapshot = null;
const diffs = [];
for (const line of lines) {
  const json = line.slice(line.indexOf(' ') + 1);
  if (json.includes('"lastUpdateId"')) snapshot = JSON.parse(json);
  else if (json.includes('depthUpdate')) diffs.push(JSON.parse(json).data);
}
const level = ([p, s]) => ({ price: Number(p), amount: Number(s) });
const snapChange = { isSnapshot: true, bids: snapshot.bids.map(level), asks: snapshot.asks.map(level) };
const changes = diffs
  .filter((d) => d.u >= snapshot.lastUpdateId)
  .map((d) => ({ isSnapshot: false, bids: d.b.map(level), asks: d.a.map(level) }));
const updates = changes.reduce((n, c) => n + c.bids.length + c.asks.length, 0);

const rates = [];
for (let r = 0; r < Number(reps); r++) {
  const book = new OrderBook();
  book.update(snapChange);  // reset, outside the timing like rlx's benchmark
  const t0 = process.hrtime.bigint();
  for (const c of changes) book.update(c);
  const ns = Number(process.hrtime.bigint() - t0);
  rates.push(updates / (ns / 1e9));
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
console.log(JSON.stringify({ file: file.split('/').pop(), level_updates: updates, median_updates_per_s: Math.round(median) }));
