// Run by test/backend/event-loop.test.ts as `node event-loop.mjs <backend> <call>` on
// the compiled package (dist/): one long call at moderate sizes, in a
// process of its own (no test runner's timers on its loop), printing one
// JSON line of bench/lib/loop-gaps.mjs's measurements.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureBackend } from '../../../bench/lib/loop-gaps.mjs';

const dir = mkdtempSync(join(tmpdir(), 'fastnn-loop-child-'));
try {
  const size = { rows: 2000, cols: 784, hidden: 64, lines: 3000, dim: 50, model: [1000, 5000, 1000], large: [400, 6000, 400], smallEpochs: 60_000 };
  process.stdout.write(JSON.stringify(await measureBackend(process.argv[2], size, dir, [process.argv[3]])) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
