/**
 * Pretrain, then fine-tune: an MLP whose first layers are a trained
 * autoencoder's encoder (MLP.fromEncoder), and the per-fit `freeze` option
 * that holds chosen layers fixed while the rest learn (the fused training
 * step of either backend honours it: NetworkSpec.frozen).
 */
import type { ActivationName } from '../backend/backend.js';
import { checkOptions } from '../options.js';
import type { LossConfig } from './loss-config.js';
import type { Task } from './tasks.js';

/** The new layers of MLP.fromEncoder, after the encoder's code layer. */
export interface EncoderHead {
  /** Widths after the code: [...hidden, outputs]; at least the outputs. */
  layers: number[];
  /** What the head predicts. */
  task: Task;
  /** Activation of the head's hidden layers (one name, or one per head hidden layer). Default 'relu'. */
  hidden?: ActivationName | ActivationName[];
  /** The head's loss; it must fit the task. Default: the task's default. */
  loss?: LossConfig;
  /** Seed of the head's initialisation and of the fits' shuffles. Default 0. */
  seed?: number;
}

/** What MLP.fromEncoder needs of an autoencoder (structurally: no import of the class). */
export interface EncoderSource {
  readonly layers: readonly number[];
  readonly codeIndex: number;
  readonly hidden: readonly ActivationName[];
  readonly leakySlope: number;
  readonly norm: readonly ('layer' | 'batch' | null)[];
  readonly params: Float32Array[];
}

const HEAD_KEYS = ['layers', 'task', 'hidden', 'loss', 'seed'] as const;

/**
 * The MLP config of encoder + head and the encoder's parameters to copy into
 * its first layers: the encoder's widths and activations (the code layer
 * keeps its activation), then the head's.
 */
export function encoderHeadConfig(fn: string, encoder: EncoderSource, head: EncoderHead) {
  checkOptions(fn, 'head', head, HEAD_KEYS);
  if (head === undefined) throw new TypeError(`${fn}: head must be an object`);
  const { codeIndex } = encoder;
  if (!Array.isArray(encoder.layers) || !Number.isInteger(codeIndex) || !Array.isArray(encoder.params) || !Array.isArray(encoder.norm)) {
    throw new TypeError(`${fn}: encoder must be an Autoencoder`);
  }
  if (!Array.isArray(head.layers) || head.layers.length < 1) {
    throw new TypeError(`${fn}: head.layers must be an array of at least 1 layer width (the outputs)`);
  }
  const headHidden = head.layers.length - 1;
  const h = head.hidden ?? 'relu';
  if (typeof h !== 'string' && !Array.isArray(h)) {
    throw new TypeError(`${fn}: head.hidden must be an activation name or an array of them`);
  }
  const headActs = typeof h === 'string' ? new Array<ActivationName>(headHidden).fill(h) : h;
  if (headActs.length !== headHidden) {
    throw new RangeError(`${fn}: head.hidden must name ${headHidden} activation(s), one per head hidden layer, got ${headActs.length}`);
  }
  const config = {
    layers: [...encoder.layers.slice(0, codeIndex + 1), ...head.layers],
    task: head.task,
    // The names themselves are checked by MLP's constructor.
    hidden: [...encoder.hidden.slice(0, codeIndex), ...headActs],
    leakySlope: encoder.leakySlope,
    // Normalised encoder layers stay normalised (their [γ, β] are copied with the weights).
    ...(encoder.norm.some((c) => c !== null) ? { norm: [...encoder.norm.slice(0, codeIndex), ...headActs.map(() => null)] } : {}),
    ...(head.loss !== undefined ? { loss: head.loss } : {}),
    ...(head.seed !== undefined ? { seed: head.seed } : {}),
  };
  return { config, encoderParams: Array.from({ length: 2 * codeIndex }, (_, i) => encoder.params[i]) };
}

/**
 * FitOptions.freeze as NetworkSpec.frozen: undefined (or an empty list) for
 * none, else distinct layer indices in [0, layers); tied layer pairs
 * (autoencoders with tiedWeights) must be frozen together.
 */
export function frozenFlags(fn: string, freeze: unknown, layers: number, tiedPairs?: Int32Array | null): Uint8Array | null {
  if (freeze === undefined) return null;
  const arg = 'options.freeze';
  if (!Array.isArray(freeze)) throw new TypeError(`${fn}: ${arg} must be an array of layer indices`);
  if (freeze.length === 0) return null;
  const flags = new Uint8Array(layers);
  freeze.forEach((l: unknown, i) => {
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= layers) {
      throw new RangeError(`${fn}: ${arg}[${i}] must be a layer index in [0, ${layers - 1}], got ${String(l)}`);
    }
    if (flags[l] === 1) throw new RangeError(`${fn}: ${arg} names layer ${l} twice`);
    flags[l] = 1;
  });
  if (flags.every((f) => f === 1)) throw new RangeError(`${fn}: ${arg} freezes every layer; nothing would train`);
  const pairs = tiedPairs ?? new Int32Array(0);
  for (let i = 0; i < pairs.length; i += 2) {
    const e = pairs[i]!;
    const d = pairs[i + 1]!;
    if (flags[e] !== flags[d]) {
      throw new RangeError(`${fn}: ${arg} must name tied layers ${e} and ${d} together (they share one weight matrix)`);
    }
  }
  return flags;
}
