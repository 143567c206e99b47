/**
 * The addon is Node-API only: it imports no V8, Node or libuv symbol, so one
 * binary loads in every Node release that has Node-API 8. Checked on every
 * built addon file (the prebuilt one, build/Release, build/Debug) with
 * `nm -D --undefined-only`: the dynamic symbols the binary needs from its host.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const candidates = ['prebuilds/linux-x64/fastnn.node', 'build/Release/fastnn.node', 'build/Debug/fastnn.node']
  .filter((file) => existsSync(root + file));
const hasNm = spawnSync('nm', ['--version']).status === 0;

/** The undefined dynamic symbols of `file`, mangled. */
function imports(file: string): string[] {
  const run = spawnSync('nm', ['-D', '--undefined-only', root + file], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').map((line) => line.trim().split(/\s+/).pop() ?? '').filter(Boolean);
}

describe.runIf(process.platform === 'linux' && hasNm && candidates.length > 0)('the addon imports Node-API only', () => {
  it.each(candidates)('%s: no v8::, node:: or uv_ symbols, and napi_ ones', (file) => {
    const symbols = imports(file);
    expect(symbols.filter((s) => /^_ZN(K?)2v8|^_ZN(K?)4node|^uv_/.test(s))).toEqual([]);
    // The check sees the real imports: an addon that imports no napi_ function could not work.
    expect(symbols.some((s) => s.startsWith('napi_'))).toBe(true);
  });
});
