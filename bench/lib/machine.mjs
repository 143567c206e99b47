// The machine every figure is reported with: CPU model, cores, Node version.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function machineInfo() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    // /proc/cpuinfo names the model even where os.cpus() is vague.
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) model = line.split(':')[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return { cpu: model, cores: os.availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
}
