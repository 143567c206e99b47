/**
 * The addon's exports are exactly the names of the typed interface
 * `NativeAddon` (src/backend/native.ts): a binding added, renamed or dropped
 * on one side only fails here. TypeScript interfaces leave nothing at run
 * time, so the interface's member names are read from its source.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src/backend/native.js';
import { backendsUnderTest } from '../helpers/backends.js';

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

describe.runIf(hasNative)('the addon interface', () => {
  it('exports exactly the names NativeAddon declares', () => {
    const names = interfaceNames();
    expect(names.length).toBeGreaterThan(20);
    expect(Object.keys(loadNativeAddon()).sort()).toEqual([...new Set(names)].sort());
  });
});
