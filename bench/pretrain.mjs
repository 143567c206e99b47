// Few labels, many images: Fashion-MNIST with 1 000 labelled training images
// and the other 59 000 unlabelled. Test accuracy (the 10 000 test images) of
//   scratch     an MLP [784, 256, 64, 10] trained on the 1 000 alone,
//   probe       the same MLP built on an autoencoder's encoder pretrained on
//               the 59 000 (MLP.fromEncoder), only the head trained (freeze),
//   fine-tune   the probe, then every layer tuned end to end,
// per seed (the seed picks the labelled images and every initialisation),
// with medians. Prints a table and writes bench/results/pretrain.json.
//   npm run build && flock /tmp/fastnn-bench.lock node bench/pretrain.mjs [--fashion-mnist DIR] [--seeds 3]
//     [--ae-epochs 5] [--epochs 40]
// Without a folder it uses /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) when present.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Autoencoder, MLP, Matrix, Rng, backendInfo } from '../dist/index.js';
import { fashionMnist } from './lib/datasets.mjs';
import { machineInfo } from './lib/machine.mjs';
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

const { values } = parseArgs({
  options: {
    'fashion-mnist': { type: 'string' },
    seeds: { type: 'string' },
    'ae-epochs': { type: 'string' },
    epochs: { type: 'string' },
  },
});
const debian = '/usr/share/datasets/fashion-mnist';
const dir = values['fashion-mnist'] ?? process.env.FASTNN_FASHION_MNIST ?? (existsSync(debian) ? debian : undefined);
const seeds = Number(values.seeds ?? 3);
const aeEpochs = Number(values['ae-epochs'] ?? 5);
const epochs = Number(values.epochs ?? 40);
const LABELLED = 1000;
const adam = { type: 'adam', lr: 1e-3 };

const data = await fashionMnist(dir);
const { x, y } = data.train;

// Rows `idx` of m, copied.
function rows(m, idx) {
  const out = Matrix.zeros(idx.length, m.cols);
  idx.forEach((r, i) => out.data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return out;
}

const accuracy = (net) => net.evaluate(data.test.x, Array.from(data.test.y)).accuracy;

const results = [];
for (let seed = 1; seed <= seeds; seed++) {
  const order = Uint32Array.from({ length: x.rows }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const labelled = Array.from(order.subarray(0, LABELLED));
  const xl = rows(x, labelled);
  const yl = labelled.map((r) => y[r]);
  const xu = rows(x, Array.from(order.subarray(LABELLED)));
  const fit = { epochs, batchSize: 32, optimizer: adam };

  let t = performance.now();
  const scratch = new MLP({ layers: [784, 256, 64, 10], task: 'multiclass', hidden: 'relu', seed });
  await scratch.fit(xl, yl, fit);
  const scratchSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const ae = new Autoencoder({ layers: [784, 256, 64], hidden: 'relu', loss: 'bce', seed });
  await ae.fit(xu, { epochs: aeEpochs, batchSize: 64, optimizer: adam });
  const pretrainSeconds = (performance.now() - t) / 1000;

  const net = MLP.fromEncoder(ae, { layers: [10], task: 'multiclass', seed });
  t = performance.now();
  await net.fit(xl, yl, { ...fit, freeze: [0, 1] });
  const probeSeconds = (performance.now() - t) / 1000;
  const probe = accuracy(net);
  t = performance.now();
  await net.fit(xl, yl, fit);
  const tuneSeconds = (performance.now() - t) / 1000;
  results.push({
    seed,
    scratch: accuracy(scratch),
    probe,
    fineTune: accuracy(net),
    aeReconstructionMse: ae.evaluate(data.test.x).mse,
    seconds: { scratch: scratchSeconds, pretrain: pretrainSeconds, probe: probeSeconds, fineTune: tuneSeconds },
  });
  console.error(`seed ${seed} done`);
}

const pct = (v) => `${(100 * v).toFixed(1)} %`;
console.log(`${data.source}; ${LABELLED} labelled + ${x.rows - LABELLED} unlabelled; backend ${backendInfo().active}`);
printTable(
  ['seed', 'scratch', 'probe (frozen encoder)', 'fine-tune', 'AE pretrain s'],
  [
    ...results.map((r) => [String(r.seed), pct(r.scratch), pct(r.probe), pct(r.fineTune), r.seconds.pretrain.toFixed(1)]),
    [
      'median',
      pct(median(results.map((r) => r.scratch))),
      pct(median(results.map((r) => r.probe))),
      pct(median(results.map((r) => r.fineTune))),
      median(results.map((r) => r.seconds.pretrain)).toFixed(1),
    ],
  ],
);
const out = new URL('./results/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'pretrain.json'),
  JSON.stringify(
    {
      source: data.source,
      machine: machineInfo(),
      labelled: LABELLED,
      aeEpochs,
      epochs,
      results,
    },
    null,
    2,
  ) + '\n',
);
