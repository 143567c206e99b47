/**
 * `fastnn similar VECTORS [WORD]`: the words nearest to WORD by cosine
 * similarity in a vectors file; without WORD, for each line of stdin (one
 * query per line, as fastText's `nn`; a line of several words asks for the
 * words nearest to the mean of their unit vectors).
 */
import { int } from './arguments.js';
import { printAnswer } from './neighbours.js';
import { jsonOption, parseCommand, type CommandSpec } from './options.js';
import { answerStdin, notInVocabulary } from './stdin-queries.js';
import { readVectors } from './vector-files.js';

export const similarCommand = {
  name: 'similar',
  summary: 'the words nearest to WORD by cosine similarity in a vectors file (text or binary, gzip or not); ' + 'without WORD, for each line of stdin',
  usage: 'VECTORS [WORD] [options]',
  options: {
    k: { type: 'string', short: 'k', value: 'N', default: '10', help: 'how many words, ≥ 1' },
    json: jsonOption,
  },
  examples: ['fastnn similar vectors.bin king -k 10', 'printf "king\\nparis\\n" | fastnn similar vectors.bin -k 3 --json'],
} satisfies CommandSpec;

export async function runSimilar(args: string[]): Promise<void> {
  const parsed = parseCommand(similarCommand, args, true);
  if (parsed === null) return;
  const { values, positionals } = parsed;
  if (positionals.length < 1 || positionals.length > 2) {
    throw new Error('usage: fastnn similar VECTORS [WORD] [-k 10] (without WORD, one query per line of stdin)');
  }
  const k = int('k', values.k)!;
  const vectors = await readVectors(positionals[0]);
  const json = values.json === true;
  if (positionals.length === 2) return printAnswer({ query: positionals[1]! }, vectors.mostSimilar(positionals[1]!, k), { json });
  await answerStdin('similar', ['query', 'queries'], (words, skip) => {
    const unknown = words.find((w) => !vectors.has(w));
    if (unknown !== undefined) return skip(notInVocabulary(unknown));
    const query = words.join(' ');
    printAnswer({ query }, vectors.mostSimilar({ positive: words, topn: k }), { json, heading: query });
  });
}
