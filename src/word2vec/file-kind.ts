/**
 * Which of the word2vec formats a vectors file is in, decided by one rule
 * for every writer and reader (WordVectors.save/load and the CLI), so that
 * nothing fastnn writes is read back in the other format:
 * - a writer goes by the file's name: `.bin` is binary, `.txt` and `.vec`
 *   text, any other name text; a trailing `.gz` compresses either
 *   (`vectors.txt.gz`). A format asked for (`format`, `--binary`/`--text`)
 *   chooses for a name that says neither; one that contradicts the name is
 *   an error, since binary bytes in a `.txt` file are a trap for every tool
 *   that trusts the name.
 * - a reader goes by the bytes, never the name: gzip's magic number
 *   (1f 8b) means compressed (io/byte-cursor.ts inflates it); then, after
 *   the "V D" header, a first row that reads as a word and numbers is text,
 *   anything else binary.
 */

export type VectorFormat = 'binary' | 'text';

export interface VectorFileKind {
  format: VectorFormat;
  gzip: boolean;
}

/** How the caller names the format it asked for and the path, for the contradiction's message. */
export interface KindNames {
  /** e.g. "options.format 'binary'" or "--binary". */
  format: string;
  /** e.g. 'the path' or '--output'. */
  path: string;
}

const BY_EXTENSION: Record<string, VectorFormat> = { '.bin': 'binary', '.txt': 'text', '.vec': 'text' };

/** The writer's rule. Throws a RangeError, after `prefix`, when `asked` contradicts the name's extension. */
export function kindForName(path: string, asked: VectorFormat | undefined, names: KindNames, prefix = ''): VectorFileKind {
  const gzip = /\.gz$/i.test(path);
  const inner = gzip ? path.slice(0, -3) : path;
  const extension = /\.[^./]*$/.exec(inner)?.[0].toLowerCase() ?? '';
  const named = BY_EXTENSION[extension];
  if (asked !== undefined && named !== undefined && asked !== named) {
    throw new RangeError(`${prefix}${names.format} contradicts ${names.path} ${path}: ${extension} names the ${named} format`);
  }
  return { format: asked ?? named ?? 'text', gzip };
}

/** What the text format's numbers look like (the parser then checks each value); nan and inf reach its own errors. */
const NUMBER = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf(?:inity)?)$/i;

/**
 * The reader's rule, on the bytes after the header up to the first row's
 * newline (`complete` false when no newline was found: the row's last field
 * may be cut). Text when the row is a word and at least one field follows,
 * each a number — the count is the parser's to check, so a text row of the
 * wrong width still gets the text parser's message. Binary rows put raw
 * float32 bytes after the word, which do not read as decimal numbers.
 */
export function formatOfFirstRow(row: Uint8Array, complete: boolean): VectorFormat {
  if (row.length === 0) return 'text'; // no rows (or an empty first one): either parser says what is wrong
  const fields = Buffer.from(row.buffer, row.byteOffset, row.byteLength)
    .toString('latin1')
    .replace(/[\r \t]+$/, '')
    .split(/[ \t]+/);
  if (!complete) fields.pop();
  const values = fields.slice(1);
  return values.length > 0 && values.every((f) => NUMBER.test(f)) ? 'text' : 'binary';
}
