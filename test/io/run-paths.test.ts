/**
 * checkRunPaths (src/io/run-paths.ts), the one check every command and API
 * call with several paths runs before any work: an output that is the same
 * file as an input or another output is refused naming both roles, however
 * the paths are spelled (hard links, symbolic links, '..', relative and
 * absolute); an output path must not be empty. Devices and FIFOs may be
 * named twice, a checkpoint resumed in place may be the file it resumes.
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRunPaths } from '../../src/io/run-paths.js';

const dir = mkdtempSync(join(tmpdir(), 'fastnn-run-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = join(dir, 'c.txt');
writeFileSync(corpus, 'the corpus\n');
mkdirSync(join(dir, 'sub'));
const hard = join(dir, 'hard-link.txt');
linkSync(corpus, hard);

describe('checkRunPaths', () => {
  it('refuses an output that is the input, however spelled', async () => {
    const soft = join(dir, 'soft-link.txt');
    symlinkSync(corpus, soft);
    for (const output of [corpus, hard, soft, join(dir, 'sub', '..', 'c.txt'), relative(process.cwd(), corpus)]) {
      const shown = output === corpus ? '' : ` ${corpus}`;
      await expect(checkRunPaths({ reads: { '--input': corpus }, writes: { '--checkpoint': output } }), output).rejects.toThrow(
        new RangeError(`--checkpoint ${output} is the same file as --input${shown}`),
      );
    }
  });

  it('refuses two outputs that are one file, existing or not', async () => {
    const linkedDir = join(dir, 'linked-sub');
    symlinkSync(join(dir, 'sub'), linkedDir);
    const dangling = join(dir, 'dangling');
    symlinkSync(join(dir, 'sub', 'later.vec'), dangling);
    const cases: [string, string][] = [
      [join(dir, 'v.vec'), join(dir, 'v.vec')],
      [join(dir, 'sub', 'new.vec'), join(linkedDir, 'new.vec')],
      [join(dir, 'sub', 'later.vec'), dangling],
      [corpus, hard],
    ];
    for (const [first, second] of cases) {
      await expect(checkRunPaths({ reads: {}, writes: { '--output': first, '--plot': second } }), second).rejects.toThrow(
        `--plot ${second} is the same file as --output${first === second ? '' : ` ${first}`}`,
      );
    }
  });

  it('names the API call when given one', async () => {
    await expect(checkRunPaths({ reads: { input: corpus }, writes: { checkpoint: corpus } }, 'Word2Vec.train')).rejects.toThrow(
      `Word2Vec.train: checkpoint ${corpus} is the same file as input`,
    );
  });

  it('refuses an empty output path by its name', async () => {
    await expect(checkRunPaths({ reads: { '--input': corpus }, writes: { '--output': '' } })).rejects.toThrow(
      new TypeError("--output must name a file, got ''"),
    );
  });

  it('accepts distinct files, inputs read twice, devices named twice, absent paths and a checkpoint resumed in place', async () => {
    const ckpt = join(dir, 'run.ckpt');
    writeFileSync(ckpt, 'a checkpoint');
    await checkRunPaths({
      reads: { '--images': corpus, '--test-images': corpus, '--labels': undefined, '--resume': ckpt },
      writes: {
        '--out': join(dir, 'ae.safetensors'),
        '--codes': '/dev/null',
        '--picture': '/dev/null',
        '--checkpoint': ckpt,
        '--map': join(dir, 'sub', 'c.txt'),
      },
      inPlace: ['--resume', '--checkpoint'],
    });
    // Only that pair: the checkpoint resumed is still not an output's to replace.
    await expect(checkRunPaths({ reads: { '--resume': ckpt }, writes: { '--out': ckpt }, inPlace: ['--resume', '--checkpoint'] })).rejects.toThrow(
      `--out ${ckpt} is the same file as --resume`,
    );
  });
});
