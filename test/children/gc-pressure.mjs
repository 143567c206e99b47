// Run by test/gc-pressure.test.ts as `node --expose-gc gc-pressure.mjs <mode>`
// on the compiled package (dist/). A native training job borrows its arrays
// from JS; the job must keep them alive by itself. Each run builds its job in
// a scope of its own and keeps only the (small) history, so once the call
// returns nothing in JS refers to the inputs, weights or optimizer state;
// gc() is forced repeatedly while freshly allocated NaN-filled arrays of the
// same sizes take whatever memory was freed. Prints one JSON line.
import { loadNativeAddon } from '../../dist/backend/native.js';

const addon = loadNativeAddon();
const mode = process.argv[2];
const [n, inputs, hidden, outputs, epochs] = [4000, 256, 128, 10, 3];

function start(transfer) {
  const f32 = (len, f) => Float32Array.from({ length: len }, f);
  const x = f32(n * inputs, (_, i) => Math.sin(i * 0.37));
  // One-hot labels that x barely predicts: the loss stays far from 0, so every batch moves the weights.
  const label = (row) => Math.floor(Math.abs(Math.sin(row * 1.7)) * outputs) % outputs;
  const y = f32(n * outputs, (_, i) => (i % outputs === label(Math.floor(i / outputs)) ? 1 : 0));
  const params = [f32(hidden * inputs, (_, i) => Math.cos(i) * 0.05), new Float32Array(hidden),
                  f32(outputs * hidden, (_, i) => Math.sin(i) * 0.05), new Float32Array(outputs)];
  const history = new Float64Array(epochs * 6);
  const job = addon.train({
    net: { sizes: Int32Array.of(inputs, hidden, outputs), hiddenActivations: Int32Array.of(3), leakySlope: 0, loss: 2,
           lossParams: { delta: 1, gamma: 2, alpha: 0.25, smoothing: 0, classWeights: new Float32Array(0) }, params },
    x, y, n, xVal: new Float32Array(0), yVal: new Float32Array(0), nVal: 0,
    epochs, batchSize: 16, shuffle: true, rngState: Uint32Array.of(1, 2, 3, 4),
    optimizer: { type: 2, weightDecay: 0, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 0,
                 state: params.concat(params).map((p) => new Float32Array(p.length)), step: new Float64Array(1) },
    schedule: { type: 0, lr: 0.01, perStep: false, stepSize: 1, gamma: 0.1, minLr: 0, total: 1, warmup: 0 },
    metric: 2, earlyStopping: { monitor: 0, patience: 0, minDelta: 0, restoreBest: false },
    skipNonFinite: false, progressEvery: 0, history,
  }, null);
  // Moving the memory of an input and of a weight matrix to clones that are dropped at once.
  if (transfer) structuredClone([x.buffer, params[0].buffer], { transfer: [x.buffer, params[0].buffer] });
  return { promise: job.promise, history };
}

async function settleUnderPressure({ promise, history }) {
  let done = false;
  let error = null;
  promise.then(() => { done = true; }, (e) => { done = true; error = String(e?.message ?? e); });
  let gcs = 0;
  const garbage = [];
  while (!done) {
    for (const len of [n * inputs, hidden * inputs, n * outputs]) garbage.push(new Float32Array(len).fill(NaN));
    if (garbage.length > 30) garbage.splice(0, 15);
    globalThis.gc();
    gcs++;
    await new Promise((r) => setTimeout(r, 2));
  }
  return { history: Array.from(history), error, gcs };
}

const out = await settleUnderPressure(start(mode === 'transfer'));
// The reference: the same job with every array held (and no pressure).
const held = start(false);
await held.promise;
process.stdout.write(JSON.stringify({ ...out, expected: Array.from(held.history) }) + '\n');
