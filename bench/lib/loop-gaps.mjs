// The event loop during fastnn's long calls (compiled package, dist/): how
// long each call takes to return its promise, and the longest and the p99
// gap between ticks of a setInterval(…, 2) probe while it runs. Shared by
// bench/event-loop.mjs (bench sizes) and the CI test's child
// (test/helpers/children/event-loop.mjs, moderate sizes).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Autoencoder, fitWithCheckpoints, MLP, Matrix, PCA, Rng, Word2Vec, useBackend } from '../../dist/index.js';
import { fastnnXor, fitFastnnXor } from './xor.mjs';

// The JS thread's time waiting for a CPU so far (ns; Linux's schedstat, null elsewhere): on a loaded machine a
// gap can be the scheduler's, not the library's, and the run-queue wait inside the longest gap says which.
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const runQueueNs = existsSync(SCHEDSTAT) ? () => Number(readFileSync(SCHEDSTAT, 'latin1').split(' ')[1]) : () => null;

/** `call()`'s return time (ms), the probe's longest gap and p99 (ms) until its promise settles, and how much of
 * the longest gap the JS thread spent waiting for a CPU (ms; null where unknown). */
export async function probeLoop(call) {
  const gaps = [];
  let [last, lastWait] = [performance.now(), runQueueNs()];
  let longest = { ms: 0, waitMs: null };
  const tick = () => {
    const [now, wait] = [performance.now(), runQueueNs()];
    gaps.push(now - last);
    if (now - last > longest.ms) longest = { ms: now - last, waitMs: wait === null ? null : (wait - lastWait) / 1e6 };
    [last, lastWait] = [now, wait];
  };
  const probe = setInterval(tick, 2);
  try {
    const t0 = performance.now();
    const promise = call();
    const returnMs = performance.now() - t0;
    await promise;
    tick();
    gaps.sort((a, b) => a - b);
    return { returnMs, maxMs: gaps.at(-1), p99Ms: gaps[Math.floor(0.99 * (gaps.length - 1))], maxWaitMs: longest.waitMs };
  } finally {
    clearInterval(probe);
  }
}

function uniform(rows, cols, seed) {
  const rng = new Rng(seed);
  const x = new Matrix(new Float32Array(rows * cols), rows, cols);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniform();
  return x;
}

/** A corpus of `lines` lines of 20 words out of `types`, written into `dir`. */
function corpusFile(dir, lines, types) {
  const rng = new Rng(3);
  const text = Array.from({ length: lines }, () => Array.from({ length: 20 }, () => `w${Math.floor(rng.uniform() * types)}`).join(' ')).join('\n');
  const path = join(dir, `corpus-${lines}-${types}.txt`);
  writeFileSync(path, text + '\n');
  return path;
}

/**
 * The long calls at a size: `size.rows` × `size.cols` data for the fits and
 * PCA, a `size.hidden`-unit layer, `size.lines` corpus lines at `size.dim` (checkpointed every 0.1 s:
 * of 50 000 word types at dim 300), a fit of an MLP of layers `size.model` on a few rows with Adam and
 * restoreBestWeights (three arrays the size of the model and one copy of it: nothing may pass over
 * them on the JS thread), the same fit checkpointed after each epoch, and two batches of 64 rows through an MLP of layers
 * `size.large`, whose every step is long (on the TS backend, seconds at [1000, 20000, 1000]), and XOR's net
 * for `size.smallEpochs` epochs. Each entry sets its call up (data, models, warm-up: outside the probe) and returns
 * it, or a promise of it.
 */
export function longCalls(size, dir) {
  const x = () => uniform(size.rows, size.cols, 1);
  const labels = Int32Array.from({ length: size.rows }, (_, i) => i % 10);
  return {
    'MLP fit': () => {
      const [data, net] = [x(), new MLP({ layers: [size.cols, size.hidden, 10], task: 'multiclass', hidden: 'relu', seed: 1 })];
      return () => net.fit(data, labels, { epochs: 1, batchSize: 64 });
    },
    'autoencoder fit': () => {
      const [data, net] = [x(), new Autoencoder({ layers: [size.cols, size.hidden, 32], loss: 'bce', seed: 1 })];
      return () => net.fit(data, { epochs: 1, batchSize: 64 });
    },
    'word2vec train': () => {
      const corpus = corpusFile(dir, size.lines, 5000);
      return () => Word2Vec.train({ input: corpus, vectorSize: size.dim, minCount: 1, epochs: 1, threads: 1, sample: 0 });
    },
    'PCA.fit': () => {
      const data = x();
      return () => PCA.fit(data, 10);
    },
    'word2vec checkpointed': () => {
      // Many distinct words, so each checkpoint has large vectors to pause on, write and resume.
      const wide = corpusFile(dir, size.lines, 50000);
      return () =>
        Word2Vec.train({
          input: wide,
          vectorSize: 300,
          minCount: 1,
          epochs: 3,
          threads: 2,
          sample: 0,
          checkpoint: { path: join(dir, 'word2vec.checkpoint'), everySeconds: 0.1 },
        });
    },
    'MLP fit, large model': () => {
      // Few rows, so the time goes to what scales with the weights: Adam's state, the best weights kept for
      // restoreBestWeights, and a report after every epoch.
      const [inputs, , outputs] = size.model;
      const net = new MLP({ layers: size.model, task: 'regression', hidden: 'relu', seed: 1 });
      const [data, targets] = [uniform(4, inputs, 2), uniform(4, outputs, 3)];
      const options = { epochs: 3, batchSize: 2, validationSplit: 0.5, optimizer: { type: 'adam' }, onEpoch: () => {} };
      return () => net.fit(data, targets, { ...options, earlyStopping: { patience: 3, restoreBestWeights: true } });
    },
    'MLP fit with checkpoints, large model': () => {
      // The same model checkpointed after every epoch: each file holds the weights, Adam's two moments and the
      // best weights, written from the model's own arrays, and the run's end restores the best weights.
      const [inputs, , outputs] = size.model;
      const net = new MLP({ layers: size.model, task: 'regression', hidden: 'relu', seed: 1 });
      const [data, targets] = [uniform(4, inputs, 2), uniform(4, outputs, 3)];
      const options = { epochs: 2, batchSize: 2, validationSplit: 0.5, optimizer: { type: 'adam' } };
      const checkpoint = { path: join(dir, 'mlp.checkpoint') };
      return () => fitWithCheckpoints(net, data, targets, { ...options, earlyStopping: { patience: 3, restoreBestWeights: true } }, checkpoint);
    },
    'MLP fit, many small epochs': async () => {
      // XOR's net for `size.smallEpochs` epochs of four one-row steps, after a first fit (outside the probe) that
      // lets V8 optimise the loop, as in a long-running process. A fit runs as jobs of a few thousand epochs; on
      // the TS backend each one of them, warm, ends just short of a slice, and a job that opened a slice of its
      // own then held the loop for several jobs in a row.
      await fitFastnnXor(fastnnXor(), size.smallEpochs);
      const net = fastnnXor();
      return () => fitFastnnXor(net, size.smallEpochs);
    },
    'MLP fit, large steps': () => {
      const [inputs, , outputs] = size.large;
      const net = new MLP({ layers: size.large, task: 'regression', hidden: 'relu', seed: 1 });
      const [data, targets] = [uniform(128, inputs, 2), uniform(128, outputs, 3)];
      return () => net.fit(data, targets, { epochs: 1, batchSize: 64 });
    },
  };
}

/** Each long call on `backend` (those named in `only`, when given): { call, returnMs, maxMs, p99Ms }. */
export async function measureBackend(backend, size, dir, only) {
  useBackend(backend);
  const rows = [];
  for (const [call, setUp] of Object.entries(longCalls(size, dir))) {
    if (!only || only.includes(call)) rows.push({ call, ...(await probeLoop(await setUp())) });
  }
  return rows;
}
