/**
 * The pure-TypeScript backend: the kernels of this directory behind the
 * checks every backend shares (../checked.ts).
 *
 * Precision: storage is float32 throughout; sums inside gemm, colSum,
 * softmax and the losses accumulate in float64 (JS numbers), and elementwise
 * maths is done in float64 then rounded to float32 once, when stored.
 */
import type { Backend } from '../backend.js';
import { checked } from '../checked.js';
import { quietAfterAbort } from '../job.js';
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

/** The kernels on arguments checked.ts has checked. */
const jsKernels: Backend = {
  name: 'js',
  ...jsWord2VecKernels,

  gemm: (c, a, b, m, n, k, transA, transB, alpha, beta) => gemm(c, a, b, m, n, k, transA, transB, alpha, beta, new Float64Array(transB ? 0 : Math.min(n, JB))),
  biasAdd: (out, bias, rows, cols) => ew.biasAdd(out, bias, rows, cols),
  colSum: (out, inp, rows, cols) => ew.colSum(out, inp, rows, cols, new Float64Array(cols)),
  activationForward: (out, inp, n, code, leakySlope) => act.activationForward(out, inp, n, code, leakySlope),
  activationBackward: (dinp, dout, out, n, code, leakySlope) => act.activationBackward(dinp, dout, out, n, code, leakySlope),
  softmaxRows: (out, inp, rows, cols) => softmaxRows(out, inp, rows, cols),
  lossForwardBackward: (dlogits, logits, target, rows, cols, loss, params) => lossForwardBackward(dlogits, logits, target, rows, cols, loss, params),
  sgdUpdate: (w, g, n, lr, weightDecay) => ew.sgdUpdate(w, g, n, lr, weightDecay),
  forward: (out, net, x, n) => network.forward(out, net, x, n),
  forwardLoss: (out, net, x, y, n) => network.forwardLoss(out, net, x, y, n),
  lossGradient: (grads, net, x, y, n) => network.lossGradient(grads, net, x, y, n),
  backward: (grads, net, x, dOutput, n) => network.backward(grads, net, x, dOutput, n),
  optimizerStep: (net, grads, optimizer, lr) => optimizerUpdate(net, grads, optimizer, lr),
  trainEpoch: (job) => network.trainEpoch(job),

  // The trainer runs on the JS thread: a detached buffer cannot pull memory from under it.
  trainingData: (data) => Promise.resolve(data),

  firstOutside: (data, min, max, signal) => scanFirstOutside(data, min, max, () => signal?.aborted === true),

  centredGram: (out, mean, x, n, d, rows, alpha, onProgress, signal) =>
    centredGram(out, mean, x, n, d, rows, alpha, quietAfterAbort(onProgress, signal), () => signal?.aborted === true),

  symmetricEigen: (values, vectors, a, m, k, onProgress, signal) =>
    symmetricEigen(values, vectors, a, m, k, quietAfterAbort(onProgress, signal), () => signal?.aborted === true),

  train(job, onProgress, signal) {
    const stopped = () => signal?.aborted === true;
    return fit(job, quietAfterAbort(onProgress, signal) ?? null, stopped).then((result) => ({ ...result, cancelled: stopped() }));
  },
};

export const jsBackend: Backend = checked(jsKernels);
