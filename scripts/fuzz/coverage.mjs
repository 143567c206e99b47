/**
 * Coverage feedback from V8's precise block coverage (the data behind
 * `c8`/`--experimental-test-coverage`), read through the inspector of the
 * thread that runs the parser. A feature is a (block range, hit-count bucket)
 * pair in the target's own files, as libFuzzer counts edges with 8 buckets:
 * reaching a new block or running a loop a new order of magnitude of times
 * both count as progress.
 */
import { Session } from 'node:inspector/promises';

function bucket(count) {
  return count < 4 ? count : count < 8 ? 4 : count < 16 ? 5 : count < 32 ? 6 : count < 128 ? 7 : 8;
}

export class Coverage {
  /** Features seen so far: "script:start:end:bucket". */
  features = new Set();
  /** Block ranges executed at least once, and all ranges V8 reported in the target's files. */
  covered = new Set();
  ranges = new Set();
  #session = new Session();

  /** `files`: URL suffixes of the modules whose coverage guides this target (e.g. "/dist/io/idx.js"). */
  constructor(files) {
    this.files = files;
  }

  async start() {
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /** Reads and resets the counters since the last call; returns how many features were new. */
  async take() {
    const { result } = await this.#session.post('Profiler.takePreciseCoverage');
    let fresh = 0;
    for (const script of result) {
      const file = this.files.find((suffix) => script.url.endsWith(suffix));
      if (!file) continue;
      for (const fn of script.functions) {
        for (const { startOffset, endOffset, count } of fn.ranges) {
          const range = `${file}:${startOffset}:${endOffset}`;
          this.ranges.add(range);
          if (count === 0) continue;
          this.covered.add(range);
          const feature = `${range}:${bucket(count)}`;
          if (!this.features.has(feature)) {
            this.features.add(feature);
            fresh++;
          }
        }
      }
    }
    return fresh;
  }
}
