/**
 * The vectors files the commands read and write, by the library's one rule
 * (word2vec/file-kind.ts): a reader takes the format from the file's bytes,
 * a writer from its name; --binary and --text choose for a name that says
 * neither and are refused when they contradict it, before any training.
 * `--output -` is stdout: text unless --binary, and nothing else goes there.
 */
import type { WriteOptions } from '../io/atomic.js';
import { kindForName, type VectorFileKind } from '../word2vec/file-kind.js';
import { encodeVectors } from '../word2vec/formats.js';
import { WordVectors } from '../word2vec/vectors.js';
import { mustExist } from './arguments.js';
import { writeStdout } from './stdout.js';

/** The vectors file a command names (its first `limit` words), whichever format its bytes are in. */
export async function readVectors(path: string | undefined, limit?: number): Promise<WordVectors> {
  if (path === undefined) throw new Error('give the vectors file first');
  // As checkRunPaths words it for the commands that write too.
  if (path === '-') throw new TypeError("VECTORS takes a file, not '-' (stdin or stdout); ./- names a file called '-'");
  await mustExist(path, 'vectors file');
  return WordVectors.load(path, limit !== undefined ? { limit } : {});
}

/** Where a run's vectors go: a file, or '-' for stdout. */
export interface VectorsOutput {
  path: string;
  kind: VectorFileKind;
}

/** --output with --binary or --text, checked before any work; undefined without --output. */
export function vectorsOutput(output: string | undefined, binary: boolean | undefined, text: boolean | undefined): VectorsOutput | undefined {
  if (binary && text) throw new TypeError('--binary and --text contradict each other: give one');
  const asked = binary ? 'binary' : text ? 'text' : undefined;
  if (output === undefined) {
    if (asked !== undefined) throw new TypeError(`--${asked} says how --output is written: give --output FILE too`);
    return undefined;
  }
  if (output === '-') return { path: '-', kind: { format: asked ?? 'text', gzip: false } };
  return { path: output, kind: kindForName(output, asked, { format: `--${asked}`, path: '--output' }) };
}

/** Saves the vectors (atomically, as every save) or sends them to stdout, and says so on stderr. */
export async function writeVectors(vectors: WordVectors, out: VectorsOutput, save: WriteOptions): Promise<void> {
  const { format, gzip } = out.kind;
  if (out.path === '-') {
    await writeStdout(encodeVectors(vectors, format));
    process.stderr.write(`wrote the vectors to stdout (${format})\n`);
  } else {
    await vectors.save(out.path, { format, ...save });
    process.stderr.write(`wrote ${out.path} (${format}${gzip ? ', gzip' : ''})\n`);
  }
}
