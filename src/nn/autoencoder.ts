/**
 * Autoencoders: an encoder [in, …, code] and a decoder (the mirror by
 * default) trained as one network to reproduce the input. Plain, denoising
 * (masking or Gaussian input noise), sparse (KL penalty on the code layer),
 * tied (decoder weights = encoder weightsᵀ) and stacked (greedy layer-wise
 * pretraining). The noise, the penalty and the tying all happen inside the
 * backend's fused train step (Backend.train), native or TS; fitting reuses
 * MLP's options and loop (fit.ts).
 */
import { Activation, Loss, NoiseType, defaultLossParams, type ActivationName, type InputNoise, type NetworkSpec } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { allocateMatrix, type Matrix } from '../tensor.js';
import { checkOptions, finiteNumber, positiveInt } from '../options.js';
import { checkLayerSizes } from '../sizes.js';
import { allocateShared } from '../shared-memory.js';
import { checkValues, shapeMatrix, toMatrix, type Inputs, type Targets, type Unchecked } from '../inputs.js';
import { initWeights } from '../init-weights.js';
import { readModelFile, tiedLayers } from './model-file.js';
import type { FitOptions, History, RunState } from './fit.js';
import { hiddenActivations } from './mlp.js';
import { fitSegment, TrainableNetwork, type FitSpec } from './trainable.js';
import { biasParam, dropoutRates, dropoutSpec, normChoices, normSpec, type NormName } from './layers.js';

/** The shape and training terms of an Autoencoder. */
export interface AutoencoderConfig {
  /** Encoder widths, input first, code last: [inputs, ...hidden, code]; at least 2. */
  layers: number[];
  /** Hidden activation of every hidden layer (the code layer included), or one
   * per hidden layer of the whole network (encoder then decoder). Default 'sigmoid'. */
  hidden?: ActivationName | ActivationName[];
  /** Decoder widths after the code, ending with the input width. Default: the encoder mirrored. */
  decoder?: number[];
  /** 'mse' (linear output), 'bce' (sigmoid output, for data in [0, 1]) or
   * 'sigmoidMse' (sigmoid output with squared error, data in [0, 1]: the
   * classic autoencoder). Default 'mse'. */
  loss?: AutoencoderLoss;
  /** Decoder weight ℓ = the mirrored encoder weightᵀ (needs the mirrored decoder). Default false. */
  tiedWeights?: boolean;
  /** Denoising: a masking fraction in [0, 1), or { type: 'mask' | 'gaussian', level }. */
  denoise?: number | { type: 'mask' | 'gaussian'; level: number };
  /** Sparse: β·Σⱼ KL(ρ‖ρ̂ⱼ) on the code layer's mean activation (a sigmoid code layer). */
  sparse?: { rho: number; beta: number };
  /** Negative slope of 'leakyRelu'. Default 0.01. */
  leakySlope?: number;
  /** Seed of the initialisation, the shuffles and the input noise. Default 0. */
  seed?: number;
  /** Inverted dropout after each hidden layer's activation while fitting (off in
   * encode, decode and evaluate): one rate in [0, 1) for all, or one per hidden layer. Default 0. */
  dropout?: number | number[];
  /** Normalisation of each hidden layer of the whole network: 'layer', 'batch' or null, one per hidden layer
   * (the code layer's null), or one value for every hidden layer but the code layer. Default null. */
  norm?: NormName | null | (NormName | null)[];
}

/** Reconstruction loss: mean squared error, binary cross-entropy on a sigmoid output, or squared error on a sigmoid output. */
export type AutoencoderLoss = 'mse' | 'bce' | 'sigmoidMse';
/** The backend loss of each, on the whole network's output. */
const OUTPUT_LOSS = { mse: Loss.mse, bce: Loss.sigmoidCrossEntropy, sigmoidMse: Loss.sigmoidMse } as const;

/** Options of Autoencoder.pretrainStacked. */
export interface StackedOptions {
  /** Epochs of each layer's own autoencoder. Default 5. */
  epochsPerLayer?: number;
  /** Options of every greedy stage (epochs aside): optimizer, batchSize... */
  layerOptions?: Omit<FitOptions, 'epochs' | 'validationData' | 'validationSplit'>;
  /** End-to-end fine-tuning of the whole autoencoder afterwards (FitOptions). Default { epochs: 5 }. */
  fineTune?: FitOptions;
}

const CONFIG_KEYS = ['layers', 'hidden', 'decoder', 'loss', 'tiedWeights', 'denoise', 'sparse', 'leakySlope', 'seed', 'dropout', 'norm'] as const;
/** Rows per backend call in encode/decode: bounds the workspace memory. */
const ROWS_PER_CALL = 4096;

/** An autoencoder: a network trained to reproduce its input through a narrow code layer, then used to encode and decode. */
export class Autoencoder extends TrainableNetwork {
  /** Widths of the whole network: encoder then decoder. */
  readonly layers: readonly number[];
  /** Index in `layers` of the code layer. */
  readonly codeIndex: number;
  /** Activation of each hidden layer, encoder then decoder. */
  readonly hidden: readonly ActivationName[];
  /** The reconstruction loss. */
  readonly loss: AutoencoderLoss;
  /** Whether each decoder layer uses its encoder twin's weights, transposed. */
  readonly tiedWeights: boolean;
  /** Noise added to the inputs while fitting (a denoising autoencoder), or null. */
  readonly inputNoise: InputNoise | null;
  /** Sparsity penalty on the code layer: target mean activation rho, weight beta; or null. */
  readonly sparse: { rho: number; beta: number } | null;
  /** Negative slope of 'leakyRelu'. */
  readonly leakySlope: number;
  /** Dropout rate of each hidden layer of the whole network while fitting (0: none). */
  readonly dropout: readonly number[];
  /** Normalisation of each hidden layer of the whole network (null: none). */
  readonly norm: readonly (NormName | null)[];
  private readonly cfg: AutoencoderConfig;

  constructor(config: AutoencoderConfig) {
    const fn = 'Autoencoder';
    checkOptions(fn, 'config', config, CONFIG_KEYS);
    if (config === undefined) throw new TypeError(`${fn}: config must be an object`);
    const { layers } = config;
    if (!Array.isArray(layers) || layers.length < 2) {
      throw new TypeError(`${fn}: config.layers must be an array of at least 2 layer widths (inputs ... code)`);
    }
    layers.forEach((w, i) => positiveInt(fn, `config.layers[${i}]`, w, 0));
    const decoder = config.decoder ?? [...layers].reverse().slice(1);
    if (!Array.isArray(decoder) || decoder.length < 1) throw new TypeError(`${fn}: config.decoder must be an array of layer widths`);
    decoder.forEach((w, i) => positiveInt(fn, `config.decoder[${i}]`, w, 0));
    if (decoder[decoder.length - 1] !== layers[0]) {
      throw new RangeError(`${fn}: config.decoder must end with the input width ${layers[0]}, got ${decoder[decoder.length - 1]}`);
    }
    checkLayerSizes(fn, 'config.layers and config.decoder', [...layers, ...decoder]);
    super(fn, config.seed);
    this.layers = [...layers, ...decoder];
    this.codeIndex = layers.length - 1;
    this.loss = config.loss ?? 'mse';
    if (typeof this.loss !== 'string' || !Object.hasOwn(OUTPUT_LOSS, this.loss)) {
      throw new TypeError(`${fn}: config.loss must be 'mse', 'bce' or 'sigmoidMse', got ${String(this.loss)}`);
    }
    this.hidden = hiddenActivations(fn, config.hidden, this.layers.length - 2, 'sigmoid');
    if (this.codeIndex === 0) throw new RangeError(`${fn}: config.layers needs a code layer after the inputs`);
    this.leakySlope = finiteNumber(fn, 'config.leakySlope', config.leakySlope, 0.01, 0);
    this.dropout = dropoutRates(fn, config.dropout, this.layers.length - 2);
    const norm = normChoices(fn, config.norm, this.layers.length - 2);
    // The code layer stays unnormalised: encode returns its plain activations.
    // One value for every hidden layer means the others; a list must say so itself.
    if (typeof config.norm === 'string') norm[this.codeIndex - 1] = null;
    else if (norm[this.codeIndex - 1] !== null) {
      throw new RangeError(
        `${fn}: config.norm[${this.codeIndex - 1}] must be null: the code layer stays unnormalised, so encode returns its plain activations`,
      );
    }
    this.norm = norm;
    this.tiedWeights = config.tiedWeights ?? false;
    if (typeof this.tiedWeights !== 'boolean') throw new TypeError(`${fn}: config.tiedWeights must be a boolean`);
    const mirrored = decoder.length === layers.length - 1 && decoder.every((w, i) => w === layers[layers.length - 2 - i]);
    if (this.tiedWeights && !mirrored) throw new RangeError(`${fn}: config.tiedWeights needs the mirrored decoder`);
    this.inputNoise = noiseOf(fn, config.denoise);
    this.sparse = sparseOf(fn, config.sparse);
    if (this.sparse && this.hidden[this.codeIndex - 1] !== 'sigmoid') {
      throw new RangeError(`${fn}: config.sparse needs a sigmoid code layer (its mean activation is a rate in (0, 1)), got ${this.hidden[this.codeIndex - 1]}`);
    }
    this.cfg = { ...config, layers: [...layers], decoder: [...decoder], hidden: [...this.hidden], loss: this.loss };
    delete this.cfg.seed;
    const L = this.layers.length - 1;
    for (let l = 0; l < L; l++) {
      const fanIn = this.layers[l]!;
      const fanOut = this.layers[l + 1]!;
      const w = allocateShared(fn, `the weights of layer ${l}`, fanOut, fanIn);
      const act = l < this.hidden.length ? Activation[this.hidden[l]!] : Activation.identity;
      if (this.tiedWeights && l >= this.codeIndex) transposeInto(w, this.params[2 * (L - 1 - l)]!, fanIn, fanOut);
      else initWeights(w, fanIn, fanOut, act, this.rng);
      this.params.push(w, biasParam(this.norm, l, fanOut));
    }
  }

  /** @internal The encoder and decoder layers that share a matrix, outermost first: (0, L − 1), (1, L − 2), … */
  get [tiedLayers](): [number, number][] {
    const L = this.layers.length - 1;
    return this.tiedWeights ? Array.from({ length: this.codeIndex }, (_, e) => [e, L - 1 - e]) : [];
  }

  /** Width of the code. */
  get codeSize(): number {
    return this.layers[this.codeIndex]!;
  }

  /** The whole network, or layers [from, to) of it, as the backends take it. */
  private spec(from = 0, to = this.layers.length - 1): NetworkSpec {
    const whole = from === 0 && to === this.layers.length - 1;
    const L = this.layers.length - 1;
    return {
      sizes: Int32Array.from(this.layers.slice(from, to + 1)),
      hiddenActivations: Int32Array.from(this.hidden.slice(from, to - 1), (name) => Activation[name]),
      leakySlope: this.leakySlope,
      // A partial pass (encode/decode) ends in plain logits unless it is the real output.
      loss: to === L ? OUTPUT_LOSS[this.loss] : Loss.mse,
      lossParams: defaultLossParams(),
      params: this.params.slice(2 * from, 2 * to),
      sparsity: whole && this.sparse ? { layer: this.codeIndex - 1, ...this.sparse } : null,
      tiedPairs: whole && this.tiedWeights ? Int32Array.from(this[tiedLayers].flat()) : null,
      dropout: whole ? dropoutSpec(this.dropout) : null,
      norm: normSpec(this.norm.slice(from, to - 1)),
    };
  }

  /** Trains to reconstruct x, with MLP's fit options; validationData is { x }. */
  async fit(x: Inputs, options: FitOptions = {}): Promise<History> {
    return this.train(x, options, null);
  }

  /** @internal */
  [fitSegment](x: Inputs, _y: Targets | null, options: FitOptions, run: RunState): Promise<History> {
    return this.train(x, options, run);
  }

  private train(x: Inputs, options: FitOptions, run: RunState | null): Promise<History> {
    const fn = 'Autoencoder.fit';
    // A segment runs inside its checkpointed run's hold of the guard.
    if (run === null) this.enter(fn);
    const vd = options.validationData as { x: Inputs; y?: unknown } | undefined;
    if (vd !== undefined) checkOptions(fn, 'options.validationData', vd, ['x']);
    const opts: FitOptions = vd !== undefined ? { ...options, validationData: { x: vd.x, y: vd.x as never } } : options;
    return this.runFit(fn, this.fitSpec(), x, x as never, opts, run);
  }

  /** The network, metric and target reader a fit of this model runs with. */
  protected fitSpec(): FitSpec {
    return {
      spec: this.spec(),
      metric: 0 as const,
      inputNoise: this.inputNoise,
      targets: (f: string, arg: string, t: unknown, rows: number) => this.data(f, arg, t, rows),
    };
  }

  /** x as a (rows, inputs) matrix and the values it must hold: in [0, 1] for the losses of a sigmoid output. */
  private data(fn: string, arg: string, x: unknown, rows?: number): Unchecked {
    const m = shapeMatrix(fn, arg, x, this.inputs);
    if (rows !== undefined && m.rows !== rows) throw new RangeError(`${fn}: ${arg} must have ${rows} rows, got ${m.rows}`);
    return { m, range: this.loss === 'mse' ? null : { min: 0, max: 1, what: `values in [0, 1] for the ${this.loss} loss` } };
  }

  // out = layers [from, to) applied to x; with `activate`, the last layer's
  // hidden activation too (the code of encode), which a forward pass leaves off.
  private pass(fn: string, x: Matrix, from: number, to: number, activate: boolean): Matrix {
    const inW = this.layers[from]!;
    const outW = this.layers[to]!;
    const out = allocateMatrix(fn, to === this.codeIndex ? 'the codes' : 'the reconstructions', x.rows, outW);
    const backend = getBackend();
    const net = this.spec(from, to);
    for (let r = 0; r < x.rows; r += ROWS_PER_CALL) {
      const n = Math.min(ROWS_PER_CALL, x.rows - r);
      backend.forward(out.data.subarray(r * outW, (r + n) * outW), net, x.data.subarray(r * inW, (r + n) * inW), n);
    }
    if (activate) backend.activationForward(out.data, out.data, out.data.length, Activation[this.hidden[to - 1]!], this.leakySlope);
    return out;
  }

  /** Codes (n, codeSize): the code layer's activations. */
  encode(x: Inputs): Matrix {
    const fn = 'Autoencoder.encode';
    this.enter(fn);
    return this.pass(fn, toMatrix(fn, 'x', x, this.inputs), 0, this.codeIndex, true);
  }

  /** Reconstructions (n, inputs) from codes (n, codeSize). */
  decode(codes: Inputs): Matrix {
    const fn = 'Autoencoder.decode';
    this.enter(fn);
    return this.pass(fn, toMatrix(fn, 'codes', codes, this.codeSize), this.codeIndex, this.layers.length - 1, false);
  }

  /** decode(encode(x)), in one pass. */
  reconstruct(x: Inputs): Matrix {
    const fn = 'Autoencoder.reconstruct';
    this.enter(fn);
    return this.pass(fn, toMatrix(fn, 'x', x, this.inputs), 0, this.layers.length - 1, false);
  }

  /** Mean squared reconstruction error per value on x (no noise, no penalty). */
  evaluate(x: Inputs): { mse: number } {
    const fn = 'Autoencoder.evaluate';
    const xs = toMatrix(fn, 'x', x, this.inputs);
    if (xs.rows === 0) throw new RangeError(`${fn}: x must have at least one row`);
    const r = this.reconstruct(xs);
    let se = 0;
    for (let i = 0; i < r.data.length; i++) se += (r.data[i]! - xs.data[i]!) ** 2;
    return { mse: se / r.data.length };
  }

  /**
   * Greedy layer-wise pretraining (Bengio et al. 2007): each encoder layer ℓ
   * is first trained as a one-hidden-layer autoencoder of the previous layer's
   * codes (with this model's noise, sparsity on the last and loss on the
   * first), its encoder and decoder weights copied into the mirrored layers,
   * then the whole network is fine-tuned end to end.
   */
  async pretrainStacked(x: Inputs, options: StackedOptions = {}): Promise<History> {
    const fn = 'Autoencoder.pretrainStacked';
    checkOptions(fn, 'options', options, ['epochsPerLayer', 'layerOptions', 'fineTune']);
    const epochs = positiveInt(fn, 'options.epochsPerLayer', options.epochsPerLayer, 5);
    const mirrored = this.layers.length === 2 * this.codeIndex + 1 && this.layers.every((w, i) => w === this.layers[this.layers.length - 1 - i]);
    if (!mirrored) throw new RangeError(`${fn}: needs the mirrored decoder`);
    if (this.norm.some((c) => c !== null)) throw new RangeError(`${fn}: does not pretrain normalised layers (config.norm); use fit`);
    const given = this.data(fn, 'x', x);
    checkValues(fn, 'x', given);
    // The stages write this model's weights: it is busy (no fit, predict or save) until they are done.
    await this.whileBusy(fn, () => this.greedyStages(given.m, epochs, options.layerOptions));
    this.optimizerState = null;
    return this.fit(x, { epochs: 5, ...options.fineTune });
  }

  // Each encoder layer trained as an autoencoder of the codes below it, its weights copied into both mirrored layers.
  private async greedyStages(x: Matrix, epochs: number, layerOptions: StackedOptions['layerOptions']): Promise<void> {
    let data = x;
    const L = this.layers.length - 1;
    for (let l = 0; l < this.codeIndex; l++) {
      const act = this.hidden[l]!;
      const stage = new Autoencoder({
        layers: [this.layers[l]!, this.layers[l + 1]!],
        hidden: act,
        leakySlope: this.leakySlope,
        loss: l === 0 ? this.loss : 'mse',
        tiedWeights: this.tiedWeights,
        seed: this.rng.nextU32(),
        ...(this.cfg.denoise !== undefined ? { denoise: this.cfg.denoise } : {}),
        ...(this.sparse && l === this.codeIndex - 1 ? { sparse: this.sparse } : {}),
      });
      await stage.fit(data, { ...layerOptions, epochs });
      this.params[2 * l]!.set(stage.params[0]!);
      this.params[2 * l + 1]!.set(stage.params[1]!);
      this.params[2 * (L - 1 - l)]!.set(stage.params[2]!);
      this.params[2 * (L - 1 - l) + 1]!.set(stage.params[3]!);
      data = stage.encode(data);
    }
  }

  /** Reads an autoencoder saved with save(). */
  static async load(path: string): Promise<Autoencoder> {
    return readModelFile(path, 'Autoencoder', (config) => new Autoencoder(config as unknown as AutoencoderConfig));
  }

  /** The architecture and training terms, as given to the constructor (seed aside). */
  config(): AutoencoderConfig {
    return structuredClone(this.cfg);
  }
}

// t (cols, rows) = wᵀ for w (rows, cols).
function transposeInto(t: Float32Array, w: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
}

function noiseOf(fn: string, denoise: AutoencoderConfig['denoise']): InputNoise | null {
  if (denoise === undefined) return null;
  if (typeof denoise === 'number') {
    if (!(denoise >= 0 && denoise < 1)) throw new RangeError(`${fn}: config.denoise must be a masking fraction in [0, 1), got ${denoise}`);
    return { type: NoiseType.mask, level: denoise };
  }
  checkOptions(fn, 'config.denoise', denoise, ['type', 'level']);
  if (denoise.type !== 'mask' && denoise.type !== 'gaussian') {
    throw new TypeError(`${fn}: config.denoise.type must be 'mask' or 'gaussian', got ${String(denoise.type)}`);
  }
  const mask = denoise.type === 'mask';
  const level = denoise.level;
  if (typeof level !== 'number' || !(level >= 0 && (mask ? level < 1 : Number.isFinite(level)))) {
    throw new RangeError(`${fn}: config.denoise.level must be a number in [0, ${mask ? '1' : 'Infinity'}), got ${String(level)}`);
  }
  return { type: NoiseType[denoise.type], level };
}

function sparseOf(fn: string, sparse: AutoencoderConfig['sparse']): { rho: number; beta: number } | null {
  if (sparse === undefined) return null;
  checkOptions(fn, 'config.sparse', sparse, ['rho', 'beta']);
  const { rho, beta } = sparse;
  if (typeof rho !== 'number' || !(rho > 0 && rho < 1)) throw new RangeError(`${fn}: config.sparse.rho must be a number in (0, 1), got ${String(rho)}`);
  if (typeof beta !== 'number' || !(beta >= 0 && Number.isFinite(beta))) {
    throw new RangeError(`${fn}: config.sparse.beta must be a finite number ≥ 0, got ${String(beta)}`);
  }
  return { rho, beta };
}
