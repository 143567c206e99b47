// Suite "training": four networks trained end to end in one run by fastnn
// native (1 thread, then the default of every core), fastnn TS, PyTorch at
// its best and brain.js, doing the same work (network, loss, output layer,
// data, batch size, epochs, shuffling, SGD update) and timed as a user
// waits for them:
//   mlp          T2 784-256-128-10 ReLU, softmax cross-entropy, SGD lr 0.1, batch 64, 3 epochs:
//                s/epoch = a fresh fit's wall time / 3 (first epoch included); test accuracy
//   autoencoder  T3 784-256-64-256-784, sigmoid hidden and output, squared error, SGD, batch 64,
//                3 epochs: s/epoch as T2; test reconstruction MSE per pixel
//   persample    T4 the T2 net, batch 1, SGD lr 0.01, 10 000 samples: samples/s of a fresh fit
//   xor          T5 2-4-1, sigmoid hidden and output, squared error, SGD lr 0.5, batch 1:
//                steps/s of a fresh fit; native, TS and brain.js also cold (the first fit of
//                a fresh process) and warm (its fit after a warm-up fit)
// Every figure is the median over `runs` fits, each of a freshly built
// network on data loaded once; fastnn's fits also report the longest
// event-loop gap (lib/fit-timing.mjs). PyTorch runs every thread setting of
// lib/torch.mjs, each after a warm-up, and its fastest counts. fastnn
// native and PyTorch take turns, one fit each per round, and in T5's rounds
// the fresh processes of fastnn native, fastnn TS and brain.js too (inTurns).
import { execFileSync } from 'node:child_process';
import { Autoencoder, MLP, Matrix, setThreads, useBackend } from '../dist/index.js';
import { fashionMnist } from './lib/datasets.mjs';
import { freshFits } from './lib/fit-timing.mjs';
import { uptime } from './lib/machine.mjs';
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { settingLabel, torchDriver, torchSettings } from './lib/torch.mjs';
import { fastnnXor, fitFastnnXor, loadBrain, XOR_LR, XOR_SCRIPT } from './lib/xor.mjs';

export const name = 'training';

const EPOCHS = 3;
const PER_SAMPLE_ROWS = 10_000;
const XOR_EPOCHS = 20_000; // 80 000 steps for fastnn and brain.js
// A PyTorch XOR step is ~0.3 ms of per-operation overhead: after its warm-up,
// 10 000 steps give its rate in a few seconds per fit.
const TORCH_XOR_EPOCHS = 2_500;
// The TS backend is ~100× slower: its T2 and T3 fits run on this many rows, their epochs scaled to the whole set.
const TS_ROWS = 6_000;
const AUTOENCODER_LR = 0.1;

// PyTorch's MSELoss is the mean over rows and outputs of (σ − r)², fastnn's
// squared error the mean over rows of ½Σ(σ − r)² over outputs: PyTorch's
// gradient is 2/outputs of ours, so the same SGD step takes lr·outputs/2.
const torchMseLr = (lr, outputs) => (lr * outputs) / 2;

const sgd = (lr) => ({ type: 'sgd', lr });
const classifier = () => new MLP({ layers: [784, 256, 128, 10], task: 'multiclass', hidden: 'relu', seed: 1 });
const autoencoder = () => new Autoencoder({ layers: [784, 256, 64], hidden: 'sigmoid', loss: 'sigmoidMse', seed: 1 });
const XOR_SET = { rows: 4 };
const XOR_WORK = { epochs: XOR_EPOCHS, rows: XOR_SET.rows, fullRows: XOR_SET.rows };

function firstRows({ x, y }, n) {
  return { x: new Matrix(x.data.subarray(0, n * x.cols), n, x.cols), y: y.subarray(0, n), rows: n };
}

// Per task: what fastnn fits (`set` picks the rows from the training set,
// `fit` runs one fit on them), what PyTorch is told, and how a fit's seconds
// become the figure (lowerIsBetter: s/epoch of the whole set; otherwise
// samples, i.e. steps at batch 1, per second).
const TASKS = {
  mlp: {
    title: 'T2 MLP 784-256-128-10 ReLU, softmax cross-entropy, SGD lr 0.1, batch 64, 3 epochs',
    unit: 's/epoch',
    lowerIsBetter: true,
    epochs: EPOCHS,
    makeNet: classifier,
    set: (train) => train,
    fit: (net, set) => net.fit(set.x, set.y, { epochs: EPOCHS, batchSize: 64, optimizer: sgd(0.1) }),
    score: (net, test) => ({ accuracy: net.evaluate(test.x, test.y).accuracy }),
    scoreHeader: 'test accuracy',
    torch: { lr: 0.1, epochs: EPOCHS },
  },
  autoencoder: {
    title:
      `T3 autoencoder 784-256-64-256-784, sigmoid hidden and output, squared error, SGD lr ${AUTOENCODER_LR} ` +
      `(PyTorch's MSELoss: ${torchMseLr(AUTOENCODER_LR, 784)}), batch 64, 3 epochs`,
    unit: 's/epoch',
    lowerIsBetter: true,
    epochs: EPOCHS,
    makeNet: autoencoder,
    set: (train) => train,
    fit: (net, set) => net.fit(set.x, { epochs: EPOCHS, batchSize: 64, optimizer: sgd(AUTOENCODER_LR) }),
    score: (net, test) => ({ mse: net.evaluate(test.x).mse }),
    scoreHeader: 'test MSE/pixel',
    torch: { lr: torchMseLr(AUTOENCODER_LR, 784), epochs: EPOCHS },
  },
  persample: {
    title: `T4 the T2 net, batch 1, SGD lr 0.01, ${PER_SAMPLE_ROWS} samples`,
    unit: 'samples/s',
    lowerIsBetter: false,
    epochs: 1,
    makeNet: classifier,
    set: (train) => firstRows(train, Math.min(PER_SAMPLE_ROWS, train.rows)),
    fit: (net, set) => net.fit(set.x, set.y, { epochs: 1, batchSize: 1, optimizer: sgd(0.01) }),
    torch: { lr: 0.01, epochs: 1 },
  },
  xor: {
    title:
      `T5 XOR 2-4-1, sigmoid hidden and output, squared error, SGD lr ${XOR_LR} ` +
      `(PyTorch's MSELoss: ${torchMseLr(XOR_LR, 1)}), batch 1, ${XOR_EPOCHS} epochs in order (PyTorch ${TORCH_XOR_EPOCHS})`,
    unit: 'steps/s',
    lowerIsBetter: false,
    epochs: XOR_EPOCHS,
    makeNet: fastnnXor,
    set: () => XOR_SET,
    fit: (net) => fitFastnnXor(net, XOR_EPOCHS),
    torch: { lr: torchMseLr(XOR_LR, 1), epochs: TORCH_XOR_EPOCHS },
  },
};

/** The figure of a fit of `epochs` epochs over `rows` rows that took `seconds`, for a training set of `fullRows`. */
function figure(task, seconds, { epochs, rows, fullRows }) {
  return task.lowerIsBetter ? (seconds / epochs) * (fullRows / rows) : (rows * epochs) / seconds;
}

/** A driver's result: the figure of its median fit, and the fits it came from. */
function summary(task, label, fits, work, extra = {}) {
  const fitSeconds = median(fits.map((f) => f.seconds));
  const gaps = fits.map((f) => f.longestGapMs).filter((g) => g !== undefined);
  return {
    label,
    figure: figure(task, fitSeconds, work),
    fitSeconds,
    ...(gaps.length ? { longestGapMs: median(gaps) } : {}),
    allFitSeconds: fits.map((f) => f.seconds),
    ...extra,
  };
}

/** `runs` fresh fits of `task` on `set` by the backend in use (TS's figure: no test score, not comparable). */
async function fastnnRun(task, label, runs, set, fullRows) {
  const { fits } = await freshFits(runs, task.makeNet, (net) => task.fit(net, set));
  const note = set.rows < fullRows && task.lowerIsBetter ? `epochs on ${set.rows} rows, scaled ×${(fullRows / set.rows).toFixed(1)}` : undefined;
  return summary(task, label, fits, { epochs: task.epochs, rows: set.rows, fullRows }, note ? { note } : {});
}

async function trainingData({ fashionMnist: dir, limit }) {
  const data = await fashionMnist(dir ?? process.env.FASTNN_FASHION_MNIST);
  const rows = (set) => firstRows(set, Math.min(limit ?? Infinity, set.x.rows));
  return { source: data.source + (limit ? `, first ${limit} rows (--limit)` : ''), train: rows(data.train), test: rows(data.test) };
}

export async function run({ runs, addon, options }) {
  const wanted = options.tasks ?? Object.keys(TASKS);
  for (const task of wanted) {
    if (!Object.hasOwn(TASKS, task)) throw new RangeError(`bench: unknown training task '${task}' (known: ${Object.keys(TASKS).join(', ')})`);
  }
  const data = await trainingData(options);
  const load = { start: uptime() };
  console.log(`data: ${data.source}\nload at start: ${load.start}`);
  if (runs < 3 || options.limit) console.log('quick check (fewer than 3 fits or --limit): not figures to report');
  const results = { data: data.source, threads: addon.getThreads(), epochs: EPOCHS, rows: {}, skipped: {} };
  const bench = {
    wanted,
    runs,
    data,
    cores: results.threads,
    add: (task, key, value) => ((results.rows[task] ??= {})[key] = value),
    skip: (peer, why) => (results.skipped[peer] = why),
  };
  results.torchVersion = await inTurns(bench);
  await fastnnTsOnFashionMnist(bench);
  results.ratios = Object.fromEntries(wanted.map((task) => [task, ratios(results.rows[task])]));
  load.end = uptime();
  results.load = load;
  report(results, wanted, runs);
  return results;
}

// T2 and T3 on TS_ROWS rows (no test score: not comparable); T5's TS fits take turns with the others (inTurns).
async function fastnnTsOnFashionMnist({ wanted, runs, data, add }) {
  useBackend('js');
  const tsTrain = firstRows(data.train, Math.min(TS_ROWS, data.train.rows));
  for (const task of wanted.filter((k) => k !== 'xor')) {
    const t = TASKS[task];
    add(task, 'ts', await fastnnRun(t, 'fastnn TS', runs, t.lowerIsBetter ? tsTrain : t.set(data.train), data.train.rows));
  }
  useBackend('auto');
}

// `runs` rounds; in each, every task once on every driver: fastnn native on
// one thread and on the default (every core; it must never be the slower),
// which of the two goes first alternating, then each PyTorch thread setting
// in a process of its own, after its warm-up, and for T5 a fresh process
// each of fastnn native, fastnn TS and brain.js (a cold fit, then a warm
// one: the same protocol for each, so that cold compares with cold and warm
// with warm). A shared host's speed changes for minutes at a
// time, and drivers timed one after the other would each meet it in another
// state; taking turns, every driver's fits spread over the same minutes, and
// each one's median sees the same mix. Adds a row per driver, and PyTorch's
// fastest setting as its best; returns PyTorch's version, or undefined when
// skipped.
async function inTurns({ wanted, runs, data, cores, add, skip }) {
  const torch = torchDriver();
  if (torch.skipped) skip('torch', torch.skipped);
  const settings = torch.skipped ? [] : torchSettings(cores);
  // T5 in fresh processes, each timed the same way (xor.mjs): fastnn native, fastnn TS and brain.js.
  const xorPeers = [
    ['native', 'fastnn native'],
    ['ts', 'fastnn TS'],
  ];
  if (loadBrain()) xorPeers.push(['brainjs', 'brain.js 1.6.1']);
  else skip('brainjs', 'brain.js not installed (npm run bench:peers)');
  const natives = [
    ['native1', 1, 'fastnn native, 1 thread'],
    ['native', cores, `fastnn native, ${cores} threads (default)`],
  ];
  // Per task and driver: every fit, and what the first round reported beside its time.
  const fits = {};
  const firsts = {};
  const record = (task, key, fit, first) => {
    ((fits[task] ??= {})[key] ??= []).push(fit);
    (firsts[task] ??= {})[key] ??= first;
  };
  try {
    useBackend('native');
    for (let round = 0; round < runs; round++) {
      for (const task of wanted) {
        const t = TASKS[task];
        const set = t.set(data.train);
        // Alternating which goes first: the first fit after another process ran is the slower one.
        for (const [key, threads] of round % 2 === 0 ? natives : [...natives].reverse()) {
          setThreads(threads);
          const score = round === 0 && t.score ? (net) => t.score(net, data.test) : undefined;
          const {
            fits: [fit],
            ...quality
          } = await freshFits(1, t.makeNet, (net) => t.fit(net, set), score);
          record(task, key, fit, quality);
        }
        const files =
          settings.length === 0 || task === 'xor'
            ? {}
            : {
                x: torch.file('x', data.train.x.data),
                y: torch.file('y', data.train.y),
                xTest: torch.file('xTest', data.test.x.data),
                yTest: torch.file('yTest', data.test.y),
              };
        for (const [i, setting] of settings.entries()) {
          const { seconds, ...extra } = torch.run(setting, { task, runs: 1, ...t.torch, samples: set.rows, ...files });
          record(task, `torch${i}`, { seconds: seconds[0] }, extra);
        }
        if (task !== 'xor') continue;
        for (const [peer] of xorPeers) {
          const { cold, warm } = JSON.parse(execFileSync(process.execPath, [XOR_SCRIPT, peer, String(XOR_EPOCHS)]).toString());
          record(task, `${peer}Cold`, cold, {});
          record(task, `${peer}Warm`, warm, {});
        }
      }
    }
  } finally {
    setThreads(0);
    useBackend('auto');
    torch.cleanup?.();
  }
  const work = (t, epochs) => ({ epochs, rows: t.set(data.train).rows, fullRows: data.train.rows });
  for (const task of wanted) {
    const t = TASKS[task];
    for (const [key, , label] of natives) add(task, key, summary(t, label, fits[task][key], work(t, t.epochs), firsts[task][key]));
  }
  if (wanted.includes('xor')) {
    for (const [peer, label] of xorPeers) {
      add('xor', `${peer}Cold`, summary(TASKS.xor, `${label}, cold`, fits.xor[`${peer}Cold`], XOR_WORK));
      add('xor', `${peer}Warm`, summary(TASKS.xor, `${label}, warm`, fits.xor[`${peer}Warm`], XOR_WORK));
    }
  }
  if (torch.skipped) return undefined;
  for (const task of wanted) {
    const t = TASKS[task];
    const tries = settings.map((setting, i) =>
      summary(t, `PyTorch, ${settingLabel(setting)}`, fits[task][`torch${i}`], work(t, t.torch.epochs), { setting, ...firsts[task][`torch${i}`] }),
    );
    for (const [i, r] of tries.entries()) add(task, `torch${i}`, r);
    // Every setting does the same work: the shortest median fit is PyTorch's best.
    const best = tries.reduce((a, b) => (b.fitSeconds < a.fitSeconds ? b : a));
    add(task, 'torchBest', { ...best, label: `PyTorch best (${settingLabel(best.setting)})` });
  }
  return torch.version;
}

// fastnn's figure over a peer's, in the task's unit, for the pairs the task
// has both of (for s/epoch < 1 means fastnn is faster, for rates > 1).
const RATIOS = {
  'native default / native 1 thread': ['native', 'native1'],
  'native default / PyTorch best': ['native', 'torchBest'],
  'native cold / brain.js cold': ['nativeCold', 'brainjsCold'],
  'native warm / brain.js warm': ['nativeWarm', 'brainjsWarm'],
  'TS cold / brain.js cold': ['tsCold', 'brainjsCold'],
  'TS warm / brain.js warm': ['tsWarm', 'brainjsWarm'],
};
function ratios(rows) {
  const present = Object.entries(RATIOS).filter(([, [a, b]]) => rows[a] && rows[b]);
  return Object.fromEntries(present.map(([name, [a, b]]) => [name, rows[a].figure / rows[b].figure]));
}

// The order of a task's rows in the report: fastnn, then each peer.
const ROW_ORDER = [
  'native1',
  'native',
  'nativeCold',
  'nativeWarm',
  'ts',
  'tsCold',
  'tsWarm',
  'torch0',
  'torch1',
  'torch2',
  'torchBest',
  'brainjsCold',
  'brainjsWarm',
];

function report({ rows, ratios: allRatios, skipped, load }, wanted, runs) {
  const fmt = (v, digits = 3) => (v === undefined ? null : Number(v).toPrecision(digits));
  for (const key of wanted) {
    const task = TASKS[key];
    const drivers = rows[key];
    console.log(`\n${task.title}: ${task.unit}, median of ${runs} fresh fits`);
    const quality = task.scoreHeader;
    printTable(
      ['driver', task.unit, 'fit s', 'longest gap ms', ...(quality ? [quality] : []), 'note'],
      ROW_ORDER.filter((k) => drivers[k])
        .map((k) => drivers[k])
        .map((d) => [
          d.label,
          fmt(d.figure),
          fmt(d.fitSeconds),
          fmt(d.longestGapMs),
          ...(quality ? [fmt(d.accuracy ?? d.mse, 4)] : []),
          d.note ?? (d.blas ? blasNote(d) : null),
        ]),
    );
    const better = task.lowerIsBetter ? '< 1: fastnn faster' : '> 1: fastnn faster';
    console.log(
      `ratios of ${task.unit} (${better}): ${
        Object.entries(allRatios[key])
          .map(([n, r]) => `${n} ${r.toFixed(2)}`)
          .join('; ') || '—'
      }`,
    );
  }
  console.log(`\nload at end: ${load.end}`);
  for (const [peer, why] of Object.entries(skipped)) console.log(`${peer}: skipped (${why})`);
}

// The threads and BLAS kernel PyTorch ran with, as torch and threadpoolctl saw them.
const blasNote = ({ blas, threads }) =>
  `seen: ATen ${threads.intraOp}, ${blas.map((b) => `${b.internal_api} ${b.version} ${b.num_threads} (${b.architecture})`).join(', ')}`;
