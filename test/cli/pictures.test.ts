/**
 * The commands that draw, as users run them (the compiled dist/cli/main.js),
 * on every backend under test: `fastnn map` labels the most frequent words
 * (the same map from the native and the TS backend), `autoencoder --map`
 * colours codes by class, `--plot` draws one point per epoch on demo,
 * autoencoder and word2vec; bad input exits 1 with one line before any
 * training starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { decodePng } from '../helpers/png.js';
import { findAll, parseXml, type XmlElement } from '../helpers/xml.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-pictures-'));
const backends = backendsUnderTest().map((b) => b.name);
const fastnn = (backend: string, ...args: string[]) =>
  spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, FASTNN_QUIET: '1', FASTNN_BACKEND: backend } });
const svg = (path: string): XmlElement => parseXml(readFileSync(path, 'utf8'));
const labelsOf = (root: XmlElement) =>
  findAll(root, 'text')
    .filter((t) => t.attributes['stroke'] === '#ffffff')
    .map((t) => t.text);
const curves = (root: XmlElement) => findAll(root, 'polyline').map((p) => p.attributes['points']!.split(' ').length);

// 40 words of 8 dimensions in four clusters, most frequent first as word2vec tools write them.
const words = Array.from({ length: 40 }, (_, i) => `w${i}${i === 3 ? '<&>' : ''}`);
const vectorsFile = join(dir, 'vectors.txt');
{
  const rng = new Rng(5);
  const lines = words.map((w, i) => `${w} ${Array.from({ length: 8 }, (_, d) => ((d === i % 4 ? 2 : 0) + rng.uniform() * 0.3).toFixed(4)).join(' ')}`);
  writeFileSync(vectorsFile, `${words.length} 8\n${lines.join('\n')}\n`);
}

// 30 IDX images of 4×4 pixels, and their labels 0..2.
const images = join(dir, 'images.idx');
const labels = join(dir, 'labels.idx');
writeFileSync(
  images,
  Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 30, 0, 0, 0, 4, 0, 0, 0, 4]), Buffer.from(Array.from({ length: 30 * 16 }, (_, i) => (i * 37) % 251))]),
);
writeFileSync(labels, Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 30]), Buffer.from(Array.from({ length: 30 }, (_, i) => i % 3))]));

describe.each(backends)('pictures from the CLI (%s backend)', (backend) => {
  it('map draws the first --words words of a vectors file with their labels, as SVG and PNG', () => {
    const out = join(dir, `map-${backend}.svg`);
    const run = fastnn(backend, 'map', vectorsFile, '--words', '30', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    const root = svg(out);
    expect(findAll(root, 'circle')).toHaveLength(30);
    const labels = labelsOf(root);
    const dropped = Number(/(\d+) of 30 labels not shown/.exec(run.stderr)?.[1] ?? 0);
    expect(labels).toHaveLength(30 - dropped);
    expect(words.slice(0, 30)).toEqual(expect.arrayContaining(labels));
    expect(labels).toContain('w3<&>');
    expect(run.stderr).toMatch(/^wrote a map of 30 words to .*map-\w+\.svg/);
    const png = join(dir, `map-${backend}.png`);
    expect(fastnn(backend, 'map', vectorsFile, '--method', 'sammon', '--out', png).status).toBe(0);
    expect(decodePng(readFileSync(png))).toMatchObject({ width: 1800, height: 1400, channels: 3 });
  });

  it('autoencoder --map colours the codes by shape kind and --plot draws the loss of each epoch', () => {
    const [map, plot] = [join(dir, `codes-${backend}.svg`), join(dir, `ae-loss-${backend}.svg`)];
    const run = fastnn(
      backend,
      'autoencoder',
      '--limit',
      '150',
      '--epochs',
      '3',
      '--layers',
      '784,16,2',
      '--out',
      join(dir, `ae-${backend}.safetensors`),
      '--map',
      map,
      '--plot',
      plot,
    );
    expect(run.status, run.stderr).toBe(0);
    const codes = svg(map);
    expect(findAll(codes, 'circle')).toHaveLength(150 + 4); // the points, then the legend's four kinds
    expect(findAll(codes, 'text').map((t) => t.text)).toEqual(expect.arrayContaining(['disc', 'horizontal', 'rectangle', 'vertical', 'code unit 1']));
    expect(curves(svg(plot))).toEqual([3, 2]); // three epochs, the legend's sample
  });

  it("the README's 2-D map (autoencoder --layers 784,64,2 --map) spreads its codes over the plane", () => {
    const [map, codes] = [join(dir, `spread-${backend}.svg`), join(dir, `spread-${backend}.codes`)];
    const run = fastnn(
      backend,
      'autoencoder',
      '--layers',
      '784,64,2',
      '--limit',
      '300',
      '--epochs',
      '2',
      '--out',
      join(dir, `spread-${backend}.safetensors`),
      '--map',
      map,
      '--codes',
      codes,
    );
    expect(run.status, run.stderr).toBe(0);
    const bytes = readFileSync(codes);
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    for (const unit of [0, 1]) {
      const v = values.filter((_, i) => i % 2 === unit);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      const size = v.reduce((a, b) => a + Math.abs(b), 0) / v.length;
      // Sigmoid code units (the library's default) saturate: every code within 0.98–1.00, a spread of 0.3% of their size.
      expect(sd / size, `code unit ${unit + 1}`).toBeGreaterThan(0.2);
    }
  });

  it('autoencoder --map of a wider code layer goes through PCA, coloured by --labels; --test-images adds a test curve', () => {
    const [map, plot] = [join(dir, `idx-codes-${backend}.svg`), join(dir, `idx-loss-${backend}.svg`)];
    const run = fastnn(
      backend,
      'autoencoder',
      '--images',
      images,
      '--labels',
      labels,
      '--layers',
      '16,4',
      '--epochs',
      '2',
      '--out',
      join(dir, `idx-${backend}.safetensors`),
      '--map',
      map,
      '--map-method',
      'pca',
      '--test-images',
      images,
      '--plot',
      plot,
    );
    expect(run.status, run.stderr).toBe(0);
    const codes = svg(map);
    expect(findAll(codes, 'circle')).toHaveLength(30 + 3);
    expect(findAll(codes, 'text').map((t) => t.text)).toEqual(expect.arrayContaining(['0', '1', '2', 'principal component 1']));
    expect(curves(svg(plot))).toEqual([2, 2, 2, 2]); // training and test, each with its legend sample
    const plotTexts = findAll(svg(plot), 'text').map((t) => t.text);
    expect(plotTexts).toEqual(
      expect.arrayContaining(['training', 'test', 'fastnn autoencoder 16-4-16 on images.idx', 'bce loss per image (cross-entropy summed over 16 pixels)']),
    );
    expect(plotTexts).not.toContain('validation');
    expect(plotTexts.join('\n')).not.toContain(dir); // the title names the file, not where it lies
    const short = join(dir, 'short-labels.idx');
    writeFileSync(short, Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 0, 1]));
    const refused = fastnn(
      backend,
      'autoencoder',
      '--images',
      images,
      '--labels',
      short,
      '--layers',
      '16,4',
      '--out',
      join(dir, 'x.safetensors'),
      '--map',
      map,
    );
    expect(refused.stderr.trim()).toMatch(/^fastnn autoencoder: --labels .*short-labels\.idx holds 2 labels for 30 images$/);
  });

  it('autoencoder --class-names names the --labels classes in the legend, and refuses a count that does not match', () => {
    const map = join(dir, `named-codes-${backend}.svg`);
    const args = [
      'autoencoder',
      '--images',
      images,
      '--labels',
      labels,
      '--layers',
      '16,2',
      '--epochs',
      '1',
      '--out',
      join(dir, `named-${backend}.safetensors`),
      '--map',
      map,
    ];
    const run = fastnn(backend, ...args, '--class-names', 'T-shirt,Trouser, Pullover');
    expect(run.status, run.stderr).toBe(0);
    expect(
      findAll(svg(map), 'text')
        .map((t) => t.text)
        .slice(-3),
    ).toEqual(['T-shirt', 'Trouser', 'Pullover']);
    const refused = fastnn(backend, ...args, '--class-names', 'T-shirt,Trouser');
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'fastnn autoencoder: --class-names gives 2 names for the 3 classes on the --map; give one non-empty name per class, comma-separated',
    );
    const alone = fastnn(backend, 'autoencoder', '--out', join(dir, 'y.safetensors'), '--map', map, '--class-names', 'a,b');
    expect(alone.stderr.trim()).toBe('fastnn autoencoder: --class-names names the classes of --labels: give --labels IDX too');
  });

  it('autoencoder --picture shows the test images when given, else training ones, and says where it wrote them', () => {
    // 20 training and 20 test images of 4×4 pixels, told apart by their first pixel's value.
    const idx = (first: number) =>
      Buffer.concat([
        Buffer.from([0, 0, 8, 3, 0, 0, 0, 20, 0, 0, 0, 4, 0, 0, 0, 4]),
        Buffer.from(Array.from({ length: 20 * 16 }, (_, i) => (i % 16 === 0 ? first : (i * 29) % 251))),
      ]);
    const [train, test] = [join(dir, `recon-train-${backend}.idx`), join(dir, `recon-test-${backend}.idx`)];
    writeFileSync(train, idx(10));
    writeFileSync(test, idx(200));
    // The top strip's first image starts at pixel (1, 1) of the picture, below and right of a 1-pixel border.
    const firstPixel = (png: string) => {
      const { width, samples } = decodePng(readFileSync(png));
      return samples[width + 1];
    };
    const withTest = join(dir, `recon-test-${backend}.png`);
    const run = fastnn(
      backend,
      'autoencoder',
      '--images',
      train,
      '--test-images',
      test,
      '--layers',
      '16,4',
      '--epochs',
      '1',
      '--out',
      join(dir, `recon-${backend}.safetensors`),
      '--picture',
      withTest,
      '--force',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`wrote 16 test images above their reconstructions to ${withTest}\n`);
    expect(firstPixel(withTest)).toBe(200);
    const withoutTest = join(dir, `recon-train-${backend}.png`);
    const plain = fastnn(
      backend,
      'autoencoder',
      '--images',
      train,
      '--layers',
      '16,4',
      '--epochs',
      '1',
      '--out',
      join(dir, `recon-${backend}.safetensors`),
      '--picture',
      withoutTest,
      '--force',
    );
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toContain(`wrote 16 training images above their reconstructions to ${withoutTest}\n`);
    expect(firstPixel(withoutTest)).toBe(10);
  });

  it('demo --plot draws training and validation loss, one point per epoch', () => {
    const plot = join(dir, `demo-${backend}.svg`);
    const run = fastnn(backend, 'demo', '--epochs', '4', '--plot', plot);
    expect(run.status, run.stderr).toBe(0);
    expect(curves(svg(plot))).toEqual([4, 2, 4, 2]);
  });

  it('word2vec --plot draws the loss of each epoch', () => {
    const corpus = join(dir, 'corpus.txt');
    writeFileSync(corpus, 'the king and the queen of the realm\n'.repeat(3000));
    const plot = join(dir, `w2v-${backend}.png`);
    const w2v = [
      'word2vec',
      '--input',
      corpus,
      '--output',
      join(dir, `w2v-${backend}.vec`),
      '--min-count',
      '1',
      '--dim',
      '8',
      '--epochs',
      '3',
      '--threads',
      '1',
    ];
    const run = fastnn(backend, ...w2v, '--plot', plot);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/wrote the loss per epoch to .*w2v-\w+\.png/);
    expect(decodePng(readFileSync(plot))).toMatchObject({ width: 1440, height: 880 });
    const svgPlot = join(dir, `w2v-${backend}.svg`);
    expect(fastnn(backend, ...w2v, '--plot', svgPlot).status).toBe(0);
    expect(curves(svg(svgPlot))).toEqual([3, 2]);
  });
});

describe('pictures from the CLI: the native and TS backends draw the same word map', () => {
  it.runIf(backendPair() !== null)('PCA maps agree to a fraction of a pixel', () => {
    const points = (root: XmlElement) => findAll(root, 'circle').map((c) => [Number(c.attributes['cx']), Number(c.attributes['cy'])]);
    const [js, native] = ['js', 'native'].map((backend) => {
      const out = join(dir, `agree-${backend}.svg`);
      const run = fastnn(backend, 'map', vectorsFile, '--words', '30', '--out', out);
      expect(run.status, run.stderr).toBe(0);
      return points(svg(out));
    });
    expect(js).toHaveLength(30);
    js!.forEach(([x, y], i) => {
      expect(Math.abs(x! - native![i]![0]!)).toBeLessThan(0.5);
      expect(Math.abs(y! - native![i]![1]!)).toBeLessThan(0.5);
    });
  });
});

describe('pictures from the CLI: bad input', () => {
  const one = join(dir, 'one.txt');
  writeFileSync(one, '1 2\nking 0.1 0.2\n');
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '0 4\n');
  const nanBin = join(dir, 'nan.bin');
  // Binary format: header, then each word, a space and its float32s.
  writeFileSync(
    nanBin,
    Buffer.concat([
      Buffer.from('2 2\na '),
      Buffer.from(Float32Array.of(1, NaN).buffer),
      Buffer.from('\nb '),
      Buffer.from(Float32Array.of(0, 1).buffer),
      Buffer.from('\n'),
    ]),
  );
  it.each([
    [['map', vectorsFile], /^fastnn map: --out FILE is required/],
    [['map', '--out', 'x.svg'], /^fastnn map: usage: fastnn map VECTORS --out/],
    [['map', join(dir, 'missing.txt'), '--out', join(dir, 'm.svg')], /^fastnn map: vectors file '.*missing\.txt' does not exist or cannot be read$/],
    [['map', empty, '--out', join(dir, 'm.svg')], /^fastnn map: .*empty\.txt holds 0 words; a map needs at least 2$/],
    [['map', one, '--out', join(dir, 'm.svg')], /^fastnn map: .*one\.txt holds 1 word; a map needs at least 2$/],
    [['map', nanBin, '--out', join(dir, 'm.svg')], /^fastnn map: .*nan\.bin: byte offset \d+: NaN in vector 1$/],
    [['map', vectorsFile, '--method', 'tsne', '--out', join(dir, 'm.svg')], /^fastnn map: --method must be pca or sammon, got 'tsne'$/],
    [['map', vectorsFile, '--words', '1', '--out', join(dir, 'm.svg')], /^fastnn map: --words must be an integer ≥ 2, got '1'$/],
    [['map', vectorsFile, '--out', join(dir, 'm.jpg')], /^fastnn map: --out must name an \.svg or \.png file, got '.*m\.jpg'$/],
    [
      ['map', vectorsFile, '--out', '/nonexistent/dir/m.svg'],
      /^fastnn map: cannot write \/nonexistent\/dir\/m\.svg: directory \/nonexistent\/dir does not exist$/,
    ],
    [['demo', '--plot', '/nonexistent/loss.svg'], /^fastnn demo: cannot write \/nonexistent\/loss\.svg: directory \/nonexistent does not exist$/],
    [['word2vec', '--plot', 'loss.gif'], /^fastnn word2vec: --plot must name an \.svg or \.png file, got 'loss\.gif'$/],
    [['autoencoder', '--out', join(dir, 'a.safetensors'), '--map', 'codes.txt'], /^fastnn autoencoder: --map must name an \.svg or \.png file/],
    [
      ['autoencoder', '--out', join(dir, 'a.safetensors'), '--map', join(dir, 'c.svg'), '--map-method', 'umap'],
      /^fastnn autoencoder: --map-method must be pca or sammon, got 'umap'$/,
    ],
    [['autoencoder', '--out', join(dir, 'a.safetensors'), '--map', join(dir, 'c.svg'), '--labels', 'l.idx'], /^fastnn autoencoder: --labels needs --images/],
    [
      ['autoencoder', '--out', join(dir, 'a.safetensors'), '--labels', 'l.idx'],
      /^fastnn autoencoder: --labels colours the points of --map: give --map FILE too$/,
    ],
  ])('%j exits 1 with one actionable line', (args, message) => {
    const run = fastnn(backends[0]!, ...args);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
  });
});
