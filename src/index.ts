/** fastnn: neural networks for Node.js on a C++ core, with a pure-TS fallback. */
export { Matrix } from './tensor.js';
export { Rng } from './rng.js';
export { MLP } from './nn/mlp.js';
export type { MLPConfig, FitOptions, SgdOptions, EpochInfo, History, Evaluation } from './nn/mlp.js';
export type { Task } from './nn/tasks.js';
export type { Inputs, Targets } from './nn/data.js';
export { ModelFileError } from './io/safetensors.js';
export { getBackend, useBackend, backendInfo } from './backend/select.js';
export type { BackendName } from './backend/select.js';
export { Activation, Loss } from './backend/backend.js';
export type { Backend, ActivationName, LossName, NetworkSpec, TrainJob } from './backend/backend.js';
export { PCA } from './nn/pca.js';
export { classicalMds } from './nn/mds.js';
export { readIdx, readIdxImages, readIdxLabels, decodeIdx, IdxFileError } from './io/idx.js';
export type { IdxArray, IdxElementType } from './io/idx.js';
