/**
 * The word2vec commands: `word2vec` (train, or the planted-corpus demo
 * without --input), `similar`, `analogy`, `eval`. Every failure is one line
 * on stderr from main.ts and a non-zero exit.
 */
import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { backendInfo } from '../backend/select.js';
import type { Word2VecProgress } from '../backend/word2vec.js';
import { evaluateAnalogies, evaluateSimilarity } from '../word2vec/evaluate.js';
import { plantedAnalogies, plantedCorpus } from '../datasets/planted-corpus.js';
import { checkpointCorpus } from '../word2vec/checkpoint.js';
import { Word2Vec } from '../word2vec/train.js';
import { WordVectors } from '../word2vec/vectors.js';
import { continueCommand, onCtrlC } from './interrupt.js';
import { pictureTarget, writeLossPlot } from './pictures.js';

function int(flag: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${flag} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new RangeError(`--${flag} must be a non-negative number, got '${v}'`);
  return n;
}

async function mustExist(path: string, what: string): Promise<void> {
  await access(path).catch(() => {
    throw new Error(`${what} '${path}' does not exist or cannot be read`);
  });
}

/** A one-line progress bar on stderr, redrawn in place. */
function progressBar(): (p: Word2VecProgress) => void {
  return (p) => {
    const width = 30;
    const filled = Math.round(p.progress * width);
    const eta = p.etaSeconds >= 60 ? `${Math.floor(p.etaSeconds / 60)}m${Math.round(p.etaSeconds % 60)}s` : `${p.etaSeconds.toFixed(0)}s`;
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * p.progress).toFixed(1)}% ` +
      `epoch ${p.epoch} loss ${p.loss.toFixed(4)} ${Math.round(p.wordsPerSec / 1000)}k words/s lr ${p.lr.toExponential(2)} ETA ${eta}   `);
  };
}

/** Flags that set the run's settings: a resumed run takes those from its checkpoint. */
const SETTING_FLAGS = ['dim', 'window', 'negative', 'min-count', 'sample', 'alpha', 'epochs', 'threads', 'cbow', 'hs', 'seed',
  'lowercase', 'max-vocab'];

export async function runWord2Vec(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      input: { type: 'string' }, output: { type: 'string' }, binary: { type: 'boolean' }, dim: { type: 'string' },
      window: { type: 'string' }, negative: { type: 'string' }, 'min-count': { type: 'string' }, sample: { type: 'string' },
      alpha: { type: 'string' }, epochs: { type: 'string' }, threads: { type: 'string' }, cbow: { type: 'boolean' },
      hs: { type: 'boolean' }, seed: { type: 'string' }, lowercase: { type: 'boolean' }, 'max-vocab': { type: 'string' },
      checkpoint: { type: 'string' }, 'checkpoint-every': { type: 'string' }, resume: { type: 'string' }, plot: { type: 'string' },
    },
  });
  const resuming = values.resume !== undefined;
  const demo = values.input === undefined && !resuming;
  if (resuming) {
    const fixed = SETTING_FLAGS.find((flag) => (values as Record<string, unknown>)[flag] !== undefined);
    if (fixed) throw new Error(`--${fixed} cannot change a resumed run: its settings come from the checkpoint ${values.resume}`);
    await mustExist(values.resume!, 'checkpoint');
  }
  if (values.input !== undefined) await mustExist(values.input, 'corpus');
  const plot = await pictureTarget('plot', values.plot);
  // Ctrl-C always leaves a checkpoint: --checkpoint FILE (also written every
  // --checkpoint-every seconds and at the end), else one beside the output.
  const checkpoint = {
    path: values.checkpoint ?? values.resume ?? `${values.output ?? 'word2vec'}.ckpt`,
    everySeconds: num('checkpoint-every', values['checkpoint-every']) ?? 0,
    atEnd: values.checkpoint !== undefined,
  };
  const interrupt = onCtrlC();
  const info = backendInfo();
  process.stderr.write(`fastnn word2vec: backend ${info.active}${demo ? ', planted demo corpus (pass --input FILE to train on yours)' : ''}\n`);
  try {
    const callbacks = { onProgress: progressBar(), signal: interrupt.signal, checkpoint };
    // The only corpus the CLI trains from without a file is the demo's, so a
    // checkpoint without a corpus path is the demo's.
    const resumeInput = async () => values.input ?? ((await checkpointCorpus(values.resume!)).path ?? plantedCorpus(40000));
    const vectors = resuming
      ? await Word2Vec.resume(values.resume!, { input: await resumeInput(), ...callbacks })
      : await Word2Vec.train({
        input: demo ? plantedCorpus(40000) : values.input!,
        vectorSize: int('dim', values.dim) ?? (demo ? 32 : 100),
        window: int('window', values.window) ?? (demo ? 4 : 5),
        negative: int('negative', values.negative, 0) ?? 5,
        minCount: int('min-count', values['min-count']) ?? 5,
        sample: num('sample', values.sample) ?? (demo ? 0 : 1e-3),
        alpha: num('alpha', values.alpha) ?? 0.025,
        epochs: int('epochs', values.epochs) ?? 5,
        ...(values.threads !== undefined ? { threads: int('threads', values.threads)! } : {}),
        ...(values['max-vocab'] !== undefined ? { maxFinalVocab: int('max-vocab', values['max-vocab'])! } : {}),
        seed: int('seed', values.seed, 0) ?? 1,
        sg: !values.cbow,
        hs: values.hs ?? false,
        lowercase: values.lowercase ?? false,
        ...callbacks,
      });
    const t = vectors.training;
    if (t.cancelled) {
      const where = t.checkpoint === null ? 'before training began, nothing to checkpoint' :
        `checkpoint in epoch ${t.state.epoch} after ${t.words} words in ${t.checkpoint}; ` +
        `continue with: ${continueCommand('word2vec', args, t.checkpoint, (flag) => !['--resume', ...SETTING_FLAGS.map((f) => `--${f}`)].includes(flag))}`;
      process.stderr.write(`\nfastnn word2vec: interrupted; ${where}\n`);
      process.exitCode = 130;
      return;
    }
    process.stderr.write(`\n${vectors.size} words × ${vectors.dim}; ${t.words} words in ${t.seconds.toFixed(1)} s` +
      ` (${Math.round(t.words / t.seconds / 1000)}k words/s), last epoch loss ${t.loss.toFixed(4)}\n`);
    if (values.output !== undefined) {
      await vectors.save(values.output, { format: values.binary ? 'binary' : 'text' });
      process.stderr.write(`wrote ${values.output} (${values.binary ? 'binary' : 'text'})\n`);
    }
    if (plot !== undefined && t.epochLosses.length > 0) {
      const corpus = values.input ?? (resuming ? `the corpus of ${values.resume}` : 'the planted demo corpus');
      // A resumed run plots the epochs it finished, numbered as in the whole run.
      await writeLossPlot(plot, { loss: t.epochLosses }, t.epochsCompleted - t.epochLosses.length + 1, `fastnn word2vec on ${corpus}: mean loss per prediction`);
    }
    if (demo) {
      let right = 0;
      const questions = plantedAnalogies();
      for (const [a, b, c, expected] of questions) {
        const [hit] = vectors.analogy(a, b, c);
        right += hit?.word === expected ? 1 : 0;
        console.log(`${a} − ${b} + ${c} ≈ ${hit?.word} (${hit?.score.toFixed(3)})${hit?.word === expected ? '' : `   expected ${expected}`}`);
      }
      console.log(`${right} of ${questions.length} planted analogies right`);
    }
  } finally {
    interrupt.dispose();
  }
}

function format(path: string): { format?: 'binary' | 'text' } {
  return /\.(bin)$/i.test(path) ? { format: 'binary' } : { format: 'text' };
}

/** The vectors file a command names (its first `limit` words), in the format its extension says (.bin: binary). */
export async function load(path: string | undefined, limit?: number): Promise<WordVectors> {
  if (path === undefined) throw new Error('give the vectors file first');
  await mustExist(path, 'vectors file');
  return WordVectors.load(path, { ...format(path), ...(limit !== undefined ? { limit } : {}) });
}

export async function runSimilar(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { k: { type: 'string', short: 'k' } } });
  if (positionals.length !== 2) throw new Error('usage: fastnn similar VECTORS WORD [-k 10]');
  const vectors = await load(positionals[0]);
  for (const { word, score } of vectors.mostSimilar(positionals[1]!, int('k', values.k) ?? 10)) console.log(`${score.toFixed(4)}  ${word}`);
}

export async function runAnalogy(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { k: { type: 'string', short: 'k' }, cosmul: { type: 'boolean' } } });
  if (positionals.length !== 4) throw new Error('usage: fastnn analogy VECTORS A B C (A − B + C) [-k 5] [--cosmul]');
  const [path, a, b, c] = positionals as [string, string, string, string];
  const vectors = await load(path);
  for (const { word, score } of vectors.analogy(a, b, c, { topn: int('k', values.k) ?? 5, method: values.cosmul ? 'mul' : 'add' })) {
    console.log(`${score.toFixed(4)}  ${word}`);
  }
}

export async function runEval(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { analogies: { type: 'string' }, similarity: { type: 'string' } } });
  if (positionals.length !== 1 || (values.analogies === undefined) === (values.similarity === undefined)) {
    throw new Error('usage: fastnn eval VECTORS --analogies FILE | --similarity FILE');
  }
  const vectors = await load(positionals[0]);
  if (values.analogies !== undefined) {
    await mustExist(values.analogies, 'analogy file');
    const r = await evaluateAnalogies(vectors, values.analogies);
    for (const s of [...r.sections, r.overall]) {
      console.log(`${s.section.padEnd(28)} ${(100 * s.accuracy).toFixed(1).padStart(5)}%  (${s.correct}/${s.answered}; ${s.questions - s.answered} skipped)`);
    }
    console.log(`coverage ${(100 * r.coverage).toFixed(1)}%`);
  } else {
    await mustExist(values.similarity!, 'similarity file');
    const r = await evaluateSimilarity(vectors, values.similarity!);
    console.log(`spearman ${r.spearman.toFixed(4)} over ${r.used} of ${r.pairs} pairs (coverage ${(100 * r.coverage).toFixed(1)}%)`);
  }
}
