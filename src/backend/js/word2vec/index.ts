/**
 * The word2vec kernels of the TS backend: the same checks as the native
 * binding, then the TS trainer (src/backend/js/word2vec/trainer.ts), vocabulary scan
 * and nearest-rows search. Jobs run as chunked async work on the event loop,
 * as long jobs (../../job.ts) do.
 */
import { Rng } from '../../../rng.js';
import { nearest } from './nearest.js';
import { trainTs } from './trainer.js';
import { scanVocab } from './vocab.js';
import { stat } from 'node:fs/promises';
import { checkSignal, quietAfterAbort } from '../../job.js';
import { checkInt, checkMatrix, checkSize } from '../../validate.js';
import { checkCallback, checkInt32Matrix, checkTrainJob, checkVocabJob } from '../../validate-word2vec.js';
import type { Word2VecKernels } from '../../word2vec.js';

function startJob<T>(run: (stopped: () => boolean) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  const stopped = () => signal?.aborted === true;
  // Start on a later turn, as a native job starts on another thread.
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => run(stopped));
}

export const jsWord2VecKernels: Word2VecKernels = {
  word2vecVocab(job, onProgress, signal) {
    const fn = 'word2vecVocab';
    checkVocabJob(fn, job);
    checkCallback(fn, onProgress);
    checkSignal(fn, signal);
    const { path, minCount, maxFinalVocab, lowercase } = job;
    const report = quietAfterAbort(onProgress, signal);
    return startJob(async (stopped) => {
      const bytesTotal = (await stat(path).catch(() => ({ size: 0 }))).size;
      return scanVocab(path, minCount, maxFinalVocab, lowercase, stopped, report ? (bytesRead) => report({ bytesRead, bytesTotal }) : undefined);
    }, signal);
  },

  word2vecTrain(job, onProgress, signal) {
    const fn = 'word2vecTrain';
    checkTrainJob(fn, job);
    checkCallback(fn, onProgress);
    checkSignal(fn, signal);
    if (job.resume !== null && job.threads !== 1) {
      throw new RangeError(`${fn}: the TS backend trains on one thread, so it resumes only one-thread states; job.threads is ${job.threads}`);
    }
    const copy = { ...job };
    return startJob((stopped) => trainTs(copy, quietAfterAbort(onProgress, signal) ?? undefined, stopped), signal);
  },

  word2vecInit(syn0, rows, cols, seed) {
    const fn = 'word2vecInit';
    checkSize(fn, 'rows', rows);
    checkSize(fn, 'cols', cols);
    checkInt(fn, 'seed', seed, 0, 4294967295);
    checkMatrix(fn, 'syn0', syn0, rows, cols);
    const rng = new Rng(seed);
    for (let i = 0; i < syn0.length; i++) syn0[i] = (rng.uniform() - 0.5) / cols;
  },

  nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e) {
    const fn = 'nearest';
    checkSize(fn, 'rows', rows);
    checkSize(fn, 'cols', cols);
    checkSize(fn, 'q', q);
    checkSize(fn, 'k', k);
    checkSize(fn, 'e', e);
    checkInt32Matrix(fn, 'outIndex', outIndex, q, k);
    checkMatrix(fn, 'outScore', outScore, q, k);
    checkMatrix(fn, 'matrix', matrix, rows, cols);
    checkMatrix(fn, 'queries', queries, q, cols);
    checkInt32Matrix(fn, 'exclude', exclude, q, e);
    nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e);
  },
};
