/**
 * Loads the C++ addon with `bindings` (the prebuilt binary shipped in the
 * package, then build/Release, then build/Debug) and exposes it as a Backend:
 * checked.ts checks the arguments, this file forwards them; it computes nothing.
 * The addon itself refuses only what would reach memory out of bounds.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type {
  Backend,
  FitJob,
  FitResult,
  KernelProgress,
  NetworkSpec,
  TrainJob,
  TrainProgress,
  ActivationCode,
  LossCode,
  LossParams,
  OptimizerSpec,
  StepOutcomeCode,
} from './backend.js';
import { NON_FINITE_CODE, NonFiniteError } from './errors.js';
import { sharedCopy } from '../shared-memory.js';
import { checked } from './checked.js';
import { quietAfterAbort, runAddonJob, type AddonJob } from './job.js';
import type {
  Word2VecKernels,
  Word2VecProgress,
  Word2VecTrainJob,
  Word2VecTrainResult,
  Word2VecVocab,
  Word2VecVocabJob,
  Word2VecVocabProgress,
} from './word2vec.js';

/** Everything the addon exports (native/addon.cc registers exactly these, and NativeTestHooks in tests;
 * test/native/addon-interface.test.ts checks). */
export interface NativeAddon extends Pick<Word2VecKernels, 'nearest'> {
  /** Version string of the addon, equal to package.json's version. */
  readonly version: string;
  /** The addon file loaded (set by the `bindings` loader, not by addon.cc). */
  readonly path: string;
  /** [sync] CPU features the kernels dispatch on, e.g. ['avx2', 'fma']. */
  cpuFeatures(): string[];
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number): void;
  biasAdd(out: Float32Array, bias: Float32Array, rows: number, cols: number): void;
  colSum(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;
  activationForward(out: Float32Array, inp: Float32Array, n: number, act: ActivationCode, leakySlope: number): void;
  activationBackward(dinp: Float32Array, dout: Float32Array, out: Float32Array, n: number, act: ActivationCode, leakySlope: number): void;
  softmaxRows(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;
  lossForwardBackward(
    dlogits: Float32Array | null,
    logits: Float32Array,
    target: Float32Array,
    rows: number,
    cols: number,
    loss: LossCode,
    params: LossParams,
  ): number;
  sgdUpdate(w: Float32Array, g: Float32Array, n: number, lr: number, weightDecay: number): void;
  /** [async] Backend.firstOutside without the AbortSignal: cancel() stops the scan (it resolves with −1). */
  firstOutside(data: Float32Array, min: number, max: number): AddonJob<number>;
  /** [async] Backend.centredGram and symmetricEigen without the AbortSignal: cancel() stops the job, which resolves false. */
  centredGram(
    out: Float32Array,
    mean: Float32Array,
    x: Float32Array,
    n: number,
    d: number,
    rows: boolean,
    alpha: number,
    onProgress: ((p: KernelProgress) => void) | null,
  ): AddonJob<boolean>;
  symmetricEigen(
    values: Float64Array,
    vectors: Float32Array,
    a: Float32Array,
    m: number,
    k: number,
    onProgress: ((p: KernelProgress) => void) | null,
  ): AddonJob<boolean>;
  forward(out: Float32Array, net: NetworkSpec, x: Float32Array, n: number): void;
  forwardLoss(out: Float32Array, net: NetworkSpec, x: Float32Array, y: Float32Array, n: number): number;
  lossGradient(grads: Float32Array[], net: NetworkSpec, x: Float32Array, y: Float32Array, n: number): number;
  backward(grads: Float32Array[], net: NetworkSpec, x: Float32Array, dOutput: Float32Array, n: number): void;
  trainEpoch(job: TrainJob): number;
  optimizerStep(net: NetworkSpec, grads: Float32Array[], optimizer: OptimizerSpec, lr: number): StepOutcomeCode;
  /** [async] Backend.train without the AbortSignal: cancel() stops the job between batches
   * and the promise then resolves with what was done (FitResult but `cancelled`). With a
   * communicator (job.world's), the job is one rank of a data-parallel run (core/data_parallel.h). */
  train(job: FitJob, onProgress: ((p: TrainProgress) => void) | null, communicator?: object | null): AddonJob<Omit<FitResult, 'cancelled'>>;
  /** [async] Backend.word2vecVocab and word2vecTrain without the AbortSignal: cancel() stops the job. */
  word2vecVocab(job: Word2VecVocabJob, onProgress?: (p: Word2VecVocabProgress) => void): AddonJob<Word2VecVocab>;
  word2vecTrain(job: Word2VecTrainJob, onProgress?: (p: Word2VecProgress) => void): AddonJob<Word2VecTrainResult>;

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
  /** [sync] Resizes the thread pool; 0 = hardware cores. RangeError outside [0, MAX_THREADS] (select.ts checks first). */
  setThreads(n: number): void;
  /** [sync] fp32 FMA throughput of one core on the active path (~0.3 s). */
  probePeak(): { path: GemmPathName; gflops: number };
  /** [sync] Single-thread memory bandwidth over arrays of `bytes` each. */
  probeBandwidth(bytes: number): { bytes: number; copyGBs: number; triadGBs: number };
}

/**
 * What the addon exports besides, when process.env.FASTNN_TEST_HOOKS is "1"
 * as it loads (the repository's vitest config sets it), for the tests of the
 * RNG and the job machinery; users' addons have none of these.
 */
export interface NativeTestHooks {
  /** [sync] Test hook: from Rng(seed), fills words with the raw stream, then
   * belows[i] = below(bounds[i]), then shuffles perm; src/rng.ts must agree bit for bit. */
  testRng(seed: number, words: Uint32Array, bounds: Uint32Array, belows: Uint32Array, perm: Uint32Array): void;
  /** [async] Test hook for the job machinery: sleeps stepMicros per step,
   * reports [step, steps], throws on its thread at step failAt (0 = never);
   * resolves with the steps completed. */
  testBackgroundJob(steps: number, stepMicros: number, failAt: number, onProgress?: (progress: [number, number]) => void): AddonJob<number>;
  /** [async] Test hook for the MPI communicator's C ABI (native/core/communicator.h), called from the job's
   * thread: sums f64 and f32 over the ranks, broadcasts [rank, 7, 11] from root, waits at a barrier. */
  testCommunicator(
    communicator: object,
    f64: Float64Array,
    f32: Float32Array,
    root: number,
  ): AddonJob<{
    rank: number;
    size: number;
    f64: Float64Array;
    f32: Float32Array;
    broadcast: Uint8Array;
  }>;
}

export type GemmPathName = 'portable' | 'avx2' | 'avx512';

export interface GemmBlocking {
  path: GemmPathName;
  /** Register tile: mr rows × nr columns of c per micro-kernel call. */
  mr: number;
  nr: number;
  /** Cache blocks: rows of op(a) (read in place), then depth and columns of op(b) packed, at a time. */
  mc: number;
  kc: number;
  nc: number;
  /** gemm uses the whole pool from 2·m·n·k ≥ threadedFlops on. */
  threadedFlops: number;
  /** gemm computes m·n·k ≤ directMnk (m > 1) unpacked; m = 1 always is (GEMV). */
  directMnk: number;
  /** m = 1 with transB shares its n dot products over the pool from 2·n·k ≥ gemvThreadedFlops. */
  gemvThreadedFlops: number;
}

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the addon may be, in the order tried: the prebuilt binary the package
 * ships for this platform (`npm pack` puts it there), then a build from source,
 * Release before Debug (a leftover Debug build must not shadow the optimised one).
 */
const ADDON_LOCATIONS = [
  ['module_root', 'prebuilds', 'platformArch', 'bindings'],
  ['module_root', 'build', 'Release', 'bindings'],
  ['module_root', 'build', 'Debug', 'bindings'],
];

/**
 * Loads the addon from the first location that holds one that loads. A file
 * that is there but fails to load (a prebuilt binary for another libc, say)
 * does not stop the search; if none loads, throws the first such failure, or
 * what `bindings` says when there is no addon file at all.
 */
export function loadNativeAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  const bindings = require('bindings') as (opts: object) => NativeAddon;
  let failure: unknown = null;
  for (const location of ADDON_LOCATIONS) {
    try {
      return bindings({ bindings: 'fastnn.node', module_root: packageRoot, platformArch: `${process.platform}-${process.arch}`, try: [location] });
    } catch (err) {
      if (!isNotFound(err)) failure ??= err;
    }
  }
  throw (
    failure ??
    new Error(
      'Could not locate the bindings file fastnn.node (no prebuilt binary for ' + `${process.platform}-${process.arch}, no build/Release or build/Debug)`,
    )
  );
}

/**
 * The command that builds the addon from source where fastnn is: in a project
 * that depends on it, npm re-runs fastnn's install script; in a clone of
 * fastnn itself, its own build script.
 */
export function buildCommand(): string {
  return /[\\/]node_modules[\\/]/.test(packageRoot) ? 'npm rebuild fastnn' : 'npm run build:native';
}

/** `bindings`' error when none of the paths it tried holds a file. */
function isNotFound(err: unknown): boolean {
  return err instanceof Error && /Could not locate the bindings file/.test(err.message);
}

// Arrays smaller than this are copied by the addon when a job starts: too little for a pause.
const STAGE_BYTES = 1 << 20;

export function createNativeBackend(addon: NativeAddon): Backend {
  return checked({
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
    forwardLoss: addon.forwardLoss,
    lossGradient: addon.lossGradient,
    backward: addon.backward,
    trainEpoch: addon.trainEpoch,
    optimizerStep: addon.optimizerStep,
    train(job, onProgress, signal) {
      // A data-parallel job (job.world, checked by checked.ts) talks to the other ranks through the MPI addon's communicator.
      const started = addon.train(job, quietAfterAbort(onProgress, signal)!, job.world?.communicator() ?? null);
      return runAddonJob(started, signal).then(
        (result) => ({ ...result, cancelled: signal?.aborted === true }),
        (err: unknown) => {
          throw typedFailure(err);
        },
      );
    },
    trainingData(data, fn, arg, signal) {
      // The job copies a small array at once (job_memory.h); a shared copy would cost more.
      return data.byteLength < STAGE_BYTES ? Promise.resolve(data) : sharedCopy(data, fn, arg, signal);
    },
    firstOutside(data, min, max, signal) {
      return runAddonJob(addon.firstOutside(data, min, max), signal);
    },
    centredGram(out, mean, x, n, d, rows, alpha, onProgress, signal) {
      return runAddonJob(addon.centredGram(out, mean, x, n, d, rows, alpha, quietAfterAbort(onProgress, signal)!), signal);
    },
    symmetricEigen(values, vectors, a, m, k, onProgress, signal) {
      return runAddonJob(addon.symmetricEigen(values, vectors, a, m, k, quietAfterAbort(onProgress, signal)!), signal);
    },
    word2vecVocab(job, onProgress, signal) {
      return runAddonJob(addon.word2vecVocab(job, quietAfterAbort(onProgress, signal)!), signal);
    },
    word2vecTrain(job, onProgress, signal) {
      return runAddonJob(addon.word2vecTrain(job, quietAfterAbort(onProgress, signal)!), signal);
    },
    nearest: addon.nearest,
  });
}

// The addon rejects a non-finite batch with an Error carrying NonFiniteError's code and fields.
function typedFailure(err: unknown): unknown {
  const e = err as Partial<NonFiniteError> | null;
  if (e?.code !== NON_FINITE_CODE) return err;
  return new NonFiniteError(e.message!, e.quantity!, e.epoch!, e.batch!);
}
