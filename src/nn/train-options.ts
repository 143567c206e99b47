/**
 * The training options of MLP.fit turned into the plain descriptions a
 * backend's train() takes: optimizer (with its JS-owned state), learning-rate
 * schedule and early stopping. Every option object is checked key by key.
 */
import {
  Metric,
  Monitor,
  Optimizer,
  optimizerStateCount,
  Schedule,
  type EarlyStoppingSpec,
  type MetricCode,
  type OptimizerName,
  type OptimizerSpec,
  type ScheduleName,
  type ScheduleSpec,
} from '../backend/backend.js';
import { checkOptions, finiteNumber, nonNegativeInt, positiveInt } from '../options.js';
import { allocating } from '../sizes.js';
import { sharedFloat32 } from '../shared-memory.js';

/** The optimizer of a fit and its settings. */
export interface OptimizerOptions {
  /** The optimizer. */
  type: OptimizerName;
  /** Learning rate η (the schedule's base rate). Default 0.01 for sgd and momentum, 0.001 for adam and adamw. */
  lr?: number;
  /** L2 coefficient λ on weights (not biases). Default 0 (adamw: 0.01, decoupled). */
  weightDecay?: number;
  /** Momentum μ in [0, 1). Default 0.9. */
  momentum?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
  /** Adam's β1, β2 in [0, 1) and ε > 0. Defaults 0.9, 0.999, 1e-8. */
  beta1?: number;
  /** Adam's β2 (see beta1). */
  beta2?: number;
  /** Adam's ε (see beta1). */
  eps?: number;
  /** Rescale all gradients when their global L2 norm exceeds this. Default off. */
  clipNorm?: number;
}

/** A learning-rate schedule and its settings. */
export interface ScheduleOptions {
  /** The schedule. */
  type: ScheduleName;
  /** Count epochs (default) or updates. */
  per?: 'epoch' | 'step';
  /** step: decay every stepSize units by gamma. Default 10. */
  stepSize?: number;
  /** step/exponential factor γ > 0. Default 0.1 (step), 0.95 (exponential). */
  gamma?: number;
  /** cosine: the floor. Default 0. */
  minLr?: number;
  /** cosine: horizon in units, warm-up included. Default: the whole fit. */
  total?: number;
  /** Linear warm-up units. Default 0. */
  warmup?: number;
}

export type MonitorOption = 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy';

/** When a fit stops early, and whether it restores the best weights. */
export interface EarlyStoppingOptions {
  /** Default 'valLoss' with validation data, else 'loss'. */
  monitor?: MonitorOption;
  /** Epochs without improvement before stopping. Default 5. */
  patience?: number;
  /** An improvement must exceed this. Default 0. */
  minDelta?: number;
  /** End with the best epoch's weights. Default false. */
  restoreBestWeights?: boolean;
}

function inUnit(fn: string, name: string, v: unknown, fallback: number): number {
  const x = finiteNumber(fn, name, v, fallback, 0);
  if (x >= 1) throw new RangeError(`${fn}: ${name} must be a number in [0, 1), got ${x}`);
  return x;
}

/** The live optimizer state of a model: reused by the next fit with the same optimizer type. */
export interface OptimizerState {
  /** The optimizer this state belongs to. */
  type: OptimizerName;
  /** Its per-parameter buffers (momentum or Adam moments). fastnn allocates them on
   * SharedArrayBuffers, which a native fit updates in place, as it does the model's `params`.
   * Buffers you set on ordinary ArrayBuffers work too, but a native fit then copies them when
   * it starts, before each callback and when it ends, pausing the event loop for as long as a
   * copy of them takes. */
  state: Float32Array[];
  /** Updates applied so far (Adam's bias correction). */
  step: Float64Array;
}

export function optimizerSpec(
  fn: string,
  o: OptimizerOptions | undefined,
  params: Float32Array[],
  previous: OptimizerState | null,
): { spec: OptimizerSpec; lr: number; state: OptimizerState } {
  checkOptions(fn, 'options.optimizer', o, ['type', 'lr', 'weightDecay', 'momentum', 'nesterov', 'beta1', 'beta2', 'eps', 'clipNorm']);
  const type = o?.type ?? 'sgd';
  if (!Object.hasOwn(Optimizer, type)) {
    throw new TypeError(`${fn}: options.optimizer.type must be one of ${Object.keys(Optimizer).join(', ')}, got ${String(type)}`);
  }
  const adam = type === 'adam' || type === 'adamw';
  const nesterov = o?.nesterov ?? false;
  if (typeof nesterov !== 'boolean') throw new TypeError(`${fn}: options.optimizer.nesterov must be a boolean`);
  const eps = finiteNumber(fn, 'options.optimizer.eps', o?.eps, 1e-8, 0);
  if (eps === 0) throw new RangeError(`${fn}: options.optimizer.eps must be a number > 0, got 0`);
  const code = Optimizer[type];
  const state =
    previous?.type === type
      ? previous
      : {
          type,
          state: allocating(fn, `the ${type} optimizer's state`, () =>
            Array.from({ length: optimizerStateCount(code, params.length) }, (_, j) => sharedFloat32(params[j % params.length]!.length)),
          ),
          step: new Float64Array(1),
        };
  return {
    lr: finiteNumber(fn, 'options.optimizer.lr', o?.lr, adam ? 0.001 : 0.01, 0),
    state,
    spec: {
      type: code,
      weightDecay: finiteNumber(fn, 'options.optimizer.weightDecay', o?.weightDecay, type === 'adamw' ? 0.01 : 0, 0),
      momentum: inUnit(fn, 'options.optimizer.momentum', o?.momentum, 0.9),
      nesterov,
      beta1: inUnit(fn, 'options.optimizer.beta1', o?.beta1, 0.9),
      beta2: inUnit(fn, 'options.optimizer.beta2', o?.beta2, 0.999),
      eps,
      clipNorm: finiteNumber(fn, 'options.optimizer.clipNorm', o?.clipNorm, 0, 0),
      state: state.state,
      step: state.step,
    },
  };
}

/** The schedule for a fit of `epochs` epochs of `stepsPerEpoch` updates at base rate `lr`. */
export function scheduleSpec(fn: string, s: ScheduleOptions | undefined, lr: number, epochs: number, stepsPerEpoch: number): ScheduleSpec {
  checkOptions(fn, 'options.schedule', s, ['type', 'per', 'stepSize', 'gamma', 'minLr', 'total', 'warmup']);
  const type = s?.type ?? 'constant';
  if (!Object.hasOwn(Schedule, type)) {
    throw new TypeError(`${fn}: options.schedule.type must be one of ${Object.keys(Schedule).join(', ')}, got ${String(type)}`);
  }
  const per = s?.per ?? 'epoch';
  if (per !== 'epoch' && per !== 'step') throw new TypeError(`${fn}: options.schedule.per must be 'epoch' or 'step', got ${String(per)}`);
  const units = per === 'step' ? epochs * stepsPerEpoch : epochs;
  const gamma = finiteNumber(fn, 'options.schedule.gamma', s?.gamma, type === 'exponential' ? 0.95 : 0.1, 0);
  if (gamma === 0) throw new RangeError(`${fn}: options.schedule.gamma must be a number > 0, got 0`);
  return {
    type: Schedule[type],
    lr,
    perStep: per === 'step',
    stepSize: positiveInt(fn, 'options.schedule.stepSize', s?.stepSize, 10),
    gamma,
    minLr: finiteNumber(fn, 'options.schedule.minLr', s?.minLr, 0),
    total: positiveInt(fn, 'options.schedule.total', s?.total, Math.max(1, units)),
    warmup: nonNegativeInt(fn, 'options.schedule.warmup', s?.warmup, 0),
  };
}

const MONITORS: Record<MonitorOption, number> = { loss: Monitor.loss, accuracy: Monitor.metric, valLoss: Monitor.valLoss, valAccuracy: Monitor.valMetric };

export function earlyStoppingSpec(fn: string, e: EarlyStoppingOptions | undefined, hasValidation: boolean, metric: MetricCode): EarlyStoppingSpec {
  if (e === undefined) return { monitor: Monitor.loss, patience: 0, minDelta: 0, restoreBest: false };
  checkOptions(fn, 'options.earlyStopping', e, ['monitor', 'patience', 'minDelta', 'restoreBestWeights']);
  const monitor = e.monitor ?? (hasValidation ? 'valLoss' : 'loss');
  if (!Object.hasOwn(MONITORS, monitor)) {
    throw new TypeError(`${fn}: options.earlyStopping.monitor must be one of ${Object.keys(MONITORS).join(', ')}, got ${String(monitor)}`);
  }
  if (monitor.startsWith('val') && !hasValidation) {
    throw new TypeError(`${fn}: options.earlyStopping.monitor '${monitor}' needs validationSplit or validationData`);
  }
  if (monitor.endsWith('ccuracy') && metric === Metric.none) {
    throw new TypeError(`${fn}: options.earlyStopping.monitor '${monitor}' needs a classification task (this one has no accuracy)`);
  }
  const restoreBest = e.restoreBestWeights ?? false;
  if (typeof restoreBest !== 'boolean') throw new TypeError(`${fn}: options.earlyStopping.restoreBestWeights must be a boolean`);
  return {
    monitor: MONITORS[monitor] as EarlyStoppingSpec['monitor'],
    patience: positiveInt(fn, 'options.earlyStopping.patience', e.patience, 5),
    minDelta: finiteNumber(fn, 'options.earlyStopping.minDelta', e.minDelta, 0, 0),
    restoreBest,
  };
}
