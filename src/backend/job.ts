/**
 * Native background jobs (native/napi/background_job.h) as Promises that
 * honour an AbortSignal. The job runs on a native thread of its own; this
 * side only relays the abort and turns a cancelled run into a rejection.
 */

/** What a native async export returns. */
export interface NativeJob<T> {
  promise: Promise<T>;
  /** Asks the job to stop at its next check (between minibatches); idempotent. */
  cancel(): void;
}

/**
 * Resolves with the job's result. When `signal` aborts, the job is cancelled,
 * and once it has stopped (its results consistent) this rejects with the
 * signal's reason.
 */
export async function settleJob<T>(job: NativeJob<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return job.promise;
  const onAbort = () => job.cancel();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await job.promise;
    signal.throwIfAborted();
    return result;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
