/**
 * What the examples of README.md and docs/ take as given, made small so
 * that every example runs in a moment (test/package/doc-examples.test.ts
 * imports this module first, in the example's working directory):
 *
 * - every export of fastnn, as a global: a block without an import line
 *   continues the page's earlier examples (`new MLP(...)`, `Word2Vec.train`);
 * - the data the examples name without making it, as globals: `x`, `y`,
 *   `images`, `labels`, `net`, `vectors`, … (below);
 * - the files they read, in the working directory: corpus.txt, MNIST's
 *   train-images/train-labels IDX files, questions-words.txt, wordsim353.tsv.
 *
 * All of it is drawn from a seeded generator, so every run is the same.
 * An example that names something new adds it here.
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const fastnn = await import(process.env.FASTNN_DOC_EXAMPLES_PACKAGE);
const { Matrix, MLP, Rng, WordVectors } = fastnn;
Object.assign(globalThis, fastnn);

const rng = new Rng(7);
const N = 48; // rows of every data set
const PIXELS = 28 * 28;

/** n rows of `cols` values in [0, 1). */
const uniformRows = (n, cols) => {
  const data = Float32Array.from({ length: n * cols }, () => rng.uniform());
  return new Matrix(data, n, cols);
};

// MNIST-like images and their classes (0–2, valid for a 3- or a 10-class task), also as IDX files.
const images = uniformRows(N, PIXELS);
const labels = Int32Array.from({ length: N }, (_, i) => i % 3);
const idx = (type, dims, bytes) => {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE((type << 8) | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, Buffer.from(bytes)]));
};
const pixels = Uint8Array.from(images.data, (v) => Math.floor(v * 256));
writeFileSync('train-images-idx3-ubyte.gz', idx(0x08, [N, 28, 28], pixels));
writeFileSync('train-labels-idx1-ubyte.gz', idx(0x08, [N], labels));

// A corpus in which every word an example asks about is frequent, and files of questions about it.
const WORDS = 'king queen man woman paris france rome italy breakfast cereal dinner lunch cat dog the a of and'.split(' ');
const sentences = Array.from({ length: 800 }, () => Array.from({ length: 8 }, () => WORDS[rng.below(WORDS.length)]).join(' '));
writeFileSync('corpus.txt', `${sentences.join('\n')}\n`);
writeFileSync('questions-words.txt', ': capital-common-countries\nparis france rome italy\nrome italy paris france\n: family\nman woman king queen\n');
writeFileSync('wordsim353.tsv', '# word1\tword2\tscore\ncat\tdog\t7.35\nking\tqueen\t8.58\nbreakfast\tlunch\t7.1\nparis\tcereal\t0.8\n');

const points = uniformRows(N, 10);
Object.assign(globalThis, {
  // README: 4 features, 3 classes.
  rows: N,
  features: uniformRows(N, 4).data,
  labels,
  // Images: training, test and unlabelled sets, and a classifier of them.
  images,
  testImages: uniformRows(N, PIXELS),
  unlabelled: uniformRows(N, PIXELS),
  x: images,
  y: labels,
  net: new MLP({ layers: [PIXELS, 16, 3], task: 'multiclass', seed: 1 }),
  // Points to map, and distributions to compare.
  points,
  newPoints: uniformRows(8, 10),
  someRows: points,
  pRows: [
    [0.25, 0.75],
    [0.5, 0.5],
  ],
  qRows: [
    [0.5, 0.5],
    [0.9, 0.1],
  ],
  // Codes to picture, with a label and a class for each.
  codes: uniformRows(N, 8),
  words: Array.from({ length: N }, (_, i) => `w${i}`),
  kinds: labels,
  // Word vectors of the corpus's words.
  vectors: new WordVectors(
    WORDS,
    Float32Array.from({ length: WORDS.length * 16 }, () => rng.uniform() - 0.5),
    16,
  ),
  onProgress: () => {},
  signal: new AbortController().signal,
});
