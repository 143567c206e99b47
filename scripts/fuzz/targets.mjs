/**
 * One fuzz target per file parser, over the built modules in dist/. Each
 * names the error class it may throw (anything else is a bug), the files
 * whose coverage guides it, a small dictionary of tokens its format is made
 * of, and optionally a `repair` that re-establishes a checksum-like field
 * after a mutation (half the children get it), so mutations reach the code
 * behind that check instead of all stopping at it.
 */
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

const dist = (file) => import(new URL(`../../dist/${file}`, import.meta.url).href);
const { decodeSafetensors, ModelFileError } = await dist('io/safetensors.js');
const { decodeIdx, IdxFileError } = await dist('io/idx.js');
const { modelFromTensors } = await dist('nn/model-file.js');
const { loadCheckpoint } = await dist('nn/checkpoint.js');
const { MLP } = await dist('nn/mlp.js');
const { Autoencoder } = await dist('nn/autoencoder.js');
const { WordVectorsFileError } = await dist('word2vec/formats.js');
const { loadVectors } = await dist('word2vec/vectors.js');
const { readWord2VecCheckpoint } = await dist('word2vec/checkpoint.js');
const { CorpusError, vocabularyNames } = await dist('word2vec/corpus.js');

const words = (...list) => list.map((w) => (typeof w === 'string' ? Buffer.from(w, 'latin1') : Uint8Array.from(w)));

/** The checkpoint and vector loaders only take a path: their input goes through one temp file per thread. */
const scratch = join(tmpdir(), `fastnn-fuzz-${process.pid}-${threadId}`);
async function viaFile(bytes, load) {
  await writeFile(scratch, bytes);
  return load(scratch);
}

/** Sets the u64 header length to the end of the JSON object (and its padding), wherever mutations moved it. */
function repairHeaderLength(bytes) {
  if (bytes.length < 10 || bytes[8] !== 0x7b) return bytes;
  let depth = 0,
    inString = false,
    end = -1;
  for (let i = 8; i < bytes.length && end < 0; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) end = i + 1;
  }
  if (end < 0) return bytes;
  while (end < bytes.length && bytes[end] === 0x20 && (end - 8) % 8 !== 0) end++;
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(end - 8), true);
  return out;
}

/** Re-gzips whatever a mutated stream still inflates to, so the CRC and size trailer match again. */
function repairGzip(bytes) {
  try {
    return gzipSync(gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 }));
  } catch {
    return bytes;
  }
}

function inflatedSize(bytes) {
  try {
    return gunzipSync(bytes, { maxOutputLength: 64 << 20 }).length;
  } catch {
    return bytes.length;
  }
}

const SAFETENSORS_WORDS = words(
  '{"',
  '":',
  '"dtype":"F32"',
  '"dtype":"F16"',
  '"shape":[',
  '"data_offsets":[',
  '"__metadata__":{',
  '"__proto__"',
  'null',
  'true',
  '[]',
  '{}',
  '-1',
  '1e308',
  '0.5',
  '\\u0000',
  '\\ud800',
);
const MODEL_WORDS = [
  ...SAFETENSORS_WORDS,
  ...words(
    '"format":"fastnn"',
    '"fastnn.version":"1"',
    '"fastnn.kind":"Autoencoder"',
    '"fastnn.kind":"MLP"',
    '\\"layers\\":[',
    '\\"task\\":\\"multiclass\\"',
    '\\"hidden\\":\\"relu\\"',
    '\\"hidden\\":[',
    '\\"loss\\":{\\"type\\":',
    '\\"tiedWeights\\":true',
    '\\"decoder\\":',
    '\\"sparse\\":{',
    '\\"denoise\\":{',
    '\\"__proto__\\":',
    '"layers.0.weight"',
    '"layers.1.bias"',
  ),
];
const CHECKPOINT_WORDS = [
  ...MODEL_WORDS,
  ...words(
    '"fastnn.checkpoint":"{',
    '"optimizer.state.0"',
    '\\"optimizerType\\":\\"adam\\"',
    '\\"optimizerType\\":\\"toString\\"',
    '\\"rngState\\":[',
    '\\"epochsDone\\":',
    '\\"everyEpochs\\":',
    '\\"settings\\":{\\"epochs\\":',
  ),
];
const W2V_CHECKPOINT_WORDS = [
  ...SAFETENSORS_WORDS,
  ...words(
    '"dtype":"U8"',
    '"dtype":"F64"',
    '"dtype":"U32"',
    '"fastnn.kind":"word2vec-checkpoint"',
    '"fastnn.word2vec":"{',
    '\\"settings\\":{',
    '\\"threads\\":',
    '\\"vectorSize\\":',
    '\\"hs\\":true',
    '\\"negative\\":0',
    '\\"epoch\\":',
    '\\"wordsBefore\\":',
    '\\"corpus\\":{\\"path\\":null',
    '\\"encoding\\":\\"latin1\\"',
    '\\"encoding\\":\\"utf8\\"',
    '"vocab.words"',
    '"vocab.counts"',
    '"syn0"',
    '"syn1neg"',
    '"syn1"',
    '"state.rng"',
    '"state.offsets"',
    '"state.finished"',
  ),
];
const IDX_WORDS = words([0, 0, 8, 1], [0, 0, 0x0d, 3], [0, 0, 0x0e, 2], [0xff, 0xff, 0xff, 0xff], [0x80, 0, 0, 0]);
const VECTOR_WORDS = words(
  ' ',
  '\n',
  '\t',
  '\r\n',
  '  ',
  'nan',
  'NaN',
  'inf',
  '-Infinity',
  '-0',
  '1e39',
  '0x1p3',
  '1_0',
  '.5',
  '+.5e-3',
  '\xc3\xa9',
  '\xff\xfe',
  '\xed\xa0\x80',
  [0, 0, 0xc0, 0x7f],
  [0, 0, 0x80, 0x7f],
  [0, 0, 0x80, 0xff],
);

const CORPUS_WORDS = words(
  ' ',
  '\n',
  '\t',
  '\r',
  '\xef\xbb\xbf',
  '\xc3\xa9',
  '\xe2\x82\xac',
  '\xf0\x9d\x84\x9e',
  '\xc0\xaf',
  '\xe0\x80\xaf',
  '\xed\xa0\x80',
  '\xf4\x90\x80\x80',
  '\xe9',
  '\xa0',
  '\x85',
  '\xff',
);

/** The vocabulary scan's words for a corpus: its distinct tokens (bytes between ' ' and \t..\r), as latin1 strings. */
function tokensOf(bytes) {
  const tokens = new Set();
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const space = i === bytes.length || bytes[i] === 32 || (bytes[i] >= 9 && bytes[i] <= 13);
    if (!space && start < 0) start = i;
    if (space && start >= 0) {
      tokens.add(Buffer.from(bytes.subarray(start, i)).toString('latin1'));
      start = -1;
    }
  }
  return [...tokens];
}

/**
 * Word2Vec's naming of a corpus's vocabulary (word2vec/corpus.js): as latin1
 * every name is its bytes; as utf8 either every name re-encodes to its bytes
 * (distinct words, distinct names) or the corpus is refused at a position
 * before which the bytes are valid UTF-8. Anything else is thrown as a bug.
 */
async function nameCorpus(bytes, path) {
  const tokens = tokensOf(bytes);
  const words = Buffer.from(tokens.map((t) => `${t}\n`).join(''), 'latin1');
  const asLatin1 = await vocabularyNames('fuzz', words, 'latin1', path);
  if (asLatin1.join('\n') !== tokens.join('\n')) throw new Error('latin1 names differ from the bytes');
  let names;
  try {
    names = await vocabularyNames('fuzz', words, 'utf8', path);
  } catch (err) {
    const at = err instanceof CorpusError && /line \d+, byte offset (\d+) /.exec(err.message);
    if (!at) throw err instanceof CorpusError ? new Error(`refused without a position: ${err.message}`) : err;
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Number(at[1]))); // throws (a bug) if the offset is late
    throw err;
  }
  names.forEach((name, i) => {
    if (Buffer.compare(Buffer.from(name, 'utf8'), Buffer.from(tokens[i], 'latin1')) !== 0) throw new Error(`name ${i} is not its bytes`);
  });
}

const SAFETENSORS = ['/dist/io/safetensors.js'];
const VECTORS = ['/dist/word2vec/formats.js', '/dist/word2vec/file-kind.js', '/dist/io/byte-cursor.js', '/dist/word2vec/vectors.js'];
const MODEL = [...SAFETENSORS, '/dist/nn/model-file.js', '/dist/nn/mlp.js', '/dist/nn/autoencoder.js', '/dist/nn/loss-config.js', '/dist/options.js'];

/** Runs every loader; the first error that is not `error` wins, else the last one. */
async function each(error, loaders) {
  let last;
  for (const load of loaders) {
    try {
      await load();
    } catch (err) {
      if (!(err instanceof error)) throw err;
      last = err;
    }
  }
  if (last) throw last;
}

export const targets = [
  {
    name: 'safetensors',
    error: ModelFileError,
    files: SAFETENSORS,
    dictionary: SAFETENSORS_WORDS,
    repair: repairHeaderLength,
    run: (b) => decodeSafetensors(b, 'fuzz'),
  },
  {
    // What MLP.load and Autoencoder.load do once the file is read.
    name: 'model',
    error: ModelFileError,
    files: MODEL,
    dictionary: MODEL_WORDS,
    repair: repairHeaderLength,
    run: (b) =>
      each(ModelFileError, [
        () => modelFromTensors('fuzz', decodeSafetensors(b, 'fuzz'), 'MLP', (c) => new MLP(c)),
        () => modelFromTensors('fuzz', decodeSafetensors(b, 'fuzz'), 'Autoencoder', (c) => new Autoencoder(c)),
      ]),
  },
  {
    name: 'checkpoint',
    error: ModelFileError,
    files: [...MODEL, '/dist/nn/checkpoint.js'],
    dictionary: CHECKPOINT_WORDS,
    repair: repairHeaderLength,
    run: (b) => viaFile(b, loadCheckpoint),
  },
  {
    name: 'w2v-checkpoint',
    error: ModelFileError,
    repair: repairHeaderLength,
    dictionary: W2V_CHECKPOINT_WORDS,
    files: [
      ...SAFETENSORS,
      '/dist/io/safetensors-file.js',
      '/dist/word2vec/checkpoint.js',
      '/dist/word2vec/settings.js',
      '/dist/backend/validate-word2vec.js',
      '/dist/options.js',
    ],
    run: (b) => viaFile(b, readWord2VecCheckpoint),
  },
  { name: 'idx', error: IdxFileError, files: ['/dist/io/idx.js'], dictionary: IDX_WORDS, run: (b) => decodeIdx(b, 'fuzz') },
  {
    name: 'idx-gzip',
    error: IdxFileError,
    files: ['/dist/io/idx.js'],
    dictionary: IDX_WORDS,
    repair: repairGzip,
    run: (b) => decodeIdx(b, 'fuzz'),
    sizeForMemory: inflatedSize,
  },
  // Each format's parser as asked for, and as the file's bytes choose it.
  {
    name: 'vectors-text',
    error: WordVectorsFileError,
    files: VECTORS,
    dictionary: VECTOR_WORDS,
    run: (b) => viaFile(b, (path) => each(WordVectorsFileError, [() => loadVectors(path, { format: 'text' }), () => loadVectors(path)])),
  },
  {
    name: 'vectors-binary',
    error: WordVectorsFileError,
    files: VECTORS,
    dictionary: VECTOR_WORDS,
    run: (b) => viaFile(b, (path) => each(WordVectorsFileError, [() => loadVectors(path, { format: 'binary' }), () => loadVectors(path)])),
  },
  {
    // Compressed files: inflated as they are read, the format chosen by the inflated bytes, no header trusted.
    name: 'vectors-gzip',
    error: WordVectorsFileError,
    files: VECTORS,
    dictionary: VECTOR_WORDS,
    repair: repairGzip,
    run: (b) => viaFile(b, (path) => loadVectors(path)),
    sizeForMemory: inflatedSize,
  },
  {
    name: 'corpus-names',
    error: CorpusError,
    files: ['/dist/word2vec/corpus.js'],
    dictionary: CORPUS_WORDS,
    run: (b) => viaFile(b, (path) => nameCorpus(b, path)),
  },
];

export async function removeScratch() {
  await rm(scratch, { force: true });
}
