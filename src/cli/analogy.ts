/**
 * `fastnn analogy VECTORS [A B C]`: the words nearest to A − B + C in a
 * vectors file (king man woman → queen); without A B C, for each line of
 * stdin holding three words (as fastText's `analogies`).
 */
import { int } from './arguments.js';
import { printAnswer } from './neighbours.js';
import { jsonOption, parseCommand, type CommandSpec } from './options.js';
import { answerStdin, notInVocabulary } from './stdin-queries.js';
import { readVectors } from './vector-files.js';

export const analogyCommand = {
  name: 'analogy',
  summary: 'A − B + C: the words nearest to it in a vectors file (king man woman → queen); without A B C, for each line of stdin',
  usage: 'VECTORS [A B C] [options]',
  options: {
    k: { type: 'string', short: 'k', value: 'N', default: '5', help: 'how many words, ≥ 1' },
    cosmul: { type: 'boolean', help: '3CosMul instead of 3CosAdd' },
    json: jsonOption,
  },
  examples: ['fastnn analogy vectors.bin king man woman', 'fastnn analogy vectors.bin -k 1 < questions.txt'],
} satisfies CommandSpec;

export async function runAnalogy(args: string[]): Promise<void> {
  const parsed = parseCommand(analogyCommand, args, true);
  if (parsed === null) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 && positionals.length !== 4) {
    throw new Error('usage: fastnn analogy VECTORS [A B C] (A − B + C; without them, one "A B C" per line of stdin) [-k 5] [--cosmul]');
  }
  const options = { topn: int('k', values.k)!, method: values.cosmul ? 'mul' : 'add' } as const;
  const json = values.json === true;
  const vectors = await readVectors(positionals[0]);
  const answer = (words: string[], heading?: string) => {
    const [a, b, c] = words as [string, string, string];
    printAnswer({ a, b, c, method: options.method }, vectors.analogy(a, b, c, options), { json, heading });
  };
  if (positionals.length === 4) return answer(positionals.slice(1));
  await answerStdin('analogy', ['query', 'queries'], (words, skip) => {
    if (words.length !== 3) return skip(`expected three words A B C (for A − B + C), got ${words.length}`);
    const unknown = words.find((w) => !vectors.has(w));
    if (unknown !== undefined) return skip(notInVocabulary(unknown));
    answer(words, words.join(' '));
  });
}
