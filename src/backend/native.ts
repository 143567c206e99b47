/**
 * Loads the C++ addon (build/Release, then build/Debug) with `bindings` and
 * exposes it as a Backend. The addon validates its own arguments, so this file
 * only forwards calls; it computes nothing.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Backend, FitJob, FitResult, NetworkSpec, TrainJob, TrainProgress, ActivationCode, LossCode } from './backend.js';
import { NON_FINITE_CODE, NonFiniteError } from './errors.js';
import { settleJob, type NativeJob } from './job.js';
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
  backward(grads: Float32Array[], net: NetworkSpec, x: Float32Array, dOutput: Float32Array, n: number): void;
  trainEpoch(job: TrainJob): number;
  /** [async] Backend.train without the AbortSignal: cancel() stops the job between batches
   * and the promise then resolves with what was done. */
  train(job: FitJob, onProgress: ((p: TrainProgress) => void) | null): NativeJob<FitResult>;
  /** [sync] Test hook: from Rng(seed), fills words with the raw stream, then
   * belows[i] = below(bounds[i]), then shuffles perm; src/rng.ts must agree bit for bit. */
  testRng(seed: number, words: Uint32Array, bounds: Uint32Array, belows: Uint32Array, perm: Uint32Array): void;
  /** [async] Test hook for the job machinery: sleeps stepMicros per step,
   * reports [step, steps], throws on its thread at step failAt (0 = never);
   * resolves with the steps completed. */
  testBackgroundJob(steps: number, stepMicros: number, failAt: number,
                    onProgress?: (progress: [number, number]) => void): NativeJob<number>;

  /** [sync] The active kernel path of this environment: 'portable', 'avx2' or 'avx512'.
   * Starts at the best the CPU supports, lowered by FASTNN_CPU at load. */
  gemmPath(): GemmPathName;
  /** [sync] Switches the kernel path; RangeError for a path this CPU lacks. */
  setGemmPath(name: GemmPathName): void;
  /** [sync] The paths this CPU supports, slowest first. */
  gemmPaths(): GemmPathName[];
  /** [sync] The active path's register tile, cache blocks and threading crossover:
   * the sizes where the GEMM algorithm switches. */
  gemmBlocking(): GemmBlocking;
  /** [sync] Threads gemm uses for large problems, the caller included (default: hardware cores). */
  getThreads(): number;
  /** [sync] Resizes the thread pool; 0 = hardware cores. RangeError outside [0, 1024]. */
  setThreads(n: number): void;
  /** [sync] fp32 FMA throughput of one core on the active path (~0.3 s). */
  probePeak(): { path: GemmPathName; gflops: number };
  /** [sync] Single-thread memory bandwidth over arrays of `bytes` each. */
  probeBandwidth(bytes: number): { bytes: number; copyGBs: number; triadGBs: number };
}

export type GemmPathName = 'portable' | 'avx2' | 'avx512';

export interface GemmBlocking {
  path: GemmPathName;
  /** Register tile: mr rows × nr columns of c per micro-kernel call. */
  mr: number;
  nr: number;
  /** Cache blocks: rows of op(a), depth, columns of op(b) packed at a time. */
  mc: number;
  kc: number;
  nc: number;
  /** gemm uses the whole pool from 2·m·n·k ≥ threadedFlops on. */
  threadedFlops: number;
  /** gemm computes m·n·k ≤ directMnk (m > 1) unpacked; m = 1 always is (GEMV). */
  directMnk: number;
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
    backward: addon.backward,
    trainEpoch: addon.trainEpoch,
    train(job, onProgress, signal) {
      // Checked here, not by cancelling: a started job could run a batch before it saw the flag.
      if (signal?.aborted) return Promise.reject(signal.reason);
      // Progress already queued when the signal aborts is dropped: no callback after an abort.
      // Anything but a function goes through unchanged, for the addon to reject.
      const report = typeof onProgress !== 'function' ? onProgress
        : (p: TrainProgress) => { if (!signal?.aborted) onProgress(p); };
      return settleJob(addon.train(job, report), signal).catch((err: unknown) => { throw typedFailure(err); });
    },
    word2vecVocab: addon.word2vecVocab,
    word2vecTrain: addon.word2vecTrain,
    word2vecInit: addon.word2vecInit,
    nearest: addon.nearest,
  };
}

// The addon rejects a non-finite batch with an Error carrying NonFiniteError's code and fields.
function typedFailure(err: unknown): unknown {
  const e = err as Partial<NonFiniteError> | null;
  if (e?.code !== NON_FINITE_CODE) return err;
  return new NonFiniteError(e.message!, e.quantity!, e.epoch!, e.batch!);
}
