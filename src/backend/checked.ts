/**
 * The one place a backend's arguments are checked. `checked(raw)` wraps an
 * implementation that trusts its arguments (the TS kernels of `js/`, the
 * addon's forwarders in `native.ts`) into a `Backend` that checks each one
 * with the rules of `validate.ts` and `validate-word2vec.ts`, then calls the
 * implementation. Both backends are built this way, so they refuse the same
 * inputs with the same messages by construction.
 *
 * Object arguments (a network, a job, an optimizer, loss parameters) are read
 * once into a plain snapshot of their fields, and both the checks and the
 * implementation see only that snapshot: a getter on the caller's object runs
 * once, before any check, and cannot change a value between its check and
 * its use. Typed arrays stay the caller's, so results written into them (the
 * parameters, the optimizer's state, a job's history) reach the caller.
 */
import { Activation, HISTORY_FIELDS, Loss, lossTargetCols, NOTHING_TRAINED, type Backend, type NetworkSpec } from './backend.js';
import { checkSignal } from './job.js';
import {
  checkBool,
  checkClassWeights,
  checkCode,
  checkedTargetCols,
  checkFinite,
  checkFitJob,
  checkFloat32,
  checkInt,
  checkLossScalars,
  checkMatrix,
  checkNetwork,
  checkOptimizer,
  checkOptionalMatrix,
  checkParamList,
  checkProgressCallback,
  checkSize,
  checkTrainJob,
  checkTypedVector,
} from './validate.js';
import { checkCallback, checkInt32Matrix, checkTrainJob as checkWord2VecTrainJob, checkVocabJob, trustVocabulary } from './validate-word2vec.js';

const ACTIVATIONS = Object.keys(Activation).length;
const LOSSES = Object.keys(Loss).length;

/** Which fields of an object argument a snapshot keeps: a plain value (0), a list
 * of values copied element by element (LIST), or a nested object's own shape. */
interface Shape {
  readonly [field: string]: 0 | typeof LIST | Shape;
}
const LIST = 'list';

const LOSS_PARAMS: Shape = { delta: 0, gamma: 0, alpha: 0, smoothing: 0, classWeights: 0 };
const NET: Shape = {
  sizes: 0,
  hiddenActivations: 0,
  leakySlope: 0,
  loss: 0,
  lossParams: LOSS_PARAMS,
  params: LIST,
  sparsity: { layer: 0, rho: 0, beta: 0 },
  tiedPairs: 0,
  frozen: 0,
  dropout: 0,
  norm: 0,
};
const OPTIMIZER: Shape = {
  type: 0,
  weightDecay: 0,
  momentum: 0,
  nesterov: 0,
  beta1: 0,
  beta2: 0,
  eps: 0,
  clipNorm: 0,
  state: LIST,
  step: 0,
};
const TRAIN_EPOCH_JOB: Shape = { net: NET, x: 0, y: 0, n: 0, order: 0, batchSize: 0, learningRate: 0, weightDecay: 0 };
const FIT_JOB: Shape = {
  net: NET,
  x: 0,
  y: 0,
  n: 0,
  xVal: 0,
  yVal: 0,
  nVal: 0,
  epochs: 0,
  batchSize: 0,
  shuffle: 0,
  rngState: 0,
  optimizer: OPTIMIZER,
  schedule: { type: 0, lr: 0, perStep: 0, stepSize: 0, gamma: 0, minLr: 0, total: 0, warmup: 0 },
  metric: 0,
  earlyStopping: { monitor: 0, patience: 0, minDelta: 0, restoreBest: 0 },
  skipNonFinite: 0,
  progressEvery: 0,
  history: 0,
  inputNoise: { type: 0, level: 0 },
  resume: { epoch: 0, step: 0, bestEpoch: 0, best: 0, bestParams: LIST, partial: 0 },
  position: 0,
  world: 0,
};
const VOCAB_JOB: Shape = { path: 0, minCount: 0, maxFinalVocab: 0, lowercase: 0, part: 0, parts: 0 };
const WORD2VEC_JOB: Shape = {
  path: 0,
  words: 0,
  counts: 0,
  vectorSize: 0,
  window: 0,
  negative: 0,
  nsExponent: 0,
  sample: 0,
  alpha: 0,
  minAlpha: 0,
  epochs: 0,
  threads: 0,
  seed: 0,
  sg: 0,
  hs: 0,
  lowercase: 0,
  kernel: 0,
  saturated: 0,
  rank: 0,
  ranks: 0,
  syn0: 0,
  syn1neg: 0,
  syn1: 0,
  resume: { epoch: 0, wordsBefore: 0, offsets: 0, words: 0, loss: 0, terms: 0, finished: 0, rng: 0 },
};

/**
 * `v`'s fields that `shape` names, read once each, as a plain object of own
 * data properties (lists copied, nested objects snapshotted alike). Anything
 * but an object (or an array where a list goes) is returned as it is, for
 * the checks to refuse; functions too.
 */
function snapshot<T>(v: T, shape: Shape): T {
  if (typeof v !== 'object' || v === null) return v;
  const from = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(shape)) {
    const value = from[field];
    const inner = shape[field]!;
    out[field] = inner === 0 ? value : inner === LIST ? list(value) : snapshot(value, inner);
  }
  return out as T;
}

/** A copy of an array's elements, each read once; anything else as it is. */
function list<T>(v: T): T {
  if (!Array.isArray(v)) return v;
  const out = new Array<unknown>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i];
  return out as T;
}

/** The arguments of lossGradient and backward: net, n, grads, x (n, sizes[0]), then `name` (n, cols(net)). */
function checkGradientArgs(
  fn: string,
  grads: unknown,
  net: unknown,
  x: unknown,
  name: string,
  second: unknown,
  n: unknown,
  cols: (net: NetworkSpec) => number,
): void {
  checkNetwork(fn, 'net', net, ACTIVATIONS, LOSSES);
  checkSize(fn, 'n', n);
  checkParamList(fn, 'grads', grads, net.sizes, net.norm);
  checkMatrix(fn, 'x', x, n, net.sizes[0]!);
  checkMatrix(fn, name, second, n, cols(net));
}

const outputs = (net: NetworkSpec): number => net.sizes[net.sizes.length - 1]!;

/** `raw` with every argument checked (validate.ts's rules and words) before it runs. */
export function checked(raw: Backend): Backend {
  return {
    name: raw.name,

    gemm(c, a, b, m, n, k, transA, transB, alpha, beta) {
      const fn = 'gemm';
      checkSize(fn, 'm', m);
      checkSize(fn, 'n', n);
      checkSize(fn, 'k', k);
      checkBool(fn, 'transA', transA);
      checkBool(fn, 'transB', transB);
      checkFinite(fn, 'alpha', alpha);
      checkFinite(fn, 'beta', beta);
      checkMatrix(fn, 'c', c, m, n);
      checkMatrix(fn, 'a', a, transA ? k : m, transA ? m : k);
      checkMatrix(fn, 'b', b, transB ? n : k, transB ? k : n);
      raw.gemm(c, a, b, m, n, k, transA, transB, alpha, beta);
    },

    biasAdd(out, bias, rows, cols) {
      const fn = 'biasAdd';
      checkSize(fn, 'rows', rows);
      checkSize(fn, 'cols', cols);
      checkMatrix(fn, 'out', out, rows, cols);
      checkMatrix(fn, 'bias', bias, cols);
      raw.biasAdd(out, bias, rows, cols);
    },

    colSum(out, inp, rows, cols) {
      const fn = 'colSum';
      checkSize(fn, 'rows', rows);
      checkSize(fn, 'cols', cols);
      checkMatrix(fn, 'out', out, cols);
      checkMatrix(fn, 'inp', inp, rows, cols);
      raw.colSum(out, inp, rows, cols);
    },

    activationForward(out, inp, n, act, leakySlope) {
      const fn = 'activationForward';
      checkSize(fn, 'n', n);
      checkCode(fn, 'act', act, ACTIVATIONS);
      checkFinite(fn, 'leakySlope', leakySlope);
      checkMatrix(fn, 'out', out, n);
      checkMatrix(fn, 'inp', inp, n);
      raw.activationForward(out, inp, n, act, leakySlope);
    },

    activationBackward(dinp, dout, out, n, act, leakySlope) {
      const fn = 'activationBackward';
      checkSize(fn, 'n', n);
      checkCode(fn, 'act', act, ACTIVATIONS);
      checkFinite(fn, 'leakySlope', leakySlope);
      checkMatrix(fn, 'dinp', dinp, n);
      checkMatrix(fn, 'dout', dout, n);
      checkMatrix(fn, 'out', out, n);
      raw.activationBackward(dinp, dout, out, n, act, leakySlope);
    },

    softmaxRows(out, inp, rows, cols) {
      const fn = 'softmaxRows';
      checkSize(fn, 'rows', rows);
      checkSize(fn, 'cols', cols);
      checkMatrix(fn, 'out', out, rows, cols);
      checkMatrix(fn, 'inp', inp, rows, cols);
      raw.softmaxRows(out, inp, rows, cols);
    },

    lossForwardBackward(dlogits, logits, target, rows, cols, loss, params) {
      const fn = 'lossForwardBackward';
      const p = snapshot(params, LOSS_PARAMS);
      checkSize(fn, 'rows', rows);
      checkSize(fn, 'cols', cols);
      checkCode(fn, 'loss', loss, LOSSES);
      if (loss === Loss.gaussianNll && cols % 2 !== 0) {
        throw new RangeError(`${fn}: cols must be even for the gaussianNll loss, got ${cols}`);
      }
      checkLossScalars(fn, 'params', p);
      checkClassWeights(fn, 'params', p, cols);
      checkOptionalMatrix(fn, 'dlogits', dlogits, rows, cols);
      checkMatrix(fn, 'logits', logits, rows, cols);
      checkMatrix(fn, 'target', target, rows, lossTargetCols(loss, cols));
      return raw.lossForwardBackward(dlogits, logits, target, rows, cols, loss, p);
    },

    sgdUpdate(w, g, n, lr, weightDecay) {
      const fn = 'sgdUpdate';
      checkSize(fn, 'n', n);
      checkFinite(fn, 'lr', lr);
      checkFinite(fn, 'weightDecay', weightDecay);
      checkMatrix(fn, 'w', w, n);
      checkMatrix(fn, 'g', g, n);
      raw.sgdUpdate(w, g, n, lr, weightDecay);
    },

    forward(out, net, x, n) {
      const fn = 'forward';
      const spec = snapshot(net, NET);
      checkNetwork(fn, 'net', spec, ACTIVATIONS, LOSSES);
      checkSize(fn, 'n', n);
      checkMatrix(fn, 'out', out, n, outputs(spec));
      checkMatrix(fn, 'x', x, n, spec.sizes[0]!);
      raw.forward(out, spec, x, n);
    },

    forwardLoss(out, net, x, y, n) {
      const fn = 'forwardLoss';
      const spec = snapshot(net, NET);
      checkNetwork(fn, 'net', spec, ACTIVATIONS, LOSSES);
      checkSize(fn, 'n', n);
      checkMatrix(fn, 'out', out, n, outputs(spec));
      checkMatrix(fn, 'x', x, n, spec.sizes[0]!);
      checkMatrix(fn, 'y', y, n, checkedTargetCols(spec));
      return raw.forwardLoss(out, spec, x, y, n);
    },

    lossGradient(grads, net, x, y, n) {
      const [g, spec] = [list(grads), snapshot(net, NET)];
      checkGradientArgs('lossGradient', g, spec, x, 'y', y, n, checkedTargetCols);
      return raw.lossGradient(g, spec, x, y, n);
    },

    backward(grads, net, x, dOutput, n) {
      const [g, spec] = [list(grads), snapshot(net, NET)];
      checkGradientArgs('backward', g, spec, x, 'dOutput', dOutput, n, outputs);
      raw.backward(g, spec, x, dOutput, n);
    },

    optimizerStep(net, grads, optimizer, lr) {
      const fn = 'optimizerStep';
      const [spec, g, opt] = [snapshot(net, NET), list(grads), snapshot(optimizer, OPTIMIZER)];
      checkNetwork(fn, 'net', spec, ACTIVATIONS, LOSSES);
      checkParamList(fn, 'grads', g, spec.sizes, spec.norm);
      checkOptimizer(fn, 'optimizer', opt, spec.sizes, spec.norm);
      checkFinite(fn, 'lr', lr);
      return raw.optimizerStep(spec, g, opt, lr);
    },

    trainEpoch(job) {
      const plain = snapshot(job, TRAIN_EPOCH_JOB);
      checkTrainJob('trainEpoch', plain, ACTIVATIONS, LOSSES);
      return raw.trainEpoch(plain);
    },

    train(job, onProgress, signal) {
      checkSignal('train', signal);
      // Checked here, not by cancelling: a started job could run a batch before it saw the flag.
      if (signal?.aborted) return Promise.resolve({ ...NOTHING_TRAINED });
      const plain = snapshot(job, FIT_JOB);
      checkFitJob('train', plain, onProgress, ACTIVATIONS, LOSSES, HISTORY_FIELDS.length);
      return raw.train(plain, onProgress, signal);
    },

    trainingData: (data, fn, arg, signal) => raw.trainingData(data, fn, arg, signal),

    firstOutside(data, min, max, signal) {
      const fn = 'firstOutside';
      checkSignal(fn, signal);
      checkFinite(fn, 'min', min);
      checkFinite(fn, 'max', max);
      if (!(min <= max)) throw new RangeError(`${fn}: min must be at most max`);
      checkFloat32(fn, 'data', data);
      return raw.firstOutside(data, min, max, signal);
    },

    centredGram(out, mean, x, n, d, rows, alpha, onProgress, signal) {
      const fn = 'centredGram';
      checkSignal(fn, signal);
      checkSize(fn, 'n', n);
      checkSize(fn, 'd', d);
      checkBool(fn, 'rows', rows);
      checkFinite(fn, 'alpha', alpha);
      const side = rows ? n : d;
      checkMatrix(fn, 'out', out, side, side);
      checkMatrix(fn, 'mean', mean, d);
      checkMatrix(fn, 'x', x, n, d);
      checkProgressCallback(fn, onProgress);
      return raw.centredGram(out, mean, x, n, d, rows, alpha, onProgress, signal);
    },

    symmetricEigen(values, vectors, a, m, k, onProgress, signal) {
      const fn = 'symmetricEigen';
      checkSignal(fn, signal);
      checkSize(fn, 'm', m);
      checkInt(fn, 'k', k, 0, m);
      checkTypedVector(fn, 'values', values, k, Float64Array);
      checkMatrix(fn, 'vectors', vectors, k, m);
      checkMatrix(fn, 'a', a, m, m);
      checkProgressCallback(fn, onProgress);
      return raw.symmetricEigen(values, vectors, a, m, k, onProgress, signal);
    },

    word2vecVocab(job, onProgress, signal) {
      const fn = 'word2vecVocab';
      const plain = snapshot(job, VOCAB_JOB);
      checkVocabJob(fn, plain);
      checkCallback(fn, onProgress);
      checkSignal(fn, signal);
      return raw.word2vecVocab(plain, onProgress, signal).then((vocab) => {
        trustVocabulary(vocab.words, vocab.counts);
        return vocab;
      });
    },

    word2vecTrain(job, onProgress, signal) {
      const fn = 'word2vecTrain';
      const plain = snapshot(job, WORD2VEC_JOB);
      checkWord2VecTrainJob(fn, plain);
      checkCallback(fn, onProgress);
      checkSignal(fn, signal);
      return raw.word2vecTrain(plain, onProgress, signal);
    },

    nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e) {
      const fn = 'nearest';
      checkSize(fn, 'rows', rows);
      checkSize(fn, 'cols', cols);
      checkSize(fn, 'q', q);
      checkSize(fn, 'k', k);
      checkSize(fn, 'e', e);
      checkInt32Matrix(fn, 'outIndex', outIndex, q, k);
      checkMatrix(fn, 'outScore', outScore, q, k);
      checkMatrix(fn, 'matrix', matrix, rows, cols);
      checkMatrix(fn, 'queries', queries, q, cols);
      checkInt32Matrix(fn, 'exclude', exclude, q, e);
      raw.nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e);
    },
  };
}
