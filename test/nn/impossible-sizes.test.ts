/**
 * Sizes no machine can hold, on both backends: a RangeError naming the
 * option and the memory it would take, thrown before anything of that size
 * is allocated — never the engine's "Invalid typed array length" or an
 * out-of-memory crash.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Autoencoder, classicalMds, Matrix, MLP, PCA, SammonMap, useBackend, Word2Vec } from '../../src/index.js';
import { checkAllocation } from '../../src/sizes.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { tempDir, writeTemp } from '../helpers/word2vec.js';

afterAll(() => useBackend('auto'));
// 1000 distinct words: with a vectorSize of 1e9, terabytes on any machine.
const corpus = writeTemp(tempDir(), 'corpus.txt', `${Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ')}\n`);
// Sizes of terabytes, so every machine refuses them; the reason depends on the
// machine (its memory, or the engine's longest array), the figures do not.
const REASON = "(more than this machine's [\\d.]+ GB of memory|one array of [\\d.e]+ values is more than the \\d+ an array holds)$";

describe.each(backendsUnderTest().map((b) => [b.name]))('impossible sizes on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it.each([
    [
      'MLP',
      () => new MLP({ layers: [2, 1000000, 1000000, 1], task: 'regression' }),
      'MLP: the parameters of config.layers [2, 1000000, 1000000, 1] = 1.00e12 floats, 4000 GB: ',
    ],
    [
      'Autoencoder',
      () => new Autoencoder({ layers: [784, 100000000] }),
      'Autoencoder: the parameters of config.layers and config.decoder [784, 100000000, 784] = 1.57e11 floats, 628 GB: ',
    ],
    [
      'SammonMap',
      () => new SammonMap({ layers: [1000000, 1000000, 2] }),
      'SammonMap: the parameters of config.layers [1000000, 1000000, 2] = 1.00e12 floats, 4000 GB: ',
    ],
  ])('%s', (_, build, message) => {
    use();
    expect(build).toThrow(RangeError);
    expect(build).toThrow(new RegExp(`^${escapeRegExp(message)}${REASON}`));
  });

  it.each([
    [
      'SammonMap.fit batch',
      () => new SammonMap({ layers: [1, 2] }).fit(new Matrix(new Float32Array(300000), 300000, 1), { batchSize: 300000 }),
      /^SammonMap\.fit: options\.batchSize² \(300000 × 300000 pairwise distances\) = 9\.00e10 values, 1080 GB: /,
    ],
    [
      'PCA.fit',
      () => PCA.fit(new Matrix(new Float32Array(2 * 300000), 2, 300000), 2),
      /^PCA\.fit: the columns of x squared \(300000 × 300000 covariance\) = 9\.00e10 values, 1800 GB: /,
    ],
    // The Gram matrix is the shorter side of x squared (here 1 × 1): what cannot fit is the map itself.
    [
      'classicalMds',
      () => classicalMds(new Matrix(new Float32Array(300000), 300000, 1), 300000),
      /^classicalMds: dims coordinates for each row of x \(300000 × 300000\) = 9\.00e10 floats, 360 GB: /,
    ],
    [
      'Word2Vec.train vectorSize',
      () => Word2Vec.train({ input: corpus, minCount: 1, vectorSize: 1_000_000_000, threads: 1 }),
      /^Word2Vec\.train: vectorSize × vocabulary × 2 matrices \(1000000000 × 1000 × 2\) = 2\.00e12 floats, 8000 GB: /,
    ],
  ])('%s', async (_, run, message) => {
    use();
    await expect(run()).rejects.toThrow(RangeError);
    await expect(run()).rejects.toThrow(message);
  });
});

describe('checkAllocation', () => {
  it("words the issue's example, and lets what fits pass", () => {
    expect(() => checkAllocation('Word2Vec.train', 'dim × vocabulary', 1e9 * 107, 4)).toThrow(/^Word2Vec\.train: dim × vocabulary = 1\.07e11 floats, 428 GB: /);
    expect(() => checkAllocation('f', 'n', 1e6, 4)).not.toThrow();
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
