// The machine every figure is reported with: CPU model, cores, Node version,
// and its load while the figures were taken.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function machineInfo() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    // /proc/cpuinfo names the model even where os.cpus() is vague.
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) model = line.split(':')[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return { cpu: model, cores: os.availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
}

/** `uptime`'s line (load averages over 1, 5 and 15 minutes): figures taken on a busy machine do not compare. */
export function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}
