#!/usr/bin/env node
/**
 * Writes the seed corpus of scripts/fuzz-parsers.mjs to
 * test/fixtures/fuzz/seeds/<target>/: a few small valid files of each format,
 * made by fastnn's own writers, and broken ones (truncated, lying headers,
 * bad values). Rerun after a format change: `npm run build && node scripts/fuzz/make-seeds.mjs`.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = (file) => import(new URL(`../../dist/${file}`, import.meta.url).href);
const { encodeSafetensors } = await dist('io/safetensors.js');
const { MLP } = await dist('nn/mlp.js');
const { Autoencoder } = await dist('nn/autoencoder.js');
const { fitWithCheckpoints } = await dist('nn/checkpoint.js');
const { saveVectors, WordVectors } = await dist('word2vec/vectors.js');
const { Matrix } = await dist('tensor.js');
const { Word2Vec } = await dist('word2vec/word2vec.js');
const { useBackend } = await dist('backend/select.js');

const out = new URL('../../test/fixtures/fuzz/seeds/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'fastnn-seeds-'));
const seeds = {};
const add = (target, file, bytes) => ((seeds[target] ??= {})[file] = Buffer.from(bytes));
/** Runs a writer into a temp file and returns the bytes. */
const written = async (name, write) => {
  const path = join(tmp, name);
  await write(path);
  return readFileSync(path);
};
const cut = (bytes, n) => bytes.subarray(0, bytes.length - n);
const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

// safetensors: the container alone.
const st = Buffer.concat(
  encodeSafetensors({ note: 'x' }, [
    ['a', [2, 2], Float32Array.of(1, 2, 3, 4)],
    ['b', [0], new Float32Array(0)],
    ['c', [1], Float32Array.of(-0)],
  ]),
);
add('safetensors', 'valid', st);
add('safetensors', 'valid-empty', Buffer.concat(encodeSafetensors({}, [])));
add('safetensors', 'truncated', cut(st, 3));
add('safetensors', 'header-too-long', Buffer.concat([u64(2 ** 40), st.subarray(8)]));
add('safetensors', 'header-not-json', Buffer.concat([u64(4), Buffer.from('{"a"')]));
add(
  'safetensors',
  'overlap',
  Buffer.concat([u64(72), Buffer.from('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32"}}'.padEnd(72)), Buffer.alloc(4)]),
);

// Model files: an MLP and an autoencoder as save() writes them, and broken variants.
const mlp = await written('mlp', (p) => new MLP({ layers: [2, 3, 2], task: 'multiclass', hidden: 'tanh', seed: 1 }).save(p));
add('model', 'mlp', mlp);
add('model', 'mlp-regression', await written('reg', (p) => new MLP({ layers: [1, 1], task: 'regression', loss: { type: 'huber', delta: 2 } }).save(p)));
add('model', 'autoencoder-tied', await written('ae', (p) => new Autoencoder({ layers: [3, 2], tiedWeights: true, seed: 1 }).save(p)));
add('model', 'mlp-dropout', await written('drop', (p) => new MLP({ layers: [2, 3, 3, 2], task: 'multiclass', dropout: [0.5, 0.25] }).save(p)));
add('model', 'mlp-layer-norm', await written('norm', (p) => new MLP({ layers: [2, 3, 3, 2], task: 'multiclass', norm: ['layer', null] }).save(p)));
add('model', 'mlp-batch-norm', await written('bnorm', (p) => new MLP({ layers: [2, 3, 3, 2], task: 'multiclass', norm: ['batch', 'layer'] }).save(p)));
const negativeVariance = new MLP({ layers: [2, 3, 2], task: 'multiclass', norm: 'batch' });
negativeVariance.params[1][9] = -1;
add('model', 'mlp-batch-norm-negative-variance', await written('bneg', (p) => negativeVariance.save(p)));
add('model', 'autoencoder-sigmoid-mse', await written('aesm', (p) => new Autoencoder({ layers: [3, 2], loss: 'sigmoidMse', dropout: 0.1 }).save(p)));
const dropped = await written('drop-bad', (p) => new MLP({ layers: [2, 3, 2], task: 'multiclass', dropout: 0.5 }).save(p));
add('model', 'mlp-dropout-rate-1', Buffer.from(dropped.toString('latin1').replace('"dropout":[0.5]', '"dropout":[1.0]'), 'latin1'));
const nan = Buffer.from(mlp);
nan.writeFloatLE(NaN, nan.length - 4);
add('model', 'mlp-nan-weight', nan);
add('model', 'mlp-version-2', Buffer.from(mlp.toString('latin1').replace('"fastnn.version":"1"', '"fastnn.version":"2"'), 'latin1'));

// Checkpoints: after one epoch of adam and of sgd, and a plain model file (no checkpoint metadata).
const x = new Matrix(Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), 4, 2);
const checkpoint = (name, optimizer) =>
  written(name, (p) =>
    fitWithCheckpoints(
      new MLP({ layers: [2, 2, 1], task: 'binary', seed: 1 }),
      x,
      [0, 1, 1, 0],
      { epochs: 2, batchSize: 2, optimizer },
      { path: p, everyEpochs: 1 },
    ),
  );
add('checkpoint', 'adam', await checkpoint('adam', { type: 'adam' }));
add('checkpoint', 'sgd', await checkpoint('sgd', { type: 'sgd' }));
add(
  'checkpoint',
  'frozen-first-layer',
  await written('frozen', (p) =>
    fitWithCheckpoints(
      new MLP({ layers: [2, 2, 1], task: 'binary', seed: 1 }),
      x,
      [0, 1, 1, 0],
      { epochs: 2, batchSize: 2, freeze: [0] },
      { path: p, everyEpochs: 1 },
    ),
  ),
);
add('checkpoint', 'plain-model', await written('plain', (p) => new MLP({ layers: [2, 1], task: 'binary' }).save(p)));

// word2vec checkpoints: negative sampling, hierarchical softmax alone, and broken.
useBackend('js');
const corpus = join(tmp, 'corpus.txt');
writeFileSync(corpus, 'a b c a b a\nc a b d\n'.repeat(3));
const latin1Corpus = join(tmp, 'latin1.txt');
writeFileSync(latin1Corpus, Buffer.from('café à la crème\nfaçade naïve café\n'.repeat(2), 'latin1'));
const w2v = (name, settings) =>
  written(name, (p) => Word2Vec.train({ input: corpus, vectorSize: 2, minCount: 1, epochs: 2, sample: 0, seed: 1, ...settings, checkpoint: p }));
const w2vNegative = await w2v('w2v-neg', {});
add('w2v-checkpoint', 'negative', w2vNegative);
add('w2v-checkpoint', 'latin1', await w2v('w2v-latin1', { input: latin1Corpus, epochs: 1, encoding: 'latin1' }));
add('w2v-checkpoint', 'hs-only', await w2v('w2v-hs', { hs: true, negative: 0 }));
add('w2v-checkpoint', 'truncated', cut(w2vNegative, 5));
add('w2v-checkpoint', 'zero-rng', Buffer.concat([w2vNegative.subarray(0, w2vNegative.length - 16), Buffer.alloc(16)]));

// IDX: each element type, and broken headers.
const idx = (type, dims, data) =>
  Buffer.concat([
    Buffer.from([0, 0, type, dims.length]),
    ...dims.map((d) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(d);
      return b;
    }),
    Buffer.from(data),
  ]);
const idxSeeds = {
  'u8-labels': idx(0x08, [3], [1, 2, 9]),
  'u8-images': idx(0x08, [2, 2, 2], [0, 255, 1, 2, 3, 4, 5, 6]),
  i16: idx(0x0b, [2], [0x80, 0, 0x7f, 0xff]),
  f32: idx(0x0d, [1, 2], [0x3f, 0x80, 0, 0, 0x7f, 0xc0, 0, 0]),
  f64: idx(0x0e, [1], [0x3f, 0xf0, 0, 0, 0, 0, 0, 0]),
  'i32-truncated': idx(0x0c, [2], [0, 0, 0, 1, 0, 0]),
  'dims-overflow': idx(0x08, [0xffffffff, 0xffffffff], [1]),
  'bad-type': idx(0x0a, [1], [1]),
};
for (const [name, bytes] of Object.entries(idxSeeds)) add('idx', name, bytes);
add('idx-gzip', 'u8-images', gzipSync(idxSeeds['u8-images']));
add('idx-gzip', 'f32', gzipSync(idxSeeds.f32));
add('idx-gzip', 'truncated', cut(gzipSync(idxSeeds['u8-labels']), 6));
add('idx-gzip', 'trailing-garbage', Buffer.concat([gzipSync(idxSeeds.i16), Buffer.from('junk')]));
add('idx-gzip', 'two-members', Buffer.concat([gzipSync(idxSeeds['u8-labels'].subarray(0, 5)), gzipSync(idxSeeds['u8-labels'].subarray(5))]));
add('idx-gzip', 'broken-idx', gzipSync(idxSeeds['dims-overflow']));

// Word vectors: as saveVectors writes them, in the variants other tools write, and broken.
const vectors = new WordVectors(['the', 'of', 'é'], Float32Array.of(0.5, -1, 1e-7, 3.25, -0, 1e30), 2);
const text = await written('v.txt', (p) => saveVectors(p, vectors, { format: 'text' }));
add('vectors-text', 'valid', text);
add('vectors-text', 'fasttext-style', '2 3\nthe 0.1 0.2 0.3 \nof -1 -2 -3 \n');
add('vectors-text', 'crlf-no-final-newline', '2 1\r\na 1\r\nb\t2');
add('vectors-text', 'nan', '1 2\na nan 1\n');
add('vectors-text', 'duplicate', '2 1\na 1\na 2\n');
add('vectors-text', 'header-lies', '900 300\na 1\n');
add('vectors-text', 'truncated', cut(text, 4));
const binary = await written('v.bin', (p) => saveVectors(p, vectors, { format: 'binary' }));
add('vectors-binary', 'valid', binary);
add(
  'vectors-binary',
  'gensim-no-newlines',
  Buffer.concat([Buffer.from('2 1\na '), Buffer.from(Float32Array.of(1).buffer), Buffer.from('b '), Buffer.from(Float32Array.of(2).buffer)]),
);
add('vectors-binary', 'truncated', cut(binary, 6));
add('vectors-binary', 'header-lies', Buffer.concat([Buffer.from('5 1000000\na '), Buffer.alloc(4)]));
add('vectors-binary', 'infinity', Buffer.concat([Buffer.from('1 1\nw '), Buffer.from([0, 0, 0x80, 0x7f]), Buffer.from('\n')]));

// Compressed vectors: as saves of .gz names write them, as other tools' gzip writes them, and broken.
const gzText = await written('v.txt.gz', (p) => saveVectors(p, vectors));
add('vectors-gzip', 'text', gzText);
add('vectors-gzip', 'binary', await written('v.bin.gz', (p) => saveVectors(p, vectors)));
add('vectors-gzip', 'fasttext-style', gzipSync('2 3\nthe 0.1 0.2 0.3 \nof -1 -2 -3 \n'));
add('vectors-gzip', 'two-members', Buffer.concat([gzipSync(text.subarray(0, 9)), gzipSync(text.subarray(9))]));
add('vectors-gzip', 'truncated', cut(gzText, 5));
const badCrc = Buffer.from(gzText);
badCrc[badCrc.length - 8] ^= 0xff;
add('vectors-gzip', 'bad-crc', badCrc);
add('vectors-gzip', 'trailing-garbage', Buffer.concat([gzipSync(text), Buffer.from('junk')]));
add('vectors-gzip', 'header-lies', gzipSync('900000000 300\na 1\n'));
add('vectors-gzip', 'huge-rows-binary', gzipSync(Buffer.concat([Buffer.from('2 999999999999999\na '), Buffer.alloc(64)])));

add('vectors-text', 'unicode-spaces-in-words', '2 1\nno\u00a0break 1\nnext\u0085line 2\n');

// Corpora whose vocabulary Word2Vec names: UTF-8, Latin-1, and each kind of invalid UTF-8 sequence.
add('corpus-names', 'utf8', 'the café and the crème brûlée\nno\u00a0break 𝄞 €\n');
add('corpus-names', 'latin1', readFileSync(latin1Corpus));
add('corpus-names', 'bom', '\ufeffthe first word keeps its BOM\n');
for (const [name, bytes] of Object.entries({
  'lone-continuation': [0x61, 0x80, 0x20],
  overlong: [0xc0, 0xaf, 0x0a, 0xe0, 0x80, 0xaf],
  surrogate: [0xed, 0xa0, 0x80],
  'above-max': [0xf4, 0x90, 0x80, 0x80],
  'truncated-at-end': [0x61, 0x20, 0xe2, 0x82],
  'truncated-by-space': [0xe2, 0x20, 0x82, 0xac],
}))
  add('corpus-names', name, Uint8Array.from(bytes));

rmSync(tmp, { recursive: true });
rmSync(out, { recursive: true, force: true });
let total = 0;
for (const [target, files] of Object.entries(seeds)) {
  mkdirSync(join(out, target), { recursive: true });
  for (const [file, bytes] of Object.entries(files)) {
    writeFileSync(join(out, target, file), bytes);
    total += bytes.length;
  }
}
console.log(`seeds: ${Object.values(seeds).reduce((n, f) => n + Object.keys(f).length, 0)} files, ${total} bytes in ${out}`);
