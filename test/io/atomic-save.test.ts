/**
 * Atomic saves under SIGKILL: a child process saves two models alternately to
 * one path as fast as it can and is killed at random moments. The file must
 * always load as one of the two, and the next successful save must sweep the
 * dead child's temp files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MLP } from '../../src/index.js';
import { Rng } from '../../src/rng.js';

const saverSource = (modulePath: string, target: string) => `
  import { MLP } from ${JSON.stringify(modulePath)};
  const nets = [1, 2].map((seed) => new MLP({ layers: [64, 256, 10], task: 'multiclass', seed }));
  await nets[0].save(${JSON.stringify(target)});
  process.stdout.write('ready\\n');
  for (let i = 1; ; i++) await nets[i % 2].save(${JSON.stringify(target)});
`;

describe('atomic saves', () => {
  it('a save killed at any moment leaves the old or the new model, and stale temps are swept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-atomic-'));
    const target = join(dir, 'model.safetensors');
    // The child runs the compiled package (npm ci / npm run build make dist/): plain node, fast to start.
    const modulePath = new URL('../../dist/index.js', import.meta.url).href;
    const expected = [1, 2].map((seed) => new MLP({ layers: [64, 256, 10], task: 'multiclass', seed }).params[0]!);
    const rng = new Rng(7);
    for (let round = 0; round < 20; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', saverSource(modulePath, target)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`saver exited early with ${code}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 5 + rng.below(40)));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const loaded = (await MLP.load(target)).params[0]!;
      expect(
        expected.some((w) => w.every((v, i) => v === loaded[i])),
        `round ${round}`,
      ).toBe(true);
    }
    await new MLP({ layers: [64, 256, 10], task: 'multiclass', seed: 3 }).save(target);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  }, 60_000);
});
