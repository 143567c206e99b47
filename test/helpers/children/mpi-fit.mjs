// Run by test/distributed/fit.test.ts, alone or under mpirun: one
// data-parallel fit (FitOptions.distributed) of a small MLP or autoencoder on
// seeded data, then one JSON line per rank with its parameters and history.
// argv[2] is a JSON object:
//   kind 'mlp' | 'autoencoder', n rows, batchSize (each rank's), epochs, optimizer;
//   differ: options that rank 1 alone is given (mismatched settings);
//   dieAt: { rank, epoch } — that rank's process is killed after that epoch;
//   abortAt: { rank, epoch } — that rank aborts its fit's signal after that epoch;
//   output: a path rank 0 saves the model to after the fit;
//   pieces: the TS backend's piece sizes (pieces.ts pieceSize), small to cut every step into many pieces.
import { Autoencoder, distributed, Matrix, MLP } from '../../../dist/index.js';
import { pieceSize } from '../../../dist/backend/js/pieces.js';
import { Rng } from '../../../dist/rng.js';

const spec = JSON.parse(process.argv[2]);
if (spec.pieces) Object.assign(pieceSize, spec.pieces);
const { rank, size } = await distributed();
const inputs = 6;
const rng = new Rng(7);
const x = new Matrix(
  Float32Array.from({ length: spec.n * inputs }, () => rng.uniform() * 2 - 1),
  spec.n,
  inputs,
);
// A class from the sign pattern of two features, so there is something to learn.
const labels = Int32Array.from({ length: spec.n }, (_, i) => (x.data[i * inputs] > 0 ? 1 : 0) + (x.data[i * inputs + 1] > 0 ? 2 : 0));
const model =
  spec.kind === 'autoencoder'
    ? new Autoencoder({ layers: [inputs, 4, inputs], seed: 3, ...(spec.denoise ? { denoise: spec.denoise } : {}) })
    : new MLP({ layers: [inputs, 12, 4], task: 'multiclass', hidden: 'tanh', seed: 3 });
const abort = new AbortController();
const options = {
  signal: abort.signal,
  epochs: spec.epochs,
  batchSize: spec.batchSize,
  optimizer: spec.optimizer,
  distributed: true,
  ...(spec.validationSplit ? { validationSplit: spec.validationSplit } : {}),
  ...(rank === 1 ? spec.differ : {}),
  onEpoch: (e) => {
    if (spec.dieAt && rank === spec.dieAt.rank && e.epoch === spec.dieAt.epoch) process.kill(process.pid, 'SIGKILL');
    if (spec.abortAt && rank === spec.abortAt.rank && e.epoch === spec.abortAt.epoch) abort.abort(new Error(`rank ${rank} stops`));
  },
};
try {
  const history = spec.kind === 'autoencoder' ? await model.fit(x, options) : await model.fit(x, labels, options);
  if (spec.output && rank === 0) await model.save(spec.output);
  console.log(
    JSON.stringify({
      rank,
      size,
      params: model.params.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64')),
      loss: history.loss,
      valLoss: history.valLoss ?? null,
    }),
  );
} catch (err) {
  // As the CLI does: the message first, then a failing exit (which ends every rank), so mpirun forwards the message.
  process.stderr.write(`rank ${rank}: ${err.message}\n`);
  process.exitCode = 1;
}
