// Suite "training": the networks of issue 3 trained end to end, side by side
// in one run: fastnn native on 1 thread and on the default (all cores),
// fastnn TS, PyTorch on 1 and on all threads, and brain.js for XOR when
// installed. Figures are medians over epochs (s/epoch, at least 3) or over
// `runs` repeated runs (samples/s, steps/s), with test accuracy /
// reconstruction error.
//   mlp          784-256-128-10 ReLU, softmax CE, SGD lr 0.1, batch 64: s/epoch, accuracy after 3 epochs
//   persample    the same classifier with batch size 1: samples/s
//   xor          2-4-1 tanh, sigmoid BCE, batch 1: steps/s
//   autoencoder  784-256-64-256-784 sigmoid hidden, linear output, MSE, SGD, batch 64:
//                s/epoch, test reconstruction MSE per pixel after the timed epochs
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { Autoencoder, MLP, Matrix, setThreads, useBackend } from '../dist/index.js';
import { fashionMnist } from './lib/datasets.mjs';
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { torchDriver } from './lib/torch.mjs';

export const name = 'training';

/** Trains `net` for `epochs` epochs (y null: an autoencoder); the seconds each epoch took. */
async function timedEpochs(net, x, y, epochs, batchSize, lr) {
  const seconds = [];
  let started = performance.now();
  const fit = (options) => (y === null ? net.fit(x, options) : net.fit(x, y, options));
  await fit({
    epochs, batchSize, optimizer: { type: 'sgd', lr },
    onEpoch: () => {
      const now = performance.now();
      seconds.push((now - started) / 1000);
      started = now;
    },
  });
  return seconds;
}

const classifier = () => new MLP({ layers: [784, 256, 128, 10], task: 'multiclass', hidden: 'relu', seed: 1 });

function rowsOf(m, n) {
  return new Matrix(m.data.subarray(0, n * m.cols), n, m.cols);
}

// The run with the median rate (stepsPerSec or samplesPerSec) of `runs` runs of fn.
function medianRun(results) {
  const rate = (r) => r.stepsPerSec ?? r.samplesPerSec ?? 0;
  const sorted = [...results].sort((a, b) => rate(a) - rate(b));
  return sorted[(sorted.length - 1) >> 1];
}
async function repeated(runs, fn) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await fn());
  return medianRun(results);
}
function repeatedSync(runs, fn) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(fn());
  return results[0].skipped ? results[0] : medianRun(results);
}

async function fastnnMlp(data, epochs) {
  // Accuracy after 3 epochs, then more epochs for the timing median.
  const net = classifier();
  const seconds = await timedEpochs(net, data.train.x, data.train.y, 3, 64, 0.1);
  const { accuracy } = net.evaluate(data.test.x, data.test.y);
  if (epochs > 3) seconds.push(...await timedEpochs(net, data.train.x, data.train.y, epochs - 3, 64, 0.1));
  return { secondsPerEpoch: median(seconds), accuracy };
}

async function fastnnPerSample(data, samples) {
  const [seconds] = await timedEpochs(classifier(), rowsOf(data.train.x, samples), data.train.y.subarray(0, samples), 1, 1, 0.01);
  return { samplesPerSec: samples / seconds };
}

// PyTorch's MSELoss averages over all 784 outputs and doubles: its gradient is
// 2/784 of ours (½Σ over outputs, mean over rows), so its lr 1.0 is our 2/784.
const AE_LR = 2 / 784;
const autoencoder = () => new Autoencoder({ layers: [784, 256, 64], hidden: 'sigmoid', loss: 'mse', seed: 1 });

async function fastnnAutoencoder(data, epochs, rows) {
  const net = autoencoder();
  const x = rows ? rowsOf(data.train.x, rows) : data.train.x;
  const seconds = await timedEpochs(net, x, null, epochs, 64, AE_LR);
  const scale = rows ? data.train.x.rows / rows : 1;
  return { secondsPerEpoch: median(seconds) * scale, mse: net.evaluate(data.test.x).mse, ...(rows ? { note: `epochs on ${rows} samples ×${scale}` } : {}) };
}

const XOR_X = Matrix.fromArrays([[0, 0], [0, 1], [1, 0], [1, 1]]);
async function fastnnXor(epochs) {
  const make = () => new MLP({ layers: [2, 4, 1], task: 'binary', hidden: 'tanh', seed: 1 });
  const started = performance.now();
  await make().fit(XOR_X, [0, 1, 1, 0], { epochs, batchSize: 1, optimizer: { type: 'sgd', lr: 0.3 } });
  return { stepsPerSec: (4 * epochs) / ((performance.now() - started) / 1000) };
}

/** brain.js 1.6 (pure JS) when installed in bench/.peers (npm run bench:peers). */
function brainXor(iterations) {
  const dir = new URL('./.peers/', import.meta.url).pathname;
  if (!existsSync(`${dir}node_modules/brain.js`)) return { skipped: 'brain.js not installed (npm run bench:peers)' };
  const brain = createRequire(`${dir}index.js`)('brain.js');
  const net = new brain.NeuralNetwork({ hiddenLayers: [4], activation: 'tanh', learningRate: 0.3 });
  const data = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]].map(([a, b, o]) => ({ input: [a, b], output: [o] }));
  const started = performance.now();
  // errorThresh 0 is refused by brain.js; 1e-12 is never reached, so all iterations run.
  net.train(data, { iterations, errorThresh: 1e-12, log: false });
  return { stepsPerSec: (4 * iterations) / ((performance.now() - started) / 1000) };
}

export async function run({ runs, addon, options }) {
  const data = await fashionMnist(options.fashionMnist ?? process.env.FASTNN_FASHION_MNIST);
  console.log(`data: ${data.source}`);
  const epochs = Math.max(3, runs);
  const all = addon.getThreads();
  const results = { data: data.source, threads: all, rows: {} };
  const add = (task, driver, value) => ((results.rows[task] ??= {})[driver] = value);
  // --tasks runs some of the tasks only (every driver of each).
  const want = (task) => !options.tasks || options.tasks.includes(task);
  const TASKS = ['mlp', 'persample', 'xor', 'autoencoder'];
  for (const task of options.tasks ?? []) {
    if (!TASKS.includes(task)) throw new RangeError(`bench: unknown training task '${task}' (known: ${TASKS.join(', ')})`);
  }

  useBackend('native');
  // Each native task on one thread, then on the default (every core): the
  // default must never be the slower of the two.
  for (const [driver, threads] of [['native1', 1], ['native', all]]) {
    setThreads(threads);
    if (want('mlp')) add('mlp', driver, await fastnnMlp(data, epochs));
    if (want('persample')) add('persample', driver, await repeated(runs, () => fastnnPerSample(data, 20000)));
    if (want('xor')) add('xor', driver, await repeated(runs, () => fastnnXor(200_000)));
    if (want('autoencoder')) add('autoencoder', driver, await fastnnAutoencoder(data, epochs));
  }
  setThreads(0);

  useBackend('js');
  // The TS backend is ~100× slower: one epoch on a tenth of the data, scaled to a full epoch.
  const tenth = { train: { x: rowsOf(data.train.x, 6000), y: data.train.y.subarray(0, 6000) }, test: data.test };
  if (want('mlp')) {
    const [tsSeconds] = await timedEpochs(classifier(), tenth.train.x, tenth.train.y, 1, 64, 0.1);
    add('mlp', 'ts', { secondsPerEpoch: tsSeconds * 10, note: 'one epoch on 6000 samples ×10' });
  }
  if (want('persample')) add('persample', 'ts', await fastnnPerSample(data, 1000));
  if (want('xor')) add('xor', 'ts', await repeated(runs, () => fastnnXor(20_000)));
  // Its MSE is after the same number of epochs on a tenth of the data: not comparable, so not shown.
  if (want('autoencoder')) add('autoencoder', 'ts', await fastnnAutoencoder(data, 1, 6000));
  useBackend('auto');

  const torch = torchDriver();
  if (torch.skipped) results.skipped = { torch: torch.skipped };
  else {
    try {
      const files = {
        x: torch.file('x', data.train.x.data), y: torch.file('y', data.train.y),
        xTest: torch.file('xTest', data.test.x.data), yTest: torch.file('yTest', data.test.y),
      };
      for (const [task, extra, score] of [
        ['mlp', { epochs }, (r) => r.secondsPerEpoch ? -median(r.secondsPerEpoch) : 0],
        ['persample', { samples: 5000 }, (r) => r.samplesPerSec],
        ['xor', { epochs: 20_000 }, (r) => r.stepsPerSec],
        ['autoencoder', { epochs }, (r) => r.secondsPerEpoch ? -median(r.secondsPerEpoch) : 0],
      ].filter(([task]) => want(task))) {
        // PyTorch on one thread and on every core, both reported; the ratios use the faster.
        const tries = [1, all].map((threads) => ({ threads, ...torch.run({ task, threads, inputs: 784, ...files, ...extra }) }));
        const shown = (r) => (r.secondsPerEpoch ? { ...r, secondsPerEpoch: median(r.secondsPerEpoch) } : r);
        add(task, 'torch1', shown(tries[0]));
        add(task, 'torchAll', shown(tries[1]));
        add(task, 'torch', shown(tries.reduce((a, b) => (score(b) > score(a) ? b : a))));
      }
      results.torchVersion = torch.version;
    } finally {
      torch.cleanup();
    }
  }
  const brain = want('xor') ? repeatedSync(runs, () => brainXor(20_000)) : { skipped: 'not asked for (--tasks)' };
  if (brain.skipped) (results.skipped ??= {}).brainjs = brain.skipped;
  else add('xor', 'brainjs', brain);

  report(results);
  return results;
}

function report({ rows, skipped, threads }) {
  const fmt = (v, digits = 2) => (v === undefined || v === null ? null : Number(v).toPrecision(digits + 1));
  const r = { mlp: {}, persample: {}, xor: {}, autoencoder: {}, ...rows };
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : null);
  // Per task: which field holds the figure, and whether lower is better.
  const tasks = [
    ['mlp s/epoch', 'mlp', 'secondsPerEpoch', true],
    ['per-sample SGD samples/s', 'persample', 'samplesPerSec', false],
    ['XOR 2-4-1 steps/s', 'xor', 'stepsPerSec', false],
    ['autoencoder s/epoch', 'autoencoder', 'secondsPerEpoch', true],
  ];
  const drivers = ['native1', 'native', 'ts', 'torch1', 'torchAll', 'brainjs'];
  // speed-up of a over b: > 1 when a is faster, whichever way the figure runs.
  const speedup = (lower, a, b) => (lower ? ratio(b, a) : ratio(a, b));
  printTable(['task', 'native 1 thr', `native ${threads} thr`, 'ts', 'torch 1 thr', `torch ${threads} thr`, 'brain.js',
    'default/1 thr', 'native/torch best', 'ts/brain.js'], [
    ...tasks.map(([label, task, field, lower]) => {
      const v = (driver) => r[task][driver]?.[field];
      return [label, ...drivers.map((d) => fmt(v(d))), speedup(lower, v('native'), v('native1')),
        speedup(lower, v('native'), v('torch')), speedup(lower, v('ts'), v('brainjs'))];
    }),
    ['mlp test accuracy after 3 epochs', fmt(r.mlp.native1?.accuracy, 3), fmt(r.mlp.native?.accuracy, 3), null,
      fmt(r.mlp.torch1?.accuracy, 3), fmt(r.mlp.torchAll?.accuracy, 3), null, null, null, null],
    ['autoencoder test MSE/pixel', fmt(r.autoencoder.native1?.mse, 4), fmt(r.autoencoder.native?.mse, 4), null,
      fmt(r.autoencoder.torch1?.mse, 4), fmt(r.autoencoder.torchAll?.mse, 4), null, null, null, null],
  ]);
  console.log('ratios are speed-ups (> 1: the first is faster); native/torch best uses the native default and the faster PyTorch setting');
  for (const [peer, why] of Object.entries(skipped ?? {})) console.log(`${peer}: skipped (${why})`);
}
