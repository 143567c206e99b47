/**
 * The addon's exports are exactly the names of the typed interface
 * `NativeAddon` (src/backend/native.ts), plus `NativeTestHooks` when it loads
 * with FASTNN_TEST_HOOKS=1 (as in these tests) and none of those without it
 * (as for users): a binding added, renamed or dropped on one side only fails
 * here. TypeScript interfaces leave nothing at run time, so the interfaces'
 * member names are read from their source.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src/backend/native.js';
import { backendsUnderTest, nativeAddonPath } from '../helpers/backends.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');

/** The member names of `NativeAddon`: its own members and those it picks from Word2VecKernels. */
function interfaceNames(): string[] {
  const source = readFileSync(new URL('../../src/backend/native.ts', import.meta.url), 'utf8');
  const match = /export interface NativeAddon extends Pick<\w+, ([^>]+)> \{\n([\s\S]*?)\n\}/.exec(source);
  if (!match) throw new Error('NativeAddon not found in src/backend/native.ts');
  const picked = [...match[1]!.matchAll(/'(\w+)'/g)].map((m) => m[1]!);
  const own = [...match[2]!.matchAll(/^ {2}(?:readonly )?(\w+)[(:]/gm)].map((m) => m[1]!);
  return [...picked, ...own];
}

/** The member names of `NativeTestHooks`. */
function testHookNames(): string[] {
  const source = readFileSync(new URL('../../src/backend/native.ts', import.meta.url), 'utf8');
  const match = /export interface NativeTestHooks \{\n([\s\S]*?)\n\}/.exec(source);
  if (!match) throw new Error('NativeTestHooks not found in src/backend/native.ts');
  return [...match[1]!.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]!);
}

/** The export names of the addon at `path` loaded in a fresh process whose environment is `env`. */
function exportsInChild(path: string, env: NodeJS.ProcessEnv): string[] {
  const run = spawnSync(process.execPath, ['-p', 'JSON.stringify(Object.keys(require(process.argv[1])))', path], { encoding: 'utf8', env });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

describe.runIf(hasNative)('the addon interface', () => {
  it('exports exactly the names NativeAddon and NativeTestHooks declare, with FASTNN_TEST_HOOKS=1', () => {
    const names = interfaceNames();
    expect(names.length).toBeGreaterThan(20);
    expect(testHookNames()).toEqual(['testRng', 'testBackgroundJob', 'testCommunicator']);
    expect(process.env['FASTNN_TEST_HOOKS']).toBe('1');
    expect(Object.keys(loadNativeAddon()).sort()).toEqual([...new Set([...names, ...testHookNames()])].sort());
  });

  it('exports no test hook without FASTNN_TEST_HOOKS=1, as users load it', () => {
    const { FASTNN_TEST_HOOKS: _, ...env } = process.env;
    // `path` is set by the `bindings` loader, not by the addon.
    const expected = [...new Set(interfaceNames())].filter((n) => n !== 'path').sort();
    expect(exportsInChild(nativeAddonPath(), env).sort()).toEqual(expected);
    expect(exportsInChild(nativeAddonPath(), { ...env, FASTNN_TEST_HOOKS: '0' }).sort()).toEqual(expected);
  });
});
