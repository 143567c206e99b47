/**
 * Whole training jobs on the TS backend: the same epochs, shuffles, checks,
 * updates, validation, history and early stopping as
 * native/core/trainer.cc, step for step, but run in slices of a few
 * milliseconds with a yield to the event loop between them (slice-clock.ts),
 * so timers and I/O keep flowing and an AbortSignal is noticed between
 * batches. A batch too long for one slice (a large network) runs in pieces
 * (pieces.ts) across slices; a stop between two of its pieces drops that
 * batch as if it had not begun.
 */
import {
  EPOCH,
  HISTORY,
  HISTORY_FIELDS,
  Metric,
  Monitor,
  Norm,
  POSITION,
  shareOf,
  type EarlyStoppingSpec,
  type FitJob,
  type FitResult,
  type FitResume,
  type NetworkSpec,
  type TrainProgress,
} from '../backend.js';
import { NonFiniteError } from '../errors.js';
import { Rng } from '../../rng.js';
import { allocating } from '../../sizes.js';
import { metricSum } from './metrics.js';
import { DataParallel, shareSeed } from './data-parallel.js';
import { onePiece } from './gemm.js';
import { allocBatchWorkspace, batchDeltas, batchGradient, batchPassWhole, evaluate, sameShapeSpec, type BatchWorkspace } from './network.js';
import { optimizerStep, optimizerStepWhole, sumOfSquares, sumOfSquaresWhole, type StepOutcomeName } from './optimizers.js';
import { pieceSize, toTheEnd, whole, type Pieces } from './pieces.js';
import { scheduleLr } from './schedule.js';
import { Rank1Sgd } from './sgd-rank1.js';
import { SliceClock, STOPPED } from './slice-clock.js';
import { tinyPass, tinyStepApplies, tinyUpdate } from './tiny-step.js';

/** Batch rows × parameters between two looks at the clock: a few passes over
 * 2^14 weights take well under a millisecond on the TS backend, while
 * performance.now() every batch was a tenth of a per-sample XOR step. */
export const CLOCK_WORK = 1 << 14;
/** Most batches between two looks at the clock, however small: 64 XOR steps take ~0.1 ms. */
export const CLOCK_BATCHES = 64;

/** Batches between two looks at the clock for batches of `rows` rows of a net with `paramCount` parameters. */
export function clockInterval(rows: number, paramCount: number): number {
  return Math.max(1, Math.min(CLOCK_BATCHES, Math.floor(CLOCK_WORK / (rows * paramCount))));
}
const FIELDS = HISTORY_FIELDS.length;
const F = HISTORY;

// The history field each Monitor value watches.
const MONITORED = [F.loss, F.metric, F.valLoss, F.valMetric];

function rngFrom(state: Uint32Array): Rng {
  const rng = new Rng(1);
  rng.setState(state);
  return rng;
}

/** The best monitored value so far, and a copy of the weights that gave it
 * (in job.resume.bestParams when given, so the next job of a run continues it). */
class BestTracker {
  private readonly enabled: boolean;
  private readonly saved: Float32Array[];
  best: number;
  bestEpoch: number;

  constructor(
    net: NetworkSpec,
    private readonly es: EarlyStoppingSpec,
    resume: FitResume | null,
  ) {
    const given = resume?.bestParams ?? [];
    this.enabled = es.patience > 0 || es.restoreBest || given.length > 0;
    this.saved =
      given.length > 0
        ? given
        : es.restoreBest
          ? allocating('train', 'the copy of the best weights (restoreBestWeights)', () => net.params.map((p) => new Float32Array(p.length)))
          : [];
    this.best = this.enabled ? (resume?.best ?? 0) : 0;
    this.bestEpoch = this.enabled ? (resume?.bestEpoch ?? 0) : 0;
  }

  /** Records the history row at history[row..] of the run's epoch `epoch`; true when it is the best so far (then
   * `save` the weights). */
  improves(history: Float64Array, row: number, epoch: number): boolean {
    if (!this.enabled) return false;
    const { monitor, minDelta } = this.es;
    const field = MONITORED[monitor]!;
    const v = history[row + field]!;
    const maximise = monitor === Monitor.metric || monitor === Monitor.valMetric;
    // NaN never improves; the first finite value always does.
    const better = this.bestEpoch === 0 ? Number.isFinite(v) : maximise ? v > this.best + minDelta : v < this.best - minDelta;
    if (better) {
      this.best = v;
      this.bestEpoch = epoch;
    }
    return better;
  }

  /** Whether training should stop after the run's epoch `epoch`. */
  exhausted(epoch: number): boolean {
    const { patience } = this.es;
    return this.enabled && patience > 0 && epoch - this.bestEpoch >= patience;
  }

  /** Copies the weights into the best ones (when restoring them or continuing a run). */
  save(net: NetworkSpec): Pieces<void> {
    return copyPieces(this.saved, net.params);
  }

  restore(net: NetworkSpec): Pieces<void> {
    return copyPieces(this.bestEpoch !== 0 ? net.params : [], this.saved);
  }
}

/** Copies each array of `from` into the same-indexed one of `to` (`from` may be the shorter), in pieces of
 * pieceSize.entries entries: the weights of a large model take tens of milliseconds to copy. */
function* copyPieces(to: Float32Array[], from: Float32Array[]): Pieces<void> {
  let sinceYield = 0;
  for (let p = 0; p < Math.min(to.length, from.length); p++) {
    const source = from[p]!;
    for (let at = 0; at < source.length; ) {
      if (sinceYield === pieceSize.entries) {
        yield false;
        sinceYield = 0;
      }
      const end = Math.min(source.length, at + pieceSize.entries - sinceYield);
      to[p]!.set(source.subarray(at, end), at);
      sinceYield += end - at;
      at = end;
    }
  }
}

/** The epoch in progress: where it is and the sums its history row needs (trainer.cc EpochState). */
interface EpochState {
  /** Batches done. */
  batch: number;
  lossSum: number;
  metricTotal: number;
  applied: number;
  skipped: number;
  /** Of the last applied batch (the epoch's start rate before one). */
  lr: number;
  /** The generator before the epoch's shuffle, to draw its order again. */
  orderState: Uint32Array;
}

function saveState(rng: Rng, out: Uint32Array): Uint32Array {
  rng.writeState(out);
  return out;
}

function resumedEpoch(p: Float64Array): EpochState {
  const E = EPOCH;
  return {
    batch: p[E.batch]!,
    lossSum: p[E.lossSum]!,
    metricTotal: p[E.metricTotal]!,
    applied: p[E.applied]!,
    skipped: p[E.skipped]!,
    lr: p[E.lr]!,
    orderState: Uint32Array.from(p.subarray(E.order0, E.order3 + 1)),
  };
}

/** Fills job.position (when given): what the job did and, when `st` stopped
 * between batches, that epoch. A stop before an epoch's first batch leaves
 * no partial epoch: the generator goes back to before its shuffle, so the
 * next job draws the same order. */
function writePosition(job: FitJob, out: Omit<FitResult, 'cancelled'>, best: BestTracker, st: EpochState | null): void {
  if (st !== null && st.batch === 0) job.rngState.set(st.orderState);
  const p = job.position;
  if (!p) return;
  const P = POSITION;
  p.fill(0);
  p[P.epochs] = out.epochs;
  p[P.steps] = out.steps;
  p[P.bestEpoch] = best.bestEpoch;
  p[P.best] = best.bestEpoch === 0 ? 0 : best.best;
  if (st === null || st.batch === 0) return;
  // EPOCH_FIELDS' order, from POSITION.batch on.
  p.set([st.batch, st.lossSum, st.metricTotal, st.applied, st.skipped, st.lr, ...st.orderState], P.batch);
}

/** What one batch gave: its mean loss and what became of its update. */
interface BatchOutcome {
  loss: number;
  outcome: StepOutcomeName;
}

/** The pieces of one batch of rows order[start..start+rows): forward,
 * backward and, when the loss is finite, the update at stepLr (fused for
 * one-row SGD, after clipping's norm otherwise); `done` gets the result
 * (reused: a batch allocates no result). Every check comes before any weight
 * changes: the loss, the gradient, and the update itself (optimizerStep
 * writes nothing that would overflow). */
function* batchStep(
  job: FitJob,
  net: NetworkSpec,
  ws: BatchWorkspace,
  order: Uint32Array,
  start: number,
  rows: number,
  rng: Rng,
  rank1: Rank1Sgd,
  stepLr: number,
  sumSqScratch: Float64Array,
  done: BatchOutcome,
): Pieces<void> {
  // One-row SGD batches form their gradient inside the update (sgd-rank1.ts).
  const fused = Rank1Sgd.applies(net, job.optimizer, rows);
  const pass = fused
    ? batchDeltas(ws, net, job.x, job.y, order, start, rows, job.inputNoise, rng)
    : batchGradient(ws, net, job.x, job.y, order, start, rows, job.inputNoise, rng);
  const loss = yield* pass;
  // Batch normalisation's running statistics changed at the pass's end: from there on the batch cannot be dropped.
  const bn = net.norm?.includes(Norm.batch) === true;
  yield* maybeToTheEnd(update(job, net, ws, loss, rank1, fused, stepLr, sumSqScratch, done), bn);
}

/** The update after a pass that left `loss` and, unless `fused` (rank1's
 * one-row update, which forms its own gradient), ws.grads, in pieces; `done`
 * gets the result. Every check comes before any weight changes. */
function* update(
  job: FitJob,
  net: NetworkSpec,
  ws: BatchWorkspace,
  loss: number,
  rank1: Rank1Sgd,
  fused: boolean,
  stepLr: number,
  sumSqScratch: Float64Array,
  done: BatchOutcome,
): Pieces<void> {
  done.loss = loss;
  // The gradient's norm is only needed to clip; otherwise the update's dry
  // run is what finds a non-finite gradient (trainer.cc does the same).
  const clip = job.optimizer.clipNorm > 0;
  const sumSq = Number.isFinite(loss) && clip ? yield* sumOfSquares(ws.grads, sumSqScratch) : 0;
  done.outcome =
    !Number.isFinite(loss) || !Number.isFinite(sumSq)
      ? 'gradient'
      : yield* fused ? rank1.step(net, ws, job.optimizer, stepLr) : optimizerStep(net, ws.grads, sumSq, job.optimizer, stepLr);
  // The fused update's bounds hold only while it is the only writer of the weights.
  if (!fused && done.outcome === 'applied') rank1.forget();
}

/** batchStep at once, for a step that is one piece (stepIsOnePiece): the same
 * passes, each run whole, with no generator (generators were 40% of a
 * per-sample XOR step). */
function batchStepWhole(
  job: FitJob,
  net: NetworkSpec,
  ws: BatchWorkspace,
  order: Uint32Array,
  start: number,
  rows: number,
  rng: Rng,
  rank1: Rank1Sgd,
  stepLr: number,
  sumSqScratch: Float64Array,
  done: BatchOutcome,
): void {
  const fused = Rank1Sgd.applies(net, job.optimizer, rows);
  const loss = batchPassWhole(ws, net, job.x, job.y, order, start, rows, job.inputNoise, rng, fused ? null : ws.grads);
  updateWhole(job, net, ws, loss, rank1, fused, stepLr, sumSqScratch, done);
}

/** update() at once, with no generator (see batchStepWhole). */
function updateWhole(
  job: FitJob,
  net: NetworkSpec,
  ws: BatchWorkspace,
  loss: number,
  rank1: Rank1Sgd,
  fused: boolean,
  stepLr: number,
  sumSqScratch: Float64Array,
  done: BatchOutcome,
): void {
  const sumSq = Number.isFinite(loss) && job.optimizer.clipNorm > 0 ? sumOfSquaresWhole(ws.grads, sumSqScratch) : 0;
  done.loss = loss;
  done.outcome =
    !Number.isFinite(loss) || !Number.isFinite(sumSq)
      ? 'gradient'
      : fused
        ? rank1.stepWhole(net, ws, job.optimizer, stepLr)
        : optimizerStepWhole(net, ws.grads, sumSq, job.optimizer, stepLr);
  // The fused update's bounds hold only while it is the only writer of the weights.
  if (!fused && done.outcome === 'applied') rank1.forget();
}

/** What became of batch `batch` (of `rows` rows here, `globalRows` over every
 * rank) of the run's epoch `epoch`, stepped at stepLr with `done`'s result:
 * a non-finite one throws or is counted as skipped, an applied one joins the
 * epoch's sums; then the progress report, if one is due (returns whether it
 * was: the listener may have stopped the fit). A function of its own rather than
 * part of fit's loop: fit is an async function V8 optimises late (and again
 * after the end of its first job, whose code its first optimisation had not
 * seen run), so what each batch does runs optimised from early in the first fit. */
function recordBatch(
  job: FitJob,
  ws: BatchWorkspace,
  done: BatchOutcome,
  st: EpochState,
  out: Omit<FitResult, 'cancelled'>,
  epoch: number,
  batch: number,
  rows: number,
  globalRows: number,
  stepLr: number,
  report: ((p: TrainProgress) => void) | null,
): boolean {
  const { loss, outcome } = done;
  const bad = !Number.isFinite(loss) ? 'loss' : outcome === 'applied' ? null : outcome;
  if (bad !== null && !job.skipNonFinite) {
    throw NonFiniteError.forBatch(bad, epoch, batch);
  }
  if (bad !== null) {
    st.skipped++;
  } else {
    st.lr = stepLr;
    // The logits of this batch are still in ws (backward and the update do not touch them).
    if (job.metric !== Metric.none && rows > 0) {
      const { sizes } = job.net;
      st.metricTotal += metricSum(ws.acts[ws.acts.length - 1]!, ws.yb, rows, sizes[sizes.length - 1]!, job.metric);
    }
    out.steps++;
    st.lossSum += loss * rows;
    st.applied += rows;
  }
  out.samples += globalRows;
  if (!report || job.progressEvery === 0 || (batch + 1) % job.progressEvery !== 0) return false;
  report({ epochs: out.epochs, batches: batch + 1, samples: out.samples, loss: st.applied ? st.lossSum / st.applied : 0 });
  return true;
}

/** One job's training state, shared by its epochs, and the parts of an epoch
 * that fit's loop and tinyEpochs both run. Methods of one class rather than
 * closures made in fit: every job calls the same functions, so optimised code
 * that calls them still holds in the next job (a closure made per job is a
 * new call target there). */
class Training {
  readonly net: NetworkSpec;
  readonly ws: BatchWorkspace;
  readonly order: Uint32Array;
  readonly rng: Rng;
  readonly best: BestTracker;
  readonly rank1: Rank1Sgd;
  readonly out: Omit<FitResult, 'cancelled'> = { epochs: 0, samples: 0, bestEpoch: 0, best: 0, steps: 0, stoppedEarly: false };
  /** The epoch's sums over every rank (trainer.cc EpochSum): loss, metric, applied rows, validation loss and metric. */
  readonly sums = new Float64Array(5);
  readonly sumSqScratch = new Float64Array(4);
  // loss starts as NaN (no batch yet), a double like every loss it will hold.
  // Started as 0, a small integer, the field changed its object's map at the
  // first double, and the next job's object, made with the first map again,
  // voided the optimised code that counted on the field's map.
  readonly done: BatchOutcome = { loss: NaN, outcome: 'applied' };
  /** The run's partial epoch, which this job's first continues (null: none). */
  private readonly partial: Float64Array | null;
  // The run's epochs and updates before this job, where the schedule's
  // clocks continue (epoch0, step0): float64, the type they have from a
  // run's second job on (from the first job's position, a Float64Array), so
  // that code V8 optimises in a first job, where they are 0, does not count
  // on small integers and give up at the second.
  private readonly before: Float64Array;
  readonly hasMetric: boolean;
  /** Batches until the next look at the clock. */
  untilLook = 0;
  // The generator before each epoch's shuffle, reused: an epoch of a tiny
  // net is a few microseconds, where an allocation per epoch shows.
  private readonly epochOrderState = new Uint32Array(4);

  constructor(
    readonly job: FitJob,
    readonly report: ((p: TrainProgress) => void) | null,
  ) {
    const { n, batchSize } = job;
    this.net = sameShapeSpec(job.net);
    this.ws = allocBatchWorkspace('train', this.net, Math.min(batchSize, n));
    // Named as native/core/trainer.cc names it, so both backends fail alike.
    this.order = allocating('train', `the shuffle order of ${n} rows`, () => new Uint32Array(n));
    this.rng = rngFrom(job.rngState);
    const resume = job.resume ?? null;
    this.best = new BestTracker(this.net, job.earlyStopping, resume);
    this.rank1 = new Rank1Sgd(this.net);
    this.partial = resume?.partial ?? null;
    this.before = Float64Array.of(resume?.epoch ?? 0, resume?.step ?? 0);
    this.hasMetric = job.metric !== Metric.none;
  }

  get epoch0(): number {
    return this.before[0]!;
  }

  get step0(): number {
    return this.before[1]!;
  }

  /** This job's epoch `epoch` begun (the job's first continues the run's
   * partial epoch, if any): its state, with its order in this.order. */
  beginEpoch(epoch: number): EpochState {
    const { job, order, rng, out, partial: resumed } = this;
    const { schedule } = job;
    // Read at every epoch, used at the first: code only a job's first epoch ran
    // would have no feedback when V8 optimises this, and give up at the next job's.
    const partial = epoch === 1 ? resumed : null;
    const st: EpochState = partial
      ? resumedEpoch(partial)
      : {
          batch: 0,
          lossSum: 0,
          metricTotal: 0,
          applied: 0,
          skipped: 0,
          orderState: saveState(rng, this.epochOrderState),
          lr: scheduleLr(schedule, schedule.perStep ? this.step0 + out.steps : this.epoch0 + epoch - 1),
        };
    for (let i = 0; i < job.n; i++) order[i] = i;
    // A resumed epoch draws its order again from its own state; the stream continues from job.rngState.
    if (job.shuffle) (partial ? rngFrom(st.orderState) : rng).shuffle(order);
    if (!partial) rng.writeState(job.rngState);
    return st;
  }

  /** Stopping before the epoch's batch st.batch: the stream after this epoch's draws so far (the noise drew from it too). */
  stopBefore(st: EpochState): Omit<FitResult, 'cancelled'> {
    if (st.batch > 0) this.rng.writeState(this.job.rngState);
    writePosition(this.job, this.out, this.best, st);
    return this.out;
  }

  /** The epoch's batches done: this rank's sums into this.sums (validation's
   * 0), the stream's state into the job. */
  sumEpoch(st: EpochState): void {
    // The input noise drew from the stream too; the caller continues after it.
    this.rng.writeState(this.job.rngState);
    const { sums } = this;
    sums[0] = st.lossSum;
    sums[1] = st.metricTotal;
    sums[2] = st.applied;
    sums[3] = sums[4] = 0;
  }

  /** The epoch's history row from this.sums (every rank's, validation
   * included), the epoch counted done; whether its monitored value is the
   * best so far (the caller then saves the weights). */
  recordEpoch(epoch: number, st: EpochState): boolean {
    const { job, sums, out, hasMetric } = this;
    const { history } = job;
    // This epoch's history row starts at `row` (indices, not a view: no allocation per epoch).
    const row = (epoch - 1) * FIELDS;
    const applied = sums[2]!;
    // An epoch whose every batch was skipped has no mean loss: NaN says so.
    history[row + F.loss] = applied !== 0 ? sums[0]! / applied : NaN;
    history[row + F.metric] = hasMetric && applied !== 0 ? sums[1]! / applied : NaN;
    history[row + F.valLoss] = job.nVal > 0 ? sums[3]! : NaN;
    history[row + F.valMetric] = job.nVal > 0 && hasMetric ? sums[4]! / job.nVal : NaN;
    history[row + F.lr] = st.lr;
    history[row + F.skipped] = st.skipped;
    out.epochs = epoch;
    return this.best.improves(history, row, this.epoch0 + epoch);
  }

  /** The epoch's report, after its row and any copy of the best weights;
   * whether early stopping ends the fit here. */
  endEpoch(epoch: number): boolean {
    const { out } = this;
    this.report?.({ epochs: epoch, batches: 0, samples: out.samples, loss: this.job.history[(epoch - 1) * FIELDS + F.loss]! });
    if (!this.best.exhausted(this.epoch0 + epoch)) return false;
    out.stoppedEarly = true;
    return true;
  }
}

/** Up to `count` batches of a tiny fit (tiny-step.ts: one row each, alone)
 * from st.batch on, each recorded, until the epoch ends or a batch reports
 * progress; returns how many ran. A plain loop V8 optimises early: in fit's
 * loop, itself in an async function V8 optimises late, these steps ran
 * unoptimised well into a cold fit.
 *
 * It never looks at the stop flag itself: between two of its batches, only a
 * progress report runs code that could have set it, and fit looks before
 * the batch after one. (fit's `stopped` is a new function each job: a call
 * of it here would cost the loop's optimised code at the next job's start.) */
function tinyBatches(t: Training, st: EpochState, epoch: number, count: number): number {
  const { job, net, ws, order, out, done, report } = t;
  const { schedule } = job;
  let ran = 0;
  while (ran < count && st.batch < job.n) {
    const stepLr = schedule.perStep ? scheduleLr(schedule, t.step0 + out.steps) : st.lr;
    const loss = tinyPass(ws, net, job.x, job.y, order[st.batch]!);
    done.loss = loss;
    done.outcome = Number.isFinite(loss) ? tinyUpdate(net, ws, job.optimizer, stepLr) : 'gradient';
    const reported = recordBatch(job, ws, done, st, out, t.epoch0 + epoch, st.batch, 1, 1, stepLr, report);
    ran++;
    st.batch++;
    if (reported) break;
  }
  return ran;
}

/** Whether fit runs the epochs of `t` in tinyEpochs: a tiny fit (decided
 * once) with an epoch to run, that nobody listens to (so no code of the
 * caller's runs between two of its batches, and none can stop it there) and
 * whose epochs end without validation (which may take more than a slice). */
function runsTinyEpochs(t: Training, tiny: boolean): boolean {
  return tiny && t.job.epochs > 0 && t.report === null && t.job.nVal === 0;
}

/** A tiny fit's batches from the current epoch's (st's) batch st.batch on,
 * across whole epochs, until the clock's slice is spent at a look (every
 * `batchesPerLook` batches) or the fit ends; returns the epoch state it
 * stopped in (of epoch t.out.epochs + 1), null when the fit ended. Each epoch
 * as fit's loop runs it, in a plain function: for a net of a few rows (XOR:
 * 4) fit's per-epoch work, left in an async function V8 optimises late (and
 * at great cost), was a good part of a cold fit. Only for runsTinyEpochs. */
function tinyEpochs(t: Training, st: EpochState, batchesPerLook: number, clock: SliceClock): EpochState | null {
  const { job } = t;
  for (;;) {
    const epoch = t.out.epochs + 1;
    t.untilLook -= tinyBatches(t, st, epoch, t.untilLook);
    if (st.batch === job.n) {
      t.sumEpoch(st);
      // The weights of a tiny net are one piece (stepIsOnePiece), copied at once.
      if (t.recordEpoch(epoch, st)) whole(t.best.save(t.net));
      if (t.endEpoch(epoch) || epoch === job.epochs) return null;
      st = t.beginEpoch(epoch + 1);
    }
    if (t.untilLook > 0) continue;
    t.untilLook = batchesPerLook;
    if (clock.spent()) return st;
  }
}

/** Whether a training step of net on batches of up to `rows` rows is one
 * piece: no product over pieceSize.work multiply-adds and no more than
 * pieceSize.entries parameters, so that none of its passes would yield
 * (gemmPieces, the optimizer's, clipping's and the fused update's loops).
 * Decided once per fit; such a step runs as batchStepWhole. */
export function stepIsOnePiece(net: NetworkSpec, rows: number): boolean {
  const { sizes, params } = net;
  for (let l = 0; l + 1 < sizes.length; l++) if (!onePiece(rows, sizes[l + 1]!, sizes[l]!)) return false;
  return params.reduce((sum, p) => sum + p.length, 0) <= pieceSize.entries;
}

/** Runs every piece of `pieces`, pausing between two when the slice is spent, and never stopping part-way. */
async function runToTheEnd<T>(clock: SliceClock, pieces: Pieces<T>): Promise<T> {
  // (never STOPPED: toTheEnd's pieces may not stop)
  return (await clock.finish(toTheEnd(pieces), false)) as T;
}

function maybeToTheEnd<T>(pieces: Pieces<T>, mustEnd: boolean): Pieces<T> {
  return mustEnd ? toTheEnd(pieces) : pieces;
}

/** Trains job.net in place; `report` (null: nobody listens, so no report is built)
 * gets what TrainProgress describes. Stops (resolving with what was done) once
 * `stopped()` is true between batches, or between two pieces of one, which is
 * then dropped. */
export async function fit(job: FitJob, report: ((p: TrainProgress) => void) | null, stopped: () => boolean): Promise<Omit<FitResult, 'cancelled'>> {
  const { n, epochs, batchSize, schedule, metric } = job;
  const t = new Training(job, report);
  const { net, ws, order, rng, best, rank1, out, sums, done, sumSqScratch, epoch0, step0 } = t;
  const ranks = new DataParallel(net, job.world ?? null);
  // Rows per update: this rank's batchSize times the ranks' count.
  const globalBatch = batchSize * ranks.size;
  // The generator before each batch, to take back the draws of a batch dropped between two pieces.
  const batchRngState = new Uint32Array(4);
  const clock = new SliceClock(stopped);
  const wholeSteps = stepIsOnePiece(net, Math.min(batchSize, n));
  // Decided once: a small net's per-sample steps, when one piece, run as one plain pass and its own update (tiny-step.ts).
  const tiny = wholeSteps && tinyStepApplies(net, job, !ranks.active);
  // Before the steps, not at the first (Rank1Sgd.measureWhole says why); tiny steps do not use it.
  if (wholeSteps && !tiny) rank1.measureWhole(net);
  const batchesPerLook = clockInterval(
    Math.min(batchSize, n),
    net.params.reduce((sum, p) => sum + p.length, 0),
  );
  t.untilLook = batchesPerLook;
  // A tiny fit nobody listens to runs every epoch in tinyEpochs; the loop below runs any other fit's.
  let epoch = 1;
  if (runsTinyEpochs(t, tiny)) {
    for (let st = t.beginEpoch(1); ; ) {
      if (stopped()) return t.stopBefore(st);
      const at = tinyEpochs(t, st, batchesPerLook, clock);
      if (at === null) break;
      st = at;
      await clock.pause();
    }
    epoch = epochs + 1;
  }
  for (; epoch <= epochs; epoch++) {
    const st = t.beginEpoch(epoch);
    // A tiny fit's batches (one row each, alone) run in a loop of their own between two looks at the clock.
    while (tiny && st.batch < n) {
      if (stopped()) return t.stopBefore(st);
      t.untilLook -= tinyBatches(t, st, epoch, t.untilLook);
      if (t.untilLook > 0) continue;
      t.untilLook = batchesPerLook;
      if (clock.spent()) await clock.pause();
    }
    for (let start = st.batch * globalBatch; start < n; start += globalBatch, st.batch++) {
      if (--t.untilLook === 0) {
        t.untilLook = batchesPerLook;
        if (clock.spent()) await clock.pause();
      }
      // Several ranks learn of a stop together, from the step's sum below.
      if (!ranks.active && stopped()) return t.stopBefore(st);
      const batch = st.batch;
      const globalRows = Math.min(globalBatch, n - start);
      // This rank's share of the global batch (a process alone: all of it; no object per batch then).
      let rows = globalRows;
      let first = start;
      if (ranks.active) {
        const share = shareOf(globalRows, ranks.rank, ranks.size);
        rows = share.rows;
        first += share.begin;
      }
      const stepLr = schedule.perStep ? scheduleLr(schedule, step0 + out.steps) : st.lr;
      if (ranks.active) {
        // A rank's step: the gradient of its share, the ranks' weighted sum,
        // then the update. A stop is agreed through the sum, so neither pass
        // may stop part-way: each runs to its end, across slices when it is
        // more than one piece. Its noise and dropout draw from the share's
        // own generator, so the run's stream only shuffles.
        const shareRng = new Rng(shareSeed(st.orderState, batch, ranks.rank));
        let loss = 0;
        if (rows > 0 && wholeSteps) loss = batchPassWhole(ws, net, job.x, job.y, order, first, rows, job.inputNoise, shareRng, ws.grads);
        else if (rows > 0) loss = await runToTheEnd(clock, batchGradient(ws, net, job.x, job.y, order, first, rows, job.inputNoise, shareRng));
        const agreed = await ranks.reduceGradients(ws.grads, rows, globalRows, Number.isFinite(loss), stopped());
        if (agreed.cancelled) return t.stopBefore(st);
        if (!agreed.lossFinite) loss = NaN;
        if (wholeSteps) updateWhole(job, net, ws, loss, rank1, false, stepLr, sumSqScratch, done);
        else await runToTheEnd(clock, update(job, net, ws, loss, rank1, false, stepLr, sumSqScratch, done));
      } else if (wholeSteps) {
        batchStepWhole(job, net, ws, order, start, rows, rng, rank1, stepLr, sumSqScratch, done);
      } else {
        rng.writeState(batchRngState);
        const step = batchStep(job, net, ws, order, start, rows, rng, rank1, stepLr, sumSqScratch, done);
        // A batch of one piece runs here and now: an await per batch would cost per-sample steps a third of their time.
        const first = step.next();
        if (!first.done && (await clock.finish(step, first.value)) === STOPPED) {
          rng.setState(batchRngState);
          return t.stopBefore(st);
        }
      }
      recordBatch(job, ws, done, st, out, epoch0 + epoch, batch, rows, globalRows, stepLr, report);
    }
    t.sumEpoch(st);
    // The epoch's sums over every rank; the validation figures are rank 0's
    // (the others add 0), so every rank writes the same row and early
    // stopping decides alike everywhere.
    if (job.nVal > 0 && ranks.rank === 0) {
      // The epoch's row needs it whole: the validation pass runs to its end.
      const val = await runToTheEnd(clock, evaluate(ws, net, job.xVal, job.yVal, job.nVal, metric));
      sums[3] = val.loss;
      sums[4] = val.metricTotal;
    }
    if (ranks.active) await ranks.sum(sums);
    if (t.recordEpoch(epoch, st)) {
      // Most networks' weights are one piece, copied here and now: an await per epoch would show on tiny ones.
      const save = best.save(net);
      if (!save.next().done) await clock.finish(save, false);
    }
    if (t.endEpoch(epoch)) break;
  }
  if (job.earlyStopping.restoreBest) await clock.finish(best.restore(net), false);
  out.bestEpoch = best.bestEpoch;
  out.best = best.bestEpoch === 0 ? 0 : best.best;
  writePosition(job, out, best, null);
  return out;
}
