// Run by test/distributed/world.test.ts under mpirun: every collective of
// distributed/world.ts once, and (with FASTNN_BACKEND=native) the C ABI
// communicator called from a job thread of the main addon. Prints one JSON
// line per rank.
import { distributed } from '../../../dist/index.js';
import { world } from '../../../dist/distributed/world.js';
import { loadNativeAddon } from '../../../dist/backend/native.js';

const info = await distributed();
const w = await world();
const { rank, size } = info;
// Values whose float sum depends on the order of the additions: rank order is 1e8 + 1 + … in float32.
const f32 = Float32Array.of(rank === 0 ? 1e8 : 1, rank + 0.5, -rank);
await w.allreduceSum(f32);
const f64 = Float64Array.of(rank, 1 / 3);
await w.allreduceAverage(f64);
const bytes = await w.broadcastBytes(rank === 1 ? new TextEncoder().encode('from rank 1') : null, 1);
const gathered = await w.gather(new Uint8Array(rank + 1).fill(rank));
await w.barrier();
// Two arrays on shared memory, averaged in place: the first 3 floats of each, the 4th left alone.
const shared = () => new Float32Array(new SharedArrayBuffer(16));
const [x, y] = [shared(), shared()];
x.set([rank, 2 * rank, 1, rank]);
y.set([10 * rank, 0.5, rank, rank]);
await w.averageInPlace([x, y], 3, true);
const z = shared();
z.set([rank, 3, 7, rank]);
await w.averageInPlace([z], 4, false);
// A word2vec round: a header slot per rank summed, then the first 2 floats of the array averaged (mean − copy added).
const header = new Float64Array(2 * size);
header.set([rank + 1, 2 ** 40 + rank], 2 * rank);
const rowsOf = shared();
rowsOf.set([rank, 4 * rank, 9, rank]);
const times = await w.averageRound(header, [rowsOf], 2);
// A broadcast into shared memory, as a data-parallel fit broadcasts rank 0's weights.
const weights = shared();
weights.set([rank, rank + 1, rank + 2, rank + 3]);
await w.broadcast(weights, 0);
// Summed in place on shared memory, through a view that starts past the buffer's first float (the last is outside it).
const state = shared();
state.set([-1, rank, 2 * rank, -1]);
await w.allreduceSum(state.subarray(1, 3));
let agreeError = null;
try {
  await w.agree('test', { same: 1, differs: rank === 0 ? 'a' : `b${rank}` });
} catch (err) {
  agreeError = err.message;
}
await w.agree('test', { same: 1 });
let abi = null;
if (process.env.FASTNN_BACKEND === 'native') {
  const addon = loadNativeAddon();
  const job = addon.testCommunicator(w.communicator(), Float64Array.of(rank + 1), Float32Array.of(0.25 * rank), size - 1);
  const r = await job.promise;
  abi = { rank: r.rank, size: r.size, f64: Array.from(r.f64), f32: Array.from(r.f32), broadcast: Array.from(r.broadcast) };
}
console.log(
  JSON.stringify({
    rank,
    size,
    f32: Array.from(f32),
    f64: Array.from(f64),
    bytes: new TextDecoder().decode(bytes),
    gathered: gathered && gathered.map((g) => Array.from(g)),
    agreeError,
    abi,
    averaged: [x, y, z].map((a) => Array.from(a)),
    round: { header: Array.from(header), rows: Array.from(rowsOf), times },
    broadcastShared: Array.from(weights),
    summedShared: Array.from(state),
  }),
);
