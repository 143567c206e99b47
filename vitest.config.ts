import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native code and the `threads` pool do not mix: every test file runs in
    // its own child process.
    pool: 'forks',
    // The whole suite runs in seconds; 20 s per test only catches hangs
    // (e.g. a native worker that never resolves) without masking slowness.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
