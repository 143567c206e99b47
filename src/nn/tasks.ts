/**
 * What an MLP predicts fixes its output transform, its loss and how labels are
 * read. One table, so the pairings (sigmoid with cross-entropy, softmax with
 * cross-entropy, linear with MSE) cannot drift apart.
 */
import { Loss, type LossCode } from '../backend/backend.js';

export type Task = 'regression' | 'binary' | 'multiclass' | 'multilabel';

export interface TaskInfo {
  loss: LossCode;
  /** How `y` is read: raw values, 0/1 column, class indices → one-hot, multi-hot. */
  targets: 'values' | 'binary' | 'onehot' | 'multihot';
  /** Smallest number of outputs that makes sense. */
  minOutputs: number;
  /** Exactly this many outputs, when fixed. */
  outputs?: number;
}

export const TASKS: Record<Task, TaskInfo> = {
  regression: { loss: Loss.mse, targets: 'values', minOutputs: 1 },
  binary: { loss: Loss.sigmoidCrossEntropy, targets: 'binary', minOutputs: 1, outputs: 1 },
  multiclass: { loss: Loss.softmaxCrossEntropy, targets: 'onehot', minOutputs: 2 },
  multilabel: { loss: Loss.sigmoidCrossEntropy, targets: 'multihot', minOutputs: 1 },
};

export function isTask(v: unknown): v is Task {
  return typeof v === 'string' && Object.hasOwn(TASKS, v);
}
