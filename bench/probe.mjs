// Suite "probe": the machine's limits, which the other suites' figures are
// expressed against. FMA peak per core on every kernel path (the active one
// is the reference), single-thread memory bandwidth over 256 MiB arrays, and
// the rate of the SGD update over a layer's weights (1 MiB arrays) by one
// thread alone and by each of all threads at once (lib/update-rate.mjs).
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { updateRates } from './lib/update-rate.mjs';

const UPDATE_BYTES = 1 << 20;

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
    update: await updateRates(UPDATE_BYTES, addon.getThreads(), Math.min(runs, 3)),
  };
  const { update } = result;
  printTable(
    ['probe', 'value'],
    [
      ...Object.entries(peaks).map(([p, g]) => [`fp32 FMA peak, 1 core, ${p}${p === active ? ' (active)' : ''}`, `${g.toFixed(1)} GFLOP/s`]),
      ['memory copy, 1 thread', `${result.bandwidth.copyGBs.toFixed(1)} GB/s`],
      ['memory triad, 1 thread', `${result.bandwidth.triadGBs.toFixed(1)} GB/s`],
      ['SGD update of 1 MiB weights, 1 thread alone', `${update.alone.toFixed(1)} GB/s`],
      [`the same, each of ${update.threads} threads at once`, `${update.together.toFixed(1)} GB/s`],
    ],
  );
  return result;
}
