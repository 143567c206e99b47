#!/usr/bin/env node
/**
 * word2vec benchmark (standalone: bench/run.mjs does not exist on this
 * branch). Generates a Zipf-distributed corpus with planted relations into a
 * temp file, then times, with the same settings:
 *   native 1 thread, native all threads, TS (on a slice), and, when
 *   installed, fastText (`skipgram -minn 0 -maxn 0`) and gensim
 *   (`Word2Vec(sg=1, corpus_file=...)`).
 * Words/s = corpus tokens × epochs / wall time of the whole run (vocabulary
 * pass included, for every tool alike). Peak RSS comes from each run's own
 * child process. Accuracy = planted analogies answered right.
 * Prints a table and writes bench/results/word2vec.json.
 *
 *   node bench/word2vec.mjs [--tokens 20000000] [--runs 3] [--epochs 1] [--dim 100]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, readFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', p);

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '20000000' }, runs: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '1' }, dim: { type: 'string', default: '100' },
    child: { type: 'string' },
  },
});

// ---- child mode: one fastnn training run, reporting its own peak RSS ----
if (values.child) {
  const job = JSON.parse(values.child);
  const { useBackend } = await import(dist('backend/select.js'));
  const { Word2Vec } = await import(dist('word2vec/word2vec.js'));
  useBackend(job.backend);
  const t = performance.now();
  const v = await Word2Vec.train({ input: job.path, ...job.settings, threads: job.threads });
  const seconds = (performance.now() - t) / 1000;
  // Peak memory of training, taken before saving (which builds the file in memory).
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  if (job.out) await v.save(job.out, { format: 'text' });
  process.stdout.write(JSON.stringify({ seconds, words: v.training.words, maxRssMB }));
  process.exit(0);
}

const tokens = Number(values.tokens), runs = Number(values.runs), epochs = Number(values.epochs), dim = Number(values.dim);
const cores = availableParallelism();
const settings = { vectorSize: dim, window: 5, negative: 5, minCount: 5, sample: 1e-3, alpha: 0.025, epochs, seed: 1 };
const dir = mkdtempSync(join(tmpdir(), 'fastnn-w2v-bench-'));

/** Zipf(1) over 50 000 filler words, with a planted sentence every 10th line. */
async function generate(path, count) {
  const { Rng } = await import(dist('rng.js'));
  const { plantedSentence } = await import(dist('datasets/planted-corpus.js'));
  const rng = new Rng(42);
  const V = 50000;
  const cdf = new Float64Array(V);
  let s = 0;
  for (let i = 0; i < V; i++) cdf[i] = s += 1 / (i + 1);
  const zipf = () => {
    const u = rng.uniform() * s;
    let lo = 0, hi = V - 1;
    while (lo < hi) { const m = (lo + hi) >> 1; if (cdf[m] < u) lo = m + 1; else hi = m; }
    return 'w' + lo;
  };
  const out = createWriteStream(path);
  let written = 0, lines = [];
  while (written < count) {
    let line;
    if (rng.below(10) === 0) line = plantedSentence(rng);
    else { const n = 8 + rng.below(16); const w = []; for (let i = 0; i < n; i++) w.push(zipf()); line = w.join(' '); }
    written += line.split(' ').length;
    lines.push(line);
    if (lines.length === 4096) { if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain'); lines = []; }
  }
  out.end(lines.join('\n') + '\n');
  await once(out, 'finish');
  return written;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function accuracy(path) {
  const { loadVectors } = await import(dist('word2vec/vectors.js'));
  const { plantedAnalogies } = await import(dist('datasets/planted-corpus.js'));
  const v = await loadVectors(path, { format: 'text', invalidUtf8: 'replace' });
  const qs = plantedAnalogies().filter((q) => q.every((w) => v.has(w)));
  return qs.filter(([a, b, c, d]) => v.analogy(a, b, c)[0]?.word === d).length / plantedAnalogies().length;
}

function fastnn(backend, path, threads, out) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify({ backend, path, threads, settings, out })], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** Wall time and peak RSS of an external command (GNU time when present). */
function timed(cmd, args, env = process.env) {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  const rss = Number(r.stderr.trim().split('\n').at(-1)) / 1024;
  return { seconds: (performance.now() - t) / 1000, maxRssMB: rss };
}

const have = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;

// The full corpus is the quarter corpus four times over: both have exactly
// the same vocabulary, so a difference in peak memory between them could
// only come from the corpus size (it should not: the trainer streams).
const small = join(dir, 'quarter.txt');
const quarterTokens = await generate(small, Math.floor(tokens / 4));
const corpus = join(dir, 'corpus.txt');
for (let i = 0; i < 4; i++) appendFileSync(corpus, readFileSync(small));
const written = 4 * quarterTokens;
const slice = join(dir, 'slice.txt');
await generate(slice, Math.min(tokens, 1_000_000));
console.log(`corpus: ${written} tokens, ${(statSync(corpus).size / 1e6).toFixed(0)} MB; settings ${JSON.stringify(settings)}; ${cores} cores; ${runs} runs each (median)`);

const rows = [];
const add = (name, threads, corpusTokens, trials, acc) => {
  const seconds = median(trials.map((t) => t.seconds));
  rows.push({ name, threads, tokens: corpusTokens, seconds, wordsPerSec: corpusTokens * epochs / seconds,
              maxRssMB: Math.max(...trials.map((t) => t.maxRssMB)), analogyAccuracy: acc });
  const r = rows.at(-1);
  console.log(`${name.padEnd(22)} ${String(threads).padStart(3)} thr  ${String(corpusTokens).padStart(10)} tok  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(r.wordsPerSec / 1000).toString().padStart(6)}k words/s  ${r.maxRssMB.toFixed(0).padStart(5)} MB${acc === undefined ? '' : `  analogies ${(100 * acc).toFixed(0)}%`}`);
};
const repeat = (n, f) => Array.from({ length: n }, f);

const vec = (name) => join(dir, `${name}.vec`);
add('fastnn native', 1, written, repeat(runs, () => fastnn('native', corpus, 1)));
const nativeAll = repeat(runs, (_, i) => fastnn('native', corpus, cores, i === 0 ? vec('fastnn') : undefined));
add('fastnn native', cores, written, nativeAll, await accuracy(vec('fastnn')));
add('fastnn native (¼ corpus)', cores, quarterTokens, repeat(1, () => fastnn('native', small, cores)));
const sliceTokens = Math.min(tokens, 1_000_000);
add('fastnn ts (1M slice)', 1, sliceTokens, repeat(1, () => fastnn('js', slice, 1)));

if (have('fasttext', ['help']) || existsSync('/usr/bin/fasttext')) {
  for (const threads of [1, cores]) {
    const out = join(dir, `ft${threads}`);
    const trials = repeat(runs, () => timed('fasttext', ['skipgram', '-input', corpus, '-output', out, '-minn', '0', '-maxn', '0',
      '-dim', String(dim), '-ws', '5', '-neg', '5', '-minCount', '5', '-t', '1e-3', '-lr', '0.025', '-epoch', String(epochs),
      '-thread', String(threads), '-verbose', '0']));
    add('fastText skipgram', threads, written, trials, threads === cores ? await accuracy(`${out}.vec`) : undefined);
  }
}

if (have('/usr/bin/python3', ['-c', 'import gensim'])) {
  const script = join(dir, 'gensim_run.py');
  writeFileSync(script, `import sys
from gensim.models import Word2Vec
m = Word2Vec(corpus_file=sys.argv[1], vector_size=${dim}, window=5, negative=5, min_count=5, sample=1e-3, alpha=0.025, min_alpha=0.0000025, epochs=${epochs}, sg=1, hs=0, workers=int(sys.argv[2]), seed=1)
if len(sys.argv) > 3: m.wv.save_word2vec_format(sys.argv[3])
`);
  // OpenBLAS settings of this machine's environment are not meant for gensim: unset them for its runs only.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  for (const threads of [1, cores]) {
    const trials = repeat(runs, (_, i) => timed('/usr/bin/python3', [script, corpus, String(threads), ...(i === 0 && threads === cores ? [vec('gensim')] : [])], env));
    add('gensim Word2Vec sg=1', threads, written, trials, threads === cores ? await accuracy(vec('gensim')) : undefined);
  }
}

const fastest = (threads) => rows.filter((r) => r.threads === threads && !r.name.startsWith('fastnn') ).reduce((a, r) => (a && a.wordsPerSec > r.wordsPerSec ? a : r), null);
const ratios = {};
for (const threads of [1, cores]) {
  const ours = rows.find((r) => r.name === 'fastnn native' && r.threads === threads);
  const peer = fastest(threads);
  if (ours && peer) {
    ratios[`threads=${threads}`] = { peer: peer.name, ratio: ours.wordsPerSec / peer.wordsPerSec };
    console.log(`fastnn / ${peer.name} at ${threads} thread(s): ${(ours.wordsPerSec / peer.wordsPerSec).toFixed(2)}×`);
  }
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'word2vec.json'), JSON.stringify({ date: new Date().toISOString(), tokens: written, settings, cores, runs, rows, ratios }, null, 2) + '\n');
rmSync(dir, { recursive: true, force: true });
