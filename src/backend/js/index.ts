/**
 * The pure-TypeScript backend: validates every argument exactly as the native
 * addon does (validate.ts), then runs the kernels of this directory.
 *
 * Precision: storage is float32 throughout; sums inside gemm, colSum,
 * softmax and the losses accumulate in float64 (JS numbers), and elementwise
 * maths is done in float64 then rounded to float32 once, when stored.
 */
import { Activation, HISTORY_FIELDS, Loss, NOTHING_TRAINED, lossTargetCols, type Backend, type FitJob, type NetworkSpec, type TrainJob } from '../backend.js';
import { checkSignal, quietAfterAbort } from '../job.js';
import {
  checkBool,
  checkClassWeights,
  checkCode,
  checkFinite,
  checkFitJob,
  checkFloat32,
  checkOptimizer,
  checkLossScalars,
  checkMatrix,
  checkedTargetCols,
  checkNetwork,
  checkOptionalMatrix,
  checkParamList,
  checkInt,
  checkProgressCallback,
  checkSize,
  checkTrainJob,
  checkTypedVector,
} from '../validate.js';
import * as act from './activations.js';
import * as ew from './elementwise.js';
import { gemm, JB } from './gemm.js';
import { lossForwardBackward } from './losses.js';
import * as network from './network.js';
import { optimizerUpdate } from './optimizers.js';
import { softmaxRows } from './softmax.js';
import { fit } from './trainer.js';
import { firstOutside as scanFirstOutside } from './scan.js';
import { centredGram } from './gram.js';
import { symmetricEigen } from './symmetric-eigen.js';
import { jsWord2VecKernels } from './word2vec/index.js';

const ACTIVATIONS = Object.keys(Activation).length;
const LOSSES = Object.keys(Loss).length;

/** The arguments of lossGradient and backward, in the native order: net, n,
 * grads, x (n, sizes[0]), then `name` (n, cols(net)). */
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

export const jsBackend: Backend = {
  name: 'js',
  ...jsWord2VecKernels,

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
    if (transA) checkMatrix(fn, 'a', a, k, m);
    else checkMatrix(fn, 'a', a, m, k);
    if (transB) checkMatrix(fn, 'b', b, n, k);
    else checkMatrix(fn, 'b', b, k, n);
    gemm(c, a, b, m, n, k, transA, transB, alpha, beta, new Float64Array(transB ? 0 : Math.min(n, JB)));
  },

  biasAdd(out, bias, rows, cols) {
    const fn = 'biasAdd';
    checkSize(fn, 'rows', rows);
    checkSize(fn, 'cols', cols);
    checkMatrix(fn, 'out', out, rows, cols);
    checkMatrix(fn, 'bias', bias, cols);
    ew.biasAdd(out, bias, rows, cols);
  },

  colSum(out, inp, rows, cols) {
    const fn = 'colSum';
    checkSize(fn, 'rows', rows);
    checkSize(fn, 'cols', cols);
    checkMatrix(fn, 'out', out, cols);
    checkMatrix(fn, 'inp', inp, rows, cols);
    ew.colSum(out, inp, rows, cols, new Float64Array(cols));
  },

  activationForward(out, inp, n, code, leakySlope) {
    const fn = 'activationForward';
    checkSize(fn, 'n', n);
    checkCode(fn, 'act', code, ACTIVATIONS);
    checkFinite(fn, 'leakySlope', leakySlope);
    checkMatrix(fn, 'out', out, n);
    checkMatrix(fn, 'inp', inp, n);
    act.activationForward(out, inp, n, code, leakySlope);
  },

  activationBackward(dinp, dout, out, n, code, leakySlope) {
    const fn = 'activationBackward';
    checkSize(fn, 'n', n);
    checkCode(fn, 'act', code, ACTIVATIONS);
    checkFinite(fn, 'leakySlope', leakySlope);
    checkMatrix(fn, 'dinp', dinp, n);
    checkMatrix(fn, 'dout', dout, n);
    checkMatrix(fn, 'out', out, n);
    act.activationBackward(dinp, dout, out, n, code, leakySlope);
  },

  softmaxRows(out, inp, rows, cols) {
    const fn = 'softmaxRows';
    checkSize(fn, 'rows', rows);
    checkSize(fn, 'cols', cols);
    checkMatrix(fn, 'out', out, rows, cols);
    checkMatrix(fn, 'inp', inp, rows, cols);
    softmaxRows(out, inp, rows, cols);
  },

  lossForwardBackward(dlogits, logits, target, rows, cols, loss, params) {
    const fn = 'lossForwardBackward';
    checkSize(fn, 'rows', rows);
    checkSize(fn, 'cols', cols);
    checkCode(fn, 'loss', loss, LOSSES);
    if (loss === Loss.gaussianNll && cols % 2 !== 0) {
      throw new RangeError(`${fn}: cols must be even for the gaussianNll loss, got ${cols}`);
    }
    checkLossScalars(fn, 'params', params);
    checkClassWeights(fn, 'params', params, cols);
    checkOptionalMatrix(fn, 'dlogits', dlogits, rows, cols);
    checkMatrix(fn, 'logits', logits, rows, cols);
    checkMatrix(fn, 'target', target, rows, lossTargetCols(loss, cols));
    return lossForwardBackward(dlogits, logits, target, rows, cols, loss, params);
  },

  sgdUpdate(w, g, n, lr, weightDecay) {
    const fn = 'sgdUpdate';
    checkSize(fn, 'n', n);
    checkFinite(fn, 'lr', lr);
    checkFinite(fn, 'weightDecay', weightDecay);
    checkMatrix(fn, 'w', w, n);
    checkMatrix(fn, 'g', g, n);
    ew.sgdUpdate(w, g, n, lr, weightDecay);
  },

  forward(out, net, x, n) {
    const fn = 'forward';
    checkNetwork(fn, 'net', net, ACTIVATIONS, LOSSES);
    checkSize(fn, 'n', n);
    const { sizes } = net;
    checkMatrix(fn, 'out', out, n, sizes[sizes.length - 1]!);
    checkMatrix(fn, 'x', x, n, sizes[0]!);
    network.forward(out, net as NetworkSpec, x, n);
  },

  forwardLoss(out, net, x, y, n) {
    const fn = 'forwardLoss';
    checkNetwork(fn, 'net', net, ACTIVATIONS, LOSSES);
    checkSize(fn, 'n', n);
    const { sizes } = net;
    checkMatrix(fn, 'out', out, n, sizes[sizes.length - 1]!);
    checkMatrix(fn, 'x', x, n, sizes[0]!);
    checkMatrix(fn, 'y', y, n, checkedTargetCols(net));
    return network.forwardLoss(out, net as NetworkSpec, x, y, n);
  },

  lossGradient(grads, net, x, y, n) {
    checkGradientArgs('lossGradient', grads, net, x, 'y', y, n, checkedTargetCols);
    return network.lossGradient(grads, net as NetworkSpec, x, y, n);
  },

  backward(grads, net, x, dOutput, n) {
    checkGradientArgs('backward', grads, net, x, 'dOutput', dOutput, n, (spec) => spec.sizes[spec.sizes.length - 1]!);
    network.backward(grads, net as NetworkSpec, x, dOutput, n);
  },

  optimizerStep(net, grads, optimizer, lr) {
    const fn = 'optimizerStep';
    checkNetwork(fn, 'net', net, ACTIVATIONS, LOSSES);
    checkParamList(fn, 'grads', grads, net.sizes, net.norm);
    checkOptimizer(fn, 'optimizer', optimizer, net.sizes, net.norm);
    checkFinite(fn, 'lr', lr);
    return optimizerUpdate(net as NetworkSpec, grads, optimizer, lr);
  },

  trainEpoch(job) {
    checkTrainJob('trainEpoch', job, ACTIVATIONS, LOSSES);
    return network.trainEpoch(job as TrainJob);
  },

  // The trainer runs on the JS thread: a detached buffer cannot pull memory from under it.
  trainingData: (data) => Promise.resolve(data),

  firstOutside(data, min, max, signal) {
    const fn = 'firstOutside';
    checkSignal(fn, signal);
    checkFinite(fn, 'min', min);
    checkFinite(fn, 'max', max);
    if (!(min <= max)) throw new RangeError(`${fn}: min must be at most max`);
    checkFloat32(fn, 'data', data);
    return scanFirstOutside(data, min, max, () => signal?.aborted === true);
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
    return centredGram(out, mean, x, n, d, rows, alpha, quietAfterAbort(onProgress, signal), () => signal?.aborted === true);
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
    return symmetricEigen(values, vectors, a, m, k, quietAfterAbort(onProgress, signal), () => signal?.aborted === true);
  },

  train(job, onProgress, signal) {
    checkSignal('train', signal);
    if (signal?.aborted) return Promise.resolve({ ...NOTHING_TRAINED });
    checkFitJob('train', job, onProgress, ACTIVATIONS, LOSSES, HISTORY_FIELDS.length);
    const stopped = () => signal?.aborted === true;
    return fit(job as FitJob, quietAfterAbort(onProgress, signal) ?? null, stopped).then((result) => ({ ...result, cancelled: stopped() }));
  },
};
