/**
 * One description per command of its options (the parser's table, the
 * `--help` text and the misspelling hints all come from it), and the parsing
 * around node:util's parseArgs: `--help`/`-h` prints the command's help,
 * an unknown option names the nearest known one, and `--window -1` reaches
 * the option's own range check (parseArgs alone calls a value that starts
 * with '-' ambiguous).
 */
import { parseArgs } from 'node:util';
import { useBackend } from '../backend/select.js';
import { distributed } from '../distributed/world.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value parseArgs fills in when the option is absent (string options only). */
  default?: string;
  /** What the option's value is, in the help: FILE, N, X … (string options only). */
  value?: string;
  /** One line: what it does; and, when the default is not `default`, what it is. */
  help: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  /** One line for `fastnn --help`. */
  summary: string;
  /** What follows the command name, e.g. 'VECTORS WORD [options]'. */
  usage: string;
  options: O;
  examples: string[];
}

/** Options several commands share. */
export const backendOption = { type: 'string', value: 'js|native', help: 'force a backend (default: native when it loads)' } as const;
/** Applies a --backend value (absent: the default choice stands). */
export function applyBackendOption(value: string | undefined): void {
  if (value === undefined) return;
  if (value !== 'js' && value !== 'native') throw new RangeError(`--backend must be js or native, got ${value}`);
  useBackend(value);
}
/** Machine-readable output: JSON on stdout, messages still on stderr. */
export const jsonOption = { type: 'boolean', help: 'print JSON instead of text: one document (one line per query read from stdin)' } as const;
export const resumeOption = { type: 'string', value: 'FILE', help: 'continue the run a checkpoint holds' } as const;
export const distributedOption = {
  type: 'boolean',
  help: 'train as one rank of an MPI run (mpirun, srun): every rank trains on its share of each batch; rank 0 writes the files',
} as const;
/** Whether this process writes a command's outputs: always, except on ranks other than 0 of a --distributed run. */
export async function writesOutputs(distributedFlag: boolean | undefined): Promise<boolean> {
  return distributedFlag !== true || (await distributed()).rank === 0;
}
export const forceOption = {
  type: 'boolean',
  help: 'replace output files that are read-only (no write permission for their owner); without it they are refused before any work',
} as const;

/** What parsing gives for each option: booleans, strings where a default fills in, else string or undefined. */
export type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { type: 'boolean' } ? boolean | undefined : O[K] extends { default: string } ? string : string | undefined;
};

export function helpText(spec: CommandSpec<Record<string, OptionSpec>>): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'X'}` : ''}`;
    return [flag, o.help + (o.default !== undefined ? ` (default ${o.default})` : '')] as const;
  });
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `usage: fastnn ${spec.name} ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
    '',
    spec.examples.length > 1 ? 'examples:' : 'example:',
    ...spec.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/**
 * Parses `args` for `spec`. Returns null after printing the help when asked
 * for (`--help` or `-h` anywhere before `--`); throws a TypeError naming an
 * unknown option and the nearest known one.
 */
export function parseCommand<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  args: string[],
  allowPositionals = false,
): { values: Values<O>; positionals: string[] } | null {
  const options: Record<string, OptionSpec> = spec.options;
  const end = args.indexOf('--');
  const flags = end < 0 ? args : args.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    console.log(helpText(spec));
    return null;
  }
  const known = Object.keys(options);
  const shorts = new Map(
    Object.entries(options)
      .filter(([, o]) => o.short)
      .map(([name, o]) => [`-${o.short}`, name]),
  );
  const normalised: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (i >= end && end >= 0) {
      normalised.push(arg);
      continue;
    }
    const long = /^--([^=]+)(=.*)?$/.exec(arg);
    if (long && !Object.hasOwn(options, long[1]!)) throw new TypeError(unknownOption(`--${long[1]}`, known));
    const name = long ? long[1]! : shorts.get(arg);
    // A negative number after a string option is its value: joined with '=' so
    // parseArgs takes it, and the option's own check says what range it wants.
    const next = args[i + 1];
    if (name !== undefined && !long?.[2] && options[name]!.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      normalised.push(long ? `--${name}=${next}` : `${arg}${next}`);
      i++;
      continue;
    }
    normalised.push(arg);
  }
  const table = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.short ? { short: o.short } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
      },
    ]),
  );
  const { values, positionals } = parseArgs({ args: normalised, strict: true, allowPositionals, options: table });
  return { values: values as Values<O>, positionals };
}

function unknownOption(flag: string, known: string[]): string {
  const name = flag.slice(2);
  const [best] = known.map((k) => [k, editDistance(name, k)] as const).sort((a, b) => a[1] - b[1]);
  // A suggestion only when it is plausibly a typo: at most a third of the word wrong.
  const near = best && best[1] <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean '--${best[0]}'?` : '';
  return `unknown option '${flag}'${near} (--help lists the options)`;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
