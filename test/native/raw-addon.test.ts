/**
 * The raw addon, called straight (no checked.ts in front): whatever it is
 * given, each call throws a JS error or does its work, and never crashes.
 * The addon checks only what protects memory (native/napi/args.h), so this
 * property test is what holds it to that: valid arguments of every entry
 * point, mutated by fast-check (typed arrays of the wrong kind or length,
 * detached or shared; out-of-range indices, enum codes and sizes; NaN,
 * negative and huge numbers; missing fields; getters that detach another
 * argument's buffer while the call reads its arguments; buffers detached
 * while a job runs). Under the ASan + UBSan build (scripts/test-sanitizers.sh)
 * an out-of-bounds access aborts the run; in a plain build it may crash the
 * worker, which fails this file too. fast-check prints the seed and the
 * shrunk counterexample of a failure.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLossParams } from '../../src/backend/backend.js';
import { backendPair, nativeWithTestHooks } from '../helpers/backends.js';
import { stateAtStart } from '../helpers/word2vec.js';

const f32 = (n: number): Float32Array => new Float32Array(n).fill(0.25);
const dir = mkdtempSync(join(tmpdir(), 'fastnn-raw-addon-'));
const corpus = join(dir, 'corpus.txt');
writeFileSync(corpus, 'the cat sat on the mat\nthe dog sat on the log\n'.repeat(20));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A network [3, 4, 3, 2] with every optional part: tied pair (0, 1) (layer 2 is shaped unlike
 * either), sparsity, frozen, dropout, batch norm on the first hidden layer. */
function net(): Record<string, unknown> {
  return {
    sizes: Int32Array.of(3, 4, 3, 2),
    hiddenActivations: Int32Array.of(1, 2),
    leakySlope: 0.01,
    loss: 0,
    lossParams: { ...defaultLossParams(), classWeights: f32(2) },
    params: paramShapes(),
    sparsity: { layer: 0, rho: 0.05, beta: 0.1 },
    tiedPairs: Int32Array.of(0, 1),
    frozen: new Uint8Array(3),
    dropout: Float64Array.of(0.1, 0),
    norm: Uint8Array.of(2, 0),
  };
}
const paramShapes = (): Float32Array[] => [f32(12), f32(16), f32(12), f32(3), f32(6), f32(2)];
const adam = (): Record<string, unknown> => ({
  type: 2,
  weightDecay: 0,
  momentum: 0.9,
  nesterov: false,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  clipNorm: 1,
  state: [...paramShapes(), ...paramShapes()],
  step: new Float64Array(1),
});

/** A fit of 10 rows, 2 epochs, resumed in the middle of its third epoch's batches. */
function fitJob(): Record<string, unknown> {
  return {
    net: net(),
    x: f32(30),
    y: f32(20),
    n: 10,
    xVal: f32(6),
    yVal: f32(4),
    nVal: 2,
    epochs: 2,
    batchSize: 4,
    shuffle: true,
    rngState: Uint32Array.of(1, 2, 3, 4),
    optimizer: adam(),
    schedule: { type: 3, lr: 0.1, perStep: true, stepSize: 1, gamma: 0.5, minLr: 0, total: 8, warmup: 1 },
    metric: 0,
    earlyStopping: { monitor: 2, patience: 1, minDelta: 0, restoreBest: true },
    skipNonFinite: true,
    progressEvery: 1,
    history: new Float64Array(12),
    inputNoise: { type: 1, level: 0.1 },
    resume: { epoch: 2, step: 7, bestEpoch: 1, best: 0.25, bestParams: paramShapes(), partial: Float64Array.of(2, 1.5, 0, 8, 0, 0.1, 1, 2, 3, 4) },
    position: new Float64Array(14),
  };
}

/** A word2vec job on the corpus's 8 words, resumed from a one-thread state. */
function word2vecJob(): Record<string, unknown> {
  return {
    path: corpus,
    words: new Uint8Array(Buffer.from('the\nsat\non\ncat\nmat\ndog\nlog\n')),
    counts: Float64Array.of(80, 40, 40, 20, 20, 20, 20),
    vectorSize: 4,
    window: 2,
    negative: 2,
    nsExponent: 0.75,
    sample: 0.01,
    alpha: 0.025,
    minAlpha: 0.0001,
    epochs: 2,
    threads: 1,
    seed: 7,
    sg: true,
    hs: true,
    lowercase: false,
    kernel: 'batched',
    saturated: 'limit',
    rank: 0,
    ranks: 1,
    syn0: f32(28),
    syn1neg: f32(28),
    syn1: f32(28),
    resume: stateAtStart(Uint32Array.of(1, 2, 3, 4)),
  };
}

/** Valid arguments of each entry point, built afresh for every run. */
const entryPoints: Record<string, () => unknown[]> = {
  gemm: () => [f32(6), f32(8), f32(12), 2, 3, 4, false, true, 1, 0.5],
  biasAdd: () => [f32(6), f32(3), 2, 3],
  colSum: () => [f32(3), f32(6), 2, 3],
  activationForward: () => [f32(4), f32(4), 4, 4, 0.1],
  activationBackward: () => [f32(4), f32(4), f32(4), 4, 4, 0.1],
  softmaxRows: () => [f32(6), f32(6), 2, 3],
  lossForwardBackward: () => [f32(6), f32(6), f32(2), 2, 3, 5, { ...defaultLossParams(), classWeights: f32(3) }],
  sgdUpdate: () => [f32(5), f32(5), 5, 0.1, 0.01],
  firstOutside: () => [f32(9), -1, 1],
  forward: () => [f32(4), net(), f32(6), 2],
  forwardLoss: () => [f32(4), net(), f32(6), f32(4), 2],
  lossGradient: () => [paramShapes(), net(), f32(6), f32(4), 2],
  backward: () => [paramShapes(), net(), f32(6), f32(4), 2],
  optimizerStep: () => [net(), paramShapes(), adam(), 0.1],
  trainEpoch: () => [{ net: net(), x: f32(30), y: f32(20), n: 10, order: Uint32Array.of(9, 0, 3, 3, 1), batchSize: 2, learningRate: 0.1, weightDecay: 0 }],
  train: () => [fitJob(), () => {}],
  centredGram: () => [f32(9), f32(3), f32(12), 4, 3, false, 0.5, () => {}],
  symmetricEigen: () => [new Float64Array(2), f32(8), Float32Array.of(2, 1, 0, 0, 1, 2, 0, 0, 0, 0, 3, 1, 0, 0, 1, 3), 4, 2, null],
  word2vecVocab: () => [{ path: corpus, minCount: 1, maxFinalVocab: 5, lowercase: true, part: 0, parts: 1 }, () => {}],
  word2vecTrain: () => [word2vecJob(), () => {}],
  nearest: () => [new Int32Array(4), f32(4), f32(12), f32(6), 4, 3, 2, 2, Int32Array.of(1, -1, 0, 3), 2],
};

/** Exports not fuzzed here, and why. */
const notFuzzed: Record<string, string> = {
  cpuFeatures: 'takes no arguments',
  gemmPath: 'takes no arguments',
  gemmPaths: 'takes no arguments',
  gemmBlocking: 'takes no arguments',
  getThreads: 'takes no arguments',
  probePeak: 'takes no arguments',
  setGemmPath: 'a string checked against the CPU (test/native/dispatch.test.ts)',
  setThreads: 'resizes the pool (test/native/dispatch.test.ts)',
  probeBandwidth: 'allocates what it is asked to measure (test/native/dispatch.test.ts)',
  testRng: 'test hook (test/backend/rng.test.ts)',
  testBackgroundJob: 'test hook (test/native/background-job.test.ts)',
  testCommunicator: 'test hook (test/distributed/world.test.ts)',
};

// ---- mutations -------------------------------------------------------------

/** Where a value sits in an argument list: an own property of an object or array, or an element of a typed array. */
interface Slot {
  holder: Record<string | number, unknown>;
  key: string | number;
}

type Typed = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;
const isTyped = (v: unknown): v is Typed => ArrayBuffer.isView(v) && !(v instanceof DataView);

/** Every slot under `root`, depth first: fields, list items, and the elements of integer and Float64 arrays. */
function slots(root: unknown[]): Slot[] {
  const out: Slot[] = [];
  const walk = (holder: Record<string | number, unknown>): void => {
    for (const key of Object.keys(holder)) {
      out.push({ holder, key });
      const v = holder[key];
      if (isTyped(v)) {
        if (!(v instanceof Float32Array)) for (let i = 0; i < v.length; i++) out.push({ holder: v as never, key: i });
      } else if (typeof v === 'object' && v !== null) {
        walk(v as Record<string, unknown>);
      }
    }
  };
  walk(root as never);
  return out;
}

function typedArrays(root: unknown[]): Typed[] {
  return slots(root)
    .map((s) => s.holder[s.key])
    .filter(isTyped);
}

function detach(a: Typed): void {
  try {
    structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  } catch {
    // Already detached, or a SharedArrayBuffer (which cannot be).
  }
}

const KINDS = [Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array] as const;
const NUMBERS = [-1, 0, 1, 1.5, 2, 3, 7, 10, 255, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, -(2 ** 31), -0];
const ELEMENTS = [-1, 0, 1, 2, 3, 4, 5, 9, 10, 11, 255, 256, 2 ** 31 - 1, 2 ** 32 - 1, NaN, Infinity, 1e300, -(2 ** 31)];

/** One change to the slot: the value it takes, given the one it holds (typed arrays change by kind and length). */
type Change =
  | { kind: 'value'; value: unknown }
  | { kind: 'number'; value: number }
  | { kind: 'delete' }
  | { kind: 'resize'; delta: number }
  | { kind: 'retype'; type: number }
  | { kind: 'detach' }
  | { kind: 'share' }
  | { kind: 'getter'; victim: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, true, 'x', {}, [], () => 1).map((value) => ({ kind: 'value' as const, value })),
  fc.constantFrom(...NUMBERS).map((value) => ({ kind: 'number' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc.constantFrom(-1, 1, -1000).map((delta) => ({ kind: 'resize' as const, delta })),
  fc.nat(KINDS.length - 1).map((type) => ({ kind: 'retype' as const, type })),
  fc.constant({ kind: 'detach' as const }),
  fc.constant({ kind: 'share' as const }),
  fc.nat().map((victim) => ({ kind: 'getter' as const, victim })),
);

/** One mutation: which slot (half of them among the elements of index-bearing arrays, where an
 * index, code or count goes), the change to a field, and the value for an element. */
const mutation = fc.tuple(fc.boolean(), fc.nat(), change, fc.constantFrom(...ELEMENTS));

function apply(args: unknown[], [elementsOnly, slotIndex, c, element]: [boolean, number, Change, number]): void {
  const every = slots(args);
  const elements = every.filter((s) => isTyped(s.holder));
  const all = elementsOnly && elements.length > 0 ? elements : every;
  if (all.length === 0) return;
  const { holder, key } = all[slotIndex % all.length]!;
  const old = holder[key];
  if (isTyped(holder)) {
    holder[key] = element;
    return;
  }
  // Defined, not assigned: an earlier change may have made the field a getter.
  const set = (value: unknown): void => {
    Object.defineProperty(holder, key, { value, writable: true, enumerable: true, configurable: true });
  };
  switch (c.kind) {
    case 'value':
    case 'number':
      set(c.value);
      return;
    case 'delete':
      delete holder[key];
      return;
    case 'getter': {
      // Reading this field detaches another argument's buffer (one the call may already hold a pointer into).
      const victims = typedArrays(args);
      Object.defineProperty(holder, key, {
        get() {
          if (victims.length > 0) detach(victims[c.victim % victims.length]!);
          return old;
        },
        enumerable: true,
        configurable: true,
      });
      return;
    }
  }
  if (!isTyped(old)) {
    set(c.kind === 'resize' ? new Float32Array(Math.max(0, 4 + c.delta)) : new KINDS[0](4));
    return;
  }
  const Kind = old.constructor as new (n: number | ArrayBufferLike) => Typed;
  switch (c.kind) {
    case 'resize':
      set(new Kind(Math.max(0, old.length + c.delta)));
      return;
    case 'retype':
      set(new KINDS[c.type]!(old.length));
      return;
    case 'detach':
      detach(old);
      return;
    case 'share': {
      const shared = new Kind(new SharedArrayBuffer(old.byteLength));
      if (old.length > 0) shared.set(old as never); // a detached array has none
      set(shared);
    }
  }
}

interface AddonJob {
  promise: Promise<unknown>;
  cancel(): void;
}
const isJob = (v: unknown): v is AddonJob => typeof v === 'object' && v !== null && (v as AddonJob).promise instanceof Promise;

/** Calls fn with args; a job is cancelled soon, and with `detachLater` its arrays are detached while it runs. */
async function call(addon: Record<string, (...a: unknown[]) => unknown>, fn: string, args: unknown[], detachLater: boolean): Promise<'ok' | 'threw'> {
  let result: unknown;
  try {
    result = addon[fn]!(...args);
  } catch (err) {
    expect(err, `${fn} threw something else than an Error`).toBeInstanceOf(Error);
    return 'threw';
  }
  if (!isJob(result)) return 'ok';
  if (detachLater) for (const a of typedArrays(args)) detach(a);
  const timer = setTimeout(() => result.cancel(), 20);
  try {
    await result.promise;
    return 'ok';
  } catch (err) {
    expect(err, `${fn}'s job rejected with something else than an Error`).toBeInstanceOf(Error);
    return 'threw';
  } finally {
    clearTimeout(timer);
  }
}

const hasNative = backendPair() !== null;

/** A fixed fast-check seed for export `fn` (FNV-1a of its name). */
const seedOf = (fn: string): number => [...fn].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) | 0;

describe.runIf(hasNative)('the raw addon never crashes', () => {
  const addon = (hasNative ? nativeWithTestHooks() : null) as unknown as Record<string, (...a: unknown[]) => unknown>;

  it('fuzzes every export that takes arguments, or says why not', () => {
    const exported = Object.keys(addon).filter((key) => typeof addon[key] === 'function');
    const covered = new Set([...Object.keys(entryPoints), ...Object.keys(notFuzzed)]);
    expect(exported.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('word2vecTrain: a repeated word rejects the job with a RangeError, found on the job thread', async () => {
    // The word table is built where the job runs, not on the JS thread (a million words take ~0.2 s).
    const words = new Uint8Array(Buffer.from('the\nsat\non\ncat\nmat\ndog\nthe\n'));
    const job = addon.word2vecTrain!({ ...word2vecJob(), words }, () => {}) as { promise: Promise<unknown> };
    await expect(job.promise).rejects.toThrow(new RangeError('word2vecTrain: job.words has a duplicate word at index 6'));
  });

  it('word2vecTrain: a bad count or resume element is named in its error (Args::IntAt)', () => {
    const counts = Float64Array.of(80, 40, 40, 20.5, 20, 20, 20);
    expect(() => addon.word2vecTrain!({ ...word2vecJob(), counts }, () => {})).toThrow(
      new RangeError('word2vecTrain: job.counts[3] must be an integer in [1, 9007199254740991]'),
    );
    const resume = { ...(word2vecJob()['resume'] as object), offsets: Float64Array.of(-1) };
    expect(() => addon.word2vecTrain!({ ...word2vecJob(), resume }, () => {})).toThrow(
      new RangeError('word2vecTrain: job.resume.offsets[0] must be an integer in [0, 9007199254740991]'),
    );
  });

  it.each(Object.keys(entryPoints))('%s: the valid arguments work', async (fn) => {
    expect(await call(addon, fn, entryPoints[fn]!(), false)).toBe('ok');
  });

  it.each(Object.keys(entryPoints))('%s: mutated arguments throw or work', async (fn) => {
    const outcomes = { ok: 0, threw: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (mutations, detachLater) => {
        const args = entryPoints[fn]!();
        for (const m of mutations) apply(args, m);
        outcomes[await call(addon, fn, args, detachLater)]++;
      }),
      // A seed per export: the same mutations every run, so a run that passes always does (unseeded,
      // one export's 120 mutations all threw in about one run of six).
      { numRuns: 120, seed: seedOf(fn) },
    );
    // Both outcomes occur: the mutations reach the kernels, and they reach the checks.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.threw).toBeGreaterThan(0);
  });
});
