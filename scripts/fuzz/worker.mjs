/**
 * The fuzz loop of one target, in a worker thread so the main thread can
 * stop an input that hangs or runs the heap out. Before each execution the
 * input goes into the shared buffer (length, bytes) and the heartbeat
 * counter advances: that is what the watchdog reads when it has to kill us.
 *
 * The oracle, per input: the parser returns or throws its own error class;
 * it finishes within `timeLimitMs`; and its ArrayBuffer allocations stay
 * within a budget proportional to the input, nor does it try and fail to
 * allocate more (the loaders must refuse a size the file cannot hold before
 * allocating it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Coverage } from './coverage.mjs';
import { createRng, mutate } from './mutate.mjs';
import { removeScratch, targets } from './targets.mjs';

const { name, seconds, seed, seeds, regressions, shared, maxLength, timeLimitMs } = workerData;
const target = targets.find((t) => t.name === name);
const heartbeat = new Int32Array(shared, 0, 2);
const current = new Uint8Array(shared, 8);
/** 64 bytes per input byte (a parsed tensor is ~1×, a model with its config's buffers a few ×), plus
 * 8 MiB for fixed costs: the vector loader's 1 MiB read block, which may double, and its file I/O. */
const memoryBudget = (bytes) => (8 << 20) + 64 * (target.sizeForMemory?.(bytes) ?? bytes.length);

const ALLOCATION_FAILED = /allocation failed|Invalid (typed )?array length|out of memory/i;

const coverage = new Coverage(target.files);
await coverage.start();

async function execute(bytes) {
  current.set(bytes);
  Atomics.store(heartbeat, 1, bytes.length);
  Atomics.add(heartbeat, 0, 1);
  const before = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  let failure;
  try {
    await target.run(bytes);
  } catch (err) {
    if (!(err instanceof target.error)) failure = `threw ${err instanceof Error ? err.stack : String(err)}`;
    // A typed error may wrap a failed allocation (loaders report their builders' errors): the header still asked for it.
    else if (ALLOCATION_FAILED.test(err.message)) failure = `tried to allocate what the input declares: ${err.message}`;
  }
  const elapsed = performance.now() - started;
  const grown = process.memoryUsage().arrayBuffers - before;
  if (!failure && elapsed > timeLimitMs) failure = `took ${elapsed.toFixed(0)} ms (limit ${timeLimitMs})`;
  if (!failure && grown > memoryBudget(bytes)) failure = `allocated ${grown} bytes of ArrayBuffers for a ${bytes.length}-byte input`;
  return { failure, fresh: await coverage.take() };
}

function fail(bytes, why, origin) {
  parentPort.postMessage({ type: 'failure', input: bytes, message: `${origin}: ${why}` });
}

async function fuzz() {
  const corpus = [];
  for (const [kind, inputs] of [
    ['regression', regressions],
    ['seed', seeds],
  ]) {
    for (const { file, bytes } of inputs) {
      const { failure } = await execute(bytes);
      if (failure) return fail(bytes, failure, `${kind} ${file}`);
      corpus.push(bytes);
    }
  }
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  const rng = createRng(seed);
  const ctx = { corpus, dictionary: target.dictionary, maxLength };
  const initialFeatures = coverage.features.size;
  const deadline = performance.now() + seconds * 1000;
  let execs = 0;
  while (performance.now() < deadline) {
    let child = mutate(rng, rng.pick(corpus), ctx);
    if (target.repair && rng.next() < 0.5) child = target.repair(child).subarray(0, maxLength);
    execs++;
    const { failure, fresh } = await execute(child);
    if (failure) return fail(child, failure, `input ${execs}`);
    if (fresh > 0) corpus.push(child);
  }
  parentPort.postMessage({
    type: 'done',
    execs,
    initialCorpus: seeds.length + regressions.length,
    corpus: corpus.length,
    initialFeatures,
    features: coverage.features.size,
    covered: coverage.covered.size,
    ranges: coverage.ranges.size,
  });
}

try {
  await fuzz();
} finally {
  await removeScratch();
}
