/**
 * `fastnn print-vectors VECTORS`: the vectors of the words on stdin, as
 * rows of the text format ("word v1 … vD", no header) on stdout, one per
 * word in the order read. Unlike fastText's print-word-vectors, which
 * prints a row of zeros for a word it does not know, an unknown word gets
 * no row: zeros look like data and would flow unnoticed into whatever reads
 * the rows. It is named on stderr and the exit status is 1 at the end; the
 * rows carry their words, so the known ones are all there.
 */
import { textRow } from '../word2vec/formats.js';
import { parseCommand, type CommandSpec } from './options.js';
import { answerStdin, notInVocabulary } from './stdin-queries.js';
import { readVectors } from './vector-files.js';

export const printVectorsCommand = {
  name: 'print-vectors',
  summary:
    'the vectors of the words on stdin (one per line or space-separated) as rows of the text format on stdout; ' +
    'a word not in the vocabulary is named on stderr and skipped, and the exit status is then 1',
  usage: 'VECTORS < words',
  options: {},
  examples: ['fastnn print-vectors vectors.txt.gz < words.txt > rows.txt', 'echo king queen | fastnn print-vectors vectors.bin'],
} satisfies CommandSpec;

export async function runPrintVectors(args: string[]): Promise<void> {
  const parsed = parseCommand(printVectorsCommand, args, true);
  if (parsed === null) return;
  if (parsed.positionals.length !== 1) throw new Error('usage: fastnn print-vectors VECTORS < words (the words come on stdin)');
  const vectors = await readVectors(parsed.positionals[0]);
  await answerStdin('print-vectors', ['word', 'words'], (words, skip) => {
    for (const word of words) {
      if (vectors.has(word)) console.log(textRow(word, vectors.vector(word)));
      else skip(notInVocabulary(word));
    }
  });
}
