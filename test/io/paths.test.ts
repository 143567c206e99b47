/**
 * Unusable paths, on both backends: every save names the user's path and what
 * is wrong with it or its directory (never the temp file an atomic save
 * writes first), every load is a typed error naming the path — missing, a
 * directory, unreadable — never the engine's EISDIR without a path.
 */
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Autoencoder,
  FileWriteError,
  fitWithCheckpoints,
  IdxFileError,
  MLP,
  ModelFileError,
  readIdx,
  useBackend,
  Word2Vec,
  WordVectors,
  WordVectorsFileError,
  CorpusError,
} from '../../src/index.js';
import { loadCheckpoint } from '../../src/nn/checkpoint.js';
import { writeGrayPng } from '../../src/io/png.js';
import { runUnprivileged, sharedTempDir } from '../helpers/as-user.js';
import { backendsUnderTest } from '../helpers/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'fastnn-paths-'));
afterAll(() => {
  useBackend('auto');
  rmSync(dir, { recursive: true, force: true });
});
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'not a directory');
const corpus = join(dir, 'corpus.txt');
writeFileSync(corpus, 'the king and the queen\n'.repeat(20));
// What a user without permission sees is checked in an unprivileged child (as-user.ts), in a directory it can enter.
const open = sharedTempDir('fastnn-perm-');
afterAll(() => rmSync(open, { recursive: true, force: true }));
const permissionsChild = new URL('../helpers/children/permissions.mjs', import.meta.url).pathname;
interface Failure {
  error: string | null;
  message?: string;
}

describe.each(backendsUnderTest().map((b) => [b.name]))('paths on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');
  const net = () => new MLP({ layers: [2, 3, 1], task: 'regression' });
  const vectors = () => new WordVectors(['a', 'b'], new Float32Array(4), 2);
  // Each way of saving a file, given the path and whether it may replace a read-only file.
  const savers: [string, (path: string, overwrite?: boolean) => Promise<unknown>][] = [
    ['MLP.save', (p, overwrite) => net().save(p, { overwrite })],
    ['Autoencoder.save', (p, overwrite) => new Autoencoder({ layers: [4, 2] }).save(p, { overwrite })],
    ['WordVectors.save', (p, overwrite) => vectors().save(p, { overwrite })],
    [
      'fitWithCheckpoints',
      (p, overwrite) =>
        fitWithCheckpoints(
          net(),
          [
            [0, 1],
            [1, 0],
          ],
          [[1], [0]],
          { epochs: 1 },
          { path: p, overwrite },
        ),
    ],
    [
      'Word2Vec.train checkpoint',
      (p, overwrite) => Word2Vec.train({ input: corpus, minCount: 1, vectorSize: 4, epochs: 1, threads: 1, checkpoint: { path: p, overwrite } }),
    ],
    ['writeGrayPng', (p, overwrite) => writeGrayPng(p, new Float32Array(4), 2, 2, { overwrite })],
  ];

  it.each(savers)('%s refuses a read-only file before writing, and replaces it with overwrite: true', async (what, save) => {
    use();
    const path = join(dir, `read-only-${name}-${what.replace(/\W/g, '')}`);
    writeFileSync(path, 'keep me', { mode: 0o444 });
    await expect(save(path)).rejects.toThrow(`cannot write ${path}: it is read-only (mode 0444); overwrite: true (--force on the command line) replaces it`);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    await save(path, true);
    expect(readFileSync(path, 'utf8')).not.toBe('keep me');
    expect(statSync(path).mode & 0o777).toBe(0o444);
  });

  it.each(savers)('%s names the path and its problem, never a temp file', async (_, save) => {
    use();
    const cases: [string, string][] = [
      ['/missing/dir/out.file', 'cannot write /missing/dir/out.file: directory /missing/dir does not exist'],
      ['/proc/nope/o.bin', 'cannot write /proc/nope/o.bin: directory /proc/nope does not exist'],
      [dir, `cannot write ${dir}: it is a directory`],
      [join(aFile, 'out.file'), `cannot write ${join(aFile, 'out.file')}: ${aFile} is not a directory`],
    ];
    for (const [path, message] of cases) {
      const failure = save(path);
      await expect(failure, path).rejects.toThrow(FileWriteError);
      await expect(failure, path).rejects.toThrow(message);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a checkpointed run checks its checkpoint path before it trains', async () => {
    use();
    let progress = 0;
    const onProgress = () => {
      progress++;
    };
    await expect(
      Word2Vec.train({ input: corpus, minCount: 1, vectorSize: 4, epochs: 1, threads: 1, checkpoint: '/missing/w.ckpt', onProgress }),
    ).rejects.toThrow('cannot write /missing/w.ckpt: directory /missing does not exist');
    await expect(
      fitWithCheckpoints(
        net(),
        [
          [0, 1],
          [1, 0],
        ],
        [[1], [0]],
        { epochs: 1, onProgress, progressEvery: 1 },
        { path: '/missing/m.ckpt' },
      ),
    ).rejects.toThrow('cannot write /missing/m.ckpt: directory /missing does not exist');
    expect(progress).toBe(0);
  });

  it('a checkpoint that is the corpus, or empty, is refused before training and the corpus kept', async () => {
    use();
    let progress = 0;
    const onProgress = () => {
      progress++;
    };
    const bytes = readFileSync(corpus);
    const hardLink = join(dir, `corpus-link-${name}.txt`);
    linkSync(corpus, hardLink);
    const train = (checkpoint: unknown) =>
      Word2Vec.train({ input: corpus, minCount: 1, vectorSize: 4, epochs: 1, threads: 1, checkpoint: checkpoint as string, onProgress });
    for (const checkpoint of [corpus, { path: corpus }, { path: hardLink, atEnd: false }]) {
      const path = typeof checkpoint === 'string' ? checkpoint : checkpoint.path;
      await expect(train(checkpoint)).rejects.toThrow(
        new RangeError(`Word2Vec.train: checkpoint ${path} is the same file as input${path === corpus ? '' : ` ${corpus}`}`),
      );
    }
    await expect(train('')).rejects.toThrow(new TypeError('Word2Vec.train: checkpoint must be a non-empty path'));
    await expect(train({ path: '' })).rejects.toThrow(new TypeError('Word2Vec.train: checkpoint.path must be a non-empty string'));
    expect(progress).toBe(0);
    expect(readFileSync(corpus).equals(bytes)).toBe(true);
  });

  it('a resumed run refuses a checkpoint that is its corpus', async () => {
    use();
    const checkpoint = join(dir, `resume-${name}.ckpt`);
    await Word2Vec.train({ input: corpus, minCount: 1, vectorSize: 4, epochs: 1, threads: 1, checkpoint });
    const bytes = readFileSync(corpus);
    await expect(Word2Vec.resume(checkpoint, { checkpoint: corpus })).rejects.toThrow(`Word2Vec.resume: checkpoint ${corpus} is the same file as input`);
    expect(readFileSync(corpus).equals(bytes)).toBe(true);
  });

  it.skipIf(!existsSync('/sys'))('a save into a directory that is not writable says so', async () => {
    use();
    await expect(net().save('/sys/m.safetensors')).rejects.toThrow(
      /^cannot write \/sys\/m\.safetensors: directory \/sys is not writable \((permission denied|read-only file system)\)$/,
    );
  });

  it('a save into a directory without write permission says so', () => {
    const locked = join(open, `locked-${name}`);
    mkdirSync(locked, { mode: 0o555 });
    const result = runUnprivileged<Failure>(permissionsChild, [name, 'save', locked]);
    expect(result).toEqual({
      error: 'FileWriteError',
      message: `cannot write ${locked}/m.safetensors: directory ${locked} is not writable (permission denied)`,
    });
  });

  const loaders: [string, (path: string) => Promise<unknown>, new (...args: never[]) => Error][] = [
    ['MLP.load', (p) => MLP.load(p), ModelFileError],
    ['Autoencoder.load', (p) => Autoencoder.load(p), ModelFileError],
    ['loadCheckpoint', (p) => loadCheckpoint(p), ModelFileError],
    ['Word2Vec.resume', (p) => Word2Vec.resume(p), ModelFileError],
    ['WordVectors.load (text)', (p) => WordVectors.load(p, { format: 'text' }), WordVectorsFileError],
    ['WordVectors.load (binary)', (p) => WordVectors.load(p, { format: 'binary' }), WordVectorsFileError],
    ['readIdx', (p) => readIdx(p), IdxFileError],
    ['Word2Vec.train input', (p) => Word2Vec.train({ input: p, epochs: 1 }), CorpusError],
  ];

  it.each(loaders)('%s: a typed error naming the path', async (_, load, type) => {
    use();
    const missing = join(dir, 'missing.file');
    for (const [path, why] of [
      [dir, 'is a directory'],
      [missing, 'does not exist'],
      [join(aFile, 'x'), 'does not exist'],
    ] as const) {
      const failure = load(path);
      await expect(failure, path).rejects.toThrow(type);
      await expect(failure, path).rejects.toThrow(`${path}: ${why}`);
    }
  });

  it.each(loaders.map(([label, , type]) => [label, type.name]))('%s: an unreadable file is refused (%s) naming it', (label, type) => {
    const unreadable = join(open, `unreadable-${name}`);
    writeFileSync(unreadable, 'secret', { mode: 0o000 });
    chmodSync(unreadable, 0o000);
    const result = runUnprivileged<Failure>(permissionsChild, [name, 'load', label, unreadable]);
    expect(result.error).toBe(type);
    expect(result.message).toContain(`${unreadable}: permission denied`);
  });
});
