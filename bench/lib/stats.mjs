// Timing helpers: every figure is the median of several runs, each run long
// enough (≥ minSeconds) that the clock's resolution does not matter.

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Seconds per call of fn: calls are repeated until a run lasts minSeconds,
// then `runs` such runs are timed; returns the median.
export function secondsPerCall(fn, { runs = 5, minSeconds = 0.02 } = {}) {
  fn(); // warm-up (JIT, page faults, packing buffers)
  let reps = 1;
  for (;;) {
    const t = time(fn, reps);
    if (t >= minSeconds || reps >= 1 << 20) break;
    reps = Math.min(reps * 2 * Math.ceil(minSeconds / Math.max(t, 1e-6) / 2), 1 << 20);
  }
  const samples = [];
  for (let r = 0; r < runs; r++) samples.push(time(fn, reps) / reps);
  return median(samples);
}

function time(fn, reps) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
