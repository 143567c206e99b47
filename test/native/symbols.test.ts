/**
 * The addon is Node-API only: it imports no V8, Node or libuv symbol, so one
 * binary loads in every Node release that has Node-API 8. Checked on every
 * built addon file (the prebuilt one, build/Release, build/Debug) and on a
 * copy of one stripped as `npm pack` strips the prebuilt binary, with
 * `nm -D --undefined-only`: the dynamic symbols the binary needs from its
 * host, which stripping keeps.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const candidates = ['prebuilds/linux-x64/fastnn.node', 'build/Release/fastnn.node', 'build/Debug/fastnn.node']
  .filter((file) => existsSync(root + file))
  .map((file): [string, string] => [file, root + file]);
const hasNm = spawnSync('nm', ['--version']).status === 0;
const hasStrip = spawnSync('strip', ['--version']).status === 0;

// The stripped copy scripts/prebuild.mjs would ship, made from the first build found.
const dir = mkdtempSync(join(tmpdir(), 'fastnn-symbols-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stripped = join(dir, 'stripped.node');
if (process.platform === 'linux' && hasStrip && candidates.length > 0) {
  copyFileSync(candidates[0]![1], stripped);
  const run = spawnSync('strip', ['--strip-unneeded', stripped], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`strip failed: ${run.stderr}`);
  candidates.push([`${candidates[0]![0]} stripped`, stripped]);
}

/** The undefined dynamic symbols of `file`, mangled. */
function imports(file: string): string[] {
  const run = spawnSync('nm', ['-D', '--undefined-only', file], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).pop() ?? '')
    .filter(Boolean);
}

describe.runIf(process.platform === 'linux' && hasNm && candidates.length > 0)('the addon imports Node-API only', () => {
  it.each(candidates)('%s: no v8::, node:: or uv_ symbols, and napi_ ones', (_label, file) => {
    const symbols = imports(file);
    expect(symbols.filter((s) => /^_ZN(K?)2v8|^_ZN(K?)4node|^uv_/.test(s))).toEqual([]);
    // The check sees the real imports: an addon that imports no napi_ function could not work.
    expect(symbols.some((s) => s.startsWith('napi_'))).toBe(true);
  });

  it.runIf(hasStrip)('a stripped copy has no symbol table left, and loads', () => {
    expect(spawnSync('nm', [stripped], { encoding: 'utf8' }).stderr).toContain('no symbols');
    const load = spawnSync(process.execPath, ['-p', 'typeof require(process.argv[1]).train', stripped], { encoding: 'utf8' });
    expect(load.stdout.trim(), load.stderr).toBe('function');
  });
});
