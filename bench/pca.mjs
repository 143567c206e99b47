// PCA.fit on 60 000 × 784 images, k = 50 and k = 2: fastnn native and TS
// against numpy (np.cov, which works in float64, then np.linalg.eigh).
// Fashion-MNIST's training images with --fashion-mnist DIR (or
// FASTNN_FASHION_MNIST), else generated images of the same shape. Every
// figure is the median of --runs whole fits (--ts-runs for the TS backend,
// ~100× slower on the covariance), each timed from the call to its promise
// settling, beside the longest the event loop went without turning during
// it (a setInterval(…, 1) probe) and, for reference, the longest gap of the
// same probe on an idle loop and beside a loop that never blocks (1 ms of
// work, then a yield, for 3 s: what the machine's load alone causes in a
// busy process). numpy runs in its own process per fit, with
// OpenBLAS on 1 and on 2 threads (peerEnv: OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE unset for it alone); its faster setting is the one the
// ratios use. fastnn's components are checked against numpy's (|cos| of
// each pair; eigenvalues relative to the largest). --limit N fits the first
// N images only, to check the bench itself (not figures to report). Writes
// bench/results/pca.json.
//   npm run build && node bench/pca.mjs --fashion-mnist /usr/share/datasets/fashion-mnist [--runs 3] [--ts-runs 3]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Matrix, PCA, getThreads, useBackend } from '../dist/index.js';
import { fashionMnist } from './lib/datasets.mjs';
import { machineInfo, uptime } from './lib/machine.mjs';
import { PYTHON, peerEnv, pythonPeerSkipped } from './lib/openblas.mjs';
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

const { values: args } = parseArgs({
  options: { 'fashion-mnist': { type: 'string' }, runs: { type: 'string' }, 'ts-runs': { type: 'string' }, limit: { type: 'string' } },
});
const runs = Number(args.runs ?? 3);
const tsRuns = Number(args['ts-runs'] ?? runs);
const KS = [50, 2];
const startLoad = uptime();
const data = await fashionMnist(args['fashion-mnist'] ?? process.env.FASTNN_FASHION_MNIST);
const all = data.train.x;
const x = args.limit ? new Matrix(all.data.subarray(0, Number(args.limit) * all.cols), Number(args.limit), all.cols) : all;
const [n, d] = [x.rows, x.cols];
console.log(`${data.source}: ${n} × ${d}; ${machineInfo().cpu}, ${machineInfo().cores} cores; ${startLoad}`);

/** The longest interval (ms) between ticks of a 1 ms interval timer while `work` runs. */
async function longestGap(work) {
  let last = performance.now();
  let gap = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 1);
  try {
    const result = await work();
    return { result, gap: Math.max(gap, performance.now() - last) };
  } finally {
    clearInterval(probe);
  }
}

const idle = await longestGap(() => new Promise((resolve) => setTimeout(resolve, 2000)));
const busy = await longestGap(async () => {
  for (const end = performance.now() + 3000; performance.now() < end; ) {
    for (const slice = performance.now() + 1; performance.now() < slice; ) {
      /* work that never blocks for long */
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
});

const fits = {}; // driver → k → [{ seconds, gap }]
const components = {}; // driver → k → the last fit's PCA
async function fastnnFit(backend, k) {
  useBackend(backend);
  const started = performance.now();
  const { result, gap } = await longestGap(() => PCA.fit(x, k));
  ((fits[backend] ??= {})[k] ??= []).push({ seconds: (performance.now() - started) / 1000, gap });
  (components[backend] ??= {})[k] = result;
}

// numpy, one process per fit: the data as raw float32 rows in a temp dir.
const dir = mkdtempSync(path.join(os.tmpdir(), 'fastnn-pca-'));
const rawPath = path.join(dir, 'x.bin');
writeFileSync(rawPath, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
const numpySkipped = pythonPeerSkipped('numpy', 'python3-numpy');
const numpy = {}; // threads → [{ seconds, values, blas }]
function numpyFit(threads) {
  const componentsPath = path.join(dir, 'components.bin');
  const out = execFileSync(
    PYTHON,
    [new URL('./lib/numpy_pca.py', import.meta.url).pathname, JSON.stringify({ data: rawPath, n, d, k: Math.max(...KS), components: componentsPath })],
    { env: peerEnv(threads), maxBuffer: 1 << 20 },
  );
  const result = JSON.parse(out.toString().trim().split('\n').at(-1));
  const b = readFileSync(componentsPath);
  (numpy[threads] ??= []).push({ ...result, components: new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) });
}

// Interleaved, run r of every driver before run r + 1 of any, so a change of load hits them alike.
for (let r = 0; r < runs; r++) {
  for (const k of KS) await fastnnFit('native', k);
  if (!numpySkipped) for (const threads of [1, 2]) numpyFit(threads);
}
for (let r = 0; r < tsRuns; r++) for (const k of KS) await fastnnFit('js', k);
rmSync(dir, { recursive: true, force: true });
const endLoad = uptime();

const med = (list) => median(list.map((f) => f.seconds));
const numpyBest = numpySkipped ? null : Math.min(...Object.values(numpy).map(med));
const numpyThreads = numpySkipped ? null : Number(Object.keys(numpy).find((t) => med(numpy[t]) === numpyBest));

// Agreement with numpy: |cos| between matched components (1 = the same axis up to sign), eigenvalues relative to the first.
function agreement(pca, k) {
  if (numpySkipped) return null;
  const ref = numpy[numpyThreads].at(-1);
  let minCos = 1;
  let maxValue = 0;
  for (let c = 0; c < k; c++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += pca.components.data[c * d + j] * ref.components[c * d + j];
    minCos = Math.min(minCos, Math.abs(dot));
    maxValue = Math.max(maxValue, Math.abs(pca.explainedVariance[c] - ref.values[c]) / ref.values[0]);
  }
  return { minCos, maxValue };
}

const rows = [];
const ratios = {};
for (const backend of ['native', 'js'].filter((b) => fits[b])) {
  for (const k of KS) {
    const list = fits[backend][k];
    const s = med(list);
    const agree = agreement(components[backend][k], k);
    ratios[`${backend} k=${k} / numpy`] = numpyBest ? s / numpyBest : null;
    rows.push([
      `fastnn ${backend}${backend === 'native' ? ` (${getThreads()} threads)` : ''}`,
      k,
      s.toFixed(3),
      list.map((f) => f.seconds.toFixed(2)).join(' '),
      Math.max(...list.map((f) => f.gap)).toFixed(1),
      numpyBest ? `${(s / numpyBest).toFixed(2)}×` : null,
      agree ? `${agree.minCos.toFixed(6)} / ${agree.maxValue.toExponential(1)}` : null,
    ]);
  }
}
if (!numpySkipped) {
  for (const threads of [1, 2]) {
    const list = numpy[threads];
    rows.push([
      `numpy, OpenBLAS ${threads} thread${threads > 1 ? 's' : ''}${threads === numpyThreads ? ' (best)' : ''}`,
      'any',
      med(list).toFixed(3),
      list.map((f) => f.seconds.toFixed(2)).join(' '),
      null,
      `${(med(list) / numpyBest).toFixed(2)}×`,
      null,
    ]);
  }
}
printTable(['driver', 'k', 'median s', 'runs (s)', 'longest gap ms', 'vs numpy best', 'vs numpy: min |cos| / max Δλ/λ1'], rows);
console.log(
  `longest gap of the same probe on an idle event loop (2 s): ${idle.gap.toFixed(1)} ms; ` +
    `beside a loop of 1 ms slices that never blocks (3 s): ${busy.gap.toFixed(1)} ms`,
);
if (numpySkipped) console.log(`numpy: skipped (${numpySkipped})`);
else console.log(`numpy ${numpy[1][0].numpy}, BLAS ${JSON.stringify(numpy[numpyThreads][0].blas)}`);
console.log(`load at the start: ${startLoad}\nload at the end:   ${endLoad}`);

const out = new URL('./results/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, 'pca.json'),
  JSON.stringify(
    {
      machine: machineInfo(),
      source: data.source,
      n,
      d,
      runs,
      tsRuns,
      load: { start: startLoad, end: endLoad },
      idleGapMs: idle.gap,
      busyGapMs: busy.gap,
      fastnn: fits,
      numpy: numpySkipped
        ? { skipped: numpySkipped }
        : Object.fromEntries(Object.entries(numpy).map(([t, list]) => [t, list.map(({ seconds, blas, numpy: version }) => ({ seconds, blas, version }))])),
      ratios,
    },
    null,
    2,
  ) + '\n',
);
