/**
 * scripts/clang-format.mjs runs clang-format 14 only (another major version
 * formats some constructs differently, so `npm run lint` would pass on one
 * machine and fail on another), and says how to install it when it is
 * missing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/clang-format.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fastnn-clang-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the script with only `bin` on PATH. */
function runWith(bin: string, mode: string) {
  return spawnSync(process.execPath, [script, mode], { env: { PATH: bin }, encoding: 'utf8' });
}

describe('scripts/clang-format.mjs', () => {
  it('refuses a clang-format of another major version', () => {
    const bin = join(dir, 'v15');
    mkdirSync(bin);
    writeFileSync(join(bin, 'clang-format'), '#!/bin/sh\necho "Debian clang-format version 15.0.6"\n');
    chmodSync(join(bin, 'clang-format'), 0o755);
    for (const mode of ['--check', '--write']) {
      const run = runWith(bin, mode);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('found Debian clang-format version 15.0.6; this project formats with clang-format 14 only');
    }
  });

  it('says how to install clang-format when there is none', () => {
    const run = runWith(join(dir, 'empty'), '--check');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('clang-format is not installed (Debian: apt-get install clang-format, version 14)');
  });

  it('takes --check or --write only', () => {
    const run = runWith(join(dir, 'empty'), '--fix');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('usage: node scripts/clang-format.mjs --check | --write');
  });
});
