/**
 * What an MLP predicts fixes how labels are read, the accuracy metric and
 * which losses fit (loss-config.ts, where each task's default loss is).
 */
import { Metric, type MetricCode } from '../backend/backend.js';

/** What a network predicts: real values, one yes/no, one class of several, or several yes/no labels. */
export type Task = 'regression' | 'binary' | 'multiclass' | 'multilabel';

export interface TaskInfo {
  /** Tracked in the training history. */
  metric: MetricCode;
  /** How `y` is read: raw values, 0/1 column, class indices → one-hot, multi-hot. */
  targets: 'values' | 'binary' | 'onehot' | 'multihot';
  /** Smallest number of outputs that makes sense. */
  minOutputs: number;
  /** Exactly this many outputs, when fixed. */
  outputs?: number;
}

export const TASKS: Record<Task, TaskInfo> = {
  regression: { metric: Metric.none, targets: 'values', minOutputs: 1 },
  binary: { metric: Metric.binaryAccuracy, targets: 'binary', minOutputs: 1, outputs: 1 },
  multiclass: { metric: Metric.categoricalAccuracy, targets: 'onehot', minOutputs: 2 },
  multilabel: { metric: Metric.binaryAccuracy, targets: 'multihot', minOutputs: 1 },
};

export function isTask(v: unknown): v is Task {
  return typeof v === 'string' && Object.hasOwn(TASKS, v);
}
