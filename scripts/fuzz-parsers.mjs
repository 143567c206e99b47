#!/usr/bin/env node
/**
 * Coverage-guided fuzzing of the TypeScript file parsers (safetensors, the
 * MLP/autoencoder model and checkpoint loaders, IDX raw and gzip, word2vec
 * text and binary vectors, raw and gzip): the JS counterpart of scripts/fuzz.sh, on the
 * built modules in dist/ (run `npm run build` first). Per target
 * (scripts/fuzz/targets.mjs), one after the other in a worker thread (two
 * at once on two cores, as CI has, ran each ~4× slower here: a net loss):
 *   1. every committed regression (test/fixtures/fuzz/regressions/<target>/)
 *      and seed (test/fixtures/fuzz/seeds/<target>/, valid and broken files)
 *      runs once;
 *   2. then mutated inputs for its share of FUZZ_SECONDS (default 60, the
 *      whole run's wall time); one reaching new coverage joins the corpus
 *      (in memory: the tree stays clean).
 * A failure (a foreign exception, an input slower than 1 s, a hang, heap
 * exhaustion or an allocation out of proportion to the input) leaves the
 * input in build/fuzz-js/ and fails the run: commit it as a regression.
 * FUZZ_SEED (printed) replays a run's mutations, also of one target picked
 * with FUZZ_TARGETS=a,b.
 */
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const root = new URL('..', import.meta.url).pathname;
const TARGETS = ['safetensors', 'model', 'checkpoint', 'w2v-checkpoint', 'idx', 'idx-gzip', 'vectors-text', 'vectors-binary', 'vectors-gzip', 'corpus-names'];
const MAX_LENGTH = 4096;
const TIME_LIMIT_MS = 1000;
/** No heartbeat for this long: the input hangs (inputs slower than TIME_LIMIT_MS that finish fail in the worker). */
const HANG_MS = 10_000;

const seconds = Number(process.env.FUZZ_SECONDS ?? 60);
const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const names = process.env.FUZZ_TARGETS ? process.env.FUZZ_TARGETS.split(',') : TARGETS;
for (const n of names) if (!TARGETS.includes(n)) throw new Error(`fuzz: unknown target ${n} (one of ${TARGETS.join(', ')})`);
const share = seconds / names.length;
console.log(`fuzz: seed ${seed} (FUZZ_SEED=${seed} replays), ${seconds} s over ${names.length} targets: ${share.toFixed(1)} s each`);

function readDir(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((file) => ({ file: join(dir, file), bytes: new Uint8Array(readFileSync(join(dir, file))) }));
}

function saveFailure(name, input, message) {
  const dir = join(root, 'build/fuzz-js');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${createHash('sha1').update(input).digest('hex').slice(0, 12)}`);
  writeFileSync(file, input);
  console.error(`fuzz: ${name}: ${message}\nfuzz: the input is in ${file}: fix the parser, then add it to test/fixtures/fuzz/regressions/${name}/`);
}

function runTarget(name) {
  const fixtures = join(root, 'test/fixtures/fuzz');
  const seeds = readDir(join(fixtures, 'seeds', name));
  const regressions = readDir(join(fixtures, 'regressions', name));
  const longest = Math.max(MAX_LENGTH, ...[...seeds, ...regressions].map((s) => s.bytes.length));
  const shared = new SharedArrayBuffer(8 + longest);
  const heartbeat = new Int32Array(shared, 0, 2);
  const current = () => new Uint8Array(shared, 8, Atomics.load(heartbeat, 1)).slice();
  const worker = new Worker(new URL('./fuzz/worker.mjs', import.meta.url), {
    workerData: { name, seconds: share, seed: seed + TARGETS.indexOf(name), seeds, regressions, shared, maxLength: MAX_LENGTH, timeLimitMs: TIME_LIMIT_MS },
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  return new Promise((resolve) => {
    let beat = -1,
      since = performance.now(),
      settled = false;
    const finish = (ok) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      resolve(ok);
    };
    const watchdog = setInterval(() => {
      const now = Atomics.load(heartbeat, 0);
      if (now !== beat) [beat, since] = [now, performance.now()];
      else if (performance.now() - since > HANG_MS) {
        saveFailure(name, current(), `an input has run for over ${HANG_MS / 1000} s`);
        worker.terminate();
        finish(false);
      }
    }, 100);
    worker.on('message', (m) => {
      if (m.type === 'failure') {
        saveFailure(name, m.input, m.message);
        return finish(false);
      }
      console.log(
        `fuzz: ${name}: ${m.execs} execs (${Math.round(m.execs / share)}/s), corpus ${m.initialCorpus} → ${m.corpus}, ` +
          `features ${m.initialFeatures} → ${m.features}, blocks covered ${m.covered} of ${m.ranges} seen, ${regressions.length} regressions passed`,
      );
      finish(true);
    });
    worker.on('error', (err) => {
      // ERR_WORKER_OUT_OF_MEMORY is the input's doing; anything else may be the fuzzer's own bug, hence the stack.
      saveFailure(name, current(), `the worker died: ${err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? err.message : err.stack}`);
      finish(false);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      saveFailure(name, current(), `the worker exited with code ${code} before finishing`);
      finish(false);
    });
  });
}

let failed = false;
for (const name of names) {
  if (!(await runTarget(name))) failed = true;
}
if (failed) process.exit(1);
console.log('fuzz: no failures');
