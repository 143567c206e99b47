/**
 * docs/model-files.md's Python recipe, run as written: its code block is
 * taken from the doc (never a copy), run by Debian's python3 with PyTorch
 * on saved models (each task, relu/tanh/sigmoid/leakyRelu hidden layers,
 * the output each loss implies, layer and batch normalisation, tied and
 * normalised autoencoders), and torch's outputs must match `predict` and
 * `reconstruct` to 1e-5. Skipped only where `import torch` fails (CI
 * installs python3-torch, so it runs there).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Autoencoder, MLP, Matrix, useBackend, type AutoencoderConfig, type MLPConfig } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
const doc = readFileSync(new URL('../../docs/model-files.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'fastnn-pytorch-'));
afterAll(() => {
  useBackend('auto');
  rmSync(dir, { recursive: true, force: true });
});

/** The doc's recipe: the first python block after its "Rebuilding a model in PyTorch" heading. */
function recipe(): string {
  const section = doc.slice(doc.indexOf('## Rebuilding a model in PyTorch'));
  const block = /```python\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/model-files.md: no python block under "Rebuilding a model in PyTorch"');
  return block[1]!;
}

// Runs the recipe on each job's model and input, writing torch's output next to it.
const RUNNER = `
import json, sys
import numpy as np
import torch
namespace = {'__name__': 'recipe'}
exec(compile(open(sys.argv[1]).read(), sys.argv[1], 'exec'), namespace)
for job in json.load(open(sys.argv[2])):
    model = namespace['fastnn_to_torch'](job['model'])
    x = np.fromfile(job['x'], '<f4').reshape(job['rows'], job['cols'])
    with torch.no_grad():
        model(torch.from_numpy(x)).numpy().astype('<f4').tofile(job['out'])
`;

function inputs(rows: number, cols: number, seed: number, unit = false): Matrix {
  const rng = new Rng(seed);
  const x = Matrix.zeros(rows, cols);
  for (let i = 0; i < x.data.length; i++) x.data[i] = unit ? rng.uniform() : 2 * rng.uniform() - 1;
  return x;
}

interface Case {
  name: string;
  build: () => Promise<{ model: MLP | Autoencoder; x: Matrix; expected: Matrix }>;
}

/** An MLP of `config`, trained a few epochs on random targets of its task, and its predictions. */
function mlpCase(name: string, config: MLPConfig): Case {
  return {
    name,
    build: async () => {
      const net = new MLP({ seed: 3, ...config });
      const x = inputs(64, config.layers[0]!, 5);
      // gaussianNll reads one target per mean/log-variance pair of outputs.
      const k = config.layers.at(-1)! / (config.loss === 'gaussianNll' ? 2 : 1);
      const rng = new Rng(9);
      const y =
        config.task === 'multiclass'
          ? Int32Array.from({ length: 64 }, () => rng.below(k))
          : config.task === 'binary'
            ? Int32Array.from({ length: 64 }, () => rng.below(2))
            : new Matrix(
                Float32Array.from({ length: 64 * k }, () => (config.task === 'multilabel' || config.loss === 'poissonNll' ? rng.below(2) : rng.uniform())),
                64,
                k,
              );
      await net.fit(x, y, { epochs: 5, batchSize: 16, optimizer: { type: 'adam', lr: 0.01 } });
      return { model: net, x, expected: net.predict(x) };
    },
  };
}

function autoencoderCase(name: string, config: AutoencoderConfig): Case {
  return {
    name,
    build: async () => {
      const ae = new Autoencoder({ seed: 4, ...config });
      const x = inputs(64, config.layers[0]!, 6, true);
      await ae.fit(x, { epochs: 5, batchSize: 16, optimizer: { type: 'adam', lr: 0.01 } });
      return { model: ae, x, expected: ae.reconstruct(x) };
    },
  };
}

const cases: Case[] = [
  mlpCase('regression, relu', { layers: [5, 8, 8, 3], task: 'regression', hidden: 'relu' }),
  mlpCase('binary, tanh', { layers: [5, 8, 1], task: 'binary', hidden: 'tanh' }),
  mlpCase('multiclass, sigmoid', { layers: [5, 8, 4], task: 'multiclass', hidden: 'sigmoid' }),
  mlpCase('multilabel, leakyRelu then tanh', { layers: [5, 8, 6, 3], task: 'multilabel', hidden: ['leakyRelu', 'tanh'], leakySlope: 0.1 }),
  mlpCase('no hidden layer', { layers: [5, 2], task: 'regression' }),
  mlpCase('regression, gaussianNll', { layers: [5, 8, 4], task: 'regression', loss: 'gaussianNll' }),
  mlpCase('regression, poissonNll', { layers: [5, 8, 2], task: 'regression', loss: 'poissonNll' }),
  mlpCase('binary, focal', { layers: [5, 8, 1], task: 'binary', loss: { type: 'focal', gamma: 2, alpha: 0.25 } }),
  mlpCase('multiclass, hinge', { layers: [5, 8, 3], task: 'multiclass', loss: 'multiclassHinge' }),
  mlpCase('layer-normalised', { layers: [5, 8, 8, 3], task: 'multiclass', hidden: 'tanh', norm: 'layer' }),
  mlpCase('batch-normalised', { layers: [5, 8, 8, 1], task: 'regression', hidden: 'relu', norm: ['batch', null] }),
  autoencoderCase('autoencoder, tied, bce', { layers: [6, 4, 2], loss: 'bce', tiedWeights: true }),
  autoencoderCase('autoencoder, mse, normalised, non-mirrored decoder', {
    layers: [6, 5, 3],
    decoder: [4, 6],
    loss: 'mse',
    hidden: ['relu', 'tanh', 'relu'],
    norm: ['batch', null, 'layer'],
  }),
];

describe.runIf(hasTorch).each(backendsUnderTest().map((b) => [b.name]))('the PyTorch recipe of docs/model-files.md on %s', (name) => {
  it('rebuilds every kind of model with the outputs of predict and reconstruct, to 1e-5', async () => {
    useBackend(name as 'js' | 'native');
    const script = join(dir, 'recipe.py');
    const runner = join(dir, 'runner.py');
    writeFileSync(script, recipe());
    writeFileSync(runner, RUNNER);
    const built = [];
    for (const [i, c] of cases.entries()) {
      const { model, x, expected } = await c.build();
      const job = {
        model: join(dir, `${name}-${i}.safetensors`),
        x: join(dir, `${name}-${i}.x`),
        out: join(dir, `${name}-${i}.out`),
        rows: x.rows,
        cols: x.cols,
      };
      await model.save(job.model);
      writeFileSync(job.x, x.data);
      built.push({ c, job, expected });
    }
    const jobs = join(dir, `jobs-${name}.json`);
    writeFileSync(jobs, JSON.stringify(built.map((b) => b.job)));
    const run = spawnSync(PYTHON, [runner, script, jobs], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const { c, job, expected } of built) {
      const bytes = readFileSync(job.out);
      const got = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      expect(got.length, c.name).toBe(expected.data.length);
      const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected.data[i]!) / Math.max(1, Math.abs(expected.data[i]!))), 0);
      expect(worst, c.name).toBeLessThanOrEqual(1e-5);
    }
  });
});
