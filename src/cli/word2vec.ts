/**
 * `fastnn word2vec`: trains word vectors on a corpus file (or stdin, with
 * `--input -`) and writes them to --output (required; `-` is stdout), or
 * without --input trains on the planted demo corpus and prints its
 * analogies. Every failure is one line on stderr from main.ts and a
 * non-zero exit.
 *
 * A corpus read from stdin, a pipe or a device is spooled to a temporary file by Word2Vec.train
 * and removed after the run: a checkpoint records its fingerprint, not a
 * copy (a corpus may be far larger than what anyone wants left in /tmp), so
 * resuming such a run means piping the same corpus in again.
 */
import { stat } from 'node:fs/promises';
import { backendInfo } from '../backend/select.js';
import { checkWritable } from '../io/atomic.js';
import { checkRunPaths } from '../io/run-paths.js';
import type { Word2VecProgress } from '../backend/word2vec.js';
import { plantedAnalogies, plantedCorpus } from '../datasets/planted-corpus.js';
import { checkpointCorpus, readWord2VecCheckpoint } from '../word2vec/checkpoint.js';
import { Word2Vec, wordsRead } from '../word2vec/word2vec.js';
import { distributed } from '../distributed/world.js';
import { bytes, int, mustExist, num, oneOf } from './arguments.js';
import { checkpointRole, continueCommand, onStopSignals, stoppedBy, type Stopped } from './interrupt.js';
import { forceOption, parseCommand, type CommandSpec } from './options.js';
import { pictureTarget, writeLossPlot } from './pictures.js';
import { vectorsOutput, writeVectors } from './vector-files.js';

/**
 * Progress on stderr: a bar redrawn in place on a terminal; in a file or a
 * pipe, one line per tenth of the work, so a log reads line by line.
 */
function progressReporter(tty: boolean): (p: Word2VecProgress) => void {
  let tenths = 0;
  return (p) => {
    const width = 30;
    const filled = Math.round(p.progress * width);
    const eta = p.etaSeconds >= 60 ? `${Math.floor(p.etaSeconds / 60)}m${Math.round(p.etaSeconds % 60)}s` : `${p.etaSeconds.toFixed(0)}s`;
    const status =
      `${(100 * p.progress).toFixed(1)}% epoch ${p.epoch} loss ${p.loss.toFixed(4)} ` +
      `${Math.round(p.wordsPerSec / 1000)}k words/s lr ${p.lr.toExponential(2)} ETA ${eta}`;
    if (tty) {
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${status}   `);
    } else if (Math.floor(p.progress * 10) > tenths) {
      tenths = Math.floor(p.progress * 10);
      process.stderr.write(`${status}\n`);
    }
  };
}

/** The planted demo corpus's size, in sentences. */
const DEMO_SENTENCES = 40000;

/** Flags that set the run's settings: a resumed run takes those from its checkpoint. */
const SETTING_FLAGS = [
  'dim',
  'window',
  'negative',
  'min-count',
  'sample',
  'alpha',
  'epochs',
  'threads',
  'cbow',
  'hs',
  'seed',
  'lowercase',
  'max-vocab',
  'encoding',
  'saturated',
];

export const word2vecCommand = {
  name: 'word2vec',
  summary:
    'train word vectors (skip-gram or CBOW) on a corpus file, one sentence per line; without --input, on a generated ' +
    'corpus with planted analogies, which it then prints. Ctrl-C or SIGTERM writes a checkpoint and exits with 130 or 143',
  usage: '[--input FILE --output FILE|-] [options]',
  options: {
    input: { type: 'string', value: 'FILE|-', help: 'the corpus: whitespace-separated tokens, - for stdin (default: the planted demo corpus)' },
    output: {
      type: 'string',
      value: 'FILE|-',
      help: 'where the vectors go, required with --input: vectors.bin binary, vectors.txt or .vec text, a .gz name compressed, - stdout (text)',
    },
    binary: { type: 'boolean', help: 'the binary format, for an --output whose name says no format (or -)' },
    text: { type: 'boolean', help: 'the text format, likewise (the default)' },
    dim: { type: 'string', value: 'N', help: 'vector size, ≥ 1 (default 100; 32 for the demo)' },
    window: { type: 'string', value: 'N', help: 'largest context radius, ≥ 1 (default 5; 4 for the demo)' },
    negative: { type: 'string', value: 'N', help: 'noise words per prediction, ≥ 0 (default 5)' },
    'min-count': { type: 'string', value: 'N', help: 'drop words seen fewer times, ≥ 1 (default 5)' },
    'max-vocab': { type: 'string', value: 'N', help: 'keep at most the N most frequent words (default: no limit)' },
    sample: { type: 'string', value: 'X', help: 'subsampling threshold, ≥ 0; 0 disables (default 1e-3; 0 for the demo)' },
    alpha: { type: 'string', value: 'X', help: 'initial learning rate, ≥ 0 (default 0.025)' },
    epochs: { type: 'string', value: 'N', help: 'passes over the corpus, ≥ 1 (default 5)' },
    threads: { type: 'string', value: 'N', help: 'training threads, ≥ 1 (default: all cores; native only)' },
    cbow: { type: 'boolean', help: 'CBOW instead of skip-gram' },
    hs: { type: 'boolean', help: 'hierarchical softmax' },
    seed: { type: 'string', value: 'S', help: 'seed, ≥ 0 (default 1); one thread gives the same vectors every run' },
    lowercase: { type: 'boolean', help: 'lowercase ASCII letters' },
    saturated: {
      type: 'string',
      value: 'limit|skip',
      help: "negative sampling, a score beyond ±6: word2vec.c's limit gradient or gensim's skip (default limit)",
    },
    checkpoint: {
      type: 'string',
      value: 'FILE',
      help: 'checkpoint at the end, on Ctrl-C or SIGTERM and with --checkpoint-every (default on a signal only, to OUTPUT.ckpt)',
    },
    'checkpoint-every': { type: 'string', value: 'SECONDS', help: 'also checkpoint at this interval, ≥ 0 (default 0: never)' },
    resume: { type: 'string', value: 'FILE', help: 'continue the run a checkpoint holds (its settings come from it)' },
    plot: { type: 'string', value: 'FILE', help: 'draw the training loss per epoch (.svg or .png)' },
    encoding: { type: 'string', value: 'utf8|latin1', help: "how the corpus's bytes name words: utf8 refuses invalid UTF-8 before training (default utf8)" },
    'max-spool': {
      type: 'string',
      value: 'BYTES',
      help: 'the most read from a corpus that is not a regular file (- , a pipe, <(…), a device) into a temporary file first (default 64G)',
    },
    'sync-seconds': { type: 'string', value: 'X', help: "under mpirun: seconds between the ranks' rounds of averaging (default 0.1)" },
    'sync-rows': { type: 'string', value: 'N', help: 'under mpirun: most frequent rows averaged every round, doubling on a ruler schedule (default 1024)' },
    'full-sync-every': { type: 'string', value: 'N', help: 'under mpirun: average every row each N rounds, ≥ 0 (default 1000; 0: at epoch ends only)' },
    force: forceOption,
  },
  examples: [
    'fastnn word2vec',
    'fastnn word2vec --input corpus.txt --output vectors.bin --dim 100 --epochs 5',
    'fastnn word2vec --resume vectors.bin.ckpt --input corpus.txt --output vectors.bin',
    'fastnn word2vec --input corpus.txt --output vectors.txt.gz',
    'fastnn word2vec --input corpus.txt --output vectors.txt --plot loss.svg',
    'zcat corpus.txt.gz | fastnn word2vec --input - --output - > vectors.txt',
    'mpirun -np 4 --hostfile hosts --bind-to none fastnn word2vec --input corpus.txt --output vectors.bin',
  ],
} satisfies CommandSpec;

export async function runWord2Vec(args: string[]): Promise<void> {
  const parsed = parseCommand(word2vecCommand, args);
  if (parsed === null) return;
  const { values } = parsed;
  const resuming = values.resume !== undefined;
  const demo = values.input === undefined && !resuming;
  if (resuming) {
    const fixed = SETTING_FLAGS.find((flag) => (values as Record<string, unknown>)[flag] !== undefined);
    if (fixed) throw new Error(`--${fixed} cannot change a resumed run: its settings come from the checkpoint ${values.resume}`);
    await mustExist(values.resume!, 'checkpoint');
  }
  // Only the demo has a result without --output (its analogies); any other run would train for nothing.
  if (values.output === undefined && !demo) {
    throw new TypeError('--output FILE is required: where the vectors go (vectors.bin, vectors.txt, vectors.txt.gz, or - for stdout)');
  }
  const output = vectorsOutput(values.output, values.binary, values.text);
  const toStdout = output?.path === '-';
  const stdin = values.input === '-';
  if (values.input !== undefined && !stdin) await mustExist(values.input, 'corpus');
  const save = { overwrite: values.force === true };
  // Ctrl-C and SIGTERM always leave a checkpoint: --checkpoint FILE (also written every
  // --checkpoint-every seconds and at the end), else one beside the output.
  const checkpoint = {
    path: values.checkpoint ?? values.resume ?? `${output && !toStdout ? output.path : 'word2vec'}.ckpt`,
    everySeconds: num('checkpoint-every', values['checkpoint-every']) ?? 0,
    atEnd: values.checkpoint !== undefined,
    overwrite: save.overwrite,
  };
  // A resumed run without --input reads the corpus its checkpoint names.
  const resumedCorpus = resuming && values.input === undefined ? await corpusOf(values.resume!) : undefined;
  const role = checkpointRole(values.checkpoint);
  await checkRunPaths({
    reads: { '--input': stdin ? undefined : values.input, '--resume': values.resume, 'the corpus of --resume': resumedCorpus },
    writes: { '--output': toStdout ? undefined : output?.path, [role]: checkpoint.path, '--plot': values.plot },
    inPlace: ['--resume', role],
    commandLine: true,
  });
  // Under mpirun every rank trains and rank 0 alone speaks and writes the files.
  const { rank, size } = await distributed();
  const lead = rank === 0;
  if (output && !toStdout && lead) await checkWritable(output.path, save);
  const plot = lead ? await pictureTarget('plot', values.plot, save) : undefined;
  const interrupt = onStopSignals();
  const info = backendInfo();
  if (lead) {
    process.stderr.write(
      `fastnn word2vec: backend ${info.active}${size > 1 ? `, ${size} ranks` : ''}` +
        `${demo ? ', planted demo corpus (pass --input FILE to train on yours)' : ''}\n`,
    );
  }
  if (stdin && process.stdin.isTTY) process.stderr.write('fastnn word2vec: reading the corpus from the terminal; end it with Ctrl-D\n');
  const started = Date.now();
  try {
    const maxSpool = bytes('max-spool', values['max-spool']);
    const sync = {
      ...(values['sync-seconds'] !== undefined ? { seconds: num('sync-seconds', values['sync-seconds'])! } : {}),
      ...(values['sync-rows'] !== undefined ? { hotRows: int('sync-rows', values['sync-rows'])! } : {}),
      ...(values['full-sync-every'] !== undefined ? { fullEvery: int('full-sync-every', values['full-sync-every'], 0)! } : {}),
    };
    const callbacks = {
      ...(lead ? { onProgress: progressReporter(process.stderr.isTTY === true) } : {}),
      signal: interrupt.signal,
      checkpoint,
      sync,
      ...(maxSpool !== undefined ? { maxSpoolBytes: maxSpool } : {}),
    };
    // process.stdin yields the corpus's bytes as they come; corpusOf has made
    // sure that a checkpoint without a corpus path and without --input is the demo's.
    const corpusInput = () => (stdin ? process.stdin : values.input);
    const resumeInput = () => corpusInput() ?? resumedCorpus ?? plantedCorpus(DEMO_SENTENCES);
    const vectors = resuming
      ? await Word2Vec.resume(values.resume!, { input: resumeInput(), ...callbacks })
      : await Word2Vec.train({
          input: demo ? plantedCorpus(DEMO_SENTENCES) : corpusInput()!,
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
          // Checked (and the option named) by Word2Vec.train.
          ...(values.encoding !== undefined ? { encoding: values.encoding as 'utf8' | 'latin1' } : {}),
          ...(values.saturated !== undefined ? { saturated: oneOf('saturated', values.saturated, ['limit', 'skip'] as const) } : {}),
          ...callbacks,
        });
    const t = vectors.training;
    if (!lead) return;
    // A resumed run's speed counts its own words only, not those read before the checkpoint.
    process.stderr.write(
      `\n${vectors.size} words × ${vectors.dim}; ${t.wordsThisRun} words in ${t.seconds.toFixed(1)} s` +
        ` (${Math.round(t.wordsThisRun / t.seconds / 1000)}k words/s), last epoch loss ${t.loss.toFixed(4)}` +
        `${
          t.distributed
            ? `; ${t.distributed.rounds} rounds of averaging took ${t.distributed.seconds.toFixed(1)} s` +
              ` (${t.distributed.cpuSeconds.toFixed(1)} s of CPU; and ${t.distributed.waitSeconds.toFixed(1)} s waiting for the other ranks)`
            : ''
        }\n`,
    );
    if (output) await writeVectors(vectors, output, save);
    if (plot !== undefined && t.epochLosses.length > 0) {
      const corpus = stdin ? 'stdin' : (values.input ?? (resuming ? `the corpus of ${values.resume}` : 'the planted demo corpus'));
      // A resumed run plots the epochs it finished, numbered as in the whole run.
      await writeLossPlot(
        plot,
        { loss: t.epochLosses },
        t.epochsCompleted - t.epochLosses.length + 1,
        `fastnn word2vec on ${corpus}: mean loss per prediction`,
        save,
      );
    }
    if (demo) {
      // With the vectors on stdout, the analogies go beside the other messages.
      const say = toStdout ? console.error : console.log;
      let right = 0;
      const questions = plantedAnalogies();
      for (const [a, b, c, expected] of questions) {
        const [hit] = vectors.analogy(a, b, c);
        right += hit?.word === expected ? 1 : 0;
        say(`${a} − ${b} + ${c} ≈ ${hit?.word} (${hit?.score.toFixed(3)})${hit?.word === expected ? '' : `   expected ${expected}`}`);
      }
      say(`${right} of ${questions.length} planted analogies right`);
    }
  } catch (err) {
    if (!interrupt.signal.aborted || err !== interrupt.signal.reason) throw err;
    await reportInterrupted(args, checkpoint.path, started, stdin, stoppedBy(interrupt.signal));
  } finally {
    interrupt.dispose();
  }
}

/**
 * A resumed run's corpus when no --input is given: the file its checkpoint
 * names, or (no file: an iterable) the demo's, whose size is known. Any
 * other came from stdin and was not kept.
 */
async function corpusOf(checkpoint: string): Promise<string | undefined> {
  const corpus = await checkpointCorpus(checkpoint);
  if (corpus.path !== null) return corpus.path;
  let demoBytes = 0;
  // The demo's chunks end in newlines, so Word2Vec spools exactly their bytes.
  for await (const chunk of plantedCorpus(DEMO_SENTENCES)) demoBytes += Buffer.byteLength(chunk);
  if (corpus.bytes !== demoBytes) {
    throw new TypeError(`--resume ${checkpoint} was trained on a corpus read from stdin, which is not kept: pipe the same corpus in again with --input -`);
  }
  return undefined;
}

/** After Ctrl-C or SIGTERM: the one line naming the checkpoint the aborted run wrote (if it got as far as training), and exit code 130 or 143. */
async function reportInterrupted(args: string[], path: string, started: number, stdin: boolean, stopped: Stopped): Promise<void> {
  const written = await stat(path).then(
    (s) => s.mtimeMs >= started - 1000,
    () => false,
  );
  let where = 'before training began, nothing to checkpoint';
  if (written) {
    const { state } = await readWord2VecCheckpoint(path);
    const keep = (flag: string) => !['--resume', ...SETTING_FLAGS.map((f) => `--${f}`)].includes(flag);
    where =
      `checkpoint in epoch ${state.epoch} after ${wordsRead(state)} words in ${path}; continue with: ${continueCommand('word2vec', args, path, keep)}` +
      (stdin ? ' (pipe the same corpus into it)' : '');
  }
  process.stderr.write(`\nfastnn word2vec: ${stopped.word}; ${where}\n`);
  process.exitCode = stopped.status;
}
