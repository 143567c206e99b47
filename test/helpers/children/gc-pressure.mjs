// Run by test/native/gc-pressure.test.ts as `node --expose-gc gc-pressure.mjs <mode>`
// on the compiled package (dist/). A native training job borrows its arrays
// from JS; the job must keep them alive by itself, those it uses in place
// (mode 'shared': x and y, which it reads, and the weights and optimizer
// state, which it writes, on SharedArrayBuffers) as well as the rest. Each run builds its job in
// a scope of its own and keeps only the (small) history, so once the call
// returns nothing in JS refers to the inputs, weights or optimizer state;
// gc() is forced repeatedly while freshly allocated NaN-filled arrays of the
// same sizes take whatever memory was freed. Prints one JSON line.
import { createRequire } from 'node:module';
import { loadNativeAddon } from '../../../dist/backend/native.js';

const { makeJob } = createRequire(import.meta.url)('./train-job.cjs');
const addon = loadNativeAddon();
const mode = process.argv[2];

// `a`'s values on a SharedArrayBuffer, which the job reads in place instead of copying.
function shared(a) {
  const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

function start(mode) {
  const spec = makeJob();
  if (mode === 'shared') {
    Object.assign(spec, { x: shared(spec.x), y: shared(spec.y) });
    spec.net.params = spec.net.params.map(shared);
    spec.optimizer.state = spec.optimizer.state.map(shared);
  }
  const {
    x,
    history,
    net: { params },
  } = spec;
  const job = addon.train(spec, null);
  // Moving the memory of an input and of a weight matrix to clones that are dropped at once.
  if (mode === 'transfer') structuredClone([x.buffer, params[0].buffer], { transfer: [x.buffer, params[0].buffer] });
  return { promise: job.promise, history };
}

async function settleUnderPressure({ promise, history }) {
  let done = false;
  let error = null;
  promise.then(
    () => {
      done = true;
    },
    (e) => {
      done = true;
      error = String(e?.message ?? e);
    },
  );
  let gcs = 0;
  const garbage = [];
  while (!done) {
    for (const len of [4000 * 256, 128 * 256, 4000 * 10]) garbage.push(new Float32Array(len).fill(NaN));
    if (garbage.length > 30) garbage.splice(0, 15);
    globalThis.gc();
    gcs++;
    await new Promise((r) => setTimeout(r, 2));
  }
  return { history: Array.from(history), error, gcs };
}

const out = await settleUnderPressure(start(mode));
// The reference: the same job with every array held (and no pressure).
const held = start('held');
await held.promise;
process.stdout.write(JSON.stringify({ ...out, expected: Array.from(held.history) }) + '\n');
