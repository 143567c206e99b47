/**
 * `fastnn map VECTORS --out map.svg|map.png`: a picture of the most
 * frequent words of a word2vec file in 2-D, each point labelled with its
 * word. Word2vec tools write words most frequent first, so these are the
 * file's first --words rows. Vectors are scaled to unit length first, so
 * words close on the map are words of high cosine similarity.
 */
import { basename } from 'node:path';
import { scatterPlot } from '../plot/scatter.js';
import { Matrix } from '../tensor.js';
import { mapMethod, pictureTarget, toPlane, writePicture } from './pictures.js';
import { checkRunPaths } from '../io/run-paths.js';
import { applyBackendOption, backendOption, forceOption, parseCommand, type CommandSpec } from './options.js';
import { readVectors } from './vector-files.js';

export const mapCommand = {
  name: 'map',
  summary: 'draw the most frequent words of a vectors file in 2-D, each point labelled with its word (SVG or PNG)',
  usage: 'VECTORS --out map.svg|map.png [options]',
  options: {
    out: { type: 'string', value: 'FILE', help: 'the picture, .svg or .png; required' },
    words: { type: 'string', value: 'N', default: '300', help: 'how many of the most frequent words, ≥ 2' },
    method: { type: 'string', value: 'pca|sammon', default: 'pca', help: 'how the vectors are brought to 2-D' },
    seed: { type: 'string', value: 'S', default: '1', help: 'seed of the Sammon map' },
    backend: backendOption,
    force: forceOption,
  },
  examples: ['fastnn map vectors.bin --out map.svg', 'fastnn map vectors.txt --words 150 --method sammon --out map.png'],
} satisfies CommandSpec;

export async function runMap(args: string[]): Promise<void> {
  const parsed = parseCommand(mapCommand, args, true);
  if (parsed === null) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new Error('usage: fastnn map VECTORS --out map.svg|map.png [--words 300] [--method pca|sammon]');
  const words = Number(values.words);
  if (!Number.isInteger(words) || words < 2) throw new RangeError(`--words must be an integer ≥ 2, got '${values.words}'`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`--seed must be a non-negative integer, got '${values.seed}'`);
  const method = mapMethod('method', values.method);
  applyBackendOption(values.backend);
  if (values.out === undefined) throw new TypeError('--out FILE is required (the picture: map.svg or map.png)');
  const save = { overwrite: values.force === true };
  await checkRunPaths({ reads: { VECTORS: positionals[0] }, writes: { '--out': values.out }, commandLine: true });
  const out = (await pictureTarget('out', values.out, save))!;

  const vectors = await readVectors(positionals[0], words);
  const n = vectors.size;
  if (n < 2) throw new RangeError(`${positionals[0]} holds ${n} word${n === 1 ? '' : 's'}; a map needs at least 2`);
  const dim = vectors.dim;
  // The loader refuses non-finite values, so every norm is finite; a zero vector stays at the origin.
  const rows = new Matrix(vectors.vectors.slice(), n, dim);
  for (let i = 0; i < n; i++) {
    const row = rows.data.subarray(i * dim, (i + 1) * dim);
    const norm = Math.hypot(...row);
    if (norm > 0) row.forEach((v, j) => (row[j] = v / norm));
  }
  const plane = await toPlane(rows, method, seed);
  const axis = method === 'pca' ? 'principal component' : 'Sammon coordinate';
  const figure = scatterPlot(plane, {
    labels: vectors.words,
    title: `the ${n} most frequent words of ${basename(positionals[0]!)} (${method === 'pca' ? 'PCA' : 'Sammon map'} of unit vectors)`,
    xTitle: `${axis} 1`,
    yTitle: `${axis} 2`,
  });
  await writePicture(figure, out, `a map of ${n} words`, save);
}
