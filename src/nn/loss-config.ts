/**
 * The loss of an MLP, chosen by name or object in its config, checked
 * against the task (which fixes the output layer and how targets are read):
 * a loss that does not fit, such as softmax cross-entropy on a regression
 * output, is refused with a message saying what would fit.
 */
import { defaultLossParams, type LossName, type LossParams } from '../backend/backend.js';
import { checkOptions } from '../options.js';
import type { Task } from './tasks.js';

/** A loss by name, or an object with its parameters. */
export type LossConfig =
  | LossName
  | { type: 'mse' | 'l1' | 'sigmoidMse' | 'sigmoidCrossEntropy' | 'gaussianNll' | 'poissonNll' | 'hinge' | 'multiclassHinge' }
  | { type: 'huber'; delta?: number }
  | { type: 'focal'; gamma?: number; alpha?: number }
  | { type: 'softmaxCrossEntropy'; classWeights?: ArrayLike<number>; smoothing?: number };

/** Which tasks each loss fits, and its parameter keys. */
const LOSSES: Record<LossName, { tasks: Task[]; keys: string[] }> = {
  mse: { tasks: ['regression'], keys: [] },
  l1: { tasks: ['regression'], keys: [] },
  huber: { tasks: ['regression'], keys: ['delta'] },
  gaussianNll: { tasks: ['regression'], keys: [] },
  poissonNll: { tasks: ['regression'], keys: [] },
  sigmoidCrossEntropy: { tasks: ['binary', 'multilabel'], keys: [] },
  sigmoidMse: { tasks: ['regression', 'binary', 'multilabel'], keys: [] },
  focal: { tasks: ['binary', 'multilabel'], keys: ['gamma', 'alpha'] },
  hinge: { tasks: ['binary'], keys: [] },
  softmaxCrossEntropy: { tasks: ['multiclass'], keys: ['classWeights', 'smoothing'] },
  multiclassHinge: { tasks: ['multiclass'], keys: [] },
};

export const DEFAULT_LOSS: Record<Task, LossName> = {
  regression: 'mse',
  binary: 'sigmoidCrossEntropy',
  multiclass: 'softmaxCrossEntropy',
  multilabel: 'sigmoidCrossEntropy',
};

export interface ResolvedLoss {
  name: LossName;
  params: LossParams;
  /** The config as JSON-friendly data (for model files). */
  config: LossConfig;
}

function paramNumber(fn: string, name: string, v: unknown, fallback: number, ok: (x: number) => boolean, range: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number`);
  if (!ok(v)) throw new RangeError(`${fn}: ${name} must be a number in ${range}, got ${v}`);
  return v;
}

/** Resolves config.loss for a network of `outputs` outputs doing `task`. */
export function resolveLoss(fn: string, loss: unknown, task: Task, outputs: number): ResolvedLoss {
  const spec = loss ?? DEFAULT_LOSS[task];
  const obj = typeof spec === 'string' ? { type: spec } : spec;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TypeError(`${fn}: config.loss must be a loss name or an object with a type`);
  }
  const name = (obj as { type?: unknown }).type;
  const names = Object.keys(LOSSES).join(', ');
  if (typeof name !== 'string' || !Object.hasOwn(LOSSES, name)) {
    throw new TypeError(`${fn}: config.loss must be one of ${names}, got ${String(name)}`);
  }
  const info = LOSSES[name as LossName];
  checkOptions(fn, 'config.loss', obj, ['type', ...info.keys]);
  if (!info.tasks.includes(task)) {
    const fits = Object.entries(LOSSES)
      .filter(([, l]) => l.tasks.includes(task))
      .map(([n]) => n)
      .join(', ');
    throw new TypeError(
      `${fn}: loss '${name}' does not fit a ${task} network (it is for ${info.tasks.join(' or ')} ` + `outputs); for ${task} use one of ${fits}`,
    );
  }
  if (name === 'gaussianNll' && outputs % 2 !== 0) {
    throw new RangeError(`${fn}: loss 'gaussianNll' needs an even number of outputs (a mean and a log-variance ` + `per target), got ${outputs}`);
  }
  const o = obj as Record<string, unknown>;
  const params = defaultLossParams();
  params.delta = paramNumber(fn, 'config.loss.delta', o['delta'], 1, (x) => x > 0 && x < Infinity, '(0, Infinity)');
  params.gamma = paramNumber(fn, 'config.loss.gamma', o['gamma'], 2, (x) => x >= 0 && x < Infinity, '[0, Infinity)');
  params.alpha = paramNumber(fn, 'config.loss.alpha', o['alpha'], 0.25, (x) => x >= 0 && x <= 1, '[0, 1]');
  params.smoothing = paramNumber(fn, 'config.loss.smoothing', o['smoothing'], 0, (x) => x >= 0 && x < 1, '[0, 1)');
  const weights = o['classWeights'];
  if (weights !== undefined) {
    if (!Array.isArray(weights) && !ArrayBuffer.isView(weights)) {
      throw new TypeError(`${fn}: config.loss.classWeights must be an array of ${outputs} numbers`);
    }
    const w = Array.from(weights as ArrayLike<number>);
    if (w.length !== outputs) {
      throw new RangeError(`${fn}: config.loss.classWeights must have ${outputs} entries, one per class, got ${w.length}`);
    }
    w.forEach((v, i) => paramNumber(fn, `config.loss.classWeights[${i}]`, v, 0, (x) => x >= 0 && x < Infinity, '[0, Infinity)'));
    params.classWeights = Float32Array.from(w);
  }
  const config = { ...o, ...(weights !== undefined ? { classWeights: Array.from(params.classWeights) } : {}) } as LossConfig;
  return { name: name as LossName, params, config };
}
