/**
 * `fastnn info`: which backend runs, the native addon's version and the CPU
 * features its kernels use, or why it did not load; --json prints
 * backendInfo() as one JSON document.
 */
import { backendInfo } from '../backend/select.js';
import { jsonOption, parseCommand, type CommandSpec } from './options.js';

export const infoCommand = {
  name: 'info',
  summary: 'which backend runs, the addon version and the CPU features its kernels use',
  usage: '[--json]',
  options: { json: jsonOption },
  examples: ['fastnn info', 'FASTNN_BACKEND=js fastnn info --json'],
} satisfies CommandSpec;

export async function runInfo(args: string[]): Promise<void> {
  const parsed = parseCommand(infoCommand, args);
  if (parsed === null) return;
  const info = backendInfo();
  if (parsed.values.json) return console.log(JSON.stringify(info));
  const { native } = info;
  const rows: [string, string][] = [
    ['backend', info.active],
    ['native addon', native.available ? `version ${native.version}` : `not loaded: ${native.problem}`],
  ];
  if (native.available) rows.push(['CPU features', native.cpuFeatures.join(' ') || 'none beyond the baseline (portable kernels)']);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}${value}`);
}
