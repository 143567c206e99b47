#!/usr/bin/env node
/** The `fastnn` command: `fastnn demo`, `fastnn info`, `fastnn autoencoder`, the word2vec commands, `fastnn map`. */
import { readFileSync } from 'node:fs';
import { autoencoderCommand, runAutoencoder } from './autoencoder.js';
import { demoCommand, runDemo } from './demo.js';
import { infoCommand, runInfo } from './info.js';
import { mapCommand, runMap } from './map.js';
import { printVectorsCommand, runPrintVectors } from './print-vectors.js';
import type { CommandSpec } from './options.js';
import { analogyCommand, runAnalogy } from './analogy.js';
import { evalCommand, runEval } from './eval.js';
import { runSimilar, similarCommand } from './similar.js';
import { runWord2Vec, word2vecCommand } from './word2vec.js';

const commands: Record<string, { spec: CommandSpec; run: (args: string[]) => Promise<void> }> = {
  demo: { spec: demoCommand, run: runDemo },
  info: { spec: infoCommand, run: runInfo },
  autoencoder: { spec: autoencoderCommand, run: runAutoencoder },
  word2vec: { spec: word2vecCommand, run: runWord2Vec },
  similar: { spec: similarCommand, run: runSimilar },
  analogy: { spec: analogyCommand, run: runAnalogy },
  eval: { spec: evalCommand, run: runEval },
  'print-vectors': { spec: printVectorsCommand, run: runPrintVectors },
  map: { spec: mapCommand, run: runMap },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length)) + 2;
  return [
    'usage: fastnn <command> [options]',
    '',
    // The summary's first sentence: the rest is for the command's own --help.
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.spec.summary.split('. ')[0]}`),
    '',
    'fastnn <command> --help prints the options of a command, their defaults and an example; fastnn --version (-v) the version.',
  ].join('\n');
}

// A reader that stops early (`fastnn print-vectors … | head`) closes the pipe: end quietly, as a tool killed by SIGPIPE does (status 141).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(141);
});

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
} else if (name === '--version' || name === '-v') {
  // The package's own file: dist/cli/main.js sits two levels below it, in a clone and in an installed package alike.
  console.log((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
} else if (!Object.hasOwn(commands, name)) {
  console.error(`fastnn: unknown command '${name}'\n${usage()}`);
  process.exitCode = 2;
} else {
  commands[name]!.run(rest).catch((err: unknown) => {
    // One actionable line, not a stack trace: these are user errors (bad flag, bad file).
    // Some messages (node:util parseArgs') span lines: joined, so stderr stays one line.
    const message = err instanceof Error ? err.message : String(err);
    console.error(
      `fastnn ${name}: ${message
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' ')}`,
    );
    process.exitCode = 1;
  });
}
