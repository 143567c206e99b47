// T5 of the training suite, XOR 2-4-1 one sample per step, the same work
// for fastnn and brain.js 1.6.1: sigmoid hidden and output units, squared
// error ½(σ − r)² (fastnn's sigmoidMse; brain.js's only rule, delta
// (r − σ)·σ·(1 − σ)), SGD at lr 0.5, the four samples in order every epoch
// (brain.js never shuffles) and no accuracy kept (fastnn's regression task;
// brain.js keeps none). brain.js's momentum stays at its default 0.1: it
// refuses 0, and its update computes the momentum term whatever its value.
//
// Run as a script, `node bench/lib/xor.mjs <native|ts|brainjs> <epochs>` times a
// cold fit (the first in this fresh process), then a warm-up fit, then a warm
// fit, each of a fresh network, and prints { cold, warm } (timeFit results).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MLP, Matrix, useBackend } from '../../dist/index.js';
import { timeFit } from './fit-timing.mjs';

export const XOR_LR = 0.5;
const XOR_X = Matrix.fromArrays([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const XOR_Y = [0, 1, 1, 0];
const BRAIN_DATA = [
  [0, 0, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, 1, 0],
].map(([a, b, r]) => ({ input: [a, b], output: [r] }));
const PEERS_DIR = new URL('../.peers/', import.meta.url).pathname;

export const fastnnXor = () => new MLP({ layers: [2, 4, 1], task: 'regression', hidden: 'sigmoid', loss: 'sigmoidMse', seed: 1 });

export const fitFastnnXor = (net, epochs) => net.fit(XOR_X, XOR_Y, { epochs, batchSize: 1, shuffle: false, optimizer: { type: 'sgd', lr: XOR_LR } });

/** brain.js when `npm run bench:peers` installed it into bench/.peers, else null. */
export function loadBrain() {
  return existsSync(`${PEERS_DIR}node_modules/brain.js`) ? createRequire(`${PEERS_DIR}index.js`)('brain.js') : null;
}

const brainXor = (brain) => new brain.NeuralNetwork({ hiddenLayers: [4], activation: 'sigmoid' });

// errorThresh 0 is refused by brain.js; 1e-12 is never reached, so every iteration (epoch) runs.
const fitBrainXor = (net, epochs) => net.train(BRAIN_DATA, { iterations: epochs, errorThresh: 1e-12, learningRate: XOR_LR, log: false });

// How a fresh process makes and fits each peer's network.
const FITS_BY_PEER = {
  native: () => {
    useBackend('native');
    return { make: fastnnXor, fit: fitFastnnXor };
  },
  ts: () => {
    useBackend('js');
    return { make: fastnnXor, fit: fitFastnnXor };
  },
  brainjs: () => {
    const brain = loadBrain();
    return { make: () => brainXor(brain), fit: fitBrainXor };
  },
};

/** The path to run this module as a script with. */
export const XOR_SCRIPT = new URL(import.meta.url).pathname;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [peer, epochs] = [process.argv[2], Number(process.argv[3])];
  const { make, fit } = FITS_BY_PEER[peer]();
  const timed = () => timeFit(() => fit(make(), epochs));
  const cold = await timed();
  await timed(); // the warm-up fit
  console.log(JSON.stringify({ cold, warm: await timed() }));
}
