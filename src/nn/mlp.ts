/**
 * Multilayer perceptron trained by backprop, for regression, binary,
 * multiclass and multilabel classification. A single-layer perceptron is the
 * same class with `layers: [inputs, outputs]`.
 *
 * The model owns its parameters (and its optimizer state) as Float32Arrays;
 * every computation goes through the active Backend (native C++ or pure TS):
 * a whole fit is one Backend.train call (src/nn/fit.ts), so JS is never in
 * the per-sample loop.
 */
import { Activation, Loss, lossTargetCols, type ActivationName, type LossName, type NetworkSpec } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { allocateMatrix, type Matrix } from '../tensor.js';
import { checkOptions, finiteNumber, positiveInt } from '../options.js';
import { checkLayerSizes } from '../sizes.js';
import { allocateShared } from '../shared-memory.js';
import { checkValues, targetMatrix, toMatrix, type Inputs, type Targets, type Unchecked, type ValueRange } from '../inputs.js';
import { initWeights } from '../init-weights.js';
import { isTask, TASKS, type Task } from './tasks.js';
import { readModelFile } from './model-file.js';
import type { FitOptions, History, RunState } from './fit.js';
import { resolveLoss, type LossConfig, type ResolvedLoss } from './loss-config.js';
import { fitSegment, refuseIfBusy, TrainableNetwork, type FitSpec } from './trainable.js';
import { biasParam, dropoutRates, dropoutSpec, normChoices, normSpec, type NormName } from './layers.js';
import { encoderHeadConfig, type EncoderHead, type EncoderSource } from './fine-tune.js';

/** The shape and training terms of an MLP. */
export interface MLPConfig {
  /** Layer widths, input first: [inputs, ...hidden, outputs]. */
  layers: number[];
  /** What the network predicts: how targets are read, the metric, the losses that fit. */
  task: Task;
  /** Hidden activation, for all hidden layers or one per hidden layer. Default 'relu'. */
  hidden?: ActivationName | ActivationName[];
  /** Negative slope of 'leakyRelu'. Default 0.01. */
  leakySlope?: number;
  /** Seed of the weight initialisation and of the per-epoch shuffle. Default 0. */
  seed?: number;
  /** The loss, by name or with its parameters; it must fit the task (see README).
   * Default: mse (regression), sigmoidCrossEntropy (binary, multilabel), softmaxCrossEntropy (multiclass). */
  loss?: LossConfig;
  /** Inverted dropout after each hidden layer's activation while fitting (off in
   * predict and evaluate): one rate in [0, 1) for all, or one per hidden layer. Default 0. */
  dropout?: number | number[];
  /** Normalisation of each hidden layer's pre-activations: 'layer' (per
   * sample), 'batch' (per feature over the batch; running statistics in
   * predict and evaluate) or null, for all or one per hidden layer; learned
   * gain and bias either way. Default null. */
  norm?: NormName | null | (NormName | null)[];
}

/** What evaluate returns: the loss and the task's metrics. */
export interface Evaluation {
  /** The training objective (mean over samples). */
  loss: number;
  /** Fraction of correct predictions (binary, multiclass), or of correct labels (multilabel). */
  accuracy?: number;
  /** Multilabel: fraction of samples with every label right. */
  exactMatch?: number;
  /** Regression: mean squared error of the predicted values (gaussianNll: of the means; poissonNll: of the rates). */
  mse?: number;
}

const CONFIG_KEYS = ['layers', 'task', 'hidden', 'leakySlope', 'seed', 'loss', 'dropout', 'norm'] as const;
// Losses whose targets have a range of their own, whatever the task reads:
// poissonNll counts, and sigmoidMse values its sigmoid output can reach (on
// a regression network too, whose targets are otherwise any finite value).
const LOSS_RANGES: Partial<Record<LossName, ValueRange>> = {
  poissonNll: { min: 0, max: Number.MAX_VALUE, what: 'counts ≥ 0 for the poissonNll loss' },
  sigmoidMse: { min: 0, max: 1, what: 'values in [0, 1] for the sigmoidMse loss' },
};

/** Rows per backend call in predict/evaluate: bounds the workspace memory. */
const ROWS_PER_CALL = 4096;

/** A multilayer perceptron for regression and binary, multiclass and multilabel classification. */
export class MLP extends TrainableNetwork {
  /** Layer widths, input first. */
  readonly layers: readonly number[];
  /** What the network predicts. */
  readonly task: Task;
  /** Activation of each hidden layer. */
  readonly hidden: readonly ActivationName[];
  /** Negative slope of 'leakyRelu'. */
  readonly leakySlope: number;
  /** Dropout rate of each hidden layer while fitting (0: none). */
  readonly dropout: readonly number[];
  /** Normalisation of each hidden layer (null: none); b(ℓ) of a normalised layer is
   * [γ, β] (layer) or [γ, β, running mean, running variance] (batch). */
  readonly norm: readonly (NormName | null)[];
  /** The loss, resolved from config.loss. */
  readonly loss: ResolvedLoss;

  constructor(config: MLPConfig) {
    const fn = 'MLP';
    checkOptions(fn, 'config', config, CONFIG_KEYS);
    if (config === undefined) throw new TypeError('MLP: config must be an object');
    const { layers, task } = config;
    if (!Array.isArray(layers) || layers.length < 2) {
      throw new TypeError('MLP: config.layers must be an array of at least 2 layer widths');
    }
    layers.forEach((w, i) => positiveInt(fn, `config.layers[${i}]`, w, 0));
    checkLayerSizes(fn, 'config.layers', layers);
    if (!isTask(task)) {
      throw new TypeError(`MLP: config.task must be one of ${Object.keys(TASKS).join(', ')}, got ${String(task)}`);
    }
    const outputs = layers[layers.length - 1]!;
    const info = TASKS[task];
    if (outputs < info.minOutputs || (info.outputs !== undefined && outputs !== info.outputs)) {
      const want = info.outputs !== undefined ? `exactly ${info.outputs}` : `at least ${info.minOutputs}`;
      throw new RangeError(`MLP: a ${task} network needs ${want} output(s), got ${outputs}`);
    }
    const loss = resolveLoss(fn, config.loss, task, outputs);
    super(fn, config.seed);
    this.loss = loss;
    this.layers = [...layers];
    this.task = task;
    this.hidden = hiddenActivations(fn, config.hidden, layers.length - 2, 'relu');
    this.leakySlope = finiteNumber(fn, 'config.leakySlope', config.leakySlope, 0.01, 0);
    this.dropout = dropoutRates(fn, config.dropout, layers.length - 2);
    this.norm = normChoices(fn, config.norm, layers.length - 2);
    for (let l = 0; l + 1 < layers.length; l++) {
      const fanIn = layers[l]!;
      const fanOut = layers[l + 1]!;
      const w = allocateShared(fn, `the weights of layer ${l}`, fanOut, fanIn);
      const act = l < this.hidden.length ? Activation[this.hidden[l]!] : Activation.identity;
      initWeights(w, fanIn, fanOut, act, this.rng);
      this.params.push(w, biasParam(this.norm, l, fanOut));
    }
  }

  /** Width of the output layer. */
  get outputs(): number {
    return this.layers[this.layers.length - 1]!;
  }

  /** The plain description the backends take; params are shared, not copied. */
  private spec(): NetworkSpec {
    return {
      sizes: Int32Array.from(this.layers),
      hiddenActivations: Int32Array.from(this.hidden, (name) => Activation[name]),
      leakySlope: this.leakySlope,
      loss: Loss[this.loss.name],
      lossParams: this.loss.params,
      params: this.params,
      dropout: dropoutSpec(this.dropout),
      norm: normSpec(this.norm),
    };
  }

  /**
   * Trains on (x, y) as `options` say (optimizer, schedule, validation,
   * early stopping). Resolves with the history; rejects with the signal's
   * reason when aborted (the weights then hold the last completed
   * minibatch's update), or with an Error naming the epoch and batch when a
   * loss or gradient stops being finite (that batch's update is not applied).
   * The optimizer state (optimizerState) carries over to the next fit with
   * the same optimizer type.
   */
  async fit(x: Inputs, y: Targets, options: FitOptions = {}): Promise<History> {
    return this.train(x, y, options, null);
  }

  /** @internal */
  [fitSegment](x: Inputs, y: Targets | null, options: FitOptions, run: RunState): Promise<History> {
    return this.train(x, y!, options, run);
  }

  private train(x: Inputs, y: Targets, options: FitOptions, run: RunState | null): Promise<History> {
    return this.runFit('MLP.fit', this.fitSpec(), x, y, options, run);
  }

  /** The network, metric and target reader a fit of this model runs with. */
  protected fitSpec(): FitSpec {
    return {
      spec: this.spec(),
      metric: TASKS[this.task].metric,
      targets: (f: string, arg: string, t: unknown, rows: number) => this.targetMatrix(f, arg, t, rows),
    };
  }

  /** y as the (rows, target columns) matrix the loss reads, with the values it must hold. */
  private targetMatrix(fn: string, arg: string, y: unknown, rows: number): Unchecked {
    const t = targetMatrix(fn, arg, y, rows, lossTargetCols(Loss[this.loss.name], this.outputs), TASKS[this.task].targets);
    const range = LOSS_RANGES[this.loss.name];
    return range ? { m: t.m, range } : t;
  }

  /** Output activations (n, outputs): values, sigmoid probabilities or softmax rows. */
  predict(x: Inputs): Matrix {
    const fn = 'MLP.predict';
    this.enter(fn);
    const xs = toMatrix(fn, 'x', x, this.inputs);
    const out = allocateMatrix(fn, 'the predictions', xs.rows, this.outputs);
    const backend = getBackend();
    const net = this.spec();
    for (let r = 0; r < xs.rows; r += ROWS_PER_CALL) {
      const n = Math.min(ROWS_PER_CALL, xs.rows - r);
      backend.forward(out.data.subarray(r * this.outputs, (r + n) * this.outputs), net, xs.data.subarray(r * this.inputs, (r + n) * this.inputs), n);
    }
    return out;
  }

  /** Binary: 1 where p ≥ 0.5 (hinge: where the score ≥ 0); multiclass: the argmax class. */
  predictClass(x: Inputs): Int32Array {
    if (this.task !== 'binary' && this.task !== 'multiclass') {
      throw new TypeError(`MLP.predictClass: only for binary or multiclass networks, this one is ${this.task}`);
    }
    return classesOf(this.task, this.predict(x), this.loss.name === 'hinge' ? 0 : 0.5);
  }

  /** Multilabel: a (n, outputs) 0/1 matrix, label j on where p_j ≥ threshold (or threshold[j]). */
  predictLabels(x: Inputs, threshold: number | ArrayLike<number> = 0.5): Matrix {
    if (this.task !== 'multilabel') {
      throw new TypeError(`MLP.predictLabels: only for multilabel networks, this one is ${this.task}`);
    }
    const k = this.outputs;
    const cut = typeof threshold === 'number' ? new Array<number>(k).fill(threshold) : Array.from(threshold);
    if (cut.length !== k || cut.some((t) => !(t >= 0 && t <= 1))) {
      throw new RangeError(`MLP.predictLabels: threshold must be a number or ${k} numbers in [0, 1]`);
    }
    const p = this.predict(x);
    for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i]! >= cut[i % k]! ? 1 : 0;
    return p;
  }

  /** Loss, and accuracy or MSE as the task allows, on (x, y). */
  evaluate(x: Inputs, y: Targets): Evaluation {
    const fn = 'MLP.evaluate';
    this.enter(fn);
    const xs = toMatrix(fn, 'x', x, this.inputs);
    const target = this.targetMatrix(fn, 'y', y, xs.rows);
    checkValues(fn, 'y', target);
    const ys = target.m;
    if (xs.rows === 0) throw new RangeError(`${fn}: x must have at least one row`);
    const backend = getBackend();
    const net = this.spec();
    // One forward pass gives both the loss and the predictions the metrics read.
    const p = allocateMatrix(fn, 'the predictions', xs.rows, this.outputs);
    let lossSum = 0;
    for (let r = 0; r < xs.rows; r += ROWS_PER_CALL) {
      const n = Math.min(ROWS_PER_CALL, xs.rows - r);
      const rowsOf = (m: Matrix) => m.data.subarray(r * m.cols, (r + n) * m.cols);
      lossSum += backend.forwardLoss(rowsOf(p), net, rowsOf(xs), rowsOf(ys), n) * n;
    }
    const result: Evaluation = { loss: lossSum / xs.rows };
    if (this.task === 'regression') {
      // gaussianNll predicts means then variances: the means are the predicted values.
      let se = 0;
      for (let i = 0; i < ys.rows; i++) for (let j = 0; j < ys.cols; j++) se += (p.get(i, j) - ys.get(i, j)) ** 2;
      result.mse = se / ys.data.length;
    } else if (this.task === 'multilabel') {
      let rightLabels = 0;
      let rightRows = 0;
      for (let i = 0; i < p.rows; i++) {
        let all = true;
        for (let j = 0; j < p.cols; j++) {
          const ok = p.get(i, j) >= 0.5 === ys.get(i, j) >= 0.5;
          if (ok) rightLabels++;
          else all = false;
        }
        if (all) rightRows++;
      }
      result.accuracy = rightLabels / p.data.length;
      result.exactMatch = rightRows / p.rows;
    } else {
      const predicted = classesOf(this.task, p, this.loss.name === 'hinge' ? 0 : 0.5);
      const truth = classesOf(this.task, ys, 0.5);
      let right = 0;
      for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) right++;
      result.accuracy = right / predicted.length;
    }
    return result;
  }

  /**
   * An MLP whose first layers are a trained autoencoder's encoder (its
   * weights copied, the code layer's activation kept) followed by new layers
   * `head.layers` ending in the outputs: pretrain on unlabelled data, then
   * fine-tune on the labelled few, end to end or with `fit(..., { freeze })`
   * holding the encoder's layers 0 … encoder.codeIndex − 1 fixed.
   */
  static fromEncoder(encoder: EncoderSource, head: EncoderHead): MLP {
    const fn = 'MLP.fromEncoder';
    // A fitting autoencoder's weights are being written by its job.
    if (encoder instanceof TrainableNetwork) encoder[refuseIfBusy](fn);
    const { config, encoderParams } = encoderHeadConfig(fn, encoder, head);
    const net = new MLP(config);
    // The encoder's parameter arrays are its own to replace: each must still fit the layer it is copied into.
    for (let i = 0; i < encoderParams.length; i++) {
      const p: unknown = encoderParams[i];
      const want = net.params[i]!.length;
      if (!(p instanceof Float32Array) || p.length !== want) {
        const got = p instanceof Float32Array ? `a Float32Array of ${p.length}` : String(p);
        throw new RangeError(
          `${fn}: encoder.params[${i}] (layer ${i >> 1}'s ${i % 2 === 0 ? 'weight' : 'bias'}) must be a ` + `Float32Array of ${want} values, got ${got}`,
        );
      }
      net.params[i]!.set(p);
    }
    return net;
  }

  /** Reads a file written by `save`; throws ModelFileError when it is not one. */
  static async load(path: string): Promise<MLP> {
    return readModelFile(path, 'MLP', (config) => new MLP(config as unknown as MLPConfig));
  }

  /** The architecture and loss, as given to the constructor (seed aside). */
  config(): MLPConfig {
    return {
      layers: [...this.layers],
      task: this.task,
      hidden: [...this.hidden],
      leakySlope: this.leakySlope,
      loss: this.loss.config,
      ...(dropoutSpec(this.dropout) ? { dropout: [...this.dropout] } : {}),
      ...(normSpec(this.norm) ? { norm: [...this.norm] } : {}),
    };
  }
}

/** The per-hidden-layer activations from a config's `hidden` (one name for all, or one per layer). */
export function hiddenActivations(
  fn: string,
  hidden: ActivationName | ActivationName[] | undefined,
  count: number,
  fallback: ActivationName,
): ActivationName[] {
  const valid = (name: unknown): name is ActivationName => typeof name === 'string' && Object.hasOwn(Activation, name);
  const names = Object.keys(Activation).join(', ');
  if (hidden === undefined) return new Array<ActivationName>(count).fill(fallback);
  if (Array.isArray(hidden)) {
    if (hidden.length !== count) {
      throw new RangeError(`${fn}: config.hidden must name ${count} activation(s), one per hidden layer, got ${hidden.length}`);
    }
    hidden.forEach((h, i) => {
      if (!valid(h)) throw new TypeError(`${fn}: config.hidden[${i}] must be one of ${names}, got ${String(h)}`);
    });
    return [...hidden];
  }
  if (!valid(hidden)) throw new TypeError(`${fn}: config.hidden must be one of ${names}, got ${String(hidden)}`);
  return new Array<ActivationName>(count).fill(hidden);
}

/** Class of each row: value ≥ threshold for a binary column, argmax otherwise. */
function classesOf(task: Task, p: Matrix, threshold: number): Int32Array {
  const out = new Int32Array(p.rows);
  for (let i = 0; i < p.rows; i++) {
    if (task === 'binary') {
      out[i] = p.data[i]! >= threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < p.cols; j++) if (p.get(i, j) > p.get(i, best)) best = j;
    out[i] = best;
  }
  return out;
}
