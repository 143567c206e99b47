/** `fastnn analogy VECTORS A B C`: the words nearest to A − B + C in a vectors file (king man woman → queen). */
import { int } from './arguments.js';
import { parseCommand, type CommandSpec } from './options.js';
import { readVectors } from './vector-files.js';

export const analogyCommand = {
  name: 'analogy',
  summary: 'A − B + C: the words nearest to it in a vectors file (king man woman → queen)',
  usage: 'VECTORS A B C [options]',
  options: {
    k: { type: 'string', short: 'k', value: 'N', default: '5', help: 'how many words, ≥ 1' },
    cosmul: { type: 'boolean', help: '3CosMul instead of 3CosAdd' },
  },
  examples: ['fastnn analogy vectors.bin king man woman'],
} satisfies CommandSpec;

export async function runAnalogy(args: string[]): Promise<void> {
  const parsed = parseCommand(analogyCommand, args, true);
  if (parsed === null) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 4) throw new Error('usage: fastnn analogy VECTORS A B C (A − B + C) [-k 5] [--cosmul]');
  const [path, a, b, c] = positionals as [string, string, string, string];
  const vectors = await readVectors(path);
  for (const { word, score } of vectors.analogy(a, b, c, { topn: int('k', values.k)!, method: values.cosmul ? 'mul' : 'add' })) {
    console.log(`${score.toFixed(4)}  ${word}`);
  }
}
