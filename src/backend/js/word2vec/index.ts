/**
 * The word2vec kernels of the TS backend, on arguments ../../checked.ts has
 * checked: the TS trainer (src/backend/js/word2vec/trainer.ts), vocabulary scan
 * and nearest-rows search. Jobs run as chunked async work on the event loop,
 * as long jobs (../../job.ts) do.
 */
import { nearest } from './nearest.js';
import { trainTs } from './trainer.js';
import { scanVocab } from './vocab.js';
import { rankBegin } from './corpus-reader.js';
import { stat } from 'node:fs/promises';
import { quietAfterAbort } from '../../job.js';
import type { Word2VecKernels } from '../../word2vec.js';

function startJob<T>(run: (stopped: () => boolean) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  const stopped = () => signal?.aborted === true;
  // Start on a later turn, as a native job starts on another thread.
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => run(stopped));
}

export const jsWord2VecKernels: Word2VecKernels = {
  word2vecVocab(job, onProgress, signal) {
    const { path, minCount, maxFinalVocab, lowercase, part, parts } = job;
    const report = quietAfterAbort(onProgress, signal);
    return startJob(async (stopped) => {
      const bytesTotal = (await stat(path).catch(() => ({ size: 0 }))).size;
      // A rank counts the part it trains on (trainer.ts).
      const range = parts === 1 ? [0, Infinity] : [await rankBegin(path, bytesTotal, part, parts), await rankBegin(path, bytesTotal, part + 1, parts)];
      return scanVocab(
        path,
        range[0]!,
        range[1]!,
        minCount,
        maxFinalVocab,
        lowercase,
        stopped,
        report ? (bytesRead) => report({ bytesRead, bytesTotal }) : undefined,
      );
    }, signal);
  },

  word2vecTrain(job, onProgress, signal) {
    if (job.resume !== null && job.threads !== 1) {
      throw new RangeError(`word2vecTrain: the TS backend trains on one thread, so it resumes only one-thread states; job.threads is ${job.threads}`);
    }
    return startJob((stopped) => trainTs(job, quietAfterAbort(onProgress, signal) ?? undefined, stopped), signal);
  },

  nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e) {
    nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e);
  },
};
