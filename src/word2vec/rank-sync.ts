/**
 * Keeps the ranks' copies of the vectors close while each trains on its own
 * part of the corpus, the scheme of pWord2Vec's MPI mode (Ji et al. 2016):
 * every `seconds` (0.1 s) the ranks average the first rows of each matrix —
 * the most frequent words, since the vocabulary is sorted by count — with
 * a ruler schedule: `hotRows` rows every round, twice as many every 2nd
 * round, four times every 4th, and so on (round k averages
 * hotRows · 2^(trailing zeros of k)), so hot rows move together all the time
 * and the tail catches up now and then. Every row is averaged every
 * `fullEvery` rounds, each time the ranks together have read another
 * epoch's worth of words (from the round after), and when every rank is
 * done. The ranks train at
 * P × alpha (word2vec.ts startJob), so the mean of their changes moves a row
 * as one process would.
 *
 * Training does not pause for it: a round copies the rows, sums the copies
 * over the ranks (in rank order) and adds (mean − copy) to each row, so what
 * the training threads wrote meanwhile is kept; the MPI addon's thread does
 * all of it, on the vectors' shared memory, so the JS thread (the TS
 * backend's trainer) only waits for it.
 *
 * Each round starts with a small header every rank sends (its words,
 * whether its job has ended, failed or asks to stop), so every rank sees the
 * same facts and makes the same calls in the same order, whatever each has
 * left to do: a rank whose part is done keeps taking part in the rounds
 * until all are. Header and rows go in one task on the MPI thread, so the
 * ranks meet once a round: every meeting costs wakeups of threads that share
 * their cores with training, which is what a round's wall time is mostly made of.
 */
import type { World } from '../distributed/world.js';

export interface SyncSettings {
  /** Seconds between rounds. */
  seconds: number;
  /** Rows averaged in an odd round. */
  hotRows: number;
  /** Every row is averaged every this many rounds (0: only at epoch ends and the end). */
  fullEvery: number;
}

export const DEFAULT_SYNC: SyncSettings = { seconds: 0.1, hotRows: 1024, fullEvery: 1000 };

/** Why a rank asks every rank to stop: a checkpoint pause, or its caller's abort. */
export type StopRequest = 'none' | 'pause' | 'abort';
const STOP_CODES: Record<StopRequest, number> = { none: 0, pause: 1, abort: 2 };

/** What this rank tells the others at the start of a round. */
export interface LocalStatus {
  /** Tokens its job has read in the whole run. */
  words: number;
  ended: boolean;
  /** Its job ended having trained every epoch. */
  complete: boolean;
  failed: boolean;
  stop: StopRequest;
}

/** The facts of a round, the same on every rank. */
export interface RoundView {
  /** Tokens every rank's job has read, together. */
  words: number;
  /** Every rank's job has ended (and this round averaged every row). */
  allEnded: boolean;
  /** Every rank's job has trained every epoch: the run is over. */
  allComplete: boolean;
  /** The lowest rank whose job failed, or −1. */
  failedRank: number;
  /** The lowest rank whose caller aborted, or −1. */
  abortedRank: number;
  /** Some rank asks for a pause (to write a checkpoint). */
  pause: boolean;
}

const HEADER = 5;

export class RankSync {
  rounds = 0;
  /** Wall seconds the rows took to average on the MPI thread (training goes on meanwhile). */
  seconds = 0;
  /** CPU seconds the MPI thread spent averaging rows: what the rounds took from training. */
  cpuSeconds = 0;
  /** Wall seconds the headers took: mostly waiting for the other ranks to reach the round (the MPI thread sleeps). */
  waitSeconds = 0;
  /** Bytes of vectors this rank sent into sums. */
  bytes = 0;
  private nextFull: number;

  constructor(
    private readonly world: World,
    private readonly matrices: Float32Array[],
    private readonly dim: number,
    private readonly wordsPerEpoch: number,
    private readonly settings: SyncSettings,
    wordsSoFar: number,
  ) {
    this.nextFull = (Math.floor(wordsSoFar / wordsPerEpoch) + 1) * wordsPerEpoch;
  }

  /**
   * Runs rounds until every rank's job has ended, calling status() for this
   * rank's facts before each and onRound() with the shared view after it.
   * `settled` is this rank's job: once it has ended (or `stopped`, a stop
   * request, has come) the next round starts without waiting out the
   * period, so the others learn of it at once.
   */
  async run(status: () => LocalStatus, onRound: (view: RoundView) => void, settled: Promise<unknown>, stopped: Promise<unknown>): Promise<RoundView> {
    const early = Promise.race([settled, stopped]);
    let last: RoundView | null = null;
    for (;;) {
      const started = performance.now();
      this.rounds++;
      const view = await this.round(status(), this.rowsFor(last));
      if (view.allEnded) {
        if (view.failedRank < 0) await this.averageAll();
        onRound(view);
        return view;
      }
      onRound(view);
      last = view;
      const wait = this.settings.seconds * 1000 - (performance.now() - started);
      if (wait > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          early,
          new Promise((resolve) => {
            timer = setTimeout(resolve, wait);
          }),
        ]);
        clearTimeout(timer);
      }
    }
  }

  /**
   * One round, one task on the MPI thread (world.ts averageRound): every
   * rank's header summed, then the first `rows` rows of every matrix
   * averaged. The rows are chosen before the header is seen, so that the
   * ranks meet once a round; what the header tells (an epoch's worth of
   * words, every job ended) is acted on from the next round.
   */
  private async round(s: LocalStatus, rows: number): Promise<RoundView> {
    const { rank, size } = this.world;
    const all = new Float64Array(HEADER * size);
    all.set([s.words, s.ended ? 1 : 0, s.complete ? 1 : 0, s.failed ? 1 : 0, STOP_CODES[s.stop]], HEADER * rank);
    const took = await this.world.averageRound(all, this.matrices, rows * this.dim);
    this.waitSeconds += took.headerSeconds;
    this.seconds += took.seconds;
    this.cpuSeconds += took.cpuSeconds;
    this.bytes += rows * this.dim * 4 * this.matrices.length;
    const view: RoundView = { words: 0, allEnded: true, allComplete: true, failedRank: -1, abortedRank: -1, pause: false };
    for (let r = size - 1; r >= 0; r--) {
      const [words, ended, complete, failed, stop] = all.subarray(HEADER * r, HEADER * r + HEADER);
      view.words += words!;
      view.allEnded &&= ended === 1;
      view.allComplete &&= complete === 1;
      if (failed === 1) view.failedRank = r;
      if (stop === STOP_CODES.abort) view.abortedRank = r;
      if (stop === STOP_CODES.pause) view.pause = true;
    }
    return view;
  }

  /** Rows to average this round: all every fullEvery rounds or once the ranks have read another epoch's worth of words
   * (seen in the last round's view); else the ruler. */
  private rowsFor(last: RoundView | null): number {
    const rows = this.matrices[0]!.length / this.dim;
    const k = this.rounds;
    let full = this.settings.fullEvery > 0 && k % this.settings.fullEvery === 0;
    if (last !== null && last.words >= this.nextFull) {
      full = true;
      while (this.nextFull <= last.words) this.nextFull += this.wordsPerEpoch;
    }
    return full ? rows : Math.min(rows, this.settings.hotRows * (k & -k));
  }

  /** Every row of every matrix ← the mean itself, the same bits on every rank: the end of a segment, its jobs ended. */
  private async averageAll(): Promise<void> {
    const started = performance.now();
    await this.world.averageInPlace(this.matrices, this.matrices[0]!.length, true);
    this.seconds += (performance.now() - started) / 1000;
    this.bytes += this.matrices[0]!.length * 4 * this.matrices.length;
  }
}
