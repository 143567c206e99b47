// Run by test/distributed/word2vec.test.ts under mpirun: Word2Vec.train (or
// Word2Vec.resume) on the compiled package with the options of argv[2] (JSON).
// Per rank it prints one JSON line: the vocabulary, a hash of the vectors,
// the training stats, the learning rate of its first progress report and the
// planted analogies it gets right; or the error.
// Test knobs, by rank: `byRank` (options merged in on that rank: mismatched
// settings or corpora), `killRank` (that rank SIGKILLs itself at its first
// progress report after `killAfterWords` words), `abortRank` (aborts its signal
// likewise), `output` (rank 0 saves the vectors there).
import { createHash } from 'node:crypto';
import { Word2Vec } from '../../../dist/index.js';
import { distributed } from '../../../dist/distributed/world.js';
import { plantedAnalogies } from '../../../dist/datasets/planted-corpus.js';

const config = JSON.parse(process.argv[2]);
const { rank } = await distributed();
const options = { ...config.options, ...(config.byRank?.[rank] ?? {}) };
const controller = new AbortController();
const knob = (which) => config[which] === rank;
let firstLr = null;
options.onProgress = (p) => {
  firstLr ??= p.lr;
  if (p.words < (config.killAfterWords ?? 0)) return;
  if (knob('killRank')) process.kill(process.pid, 'SIGKILL');
  if (knob('abortRank')) controller.abort(new Error('stopped by the test'));
};
options.signal = controller.signal;
try {
  const v = config.resume ? await Word2Vec.resume(config.resume, options) : await Word2Vec.train(options);
  const q = plantedAnalogies();
  const right = q.filter(([a, b, c, e]) => v.analogy(a, b, c)[0]?.word === e).length;
  const { words, epochsCompleted, distributed: d, checkpoint } = v.training;
  if (config.output && rank === 0) await v.save(config.output);
  console.log(
    JSON.stringify({
      rank,
      words,
      epochsCompleted,
      distributed: d,
      checkpoint,
      right,
      of: q.length,
      firstLr,
      size: v.size,
      vocab: createHash('sha256').update(v.words.join('\n')).digest('hex'),
      vectors: createHash('sha256')
        .update(new Uint8Array(v.vectors.buffer, v.vectors.byteOffset, v.vectors.byteLength))
        .digest('hex'),
    }),
  );
} catch (err) {
  console.log(JSON.stringify({ rank, error: err.message }));
  process.exitCode = 1;
}
