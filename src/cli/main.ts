#!/usr/bin/env node
/** The `fastnn` command: `fastnn demo`, `fastnn info`, `fastnn autoencoder`, the word2vec commands. */
import { runAutoencoder } from './autoencoder.js';
import { runDemo } from './demo.js';
import { runInfo } from './info.js';
import { runAnalogy, runEval, runSimilar, runWord2Vec } from './word2vec.js';

const commands: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  demo: { run: runDemo, help: 'train a small network on generated data [--epochs N] [--seed S] [--backend js|native] [--checkpoint FILE] [--resume FILE]' },
  autoencoder: { run: runAutoencoder, help: 'train an autoencoder: --out FILE [--images IDX] [--test-images IDX] [--layers 784,256,64] [--denoise 0.2] [--sparse RHO,BETA] [--tied] [--loss bce|mse|sigmoidMse] [--epochs N] [--batch B] [--lr LR] [--limit N] [--codes FILE] [--picture PNG] [--checkpoint FILE] [--resume FILE]; no --images: generated shapes; Ctrl-C checkpoints, exit 130' },
  info: { run: runInfo, help: 'which backend runs, the addon version and the CPU features it uses' },
  word2vec: { run: runWord2Vec, help: 'train word vectors: --input FILE --output FILE [--binary] [--dim --window --negative --min-count --sample --alpha --epochs --threads --cbow --hs --seed]; no --input: planted demo' },
  similar: { run: runSimilar, help: 'nearest words: VECTORS WORD [-k 10]' },
  analogy: { run: runAnalogy, help: 'A − B + C: VECTORS A B C [-k 5] [--cosmul]' },
  eval: { run: runEval, help: 'VECTORS --analogies FILE (questions-words) | --similarity FILE (word word score)' },
};

function usage(): string {
  return ['usage: fastnn <command> [options]', '', ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(8)} ${c.help}`)].join('\n');
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
} else if (!Object.hasOwn(commands, name)) {
  console.error(`fastnn: unknown command '${name}'\n${usage()}`);
  process.exitCode = 2;
} else {
  commands[name]!.run(rest).catch((err: unknown) => {
    // One actionable line, not a stack trace: these are user errors (bad flag, bad file).
    // Some messages (node:util parseArgs') span lines: joined, so stderr stays one line.
    const message = err instanceof Error ? err.message : String(err);
    console.error(`fastnn ${name}: ${message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')}`);
    process.exitCode = 1;
  });
}
