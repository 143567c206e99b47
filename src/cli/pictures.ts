/**
 * What the commands that draw share: checking a picture path before any
 * training (so a typo costs no training run), collecting the loss per
 * epoch for --plot, projecting rows to 2-D for maps, and saving a picture.
 */
import { PCA } from '../analysis/pca.js';
import { checkWritable, type WriteOptions } from '../io/atomic.js';
import { SammonMap } from '../analysis/sammon.js';
import { lossPlot, type LossCurves, type LossPlotOptions } from '../plot/line.js';
import { pictureFormat, type Figure } from '../plot/figure.js';
import type { Matrix } from '../tensor.js';

/** `path` when it ends in .svg or .png and a save could write it (checkWritable); an error naming --flag or the path otherwise. */
export async function pictureTarget(flag: string, path: string | undefined, save: WriteOptions): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    pictureFormat(`--${flag}`, path);
  } catch {
    throw new RangeError(`--${flag} must name an .svg or .png file, got '${path}'`);
  }
  await checkWritable(path, save);
  return path;
}

/** Saves `figure` and says so on stderr, with what the picture left out. */
export async function writePicture(figure: Figure, path: string, what: string, save: WriteOptions): Promise<void> {
  await figure.save(path, save);
  process.stderr.write(`wrote ${what} to ${path}${figure.notes.map((note) => `; ${note}`).join('')}\n`);
}

/** Loss per epoch as a run reports it, for --plot: the epochs of this run only (a resumed run starts later). */
export class LossLog {
  private first = 0;
  private readonly loss: number[] = [];
  private readonly valLoss: number[] = [];

  /** Records the losses of `epoch` (from onEpoch, which reports every epoch once). */
  record(epoch: number, loss: number, valLoss?: number): void {
    this.first ||= epoch;
    this.loss[epoch - this.first] = loss;
    if (valLoss !== undefined) this.valLoss[epoch - this.first] = valLoss;
  }

  /** `labels` names the loss axis and the second curve where 'loss' and 'validation' would mislead. */
  async write(path: string, title: string, save: WriteOptions, labels: Pick<LossPlotOptions, 'yTitle' | 'valName'> = {}): Promise<void> {
    if (this.loss.length === 0) return; // interrupted before the first epoch ended: nothing to draw
    await writeLossPlot(path, { loss: this.loss, ...(this.valLoss.length > 0 ? { valLoss: this.valLoss } : {}) }, this.first, title, save, labels);
  }
}

export async function writeLossPlot(
  path: string,
  curves: LossCurves,
  firstEpoch: number,
  title: string,
  save: WriteOptions,
  labels: Pick<LossPlotOptions, 'yTitle' | 'valName'> = {},
): Promise<void> {
  await writePicture(lossPlot(curves, { firstEpoch, title, ...labels }), path, 'the loss per epoch', save);
}

export type MapMethod = 'pca' | 'sammon';

export function mapMethod(flag: string, value: string): MapMethod {
  if (value !== 'pca' && value !== 'sammon') throw new RangeError(`--${flag} must be pca or sammon, got '${value}'`);
  return value;
}

/** Rows (n, d) as 2-D points: as they are when d = 2, else their first two principal components or a Sammon map. */
export async function toPlane(x: Matrix, method: MapMethod, seed: number): Promise<Matrix> {
  if (x.cols === 2) return x;
  if (x.rows < 2) throw new RangeError(`a map needs at least 2 points, got ${x.rows}`);
  if (method === 'pca') {
    if (x.cols < 2) throw new RangeError(`PCA to 2-D needs at least 2 dimensions, these have ${x.cols}`);
    return (await PCA.fit(x, 2)).transform(x);
  }
  // A small tanh network keeps the map smooth; 1 000 minibatch steps settle the stress on a few thousand points.
  const sammon = new SammonMap({ layers: [x.cols, 32, 2], seed });
  await sammon.fit(x, { iterations: 1000, batchSize: Math.min(64, x.rows) });
  return sammon.transform(x);
}
