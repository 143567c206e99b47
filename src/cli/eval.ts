/**
 * `fastnn eval VECTORS --analogies FILE | --similarity FILE`: a vectors
 * file's score on analogy questions (questions-words format, accuracy per
 * section) or on word-similarity pairs (Spearman ρ), as aligned text or,
 * with --json, as one JSON document: the library's AnalogyScore or
 * SimilarityScore (evaluate.ts), which the README documents.
 */
import { evaluateAnalogies, evaluateSimilarity } from '../word2vec/evaluate.js';
import { mustExist } from './arguments.js';
import { jsonOption, parseCommand, type CommandSpec } from './options.js';
import { readVectors } from './vector-files.js';

export const evalCommand = {
  name: 'eval',
  summary: 'score a vectors file on analogy questions (questions-words format) or word-similarity pairs (Spearman ρ)',
  usage: 'VECTORS --analogies FILE | --similarity FILE',
  options: {
    analogies: { type: 'string', value: 'FILE', help: '": section" lines, then "a b c d" questions' },
    similarity: { type: 'string', value: 'FILE', help: '"word word score" lines' },
    json: { ...jsonOption, help: 'print the scores as one JSON document (an accuracy with no question answered is null)' },
  },
  examples: ['fastnn eval vectors.bin --analogies questions-words.txt', 'fastnn eval vectors.bin --similarity wordsim353.tsv'],
} satisfies CommandSpec;

export async function runEval(args: string[]): Promise<void> {
  const parsed = parseCommand(evalCommand, args, true);
  if (parsed === null) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || (values.analogies === undefined) === (values.similarity === undefined)) {
    throw new Error('usage: fastnn eval VECTORS --analogies FILE | --similarity FILE');
  }
  const vectors = await readVectors(positionals[0]);
  if (values.analogies !== undefined) {
    await mustExist(values.analogies, 'analogy file');
    const r = await evaluateAnalogies(vectors, values.analogies);
    if (values.json) return console.log(JSON.stringify(r));
    for (const s of [...r.sections, r.overall]) {
      console.log(`${s.section.padEnd(28)} ${(100 * s.accuracy).toFixed(1).padStart(5)}%  (${s.correct}/${s.answered}; ${s.questions - s.answered} skipped)`);
    }
    console.log(`coverage ${(100 * r.coverage).toFixed(1)}%`);
  } else {
    await mustExist(values.similarity!, 'similarity file');
    const r = await evaluateSimilarity(vectors, values.similarity!);
    if (values.json) return console.log(JSON.stringify(r));
    console.log(`spearman ${r.spearman.toFixed(4)} over ${r.used} of ${r.pairs} pairs (coverage ${(100 * r.coverage).toFixed(1)}%)`);
  }
}
