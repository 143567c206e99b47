import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native code and the `threads` pool do not mix: every test file runs in
    // its own child process.
    pool: 'forks',
    // The addon registers its test hooks (testRng, testBackgroundJob) only
    // with this set as it loads; the addon users get has none.
    env: { FASTNN_TEST_HOOKS: '1' },
    // TMPDIR set to a directory of the run's own, removed at its end.
    globalSetup: ['test/helpers/temp-root.ts'],
    // The timeout only catches hangs (e.g. a native worker that never
    // resolves); speed is measured in bench/. The slowest tests take ~11 s on
    // an idle machine and were seen 3× slower on a loaded 2-core one (20 s
    // failed there): 120 s leaves a wide margin for a busy CI machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
