/** `fastnn similar VECTORS WORD`: the words nearest to WORD by cosine similarity in a vectors file. */
import { int } from './arguments.js';
import { parseCommand, type CommandSpec } from './options.js';
import { readVectors } from './vector-files.js';

export const similarCommand = {
  name: 'similar',
  summary: 'the words nearest to WORD by cosine similarity, in a vectors file (text or binary, gzip or not)',
  usage: 'VECTORS WORD [options]',
  options: { k: { type: 'string', short: 'k', value: 'N', default: '10', help: 'how many words, ≥ 1' } },
  examples: ['fastnn similar vectors.bin king -k 10'],
} satisfies CommandSpec;

export async function runSimilar(args: string[]): Promise<void> {
  const parsed = parseCommand(similarCommand, args, true);
  if (parsed === null) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new Error('usage: fastnn similar VECTORS WORD [-k 10]');
  const vectors = await readVectors(positionals[0]);
  for (const { word, score } of vectors.mostSimilar(positionals[1]!, int('k', values.k)!)) console.log(`${score.toFixed(4)}  ${word}`);
}
