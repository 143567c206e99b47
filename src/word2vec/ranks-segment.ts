/**
 * One segment of a multi-process word2vec run (word2vec.ts trainRun): this
 * rank's backend job, with rounds of averaging (rank-sync.ts) beside it
 * until every rank's job has ended. A rank that fails, is aborted or asks
 * for a checkpoint pause is seen by all in the next round, and every rank
 * stops its job there, so the ranks always leave a segment together: a
 * failure then fails every rank with the failing rank's message.
 */
import type { Word2VecProgress, Word2VecTrainResult } from '../backend/word2vec.js';
import type { World } from '../distributed/world.js';
import type { RankSync, RoundView, StopRequest } from './rank-sync.js';

export interface RanksSegment {
  /** This rank's job result, with `words` counting every rank's tokens and `cancelled` true unless every rank's
   * job trained every epoch (a rank done early still takes part in the others' rounds). */
  result: Word2VecTrainResult;
  view: RoundView;
}

export async function ranksSegment(
  fn: string,
  world: World,
  sync: RankSync,
  wordsAtStart: number,
  start: (onProgress: (p: Word2VecProgress) => void, signal: AbortSignal) => Promise<Word2VecTrainResult>,
  report: (p: Word2VecProgress) => void,
  segment: AbortController,
  stopRequest: () => StopRequest,
  stopped: Promise<unknown>,
): Promise<RanksSegment> {
  let local = 0; // this rank's tokens, from its job's reports
  let globalWords = wordsAtStart;
  let globalAtStart: number | null = null;
  const started = performance.now();
  let ended = false;
  let failure: unknown = null;
  let result: Word2VecTrainResult | null = null;
  // Started on a later turn, so a job that throws at once fails like one that rejects: in the rounds, with every rank.
  const job = Promise.resolve()
    .then(() =>
      start((p) => {
        local = p.words;
        // Every rank's tokens as of the last round, and their rate since this segment's first round.
        const seconds = (performance.now() - started) / 1000;
        report({ ...p, words: globalWords, wordsPerSec: globalAtStart !== null && seconds > 0 ? (globalWords - globalAtStart) / seconds : 0 });
      }, segment.signal),
    )
    .then(
      (r) => {
        result = r;
        local = r.words;
      },
      (err: unknown) => {
        failure = err;
      },
    )
    .finally(() => {
      ended = true;
    });
  const view = await sync.run(
    () => ({
      words: local,
      ended,
      complete: ended && result !== null && !result.cancelled,
      failed: failure !== null,
      stop: stopRequest(),
    }),
    (v) => {
      globalWords = v.words;
      globalAtStart ??= v.words;
      if (v.pause || v.abortedRank >= 0 || v.failedRank >= 0) segment.abort();
    },
    job,
    stopped,
  );
  await job;
  if (view.failedRank >= 0) {
    const mine = world.rank === view.failedRank ? Buffer.from(failure instanceof Error ? failure.message : String(failure)) : null;
    const message = Buffer.from(await world.broadcastBytes(mine, view.failedRank)).toString();
    if (failure !== null) throw failure;
    throw new Error(`${fn}: rank ${view.failedRank} failed, so every rank stops: ${message}`);
  }
  return { result: { ...result!, words: view.words, cancelled: !view.allComplete }, view };
}
