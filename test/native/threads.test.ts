/** The public thread control: sizes the native pool, validates like the addon. */
import { afterAll, describe, expect, it } from 'vitest';
import { getThreads, setThreads } from '../../src/index.js';
import { backendsUnderTest } from '../helpers/backends.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');

describe('setThreads / getThreads', () => {
  const initial = getThreads();
  afterAll(() => setThreads(0));

  it('rejects what the native pool rejects, with the same message', () => {
    expect(() => setThreads(-1)).toThrow(new RangeError('setThreads: n must be an integer in [0, 1024], got -1'));
    expect(() => setThreads(1.5)).toThrow(RangeError);
    expect(() => setThreads('2' as never)).toThrow(new TypeError('setThreads: n must be a number'));
    expect(getThreads()).toBe(initial);
  });

  it.runIf(hasNative)('resizes the native pool (0 = hardware cores)', () => {
    setThreads(1);
    expect(getThreads()).toBe(1);
    setThreads(0);
    expect(getThreads()).toBe(initial);
  });
});
