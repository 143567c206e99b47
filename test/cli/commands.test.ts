/**
 * The `fastnn` command (the compiled dist/cli/main.js, as users run it): the
 * demo trains and reports, user errors exit non-zero with one line on stderr,
 * and Ctrl-C or SIGTERM during training checkpoints, exits with 130 or 143
 * and resumes exactly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoencoderCommand } from '../../src/cli/autoencoder.js';
import { demoCommand } from '../../src/cli/demo.js';
import { infoCommand } from '../../src/cli/info.js';
import { mapCommand } from '../../src/cli/map.js';
import type { CommandSpec } from '../../src/cli/options.js';
import { analogyCommand } from '../../src/cli/analogy.js';
import { evalCommand } from '../../src/cli/eval.js';
import { printVectorsCommand } from '../../src/cli/print-vectors.js';
import { similarCommand } from '../../src/cli/similar.js';
import { word2vecCommand } from '../../src/cli/word2vec.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const fastnn = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, FASTNN_QUIET: '1' } });

describe('fastnn CLI', () => {
  it('demo trains on built-in data and names the backend', () => {
    const run = fastnn('demo', '--epochs', '3');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/fastnn demo: backend (native|js)/);
    expect(run.stdout).toMatch(/epoch {3}3 {2}loss \d\.\d{4}/);
    expect(run.stdout).toMatch(/accuracy \d+\.\d%/);
  });

  it('info names the backend in text, and --json gives the same as one JSON document', () => {
    const text = fastnn('info');
    expect(text.status).toBe(0);
    const json = fastnn('info', '--json');
    expect(json.status).toBe(0);
    const info = JSON.parse(json.stdout) as { active: string; native: { available: boolean; version: string | null; cpuFeatures: string[] } };
    expect(text.stdout).toMatch(new RegExp(`^backend +${info.active}\n`));
    if (info.native.available) expect(text.stdout).toContain(`version ${info.native.version}`);
    expect(info.native.cpuFeatures).toEqual(expect.any(Array));
  });

  it('demo with its defaults gives the result its help and the guide state', () => {
    const run = fastnn('demo');
    expect(run.status, run.stderr).toBe(0);
    expect(Number(/accuracy (\d+\.\d)%/.exec(run.stdout)![1])).toBeGreaterThanOrEqual(95);
    expect(run.stdout).toMatch(new RegExp(`epoch +${demoCommand.options.epochs.default} +loss`));
    const guide = readFileSync(new URL('../../docs/command-line.md', import.meta.url), 'utf8');
    expect(guide).toContain(`npx fastnn demo [--epochs ${demoCommand.options.epochs.default}]`);
  });

  it('SIGTERM during the demo writes a checkpoint, exits 143 with one line, and the printed command finishes it exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-demo-'));
    // A second or two of epochs on either backend: the signal, sent at the first epoch's line, lands inside the run.
    const epochs = process.env['FASTNN_BACKEND'] === 'js' ? '100' : '600';
    const result = (stdout: string) => /held-out loss \d\.\d{4}, accuracy \d+\.\d%/.exec(stdout)?.[0];
    const uninterrupted = spawn(process.execPath, [main, 'demo', '--epochs', epochs], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    let straight = '';
    uninterrupted.stdout.on('data', (d: Buffer) => (straight += d.toString()));
    const straightCode = new Promise((resolve) => uninterrupted.once('exit', resolve));
    const child = spawn(process.execPath, [main, 'demo', '--epochs', epochs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('epoch   1 ')) resolve();
      }),
    );
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('exit', resolve)), stderr).toBe(143);
    expect(result(stdout), 'stopped before the end').toBeUndefined();
    // The signal lands between two batches, or (rarely) just as an epoch ends.
    const line =
      /^fastnn demo: terminated; checkpoint (?:in epoch \d+ of \d+ after batch \d+ of \d+|after epoch \d+ of \d+) in fastnn-demo\.ckpt; continue with: fastnn (.*)\n$/;
    expect(stderr).toMatch(line);
    const [, command] = line.exec(stderr)!;
    const resumed = spawnSync(process.execPath, [main, ...command!.split(' ')], { cwd: dir, encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(await straightCode).toBe(0);
    expect(result(resumed.stdout)).toBe(result(straight));
    expect(result(straight)).toBeDefined();
  }, 60_000);

  it.each([
    [['nope'], 2, /^fastnn: unknown command 'nope'/],
    [['demo', '--epoch', '3'], 1, /^fastnn demo: unknown option '--epoch'; did you mean '--epochs'\?/],
    [['demo', '--epochs', '-3'], 1, /^fastnn demo: --epochs must be a positive integer, got -3$/],
    [['demo', '--epochs=-3'], 1, /^fastnn demo: --epochs must be a positive integer, got -3$/],
    [['demo', '--colour'], 1, /^fastnn demo: unknown option '--colour' \(--help lists the options\)$/],
    [['demo', '--epochs', 'many'], 1, /^fastnn demo: --epochs must be a positive integer, got many$/],
    [['demo', '--backend', 'gpu'], 1, /^fastnn demo: --backend must be js or native, got gpu$/],
    [['map', 'v.txt', '--out', 'm.svg', '--backend', 'gpu'], 1, /^fastnn map: --backend must be js or native, got gpu$/],
  ])('%j exits %i with one actionable line', (args, status, message) => {
    const run = fastnn(...args);
    expect(run.status).toBe(status);
    expect(run.stderr.split('\n')[0]).toMatch(message);
    if (status === 1) expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  const specs: CommandSpec[] = [
    demoCommand,
    infoCommand,
    autoencoderCommand,
    word2vecCommand,
    similarCommand,
    analogyCommand,
    evalCommand,
    printVectorsCommand,
    mapCommand,
  ];

  it.each(['--version', '-v'])('%s prints the package version, exit 0', (flag) => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const run = fastnn(flag);
    expect([run.status, run.stdout, run.stderr]).toEqual([0, `${version}\n`, '']);
  });

  it('help lists every command', () => {
    const run = fastnn('--help');
    expect(run.status).toBe(0);
    for (const spec of specs) expect(run.stdout).toMatch(new RegExp(`^  ${spec.name} +\\S`, 'm'));
  });

  it.each(
    specs.flatMap((spec) => [
      [spec.name, '--help'],
      [spec.name, '-h'],
    ]),
  )('%s %s prints its options with defaults and an example, exit 0', (name, flag) => {
    const spec = specs.find((s) => s.name === name)!;
    // Among other flags, even invalid ones: help wins and nothing runs.
    const run = fastnn(name, '--epochs', '0', flag);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.startsWith(`usage: fastnn ${name} `)).toBe(true);
    for (const [option, o] of Object.entries(spec.options)) {
      // The option's own row: its flag opens the line (another row's text may name it).
      const row = run.stdout.split('\n').find((line) => new RegExp(`^ +(-\\w, )?--${option}( |$)`).test(line));
      expect(row, `--${option}`).toBeDefined();
      if (o.default !== undefined) expect(row).toContain(`(default ${o.default})`);
    }
    expect(run.stdout).toMatch(/\nexamples?:\n {2}fastnn /);
  });

  describe('autoencoder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-ae-'));
    const out = join(dir, 'ae.safetensors');

    it('trains on built-in shapes, reports progress on stderr, writes model, codes and picture', () => {
      const codes = join(dir, 'codes.bin');
      const picture = join(dir, 'recon.png');
      const run = fastnn('autoencoder', '--limit', '200', '--epochs', '2', '--layers', '784,32', '--out', out, '--codes', codes, '--picture', picture);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/200 images of 784 pixels from generated shapes/);
      expect(run.stderr).toMatch(/epoch 2\/2 {2}loss \d+\.\d{4} {2}\d+ samples\/s/);
      expect(run.stderr, 'a pipe gets one line per epoch, no redraws').not.toContain('\r');
      expect(run.stderr).toMatch(/reconstruction MSE per pixel: train 0\.\d{5}/);
      expect(statSync(out).size).toBeGreaterThan(784 * 32 * 8);
      expect(statSync(codes).size).toBe(200 * 32 * 4);
      expect(readFileSync(picture).subarray(1, 4).toString()).toBe('PNG');
    });

    it.each([
      [['--limit', '10'], /^fastnn autoencoder: --out FILE is required/],
      [['--out', out, '--sparse', '2,1'], /^fastnn autoencoder: --sparse must be RHO,BETA with RHO in \(0, 1\)/],
      [['--out', out, '--denoise', '1.5'], /^fastnn autoencoder: --denoise must be a masking fraction in \[0, 1\), got 1.5/],
      [['--out', out, '--layers', '100,10'], /^fastnn autoencoder: --layers must start with the image size 784, got 100/],
      [['--out', out, '--epochs', '0'], /^fastnn autoencoder: --epochs must be a positive integer, got 0/],
      [['--out', out, '--images', '/nonexistent/images.idx'], /^fastnn autoencoder: \/nonexistent\/images\.idx: does not exist\n$/],
    ])('%j exits 1 with one actionable line', (args, message) => {
      const run = fastnn('autoencoder', ...args);
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    });

    it.each([
      ['SIGINT', 130, 'interrupted'],
      ['SIGTERM', 143, 'terminated'],
    ] as const)(
      '%s during training writes a checkpoint, exits %i with one line, and the printed command finishes the run exactly',
      async (signal, status, word) => {
        // Ten epochs of ~100 ms: the signal, sent as training starts, always lands inside the run.
        const data = ['--limit', '1000', '--layers', '784,48', '--epochs', '10'];
        const straight = join(dir, `straight-${signal}.safetensors`);
        // The uninterrupted run, alongside.
        const uninterrupted = spawn(process.execPath, [main, 'autoencoder', ...data, '--out', straight], { stdio: 'ignore' });
        const straightCode = new Promise((resolve) => uninterrupted.once('exit', resolve));
        const interrupted = join(dir, `interrupted-${signal}.safetensors`);
        const child = spawn(process.execPath, [main, 'autoencoder', ...data, '--out', interrupted], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        // The header comes just before training starts: the signal lands in the first epoch or so (an epoch is ≥ 100 ms).
        await new Promise<void>((resolve) =>
          child.stderr.on('data', (d: Buffer) => {
            stderr += d.toString();
            if (stderr.includes('images of 784 pixels')) resolve();
          }),
        );
        child.kill(signal);
        const code = await new Promise((resolve) => child.once('exit', resolve));
        expect(code, stderr).toBe(status);
        const checkpoint = `${interrupted}.ckpt`;
        const lines = stderr.split('\n').filter((l) => l.includes(checkpoint));
        expect(lines).toHaveLength(1);
        const [, command] = lines[0]!.match(
          new RegExp(
            `^fastnn autoencoder: ${word}; checkpoint (?:after epoch \\d of 10|in epoch \\d+ of 10 after batch \\d+ of \\d+) in \\S+; continue with: fastnn (.*)$`,
          ),
        )!;
        expect(statSync(checkpoint).size).toBeGreaterThan(784 * 48 * 8);
        const resumed = fastnn(...command!.split(' '));
        expect(resumed.status, resumed.stderr).toBe(0);
        expect(resumed.stderr).toMatch(/epoch 10\/10/);
        expect(await straightCode).toBe(0);
        expect(readFileSync(interrupted).equals(readFileSync(straight))).toBe(true);
        // Three runs of ten epochs, two at once: on the TS backend ~4 s of CPU, 25 s on a loaded 2-core machine.
      },
      90_000,
    );

    it('a corrupt IDX file exits 1 naming the file and the defect', () => {
      const bad = join(dir, 'bad.idx');
      // Magic for u8 with 3 dimensions, 2 images of 28×28 declared, 10 bytes of data.
      writeFileSync(bad, Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]), Buffer.alloc(10)]));
      const run = fastnn('autoencoder', '--images', bad, '--out', out);
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(bad);
    });
  });
});
