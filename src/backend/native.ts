/**
 * Loads the C++ addon (build/Release, then build/Debug) with `bindings` and
 * exposes it as a Backend. The addon validates its own arguments, so this file
 * only forwards calls; it computes nothing.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Backend, NetworkSpec, TrainJob, ActivationCode, LossCode } from './backend.js';
import type { NativeJob } from './job.js';
import type { Word2VecKernels } from './word2vec.js';

/** Everything the addon exports (native/addon.cc registers exactly these). */
export interface NativeAddon extends Word2VecKernels {
  /** Version string of the addon, equal to package.json's version. */
  readonly version: string;
  /** [sync] CPU features the kernels dispatch on, e.g. ['avx2', 'fma']. */
  cpuFeatures(): string[];
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number,
       transA: boolean, transB: boolean, alpha: number, beta: number): void;
  biasAdd(out: Float32Array, bias: Float32Array, rows: number, cols: number): void;
  colSum(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;
  activationForward(out: Float32Array, inp: Float32Array, n: number, act: ActivationCode, leakySlope: number): void;
  activationBackward(dinp: Float32Array, dout: Float32Array, out: Float32Array, n: number,
                     act: ActivationCode, leakySlope: number): void;
  softmaxRows(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;
  lossForwardBackward(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array,
                      rows: number, cols: number, loss: LossCode): number;
  sgdUpdate(w: Float32Array, g: Float32Array, n: number, lr: number, weightDecay: number): void;
  forward(out: Float32Array, net: NetworkSpec, x: Float32Array, n: number): void;
  lossGradient(grads: Float32Array[], net: NetworkSpec, x: Float32Array, y: Float32Array, n: number): number;
  trainEpoch(job: TrainJob): number;
  /** [async] Test hook for the job machinery: sleeps stepMicros per step,
   * reports [step, steps], throws on its thread at step failAt (0 = never);
   * resolves with the steps completed. */
  testBackgroundJob(steps: number, stepMicros: number, failAt: number,
                    onProgress?: (progress: [number, number]) => void): NativeJob<number>;
}

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Loads the addon; throws what `bindings` or the dynamic loader threw. */
export function loadNativeAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  const bindings = require('bindings') as (opts: object) => NativeAddon;
  return bindings({
    bindings: 'fastnn.node',
    module_root: packageRoot,
    // Release first: a leftover Debug build must not shadow the optimised one.
    try: [['module_root', 'build', 'Release', 'bindings'], ['module_root', 'build', 'Debug', 'bindings']],
  });
}

export function createNativeBackend(addon: NativeAddon): Backend {
  return {
    name: 'native',
    gemm: addon.gemm,
    biasAdd: addon.biasAdd,
    colSum: addon.colSum,
    activationForward: addon.activationForward,
    activationBackward: addon.activationBackward,
    softmaxRows: addon.softmaxRows,
    lossForwardBackward: addon.lossForwardBackward,
    sgdUpdate: addon.sgdUpdate,
    forward: addon.forward,
    lossGradient: addon.lossGradient,
    trainEpoch: addon.trainEpoch,
    word2vecVocab: addon.word2vecVocab,
    word2vecTrain: addon.word2vecTrain,
    word2vecInit: addon.word2vecInit,
    nearest: addon.nearest,
  };
}
