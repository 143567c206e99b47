// Run by test/nn/out-of-memory.test.ts as
// `bash -c 'ulimit -v N; exec node out-of-memory.mjs <backend> <case>'` on the
// compiled package (dist/), or as `node out-of-memory.mjs <backend> measure`
// (no limit) to print the address space it uses before any case runs.
//
// A case sizes its data from the address space left under the limit (the
// limit from /proc/self/limits minus VmSize): what must fit takes well under
// that headroom, what must not takes twice it, so the case does not depend on
// how much Node itself reserves. It then asks fastnn for what does not fit,
// and prints one JSON line: the error it caught ({ name, code, message }),
// and for models whether their weights are those of before the failed call
// and whether they still train. Exit code 0; a crash (SIGABRT, 134) is the
// failure the test looks for.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Autoencoder, classicalMds, Matrix, MLP, PCA, useBackend, Word2Vec } from '../../../dist/index.js';

const [backend, which] = process.argv.slice(2);
useBackend(backend);

const vmSize = () => Number(/VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;

// Warm up first (the addon's job thread, the compiled training path), so the headroom measured after it is what is left.
const warm = new MLP({ layers: [2, 3, 1], task: 'regression' });
await warm.fit(
  [
    [0, 1],
    [1, 0],
  ],
  [0, 1],
  { epochs: 2 },
);

function headroom() {
  const limit = /Max address space\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (!limit) throw new Error('out-of-memory.mjs: run me under `ulimit -v`');
  return Number(limit[1]) - vmSize();
}

/** The error `call` rejects with, and for a model whether it kept its weights and trains again. */
async function failure(call, model = null) {
  const before = model?.params.map((p) => Float32Array.from(p));
  try {
    await call();
    return { error: null };
  } catch (err) {
    const out = { error: { name: err.name, code: err.code, message: err.message } };
    if (model) {
      out.weightsKept = model.params.every((p, i) => p.every((v, j) => Object.is(v, before[i][j])));
      // A fit that fits: the busy guard was released and the model still trains.
      const x = new Matrix(new Float32Array(4 * model.layers[0]).fill(0.5), 4, model.layers[0]);
      await (model instanceof MLP ? model.fit(x, new Float32Array(4), { batchSize: 1, epochs: 1 }) : model.fit(x, { batchSize: 1, epochs: 1 }));
      out.trainsAgain = true;
    }
    return out;
  }
}

/** Word2Vec.train with `options` on a corpus of 100 distinct words, each 3 times. */
async function trainWords(vectorSize, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fastnn-oom-'));
  try {
    const line = Array.from({ length: WORDS }, (_, i) => `w${i}`).join(' ');
    writeFileSync(join(dir, 'corpus.txt'), `${line}\n${line}\n${line}\n`);
    return await Word2Vec.train({ input: join(dir, 'corpus.txt'), minCount: 1, vectorSize, epochs: 1, threads: 1, ...options });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const WORDS = 100;

const cases = {
  measure: async () => ({ vmSize: vmSize() }),

  // The native backend's shared copy of a plain x (staged for the job) does not fit next to x.
  'mlp-copy': async () => {
    const d = 500,
      n = Math.floor((0.6 * headroom()) / (4 * d));
    const model = new MLP({ layers: [d, 64, 1], task: 'regression' });
    const x = new Matrix(new Float32Array(n * d), n, d);
    return failure(() => model.fit(x, new Float32Array(n), { batchSize: 4096, epochs: 1 }), model);
  },
  'autoencoder-copy': async () => {
    const d = 500,
      n = Math.floor((0.6 * headroom()) / (4 * d));
    const model = new Autoencoder({ layers: [d, 32] });
    return failure(() => model.fit(new Matrix(new Float32Array(n * d), n, d), { batchSize: 4096, epochs: 1 }), model);
  },
  // The inputs fit; one batch's activations of a wide layer do not (the job's thread on native).
  'mlp-scratch': async () => {
    const batch = 4096,
      width = Math.ceil((2 * headroom()) / (4 * batch));
    const model = new MLP({ layers: [10, width, 1], task: 'regression' });
    const x = new Matrix(new Float32Array(batch * 10).fill(0.5), batch, 10);
    return failure(() => model.fit(x, new Float32Array(batch), { batchSize: batch, epochs: 1 }), model);
  },
  // The vocabulary fits; its input vectors do not.
  word2vec: async () => failure(() => trainWords(Math.ceil((2 * headroom()) / (4 * WORDS)))),
  // The input and output vectors fit; the native job's copies of them do not.
  'word2vec-copy': async () => failure(() => trainWords(Math.floor((0.3 * headroom()) / (4 * WORDS)), { negative: 5 })),
  // x is two rows; its d × d covariance does not fit.
  pca: async () => {
    const d = Math.ceil(Math.sqrt((2 * headroom()) / 4));
    return failure(async () => PCA.fit(new Matrix(Matrix.shared(2, d).data.fill(1), 2, d), 2));
  },
  // x is n rows of n + 1 values; their n × n Gram matrix, as large, does not fit beside it.
  mds: async () => {
    const n = Math.ceil(Math.sqrt((0.6 * headroom()) / 4));
    const x = Matrix.shared(n, n + 1);
    x.data.forEach((_, i) => {
      x.data[i] = i % 7;
    });
    return failure(async () => classicalMds(x, 2));
  },
};

process.stdout.write(JSON.stringify(await cases[which]()) + '\n');
