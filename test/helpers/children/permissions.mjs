// Run by test/io/paths.test.ts as an unprivileged user (test/helpers/as-user.ts):
// root passes every permission check, so what a user without permission sees
// is checked in a child that is such a user. `node permissions.mjs <backend>
// save <dir>` saves a model into dir; `... load <loader> <path>` loads path
// with one of the loaders below. Prints the error's class and message as JSON.
import { Autoencoder, MLP, readIdx, useBackend, Word2Vec, WordVectors } from '../../../dist/index.js';
import { loadCheckpoint } from '../../../dist/nn/checkpoint.js';

const [backend, action, name, path] = process.argv.slice(2);
useBackend(backend);
const loaders = {
  'MLP.load': (p) => MLP.load(p),
  'Autoencoder.load': (p) => Autoencoder.load(p),
  loadCheckpoint: (p) => loadCheckpoint(p),
  'Word2Vec.resume': (p) => Word2Vec.resume(p),
  'WordVectors.load (text)': (p) => WordVectors.load(p, { format: 'text' }),
  'WordVectors.load (binary)': (p) => WordVectors.load(p, { format: 'binary' }),
  readIdx: (p) => readIdx(p),
  'Word2Vec.train input': (p) => Word2Vec.train({ input: p, epochs: 1 }),
};
const run = action === 'save' ? () => new MLP({ layers: [2, 3, 1], task: 'regression' }).save(`${name}/m.safetensors`) : () => loaders[name](path);
try {
  await run();
  process.stdout.write(JSON.stringify({ error: null }) + '\n');
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.constructor.name, message: err.message }) + '\n');
}
