import { backendInfo } from '../backend/select.js';
import { parseCommand, type CommandSpec } from './options.js';

export const infoCommand = {
  name: 'info',
  summary: 'which backend runs, the addon version and the CPU features its kernels use (JSON)',
  usage: '',
  options: {},
  examples: ['fastnn info', 'FASTNN_BACKEND=js fastnn info'],
} satisfies CommandSpec;

export async function runInfo(args: string[]): Promise<void> {
  if (parseCommand(infoCommand, args) === null) return;
  console.log(JSON.stringify(backendInfo(), null, 2));
}
