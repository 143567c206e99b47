// What normalisation, dropout and frozen layers cost (or save) per
// epoch: an MLP [784, 256, 128, 10] on --rows generated rows (timings do not
// depend on the pixels), one epoch of Adam at batch 64, plain, with both
// hidden layers layer- or batch-normalised, with dropout 0.5 on both, and
// with the first two layers frozen. Medians of --runs
// runs on the active backend (FASTNN_BACKEND=js|native); prints a table and
// writes bench/results/layers-<backend>.json.
//   npm run build && flock /tmp/fastnn-bench.lock node bench/layers.mjs [--rows 10000] [--runs 5]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MLP, Matrix, Rng, backendInfo } from '../dist/index.js';
import { machineInfo } from './lib/machine.mjs';
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
const rows = Number(values.rows ?? 10_000);
const runs = Number(values.runs ?? 5);
const rng = new Rng(1);
const x = new Matrix(
  Float32Array.from({ length: rows * 784 }, () => rng.uniform()),
  rows,
  784,
);
const y = Int32Array.from({ length: rows }, () => rng.below(10));

const variants = {
  plain: { config: {}, fit: {} },
  'layer norm': { config: { norm: 'layer' }, fit: {} },
  'batch norm': { config: { norm: 'batch' }, fit: {} },
  'dropout 0.5': { config: { dropout: 0.5 }, fit: {} },
  'freeze [0, 1]': { config: {}, fit: { freeze: [0, 1] } },
};
const seconds = {};
// Interleaved: run r of every variant before run r + 1 of any, so a load change hits them alike.
for (let r = 0; r < runs; r++) {
  for (const [name, v] of Object.entries(variants)) {
    const net = new MLP({ layers: [784, 256, 128, 10], task: 'multiclass', seed: 1, ...v.config });
    const t = performance.now();
    await net.fit(x, y, { epochs: 1, batchSize: 64, optimizer: { type: 'adam', lr: 1e-3 }, ...v.fit });
    (seconds[name] ??= []).push((performance.now() - t) / 1000);
  }
}
const base = median(seconds.plain);
const backend = backendInfo().active;
console.log(`MLP [784, 256, 128, 10], ${rows} rows, batch 64, adam; backend ${backend}; medians of ${runs}`);
printTable(
  ['variant', 's / epoch', 'vs plain'],
  Object.keys(variants).map((name) => [name, median(seconds[name]).toFixed(3), `${(median(seconds[name]) / base).toFixed(2)}×`]),
);
const out = new URL('./results/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `layers-${backend}.json`), JSON.stringify({ machine: machineInfo(), rows, runs, seconds }, null, 2) + '\n');
