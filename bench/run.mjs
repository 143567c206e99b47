// `npm run bench` (build first: `npm run build`; the suites import dist/).
// Runs the suites in order, prints a table per suite and writes
// bench/results/<suite>.json with the machine it ran on.
//   node bench/run.mjs [--runs N] [--fashion-mnist DIR] [--tasks a,b] [--limit ROWS] [suite ...]
// default: every suite, N = 5. --tasks limits the training suite to some of
// its tasks (mlp, autoencoder, persample, xor); --limit trains it on the first
// ROWS images only (quick checks of the bench itself, not figures to report).
// A suite is a module exporting `name` and `async run(ctx)`, where ctx has
// { addon, jsBackend, runs, machine, probe, options } (probe = the probe suite's
// result; options = { fashionMnist, tasks, limit });
// add one by listing it in SUITES.
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsBackend } from '../dist/backend/js/index.js';
import { loadNativeAddon } from '../dist/backend/native.js';
import * as gemm from './gemm.mjs';
import { machineInfo } from './lib/machine.mjs';
import * as probe from './probe.mjs';
import * as training from './training.mjs';

const SUITES = [probe, gemm, training];

const argv = process.argv.slice(2);
let runs = 5;
const options = {};
const wanted = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else if (argv[i] === '--fashion-mnist') options.fashionMnist = argv[++i];
  else if (argv[i] === '--tasks') options.tasks = argv[++i].split(',');
  else if (argv[i] === '--limit') options.limit = Number(argv[++i]);
  else if (argv[i].startsWith('--')) throw new RangeError(`bench: unknown option ${argv[i]}`);
  else wanted.push(argv[i]);
}
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`bench: --runs must be a positive integer, got ${runs}`);
if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) {
  throw new RangeError(`bench: --limit must be a positive integer, got ${options.limit}`);
}
for (const w of wanted) {
  if (!SUITES.some((s) => s.name === w)) throw new RangeError(`bench: unknown suite '${w}' (known: ${SUITES.map((s) => s.name).join(', ')})`);
}

const addon = loadNativeAddon();
const machine = { ...machineInfo(), kernelPath: addon.gemmPath(), threads: addon.getThreads() };
console.log(
  `${machine.cpu}, ${machine.cores} cores, ${machine.platform}, Node ${machine.node}; ` +
    `kernel path ${machine.kernelPath}, ${machine.threads} threads; medians of ${runs} runs`,
);

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const ctx = { addon, jsBackend, runs, machine, probe: null, options };
for (const suite of SUITES) {
  // The probe always runs: every other figure is a share of its peak.
  if (wanted.length && !wanted.includes(suite.name) && suite !== probe) continue;
  console.log(`\n== ${suite.name} ==`);
  const result = await suite.run(ctx);
  if (suite === probe) ctx.probe = result;
  writeFileSync(new URL(`${suite.name}.json`, resultsDir), JSON.stringify({ machine, runs, date: new Date().toISOString(), ...result }, null, 2) + '\n');
}
