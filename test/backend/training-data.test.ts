/**
 * Backend.trainingData: the arrays a fit hands its job. Shared arrays and the
 * TS backend's arrays are read in place; the native backend stages a large
 * plain array into a shared copy, slice by slice, so a transfer cannot pull
 * memory from under its thread and the copy never pauses the event loop.
 */
import { describe, expect, it } from 'vitest';
import { isShared, sharedFloat32 } from '../../src/shared-memory.js';
import { backendsUnderTest } from '../helpers/backends.js';

const ramp = (a: Float32Array) => {
  for (let i = 0; i < a.length; i++) a[i] = i * 0.5;
  return a;
};
// 16 MiB: large enough to be staged and to take several slices.
const LARGE = 1 << 22;
// Identity is compared as a boolean: expect(big).toBe(other) formats both arrays, for seconds.

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('trainingData (%s)', (name, backend) => {
  it('reads an array on a SharedArrayBuffer in place', async () => {
    const a = ramp(sharedFloat32(LARGE));
    expect((await backend.trainingData(a, 'MLP.fit', 'x')) === a).toBe(true);
  });

  it('reads a small plain array in place (the job copies it at once)', async () => {
    const a = ramp(new Float32Array(1000));
    expect((await backend.trainingData(a, 'MLP.fit', 'x')) === a).toBe(true);
  });

  it(name === 'native' ? 'stages a large plain array into an equal shared copy' : 'reads a large plain array in place', async () => {
    const a = ramp(new Float32Array(LARGE));
    const staged = await backend.trainingData(a, 'MLP.fit', 'x');
    if (name === 'js') return expect(staged === a).toBe(true);
    expect(staged === a).toBe(false);
    expect(isShared(staged)).toBe(true);
    // Byte for byte (toEqual walks 4 M elements for half a minute).
    expect(Buffer.from(staged.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it.runIf(name === 'native')('stops staging when the signal aborts, and refuses a buffer detached meanwhile', async () => {
    const stop = new AbortController();
    const aborted = backend.trainingData(new Float32Array(LARGE), 'MLP.fit', 'x', stop.signal);
    stop.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const a = new Float32Array(LARGE);
    const detached = backend.trainingData(a, 'MLP.fit', 'x');
    structuredClone(a.buffer, { transfer: [a.buffer] });
    await expect(detached).rejects.toThrow('MLP.fit: x: its buffer was detached while it was being read');
  });
});
