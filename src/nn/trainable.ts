/**
 * What MLP and Autoencoder share: the parameters and optimizer state they
 * own, the seeded generator their initialisation and fits draw from, the busy
 * guard (nothing else runs on a model while it trains), the one fit path
 * (runFit, whole or as a segment of a checkpointed run) and the model file.
 * Each subclass adds its architecture, its spec and how it reads targets.
 */
import type { InputNoise, MetricCode, NetworkSpec } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { checkWriteOptions, type WriteOptions } from '../io/atomic.js';
import { Rng } from '../rng.js';
import type { Inputs, Targets, Unchecked } from '../inputs.js';
import { checkFitSettings, runFit, type FitOptions, type History, type RunState } from './fit.js';
import { writeModelFile } from './model-file.js';
import type { OptimizerState } from './train-options.js';

/** @internal The key of the method checkpoint.ts runs a segment with: a symbol, so it is not public API.
 * A segment runs inside the run's hold of the busy guard (holdBusy), so it does not take the guard itself. */
export const fitSegment = Symbol('fitSegment');

/** @internal The key of whileBusy for checkpoint.ts: a checkpointed run holds the guard across its segments
 * and its checkpoint writes, which read the weights and optimizer state where they lie. */
export const holdBusy = Symbol('holdBusy');

/** @internal The key of the check a checkpoint's stored fit settings get when it is loaded (checkpoint-file.ts). */
export const checkSettings = Symbol('checkSettings');

/** How one fit reads the model: its network, metric and targets (the rest is the base's). */
export interface FitSpec {
  spec: NetworkSpec;
  metric: MetricCode;
  targets(fn: string, arg: string, y: unknown, rows: number): Unchecked;
  inputNoise?: InputNoise | null;
}

/** The key of the busy check another model runs on this one before reading its weights (MLP.fromEncoder). */
export const refuseIfBusy = Symbol('refuseIfBusy');

export abstract class TrainableNetwork {
  /** Widths, input first. */
  abstract readonly layers: readonly number[];
  /**
   * W(0), b(0), W(1), b(1), …; W(ℓ) is (layers[ℓ+1], layers[ℓ]). Filled by the subclass's constructor,
   * on SharedArrayBuffers: a fit trains these very arrays in place (natively from its own thread, with
   * nothing copied however large the model), so while it runs they hold the weights as training has
   * them at that moment, possibly in the middle of an update, and once it settles its result. Do not
   * write to them during a fit. Being shared, they are shared again, not copied, by `structuredClone`
   * and `postMessage` (and cannot be transferred): send `slice()` copies to keep a snapshot.
   */
  readonly params: Float32Array[] = [];
  protected readonly rng: Rng;
  private state: OptimizerState | null = null;
  private busy = false;

  /** `kind` names the model in messages and files ('MLP', 'Autoencoder'). */
  protected constructor(
    protected readonly kind: string,
    seed: number | undefined,
  ) {
    const s = seed ?? 0;
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) {
      throw new RangeError(`${kind}: config.seed must be an integer in [0, 4294967295], got ${s}`);
    }
    this.rng = new Rng(s);
  }

  get inputs(): number {
    return this.layers[0]!;
  }

  /** The architecture and training terms, as given to the constructor (seed aside). */
  abstract config(): object;

  /** @internal fit as one segment of a checkpointed run: continues `run`'s schedule and early stopping, and advances it. */
  abstract [fitSegment](x: Inputs, y: Targets | null, options: FitOptions, run: RunState): Promise<History>;

  /** How a fit reads this model: its network, metric and targets. */
  protected abstract fitSpec(): FitSpec;

  /** @internal Throws what a fit with `options` would throw before it reads any data. */
  [checkSettings](fn: string, options: FitOptions): void {
    checkFitSettings(fn, { ...this.fitSpec(), optimizerState: this.state }, options);
  }

  /** Refuses a call while a fit runs: it would read (or replace) what the job is writing. */
  protected enter(fn: string): void {
    if (this.busy) throw new Error(`${fn}: the model is busy training; wait for fit() to settle first`);
  }

  /** enter(), run by another model that is about to read this one's weights. */
  [refuseIfBusy](fn: string): void {
    this.enter(fn);
  }

  /** Runs `body` holding the busy guard: refused while another holder runs, and everything else refused until it settles. */
  protected async whileBusy<T>(fn: string, body: () => Promise<T>): Promise<T> {
    this.enter(fn);
    this.busy = true;
    try {
      return await body();
    } finally {
      this.busy = false;
    }
  }

  /** @internal whileBusy, for a checkpointed run (checkpoint.ts). */
  [holdBusy]<T>(fn: string, body: () => Promise<T>): Promise<T> {
    return this.whileBusy(fn, body);
  }

  /** One fit on the active backend: a whole fit holding the busy guard, or a segment of `run`, whose holder holds it. */
  protected runFit(fn: string, fit: FitSpec, x: Inputs, y: Targets, options: FitOptions, run: RunState | null): Promise<History> {
    const train = () => {
      const model = {
        ...fit,
        inputs: this.inputs,
        rng: this.rng,
        optimizerState: this.state,
        keepOptimizerState: (state: OptimizerState) => {
          this.state = state;
        },
      };
      return runFit(fn, getBackend(), model, x, y, options, run);
    };
    return run === null ? this.whileBusy(fn, train) : train();
  }

  /** Optimizer state (velocities or moments, step count) after the last fit, as
   * Float32Arrays shaped like params; the next fit with the same optimizer type continues it.
   * Set it between fits only: a running fit is updating the state it started with. */
  get optimizerState(): OptimizerState | null {
    return this.state;
  }

  set optimizerState(state: OptimizerState | null) {
    this.enter(`${this.kind}.optimizerState`);
    this.state = state;
  }

  /** Writes a safetensors file (atomically): weights as F32 tensors
   * `layers.ℓ.weight` (out, in) and `layers.ℓ.bias`, the config in the metadata.
   * A read-only file is replaced only with `overwrite: true`. */
  async save(path: string, options?: WriteOptions): Promise<void> {
    const fn = `${this.kind}.save`;
    this.enter(fn);
    await writeModelFile(path, this.kind, this.config(), this, undefined, checkWriteOptions(fn, options));
  }

  /** The state of the generator the next fit's shuffles (and noise) draw from: checkpoints save and restore it.
   * Set it between fits only: a running fit continues from the state it started with. */
  get rngState(): Uint32Array {
    return this.rng.getState();
  }

  set rngState(state: Uint32Array) {
    this.enter(`${this.kind}.rngState`);
    this.rng.setState(state);
  }
}
