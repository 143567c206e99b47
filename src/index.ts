/**
 * fastnn: neural networks for Node.js on a C++ core, with a pure-TS fallback.
 * The package's API: what the README documents and the types its options
 * and results have. Internals (the backend, job shapes) stay in their
 * modules, where the tests import them from.
 */
export { Matrix } from './tensor.js';
export { Rng } from './rng.js';
export { MLP } from './nn/mlp.js';
export { Autoencoder } from './nn/autoencoder.js';
export type { AutoencoderConfig, AutoencoderLoss, StackedOptions } from './nn/autoencoder.js';
export type { EncoderHead } from './nn/fine-tune.js';
export type { NormName } from './nn/layers.js';
export { fitAutoencoderWithCheckpoints, fitWithCheckpoints, resumeAutoencoderFit, resumeFit } from './nn/checkpoint.js';
export type { AutoencoderResumeOptions, CheckpointOptions, CheckpointSettings, ResumeOptions } from './nn/checkpoint.js';
export { entropy, crossEntropy, klDivergence, bernoulliEntropy } from './analysis/information.js';
export type { InformationOptions, Distributions } from './analysis/information.js';
export type { MLPConfig, Evaluation } from './nn/mlp.js';
export type { FitOptions, EpochInfo, ProgressInfo, History } from './nn/fit.js';
export type { LossConfig } from './nn/loss-config.js';
export type { OptimizerOptions, ScheduleOptions, EarlyStoppingOptions, OptimizerState } from './nn/train-options.js';
export type { Task } from './nn/tasks.js';
export type { Inputs, Targets } from './inputs.js';
export { ModelFileError } from './io/safetensors.js';
export { NonFiniteError } from './backend/errors.js';
export type { NonFiniteQuantity } from './backend/errors.js';
export { FileWriteError } from './io/atomic.js';
export { useBackend, backendInfo, setThreads, getThreads } from './backend/select.js';
export type { BackendName } from './backend/select.js';
export type { ActivationName, LossName, LossParams, KernelProgress } from './backend/backend.js';
export { PCA } from './analysis/pca.js';
export { classicalMds } from './analysis/mds.js';
export type { SpectralOptions, SpectralProgress } from './analysis/spectral.js';
export { SammonMap, sammonStress } from './analysis/sammon.js';
export type { SammonConfig, SammonFitOptions, SammonProgress } from './analysis/sammon.js';
export { readIdx, readIdxImages, readIdxLabels, IdxFileError } from './io/idx.js';
export type { IdxArray, IdxElementType } from './io/idx.js';
export { distributed } from './distributed/world.js';
export type { DistributedInfo } from './distributed/world.js';
export { Word2Vec } from './word2vec/word2vec.js';
export { CorpusError } from './word2vec/corpus.js';
export type { CorpusEncoding } from './word2vec/corpus.js';
export type { TrainOptions as Word2VecOptions, TrainedVectors } from './word2vec/word2vec.js';
export { WordVectors } from './word2vec/vectors.js';
export type { Neighbour, Query, SimilarOptions } from './word2vec/vectors.js';
export { WordVectorsFileError } from './word2vec/formats.js';
export type { LoadOptions, SaveOptions, VectorFormat } from './word2vec/formats.js';
export { evaluateAnalogies, evaluateSimilarity } from './word2vec/evaluate.js';
export type { AnalogyScore, SectionScore, SimilarityScore } from './word2vec/evaluate.js';
export type { Word2VecProgress } from './backend/word2vec.js';
export { scatterPlot, lossPlot, Figure } from './plot/index.js';
export type { ScatterOptions, LossCurves, LossPlotOptions, Shape } from './plot/index.js';
