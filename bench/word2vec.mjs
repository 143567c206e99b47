#!/usr/bin/env node
/**
 * word2vec benchmark: fastnn (native, both kernels), gensim (Debian
 * python3-gensim, Word2Vec(corpus_file=...), OPENBLAS_* unset for it) and
 * fastText (Debian fasttext, skipgram -minn 0 -maxn 0) on the same corpus,
 * settings and thread counts, each in a child process.
 *
 * Tools: classic, batched (the kernels with word2vec.c's limit gradient for a
 * saturated score), classic-skip, batched-skip (gensim's rule), gensim, fasttext.
 *
 * Corpora (built once into bench/.corpus/):
 *   zipf     --tokens tokens, Zipf(1) over 70 000 word types, lines of 8–23 words;
 *   english  real English text (bench/lib/english-corpus.mjs: Brown + nlp-corpus, 2.6 M tokens).
 * Words/s = corpus tokens × epochs / wall time of the whole run, vocabulary
 * pass included, for every tool alike. On english, each run is scored:
 * analogy top-1 accuracy (questions-words, vocabulary restricted to the
 * 30 000 most frequent words, as gensim does) and WS353 Spearman ρ, with
 * shared/data/word2vec-eval/ beside the checkout; --seeds n repeats every run with seeds 1..n.
 * --vocab times the vocabulary pass alone against reading the file (--runs
 * runs, medians; --backend js for the TS backend's), writes
 * bench/results/word2vec-vocab-<corpus>.json.
 * --ranks 2,4 adds fastnn batched under mpirun with that many ranks, each with
 * the table's thread count (so "2 ranks" in the 1-thread table is 2 ranks × 1
 * thread, to set against batched in the 2-thread table), and the shares of
 * wall time rank 0 spent averaging rows (communication; training goes on) and
 * waiting at the rounds' starts for the other rank (mpirun --bind-to none,
 * shared memory between the ranks). Each rank count also runs with its rounds
 * put off to the end (the same work, no communication meanwhile): the
 * difference in wall time is printed as what the rounds cost.
 * --sync '{"seconds":0.05}' sets the ranks' averaging (Word2Vec.train's sync).
 * Prints a table per thread count; writes bench/results/word2vec-<corpus>.json.
 *
 *   node bench/word2vec.mjs --corpus zipf --tokens 20000000 --epochs 1 --threads 1,2
 *   node bench/word2vec.mjs --corpus english --epochs 5 --threads 1,2 --seeds 3
 *   node bench/word2vec.mjs --corpus zipf --vocab --runs 5
 *   node bench/word2vec.mjs --corpus english --epochs 5 --threads 1,2 --tools batched --ranks 2 --seeds 3
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { englishCorpus } from './lib/english-corpus.mjs';
import { machineInfo } from './lib/machine.mjs';
import { median } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', p);
const corpusDir = join(root, 'bench', '.corpus');
// shared/ sits beside the checkout (main) or two levels up (a worktree under wt/).
const evalDir =
  [join(root, '..', 'shared'), join(root, '..', '..', 'shared')]
    .map((d) => join(d, 'data', 'word2vec-eval'))
    .find((d) => existsSync(join(d, 'questions-words.txt'))) ?? '';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'zipf' },
    tokens: { type: 'string', default: '20000000' },
    epochs: { type: 'string', default: '1' },
    dim: { type: 'string', default: '100' },
    threads: { type: 'string', default: '1,2' },
    seeds: { type: 'string', default: '1' },
    tools: { type: 'string', default: 'classic,batched,gensim,fasttext' },
    vocab: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'native' },
    child: { type: 'string' },
    ranks: { type: 'string', default: '' },
    sync: { type: 'string', default: '' },
  },
});

// ---- child mode: one fastnn run (training, or the vocabulary pass alone) ----
if (values.child) {
  const job = JSON.parse(values.child);
  const { useBackend, getBackend } = await import(dist('backend/select.js'));
  useBackend(job.backend ?? 'native');
  const t = performance.now();
  if (job.vocabOnly) {
    const v = await getBackend().word2vecVocab({ path: job.path, minCount: 5, maxFinalVocab: 0, lowercase: false, part: 0, parts: 1 });
    process.stdout.write(JSON.stringify({ seconds: (performance.now() - t) / 1000, types: v.counts.length }));
    process.exit(0);
  }
  const { Word2Vec } = await import(dist('word2vec/word2vec.js'));
  const v = await Word2Vec.train({ input: job.path, ...job.settings });
  const seconds = (performance.now() - t) / 1000;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  // Under mpirun every rank trains; rank 0 reports and saves (the vectors are the same on every rank).
  const { distributed } = await import(dist('distributed/world.js'));
  if ((await distributed()).rank !== 0) process.exit(0);
  if (job.out) await v.save(job.out, { format: 'text' });
  const d = v.training.distributed;
  process.stdout.write(
    JSON.stringify({
      seconds,
      maxRssMB,
      ...(d ? { syncShare: d.seconds / seconds, syncCpuShare: d.cpuSeconds / seconds, waitShare: d.waitSeconds / seconds, syncRounds: d.rounds } : {}),
    }),
  );
  process.exit(0);
}

const epochs = Number(values.epochs),
  dim = Number(values.dim);
const threadCounts = values.threads.split(',').map(Number);
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
const rankCounts = values.ranks ? values.ranks.split(',').map(Number) : [];
// The ranks' averaging settings (Word2Vec.train's `sync`), e.g. '{"seconds":0.05}'; the library's defaults if not given.
const sync = values.sync ? { sync: JSON.parse(values.sync) } : {};
// A round period no run reaches: the ranks then average only when their jobs end.
const APART_SECONDS = 1e6;
// Each rank count runs twice: with rounds of averaging as set, and with them put off to the run's end, the
// same work without communication between: the difference in wall time is what the rounds cost.
const tools = [...values.tools.split(','), ...rankCounts.flatMap((r) => [`ranks-${r}`, `ranks-${r}-apart`])];
const settings = { vectorSize: dim, window: 5, negative: 5, minCount: 5, sample: 1e-3, alpha: 0.025, minAlpha: 0.0000025, epochs };
mkdirSync(corpusDir, { recursive: true });

/** Zipf(1) over 70 000 types, lines of 8–23 words, from a fixed seed. */
async function zipfCorpus(tokens) {
  const path = join(corpusDir, `zipf-${tokens}.txt`);
  if (existsSync(path)) return path;
  const { Rng } = await import(dist('rng.js'));
  const rng = new Rng(42);
  const V = 70000;
  const cdf = new Float64Array(V);
  let s = 0;
  for (let i = 0; i < V; i++) cdf[i] = s += 1 / (i + 1);
  const zipf = () => {
    const u = rng.uniform() * s;
    let lo = 0,
      hi = V - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (cdf[m] < u) lo = m + 1;
      else hi = m;
    }
    return 'w' + lo;
  };
  const out = createWriteStream(path);
  let lines = [];
  for (let written = 0; written < tokens; ) {
    const n = 8 + rng.below(16);
    const w = [];
    for (let i = 0; i < n; i++) w.push(zipf());
    written += n;
    lines.push(w.join(' '));
    if (lines.length === 4096) {
      if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
      lines = [];
    }
  }
  out.end(lines.join('\n') + '\n');
  await once(out, 'finish');
  return path;
}

const corpus = values.corpus === 'english' ? englishCorpus(corpusDir) : await zipfCorpus(Number(values.tokens));
const text = readFileSync(corpus, 'latin1');
const tokens = text.split(/\s+/).filter(Boolean).length;
const bytes = statSync(corpus).size;
const machine = machineInfo();
console.log(
  `corpus ${values.corpus}: ${tokens} tokens, ${(bytes / 1e6).toFixed(1)} MB; ${JSON.stringify(settings)}; ${machine.cpu}, ${machine.cores} cores; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

function child(job, ranks = 0) {
  const command = [process.execPath, fileURLToPath(import.meta.url), '--child', JSON.stringify(job)];
  // One machine: shared memory between the ranks, with Open MPI's default single-copy transfers (CMA), as a
  // user's mpirun on one machine gets (TCP on loopback, the tests' path between hosts, is far slower here:
  // milliseconds per small message). In a container without ptrace, run the bench with
  // OMPI_MCA_btl_vader_single_copy_mechanism=none in its environment (rounds then take about twice as long).
  const mpi = ['mpirun', '-np', String(ranks), ...(ranks > machine.cores ? ['--oversubscribe'] : []), '--bind-to', 'none'];
  const env = { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' };
  const [cmd, ...args] = ranks > 0 ? [...mpi, ...command] : command;
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

if (values.vocab) {
  // Reading the file alone (into the page cache first, then timed): what the vocabulary pass is compared with.
  readFileSync(corpus);
  const read = [],
    scan = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const t = performance.now();
    readFileSync(corpus);
    read.push((performance.now() - t) / 1000);
    scan.push(child({ path: corpus, vocabOnly: true, backend: values.backend }).seconds);
  }
  const mb = bytes / 1e6;
  const rows = [
    ['read the file', ...read],
    [`vocabulary pass (${values.backend})`, ...scan],
  ].map(([what, ...s]) => [what, median(s).toFixed(3), (mb / median(s)).toFixed(0), s.map((x) => x.toFixed(3)).join(' ')]);
  console.log(
    `medians of ${values.runs} runs, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  printTable(['', 'seconds', 'MB/s', 'runs (s)'], rows);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', `word2vec-vocab-${values.corpus}.json`),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        corpus: values.corpus,
        bytes,
        tokens,
        backend: values.backend,
        readSeconds: read,
        vocabSeconds: scan,
        load: loadavg(),
      },
      null,
      2,
    ) + '\n',
  );
  process.exit(0);
}

const scratch = join(tmpdir(), `fastnn-w2v-bench-${process.pid}`);
mkdirSync(scratch, { recursive: true });

/** Wall time and peak RSS of an external command (GNU time). */
function timed(cmd, args, env = process.env) {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  return { seconds: (performance.now() - t) / 1000, maxRssMB: Number(r.stderr.trim().split('\n').at(-1)) / 1024 };
}

const gensimScript = join(scratch, 'gensim_run.py');
writeFileSync(
  gensimScript,
  `import sys
from gensim.models import Word2Vec
m = Word2Vec(corpus_file=sys.argv[1], vector_size=${dim}, window=5, negative=5, min_count=5, sample=1e-3, alpha=0.025, min_alpha=0.0000025, epochs=${epochs}, sg=1, hs=0, workers=int(sys.argv[2]), seed=int(sys.argv[3]))
m.wv.save_word2vec_format(sys.argv[4])
`,
);
// This machine's OpenBLAS settings are not meant for gensim: unset them for its runs only.
const peerEnv = { ...process.env };
delete peerEnv.OPENBLAS_CORETYPE;
delete peerEnv.OPENBLAS_L2_SIZE;

const fastnn = (kernel, saturated) => (threads, seed, out) => child({ path: corpus, out, settings: { ...settings, threads, seed, kernel, saturated } });
const runners = {
  classic: fastnn('classic', 'limit'),
  batched: fastnn('batched', 'limit'),
  'classic-skip': fastnn('classic', 'skip'),
  'batched-skip': fastnn('batched', 'skip'),
  gensim: (threads, seed, out) => timed('/usr/bin/python3', [gensimScript, corpus, String(threads), String(seed), out], peerEnv),
  ...Object.fromEntries(
    rankCounts.flatMap((ranks) => {
      const run = (extra) => (threads, seed, out) =>
        child({ path: corpus, out, settings: { ...settings, ...extra, threads, seed, kernel: 'batched', saturated: 'limit' } }, ranks);
      return [
        [`ranks-${ranks}`, run(sync)],
        [`ranks-${ranks}-apart`, run({ sync: { ...sync.sync, seconds: APART_SECONDS } })],
      ];
    }),
  ),
  fasttext: (threads, seed, out) =>
    timed('fasttext', [
      'skipgram',
      '-input',
      corpus,
      '-output',
      out.replace(/\.vec$/, ''),
      '-minn',
      '0',
      '-maxn',
      '0',
      '-dim',
      String(dim),
      '-ws',
      '5',
      '-neg',
      '5',
      '-minCount',
      '5',
      '-t',
      '1e-3',
      '-lr',
      '0.025',
      '-epoch',
      String(epochs),
      '-thread',
      String(threads),
      '-seed',
      String(seed),
      '-verbose',
      '0',
    ]),
};
const names = {
  classic: 'fastnn classic, limit',
  batched: 'fastnn batched, limit',
  'classic-skip': 'fastnn classic, skip',
  'batched-skip': 'fastnn batched, skip',
  gensim: 'gensim 4 (sg, corpus_file)',
  fasttext: 'fastText (-minn 0 -maxn 0)',
  ...Object.fromEntries(
    rankCounts.flatMap((r) => [
      [`ranks-${r}`, `fastnn batched, ${r} ranks (mpirun)`],
      [`ranks-${r}-apart`, `the same, averaged at the end only`],
    ]),
  ),
};
const hasMpirun = rankCounts.length > 0 && spawnSync('mpirun', ['--version']).status === 0;
const available = {
  classic: true,
  batched: true,
  'classic-skip': true,
  'batched-skip': true,
  ...Object.fromEntries(rankCounts.flatMap((r) => [`ranks-${r}`, `ranks-${r}-apart`].map((t) => [t, hasMpirun]))),
  gensim: spawnSync('/usr/bin/python3', ['-c', 'import gensim'], { env: peerEnv }).status === 0,
  fasttext: existsSync('/usr/bin/fasttext'),
};

/** Analogy top-1 over the 30 000 most frequent words, and WS353 ρ. */
async function quality(path) {
  const { loadVectors } = await import(dist('word2vec/vectors.js'));
  const { WordVectors } = await import(dist('word2vec/vectors.js'));
  const { evaluateAnalogies, evaluateSimilarity } = await import(dist('word2vec/evaluate.js'));
  const all = await loadVectors(path, { format: 'text', invalidUtf8: 'replace' });
  const n = Math.min(30000, all.words.length);
  const top = new WordVectors(all.words.slice(0, n), all.vectors.slice(0, n * all.dim), all.dim);
  const analogy = await evaluateAnalogies(top, join(evalDir, 'questions-words.txt'));
  const ws = await evaluateSimilarity(all, join(evalDir, 'wordsim353.tsv'));
  return { analogy: analogy.overall.accuracy, analogyCoverage: analogy.coverage, ws353: ws.spearman, ws353Coverage: ws.coverage };
}

const scoring = values.corpus === 'english' && evalDir !== '';
if (values.corpus === 'english' && !scoring) console.log('shared/data/word2vec-eval/ not found: no quality scores');
const results = [];
for (const threads of threadCounts) {
  for (const tool of tools.filter((t) => available[t])) {
    for (const seed of seeds) {
      const out = join(scratch, `${tool}-${threads}-${seed}.vec`);
      const run = runners[tool](threads, seed, out);
      const row = {
        tool,
        threads,
        seed,
        seconds: run.seconds,
        wordsPerSec: (tokens * epochs) / run.seconds,
        maxRssMB: run.maxRssMB,
        load: loadavg()[0],
        ...(run.syncShare !== undefined
          ? { syncShare: run.syncShare, syncCpuShare: run.syncCpuShare, waitShare: run.waitShare, syncRounds: run.syncRounds }
          : {}),
        ...(scoring ? await quality(out) : {}),
      };
      results.push(row);
      rmSync(out, { force: true });
      console.error(JSON.stringify(row));
    }
  }
}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
for (const threads of threadCounts) {
  const rows = tools
    .filter((t) => available[t])
    .map((tool) => {
      const rs = results.filter((r) => r.tool === tool && r.threads === threads);
      const gensim = results.filter((r) => r.tool === 'gensim' && r.threads === threads);
      const wps = median(rs.map((r) => r.wordsPerSec));
      return [
        names[tool],
        median(rs.map((r) => r.seconds)).toFixed(1),
        `${Math.round(wps / 1000)}k`,
        gensim.length ? `${(wps / median(gensim.map((r) => r.wordsPerSec))).toFixed(2)}×` : null,
        Math.round(Math.max(...rs.map((r) => r.maxRssMB))),
        rs[0]?.syncShare !== undefined ? `${(100 * median(rs.map((r) => r.syncShare))).toFixed(1)}%` : '',
        rs[0]?.syncCpuShare !== undefined ? `${(100 * median(rs.map((r) => r.syncCpuShare))).toFixed(1)}%` : '',
        rs[0]?.waitShare !== undefined ? `${(100 * median(rs.map((r) => r.waitShare))).toFixed(1)}%` : '',
        ...(scoring
          ? [
              `${(100 * mean(rs.map((r) => r.analogy))).toFixed(2)}% ± ${(100 * sd(rs.map((r) => r.analogy))).toFixed(2)}`,
              `${mean(rs.map((r) => r.ws353)).toFixed(3)} ± ${sd(rs.map((r) => r.ws353)).toFixed(3)}`,
            ]
          : []),
      ];
    });
  console.log(`\n${threads} thread(s), ${seeds.length} seed(s): wall incl. vocabulary pass (median), mean ± sd of scores`);
  printTable(['tool', 'wall s', 'words/s', 'vs gensim', 'peak MB', 'averaging', 'its CPU', 'waiting', ...(scoring ? ['analogy top-1', 'WS353 ρ'] : [])], rows);
}
for (const ranks of rankCounts) {
  for (const threads of threadCounts) {
    const wall = (tool) => median(results.filter((r) => r.tool === tool && r.threads === threads).map((r) => r.seconds));
    const [together, apart] = [wall(`ranks-${ranks}`), wall(`ranks-${ranks}-apart`)];
    if (together > 0 && apart > 0) {
      console.log(
        `${ranks} ranks × ${threads} thread(s): the rounds cost ${(100 * (1 - apart / together)).toFixed(1)}% of the wall time (${together.toFixed(1)} s against ${apart.toFixed(1)} s)`,
      );
    }
  }
}
if (scoring) {
  const r = results.find((x) => x.analogyCoverage !== undefined);
  console.log(`coverage: analogy ${(100 * r.analogyCoverage).toFixed(1)}% of questions, WS353 ${(100 * r.ws353Coverage).toFixed(1)}% of pairs`);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', `word2vec-${values.corpus}.json`),
  JSON.stringify({ date: new Date().toISOString(), machine, corpus: values.corpus, tokens, settings, results }, null, 2) + '\n',
);
rmSync(scratch, { recursive: true, force: true });
