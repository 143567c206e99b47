// Suite "probe": the machine's limits, which the other suites' figures are
// expressed against. FMA peak per core on every kernel path (the active one
// is the reference), and single-thread memory bandwidth over 256 MiB arrays.
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

export const name = 'probe';

export async function run({ addon, runs }) {
  const active = addon.gemmPath();
  const peaks = {};
  for (const path of addon.gemmPaths()) {
    addon.setGemmPath(path);
    peaks[path] = median(Array.from({ length: runs }, () => addon.probePeak().gflops));
  }
  addon.setGemmPath(active);
  const bw = Array.from({ length: Math.min(runs, 3) }, () => addon.probeBandwidth(256 << 20));
  const result = {
    path: active,
    peakGflopsPerCore: peaks[active],
    peaks,
    threads: addon.getThreads(),
    bandwidth: { bytes: 256 << 20, copyGBs: median(bw.map((b) => b.copyGBs)), triadGBs: median(bw.map((b) => b.triadGBs)) },
  };
  printTable(
    ['probe', 'value'],
    [
      ...Object.entries(peaks).map(([p, g]) => [`fp32 FMA peak, 1 core, ${p}${p === active ? ' (active)' : ''}`, `${g.toFixed(1)} GFLOP/s`]),
      ['memory copy, 1 thread', `${result.bandwidth.copyGBs.toFixed(1)} GB/s`],
      ['memory triad, 1 thread', `${result.bandwidth.triadGBs.toFixed(1)} GB/s`],
    ],
  );
  return result;
}
