/**
 * The one convention of the backend's long jobs (train, word2vecVocab,
 * word2vecTrain): `method(job, onProgress, signal)` checks its arguments
 * synchronously, then returns a Promise that resolves with what was done.
 * When `signal` aborts, the job stops at its next check (between minibatches
 * or sentences), its arrays consistent, and resolves with `cancelled: true`;
 * no progress callback runs after the abort. An already-aborted signal
 * stops the job at its first check (train: before any batch, resolving at
 * once). Failures reject.
 *
 * The addon's async exports return an AddonJob instead; runAddonJob turns
 * one into the convention.
 */

/** What one of the addon's async exports returns (native/napi/background_job.h). */
export interface AddonJob<T> {
  promise: Promise<T>;
  /** Asks the job to stop at its next check; idempotent. The promise then resolves with what was done. */
  cancel(): void;
}

/** `signal` as a long job takes it: absent, or an AbortSignal. */
export function checkSignal(fn: string, signal: unknown): asserts signal is AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${fn}: signal must be an AbortSignal`);
}

/** Resolves with the addon job's result, cancelling the job when `signal` aborts. */
export async function runAddonJob<T>(job: AddonJob<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return job.promise;
  const onAbort = () => job.cancel();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await job.promise;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A progress callback that goes quiet once `signal` aborts: reports already queued are dropped. */
export function quietAfterAbort<P>(onProgress: ((p: P) => void) | null | undefined, signal: AbortSignal | undefined): ((p: P) => void) | null | undefined {
  if (typeof onProgress !== 'function' || !signal) return onProgress;
  return (p: P) => {
    if (!signal.aborted) onProgress(p);
  };
}
