/**
 * The rules of every backend argument, applied once for both backends by
 * checked.ts (and by the models that check a job before a backend sees it,
 * e.g. a checkpoint's). Every message starts with `<method>: <argument>`.
 */
import {
  Activation,
  batchNormedOnOneRow,
  EPOCH,
  EPOCH_FIELDS,
  Loss,
  NoiseType,
  lossTargetCols,
  Norm,
  Metric,
  Monitor,
  Optimizer,
  optimizerStateCount,
  POSITION_FIELDS,
  Schedule,
  type NetworkSpec,
} from './backend.js';

/** Sizes are limited to what a signed 32-bit index can address. */
export const MAX_DIM = 2147483647;
/** The most threads a thread pool or a word2vec job takes (the addon refuses more too: native/napi/args.h kMaxThreads). */
export const MAX_THREADS = 1024;

export function checkFloat32(fn: string, arg: string, v: unknown): asserts v is Float32Array {
  if (!(v instanceof Float32Array)) throw new TypeError(`${fn}: ${arg} must be a Float32Array`);
}

export function checkSize(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  if (!Number.isInteger(v) || v < 0 || v > MAX_DIM) {
    throw new RangeError(`${fn}: ${arg} must be an integer in [0, ${MAX_DIM}], got ${v}`);
  }
}

export function checkFinite(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${arg} must be finite, got ${v}`);
}

export function checkBool(fn: string, arg: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${arg} must be a boolean`);
}

/** An enum code: an integer in [0, count). */
export function checkCode(fn: string, arg: string, v: unknown, count: number): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  if (!Number.isInteger(v) || v < 0 || v >= count) {
    throw new RangeError(`${fn}: ${arg} must be an integer in [0, ${count - 1}], got ${v}`);
  }
}

/**
 * Checks that `v` is a Float32Array holding exactly rows×cols values (a
 * vector of `rows` values when cols is omitted). Shapes are printed as
 * `(rows, cols)` or `(rows)`.
 */
export function checkMatrix(fn: string, arg: string, v: unknown, rows: number, cols?: number): asserts v is Float32Array {
  checkFloat32(fn, arg, v);
  const shape = cols === undefined ? `(${rows})` : `(${rows}, ${cols})`;
  const expected = rows * (cols ?? 1);
  if (expected > Number.MAX_SAFE_INTEGER) throw new RangeError(`${fn}: ${arg} shape ${shape} is too large`);
  if (v.length !== expected) {
    throw new RangeError(`${fn}: ${arg} must have length ${expected} for shape ${shape}, got ${v.length}`);
  }
}

/** An integer in [min, max] (batch sizes, layer widths). */
export function checkInt(fn: string, arg: string, v: unknown, min: number, max: number): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${fn}: ${arg} must be an integer in [${min}, ${max}], got ${v}`);
  }
}

/** A Float32Array or null (an optional output such as lossForwardBackward's dlogits). */
export function checkOptionalMatrix(fn: string, arg: string, v: unknown, rows: number, cols: number): asserts v is Float32Array | null {
  if (v === null) return;
  if (!(v instanceof Float32Array)) throw new TypeError(`${fn}: ${arg} must be a Float32Array or null`);
  checkMatrix(fn, arg, v, rows, cols);
}

/** A number in the interval lo..hi, each end open or closed ("(0, Infinity)", "[0, 1]"). */
export function checkInRange(fn: string, arg: string, v: unknown, lo: number, hi: number, loOpen: boolean, hiOpen: boolean): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  const above = loOpen ? v > lo : v >= lo;
  const below = hiOpen ? v < hi : v <= hi;
  if (!(above && below)) {
    throw new RangeError(`${fn}: ${arg} must be a number in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
  }
}

/** The object and scalar fields of a LossParams at `arg` (classWeights: checkClassWeights). */
export function checkLossScalars(fn: string, arg: string, v: unknown): void {
  checkObject(fn, arg, v);
  checkInRange(fn, `${arg}.delta`, v['delta'], 0, Infinity, true, true);
  checkInRange(fn, `${arg}.gamma`, v['gamma'], 0, Infinity, false, true);
  checkInRange(fn, `${arg}.alpha`, v['alpha'], 0, 1, false, false);
  checkInRange(fn, `${arg}.smoothing`, v['smoothing'], 0, 1, false, true);
}

/** LossParams.classWeights at `arg`: a Float32Array of 0 or `cols` numbers ≥ 0. */
export function checkClassWeights(fn: string, arg: string, params: unknown, cols: number): void {
  const w = (params as Record<string, unknown>)['classWeights'];
  const name = `${arg}.classWeights`;
  if (!(w instanceof Float32Array)) throw new TypeError(`${fn}: ${name} must be a Float32Array`);
  if (w.length !== 0 && w.length !== cols) {
    throw new RangeError(`${fn}: ${name} must have length 0 or ${cols}, got ${w.length}`);
  }
  for (let j = 0; j < w.length; j++) checkInRange(fn, `${name}[${j}]`, w[j], 0, Infinity, false, true);
}

/** Columns of the targets of a checked net: half the outputs for gaussianNll. */
export function checkedTargetCols(net: unknown): number {
  const { sizes, loss } = net as NetworkSpec;
  return lossTargetCols(loss, sizes[sizes.length - 1]!);
}

function checkObject(fn: string, arg: string, v: unknown): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new TypeError(`${fn}: ${arg} must be an object`);
}

/** Entries of layer ℓ's bias parameter: sizes[ℓ+1], twice that for a layer-normalised layer ([γ, β]), four
 * times for a batch-normalised one ([γ, β, running mean, running variance]). */
function biasLength(sizes: Int32Array, norm: Uint8Array | null | undefined, l: number): number {
  const code = norm?.[l];
  return sizes[l + 1]! * (code === Norm.batch ? 4 : code === Norm.layer ? 2 : 1);
}

/**
 * Checks an array of Float32Arrays laid out like NetworkSpec.params: for each
 * layer ℓ a weight (sizes[ℓ+1], sizes[ℓ]) then a bias (sizes[ℓ+1], or
 * 2·sizes[ℓ+1] where norm[ℓ] is set).
 */
export function checkParamList(fn: string, arg: string, v: unknown, sizes: Int32Array, norm?: Uint8Array | null): asserts v is Float32Array[] {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${arg} must be an array`);
  const count = 2 * (sizes.length - 1);
  if (v.length !== count) {
    throw new RangeError(`${fn}: ${arg} must be an array of ${count} Float32Arrays, got ${v.length}`);
  }
  for (let l = 0; l + 1 < sizes.length; l++) {
    checkMatrix(fn, `${arg}[${2 * l}]`, v[2 * l], sizes[l + 1]!, sizes[l]!);
    checkMatrix(fn, `${arg}[${2 * l + 1}]`, v[2 * l + 1], biasLength(sizes, norm, l));
  }
}

/** NetworkSpec.sparsity: undefined or null (off), or a sigmoid hidden layer, ρ in (0, 1), β ≥ 0. */
function checkSparsity(fn: string, net: string, v: unknown, acts: Int32Array): void {
  if (v === undefined || v === null) return;
  const arg = `${net}.sparsity`;
  if (typeof v !== 'object') throw new TypeError(`${fn}: ${arg} must be an object or null`);
  if (acts.length === 0) throw new RangeError(`${fn}: ${arg} needs a hidden layer, the network has none`);
  const s = v as Record<string, unknown>;
  checkInt(fn, `${arg}.layer`, s['layer'], 0, acts.length - 1);
  const code = acts[s['layer'] as number]!;
  if (code !== Activation.sigmoid) {
    throw new RangeError(`${fn}: ${arg}.layer ${s['layer']} must have the sigmoid activation, got code ${code}`);
  }
  checkInRange(fn, `${arg}.rho`, s['rho'], 0, 1, true, true);
  checkInRange(fn, `${arg}.beta`, s['beta'], 0, Infinity, false, true);
}

/** NetworkSpec.tiedPairs: undefined or null (none), or an Int32Array of (e, d) layer pairs, W(d) shaped like W(e)ᵀ. */
function checkTiedPairs(fn: string, net: string, v: unknown, sizes: Int32Array): void {
  if (v === undefined || v === null) return;
  const arg = `${net}.tiedPairs`;
  if (!(v instanceof Int32Array)) throw new TypeError(`${fn}: ${arg} must be an Int32Array`);
  if (v.length % 2 !== 0) throw new RangeError(`${fn}: ${arg} must have an even length (layer pairs), got ${v.length}`);
  const layers = sizes.length - 1;
  for (let i = 0; i < v.length; i += 2) {
    checkInt(fn, `${arg}[${i}]`, v[i], 0, layers - 1);
    checkInt(fn, `${arg}[${i + 1}]`, v[i + 1], 0, layers - 1);
    const e = v[i]!;
    const d = v[i + 1]!;
    if (e === d || sizes[d] !== sizes[e + 1] || sizes[d + 1] !== sizes[e]) {
      throw new RangeError(`${fn}: ${arg}[${i + 1}] layer ${d} must differ from layer ${e} and have its transposed shape (${sizes[e]}, ${sizes[e + 1]})`);
    }
  }
}

/** NetworkSpec.frozen: undefined or null (none), or a Uint8Array of 0 or 1 per layer, tied pairs alike. */
function checkFrozen(fn: string, net: string, v: unknown, sizes: Int32Array, tied: unknown): void {
  if (v === undefined || v === null) return;
  const arg = `${net}.frozen`;
  checkTypedVector(fn, arg, v, sizes.length - 1, Uint8Array);
  const flags = v as Uint8Array;
  const bad = flags.findIndex((f) => f > 1);
  if (bad >= 0) throw new RangeError(`${fn}: ${arg}[${bad}] must be 0 or 1, got ${flags[bad]}`);
  // Tied pairs share one gradient: freezing one copy would let the two drift apart.
  const pairs = tied instanceof Int32Array ? tied : new Int32Array(0);
  for (let i = 0; i < pairs.length; i += 2) {
    const e = pairs[i]!;
    const d = pairs[i + 1]!;
    if (flags[e] !== flags[d]) throw new RangeError(`${fn}: ${arg} must freeze tied layers ${e} and ${d} together`);
  }
}

/** NetworkSpec.dropout: undefined or null (none), or a Float64Array of one rate in [0, 1) per hidden layer. */
function checkDropout(fn: string, net: string, v: unknown, hidden: number): void {
  if (v === undefined || v === null) return;
  const arg = `${net}.dropout`;
  checkTypedVector(fn, arg, v, hidden, Float64Array);
  (v as Float64Array).forEach((rate, l) => checkInRange(fn, `${arg}[${l}]`, rate, 0, 1, false, true));
}

/** NetworkSpec.norm: undefined or null (none), or a Uint8Array of one Norm code per hidden layer. */
function checkNorm(fn: string, net: string, v: unknown, hidden: number): void {
  if (v === undefined || v === null) return;
  const arg = `${net}.norm`;
  checkTypedVector(fn, arg, v, hidden, Uint8Array);
  (v as Uint8Array).forEach((code, l) => checkCode(fn, `${arg}[${l}]`, code, Object.keys(Norm).length));
}

/** FitJob.inputNoise: undefined or null (none), or { type, level }, level in [0, 1) for masking, [0, ∞) for Gaussian. */
function checkInputNoise(fn: string, v: unknown): void {
  if (v === undefined || v === null) return;
  const arg = 'job.inputNoise';
  if (typeof v !== 'object') throw new TypeError(`${fn}: ${arg} must be an object or null`);
  const o = v as Record<string, unknown>;
  checkCode(fn, `${arg}.type`, o['type'], Object.keys(NoiseType).length);
  const mask = o['type'] === NoiseType.mask;
  checkInRange(fn, `${arg}.level`, o['level'], 0, mask ? 1 : Infinity, false, true);
}

/**
 * Checks a NetworkSpec, in this order: the object, sizes (an Int32Array of at
 * least 2 entries, each in [1, MAX_DIM]), hiddenActivations (an Int32Array of
 * sizes.length − 2 activation codes), leakySlope (finite), loss (a code),
 * lossParams' scalars, sparsity, tiedPairs, frozen, dropout, norm and
 * params (weights and biases of the shapes sizes implies). `arg` is the path
 * printed in messages: `net` or `job.net`.
 */
export function checkNetwork(fn: string, arg: string, v: unknown, activationCount: number, lossCount: number): asserts v is NetworkSpec {
  checkObject(fn, arg, v);
  const sizes = v['sizes'];
  if (!(sizes instanceof Int32Array)) throw new TypeError(`${fn}: ${arg}.sizes must be an Int32Array`);
  if (sizes.length < 2) {
    throw new RangeError(`${fn}: ${arg}.sizes must have at least 2 entries, got ${sizes.length}`);
  }
  for (let i = 0; i < sizes.length; i++) checkInt(fn, `${arg}.sizes[${i}]`, sizes[i], 1, MAX_DIM);
  const acts = v['hiddenActivations'];
  if (!(acts instanceof Int32Array)) throw new TypeError(`${fn}: ${arg}.hiddenActivations must be an Int32Array`);
  const hidden = sizes.length - 2;
  if (acts.length !== hidden) {
    throw new RangeError(`${fn}: ${arg}.hiddenActivations must have length ${hidden} for shape (${hidden}), got ${acts.length}`);
  }
  for (let i = 0; i < acts.length; i++) checkCode(fn, `${arg}.hiddenActivations[${i}]`, acts[i], activationCount);
  checkFinite(fn, `${arg}.leakySlope`, v['leakySlope']);
  checkCode(fn, `${arg}.loss`, v['loss'], lossCount);
  const last = sizes.length - 1;
  if (v['loss'] === Loss.gaussianNll && sizes[last]! % 2 !== 0) {
    throw new RangeError(`${fn}: ${arg}.sizes[${last}] must be even for the gaussianNll loss, got ${sizes[last]}`);
  }
  checkLossScalars(fn, `${arg}.lossParams`, v['lossParams']);
  checkSparsity(fn, arg, v['sparsity'], acts);
  checkTiedPairs(fn, arg, v['tiedPairs'], sizes);
  checkFrozen(fn, arg, v['frozen'], sizes, v['tiedPairs']);
  checkDropout(fn, arg, v['dropout'], hidden);
  checkNorm(fn, arg, v['norm'], hidden);
  checkParamList(fn, `${arg}.params`, v['params'], sizes, v['norm'] as Uint8Array | null | undefined);
  checkClassWeights(fn, `${arg}.lossParams`, v['lossParams'], sizes[last]!);
}

/**
 * Checks a TrainJob after its net, in this order: n, x (n, sizes[0]),
 * y (n, sizes[last]), order (a Uint32Array of indices below n), batchSize
 * (≥ 1), learningRate and weightDecay (finite).
 */
export function checkTrainJob(
  fn: string,
  v: unknown,
  activationCount: number,
  lossCount: number,
): asserts v is {
  net: unknown;
  x: Float32Array;
  y: Float32Array;
  n: number;
  order: Uint32Array;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
} {
  checkObject(fn, 'job', v);
  checkNetwork(fn, 'job.net', v['net'], activationCount, lossCount);
  const sizes = (v['net'] as { sizes: Int32Array }).sizes;
  const n = v['n'];
  checkSize(fn, 'job.n', n);
  checkMatrix(fn, 'job.x', v['x'], n, sizes[0]!);
  checkMatrix(fn, 'job.y', v['y'], n, checkedTargetCols(v['net']));
  const order = v['order'];
  if (!(order instanceof Uint32Array)) throw new TypeError(`${fn}: job.order must be a Uint32Array`);
  for (let i = 0; i < order.length; i++) {
    if (order[i]! >= n) throw new RangeError(`${fn}: job.order[${i}] must be below n (${n}), got ${order[i]}`);
  }
  checkInt(fn, 'job.batchSize', v['batchSize'], 1, MAX_DIM);
  checkFinite(fn, 'job.learningRate', v['learningRate']);
  checkFinite(fn, 'job.weightDecay', v['weightDecay']);
}

/** A typed array of one element type and exactly n elements, shape printed "(n)". */
export function checkTypedVector(fn: string, arg: string, v: unknown, n: number, type: { new (n: number): ArrayLike<number>; name: string }): void {
  if (!(v instanceof type)) throw new TypeError(`${fn}: ${arg} must be a ${type.name}`);
  const length = (v as ArrayLike<number>).length;
  if (length !== n) throw new RangeError(`${fn}: ${arg} must have length ${n} for shape (${n}), got ${length}`);
}

/** Items of a param-shaped list at `arg`, item j shaped like params[j mod count]. */
function checkStateList(fn: string, arg: string, v: unknown, states: number, sizes: Int32Array, norm?: Uint8Array | null): void {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${arg} must be an array`);
  if (v.length !== states) throw new RangeError(`${fn}: ${arg} must be an array of ${states} Float32Arrays, got ${v.length}`);
  const count = 2 * (sizes.length - 1);
  for (let j = 0; j < states; j++) {
    const p = j % count;
    const l = p >> 1;
    if (p % 2 === 0) checkMatrix(fn, `${arg}[${j}]`, v[j], sizes[l + 1]!, sizes[l]!);
    else checkMatrix(fn, `${arg}[${j}]`, v[j], biasLength(sizes, norm, l));
  }
}

/** An OptimizerSpec at `arg` for a network of layer widths `sizes` (and normalised layers `norm`). */
export function checkOptimizer(fn: string, arg: string, v: unknown, sizes: Int32Array, norm?: Uint8Array | null): void {
  checkObject(fn, arg, v);
  checkCode(fn, `${arg}.type`, v['type'], Object.keys(Optimizer).length);
  checkInRange(fn, `${arg}.weightDecay`, v['weightDecay'], 0, Infinity, false, true);
  checkInRange(fn, `${arg}.momentum`, v['momentum'], 0, 1, false, true);
  checkBool(fn, `${arg}.nesterov`, v['nesterov']);
  checkInRange(fn, `${arg}.beta1`, v['beta1'], 0, 1, false, true);
  checkInRange(fn, `${arg}.beta2`, v['beta2'], 0, 1, false, true);
  checkInRange(fn, `${arg}.eps`, v['eps'], 0, Infinity, true, true);
  checkInRange(fn, `${arg}.clipNorm`, v['clipNorm'], 0, Infinity, false, true);
  checkStateList(fn, `${arg}.state`, v['state'], optimizerStateCount(v['type'], 2 * (sizes.length - 1)), sizes, norm);
  checkTypedVector(fn, `${arg}.step`, v['step'], 1, Float64Array);
  checkInt(fn, `${arg}.step[0]`, (v['step'] as Float64Array)[0], 0, Number.MAX_SAFE_INTEGER);
}

function checkSchedule(fn: string, v: unknown): void {
  const arg = 'job.schedule';
  checkObject(fn, arg, v);
  checkCode(fn, `${arg}.type`, v['type'], Object.keys(Schedule).length);
  checkFinite(fn, `${arg}.lr`, v['lr']);
  checkBool(fn, `${arg}.perStep`, v['perStep']);
  checkInt(fn, `${arg}.stepSize`, v['stepSize'], 1, MAX_DIM);
  checkInRange(fn, `${arg}.gamma`, v['gamma'], 0, Infinity, true, true);
  checkFinite(fn, `${arg}.minLr`, v['minLr']);
  checkInt(fn, `${arg}.total`, v['total'], 1, MAX_DIM);
  checkSize(fn, `${arg}.warmup`, v['warmup']);
}

function checkEarlyStopping(fn: string, v: unknown, nVal: number, metric: number): void {
  const arg = 'job.earlyStopping';
  checkObject(fn, arg, v);
  const monitor = v['monitor'];
  checkCode(fn, `${arg}.monitor`, monitor, Object.keys(Monitor).length);
  checkSize(fn, `${arg}.patience`, v['patience']);
  checkInRange(fn, `${arg}.minDelta`, v['minDelta'], 0, Infinity, false, true);
  checkBool(fn, `${arg}.restoreBest`, v['restoreBest']);
  if (v['patience'] === 0 && !v['restoreBest']) return;
  if ((monitor === Monitor.valLoss || monitor === Monitor.valMetric) && nVal === 0) {
    throw new RangeError(`${fn}: ${arg}.monitor ${monitor} needs validation data (job.nVal ≥ 1)`);
  }
  if ((monitor === Monitor.metric || monitor === Monitor.valMetric) && metric === Metric.none) {
    throw new RangeError(`${fn}: ${arg}.monitor ${monitor} needs a metric (job.metric ≥ 1)`);
  }
}

/** job.resume: undefined or null, or a run's position. */
function checkResume(fn: string, v: unknown, sizes: Int32Array, restoreBest: boolean, batches: number, norm?: Uint8Array | null): void {
  if (v === undefined || v === null) return;
  const arg = 'job.resume';
  if (typeof v !== 'object') throw new TypeError(`${fn}: ${arg} must be an object or null`);
  const r = v as Record<string, unknown>;
  checkSize(fn, `${arg}.epoch`, r['epoch']);
  checkSize(fn, `${arg}.step`, r['step']);
  checkInt(fn, `${arg}.bestEpoch`, r['bestEpoch'], 0, r['epoch'] as number);
  checkFinite(fn, `${arg}.best`, r['best']);
  const count = 2 * (sizes.length - 1);
  const list = r['bestParams'];
  if (Array.isArray(list) && list.length === 0 && restoreBest) {
    throw new RangeError(`${fn}: ${arg}.bestParams must hold the best weights (${count} Float32Arrays) when job.earlyStopping.restoreBest is true`);
  }
  if (!(Array.isArray(list) && list.length === 0)) checkStateList(fn, `${arg}.bestParams`, list, count, sizes, norm);
  checkPartial(fn, r['partial'], batches);
}

/** job.resume.partial: undefined or null, or an epoch stopped after batch b of `batches`, as EPOCH_FIELDS says. */
function checkPartial(fn: string, v: unknown, batches: number): void {
  if (v === undefined || v === null) return;
  const arg = 'job.resume.partial';
  checkTypedVector(fn, arg, v, EPOCH_FIELDS.length, Float64Array);
  const p = v as Float64Array;
  const E = EPOCH;
  // Stopping needs a batch done and one to go: a stop at an epoch's end is no partial epoch.
  checkInt(fn, `${arg}[${E.batch}]`, p[E.batch], 1, batches - 1);
  checkFinite(fn, `${arg}[${E.lossSum}]`, p[E.lossSum]);
  checkFinite(fn, `${arg}[${E.metricTotal}]`, p[E.metricTotal]);
  checkInt(fn, `${arg}[${E.applied}]`, p[E.applied], 0, MAX_DIM);
  checkInt(fn, `${arg}[${E.skipped}]`, p[E.skipped], 0, p[E.batch]!);
  checkFinite(fn, `${arg}[${E.lr}]`, p[E.lr]);
  for (let i = E.order0; i <= E.order3; i++) checkInt(fn, `${arg}[${i}]`, p[i], 0, 0xffffffff);
  if ((p[E.order0]! || p[E.order1]! || p[E.order2]! || p[E.order3]!) === 0) {
    throw new RangeError(`${fn}: ${arg}[${E.order0}..${E.order3}] (the generator state) must not be all zero`);
  }
}

/**
 * Checks a FitJob in this order: the object, job.net, n (≥ 1), x, y, nVal, xVal, yVal, epochs,
 * batchSize (≥ 1; no batch of 1 row with a trainable batch-normalised layer), shuffle, rngState (4 words, not all zero), optimizer
 * (type, weightDecay, momentum, nesterov, beta1, beta2, eps, clipNorm, state,
 * step), schedule (type, lr, perStep, stepSize, gamma, minLr, total, warmup),
 * metric, earlyStopping (monitor, patience, minDelta, restoreBest, then its
 * consistency with the job), skipNonFinite, progressEvery, history
 * (epochs, fields), inputNoise (type, level), resume (epoch, step, bestEpoch,
 * best, bestParams, partial: its length, then each field in order), position
 * (undefined, null or of POSITION_FIELDS' length); then onProgress (a function or null).
 */
export function checkFitJob(fn: string, v: unknown, onProgress: unknown, activationCount: number, lossCount: number, historyFields: number): void {
  checkObject(fn, 'job', v);
  checkNetwork(fn, 'job.net', v['net'], activationCount, lossCount);
  const net = v['net'] as NetworkSpec;
  const inW = net.sizes[0]!;
  const t = checkedTargetCols(net);
  checkInt(fn, 'job.n', v['n'], 1, MAX_DIM);
  checkMatrix(fn, 'job.x', v['x'], v['n'], inW);
  checkMatrix(fn, 'job.y', v['y'], v['n'], t);
  checkSize(fn, 'job.nVal', v['nVal']);
  checkMatrix(fn, 'job.xVal', v['xVal'], v['nVal'], inW);
  checkMatrix(fn, 'job.yVal', v['yVal'], v['nVal'], t);
  checkSize(fn, 'job.epochs', v['epochs']);
  checkInt(fn, 'job.batchSize', v['batchSize'], 1, MAX_DIM);
  const ranks = checkWorld(fn, v['world']);
  const oneRow = batchNormedOnOneRow(net, v['n'], v['batchSize'], ranks);
  if (oneRow >= 0) {
    const of = ranks === 1 ? '' : ` on one of the job.world.size ${ranks} ranks`;
    throw new RangeError(
      `${fn}: job.batchSize ${v['batchSize']} leaves a batch of 1 row of job.n ${v['n']}${of}; job.net.norm[${oneRow}] ` +
        '(batch normalisation, not frozen) needs at least 2 rows per batch',
    );
  }
  checkBool(fn, 'job.shuffle', v['shuffle']);
  checkTypedVector(fn, 'job.rngState', v['rngState'], 4, Uint32Array);
  const s = v['rngState'] as Uint32Array;
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) throw new RangeError(`${fn}: job.rngState must not be all zero`);
  checkOptimizer(fn, 'job.optimizer', v['optimizer'], net.sizes, net.norm);
  checkSchedule(fn, v['schedule']);
  const metric = v['metric'];
  checkCode(fn, 'job.metric', metric, Object.keys(Metric).length);
  if (metric !== Metric.none && t !== net.sizes[net.sizes.length - 1]) {
    throw new RangeError(`${fn}: job.metric must be 0 for the gaussianNll loss, got ${metric}`);
  }
  checkEarlyStopping(fn, v['earlyStopping'], v['nVal'], metric);
  checkBool(fn, 'job.skipNonFinite', v['skipNonFinite']);
  checkSize(fn, 'job.progressEvery', v['progressEvery']);
  checkTypedVector(fn, 'job.history', v['history'], v['epochs'] * historyFields, Float64Array);
  checkInputNoise(fn, v['inputNoise']);
  const batches = Math.ceil(v['n'] / (v['batchSize'] * ranks));
  checkResume(fn, v['resume'], net.sizes, (v['earlyStopping'] as { restoreBest: boolean }).restoreBest, batches, net.norm);
  if (v['position'] !== undefined && v['position'] !== null) {
    checkTypedVector(fn, 'job.position', v['position'], POSITION_FIELDS.length, Float64Array);
  }
  checkProgressCallback(fn, onProgress);
}

/**
 * job.world: undefined or null (this process alone), or the processes of a
 * data-parallel run ({ rank, size, allreduceSum, communicator }: a World of
 * distributed/world.ts). Returns its size (1 without one).
 */
function checkWorld(fn: string, v: unknown): number {
  if (v === undefined || v === null) return 1;
  checkObject(fn, 'job.world', v);
  checkInt(fn, 'job.world.size', v['size'], 1, MAX_DIM);
  checkInt(fn, 'job.world.rank', v['rank'], 0, v['size'] - 1);
  for (const key of ['allreduceSum', 'communicator']) {
    if (typeof v[key] !== 'function') throw new TypeError(`${fn}: job.world.${key} must be a function`);
  }
  return v['size'];
}

/** The progress callback of a long job: a function or null. */
export function checkProgressCallback(fn: string, v: unknown): void {
  if (v !== null && typeof v !== 'function') throw new TypeError(`${fn}: onProgress must be a function or null`);
}
