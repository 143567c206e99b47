// How free the event loop stays during each long call (MLP fit, autoencoder
// fit, word2vec train, PCA.fit, checkpointed word2vec, an MLP fit of a large
// model, an MLP fit whose every step is long, XOR's net for many epochs) on both backends at bench sizes: the time
// each call takes to return its promise, and the longest and p99 gap of a
// setInterval(…, 2) probe while it runs (bench/lib/loop-gaps.mjs), with the
// part of the longest gap the JS thread spent waiting for a CPU (Linux): on a
// loaded machine that part is the scheduler's. The library's bound: every
// call returns within 20 ms, no gap over 50 ms.
//   npm run build && node bench/event-loop.mjs [--backend js|native] [--small]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backendInfo } from '../dist/index.js';
import { measureBackend } from './lib/loop-gaps.mjs';
import { printTable } from './lib/table.mjs';

const { values: args } = parseArgs({ options: { backend: { type: 'string' }, small: { type: 'boolean' } } });
// Bench sizes: Fashion-MNIST's shape, a 256-unit layer, word2vec at dim 300, a model of 40 M
// parameters (160 MB: [1000, 20000, 1000]), steps of 6.4 G multiply-adds (the same layers,
// batch 64) and 250 000 epochs of XOR; --small to check the script.
const size = args.small
  ? { rows: 2000, cols: 784, hidden: 64, lines: 2000, dim: 50, model: [400, 6000, 400], large: [400, 6000, 400], smallEpochs: 60_000 }
  : { rows: 10_000, cols: 784, hidden: 256, lines: 20_000, dim: 300, model: [1000, 20_000, 1000], large: [1000, 20_000, 1000], smallEpochs: 250_000 };
const backends = args.backend ? [args.backend] : ['js', ...(backendInfo().native.available ? ['native'] : [])];
const dir = mkdtempSync(join(tmpdir(), 'fastnn-bench-loop-'));
try {
  const rows = [];
  for (const backend of backends) {
    for (const r of await measureBackend(backend, size, dir)) {
      const waited = r.maxWaitMs === null ? '?' : r.maxWaitMs.toFixed(1);
      rows.push([backend, r.call, r.returnMs.toFixed(1), r.maxMs.toFixed(1), waited, r.p99Ms.toFixed(1), r.returnMs <= 20 && r.maxMs <= 50 ? 'yes' : 'NO']);
    }
  }
  printTable(['backend', 'call', 'returns (ms)', 'longest gap (ms)', 'of it waiting for a CPU', 'p99 gap (ms)', 'within bounds'], rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
