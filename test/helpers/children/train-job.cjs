// A plain-data FitJob for the native addon's train(), built the same way in
// the test process, in Workers and in child processes (CommonJS with no
// imports, so a Worker's eval'd code can require it): a relu network with
// softmax cross-entropy and Adam, on deterministic data the network can only
// partly fit (the loss stays far from 0, so every batch moves the weights).
'use strict';

function makeJob({ n = 4000, inputs = 256, hidden = 128, outputs = 10, epochs = 3, batchSize = 16 } = {}) {
  const f32 = (len, f) => Float32Array.from({ length: len }, f);
  const label = (row) => Math.floor(Math.abs(Math.sin(row * 1.7)) * outputs) % outputs;
  const params = [
    f32(hidden * inputs, (_, i) => Math.cos(i) * 0.05),
    new Float32Array(hidden),
    f32(outputs * hidden, (_, i) => Math.sin(i) * 0.05),
    new Float32Array(outputs),
  ];
  return {
    net: {
      sizes: Int32Array.of(inputs, hidden, outputs),
      hiddenActivations: Int32Array.of(3),
      leakySlope: 0,
      loss: 2,
      lossParams: { delta: 1, gamma: 2, alpha: 0.25, smoothing: 0, classWeights: new Float32Array(0) },
      params,
    },
    x: f32(n * inputs, (_, i) => Math.sin(i * 0.37)),
    y: f32(n * outputs, (_, i) => (i % outputs === label(Math.floor(i / outputs)) ? 1 : 0)),
    n,
    xVal: new Float32Array(0),
    yVal: new Float32Array(0),
    nVal: 0,
    epochs,
    batchSize,
    shuffle: true,
    rngState: Uint32Array.of(1, 2, 3, 4),
    optimizer: {
      type: 2,
      weightDecay: 0,
      momentum: 0.9,
      nesterov: false,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      clipNorm: 0,
      state: params.concat(params).map((p) => new Float32Array(p.length)),
      step: new Float64Array(1),
    },
    schedule: { type: 0, lr: 0.01, perStep: false, stepSize: 1, gamma: 0.1, minLr: 0, total: 1, warmup: 0 },
    metric: 2,
    earlyStopping: { monitor: 0, patience: 0, minDelta: 0, restoreBest: false },
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(epochs * 6),
  };
}

module.exports = { makeJob };
