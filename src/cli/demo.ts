/**
 * `fastnn demo`: the library's main job on built-in data. Three interleaved
 * spirals in 2-D are not linearly separable, so a perceptron fails on them
 * and a two-hidden-layer MLP learns them; the demo prints the loss per epoch,
 * the accuracy on held-out points, and which backend ran. Ctrl-C or SIGTERM
 * writes a checkpoint (--checkpoint FILE, else fastnn-demo.ckpt in the
 * current directory) between two batches and exits with 130 or 143; --resume
 * FILE continues it. --plot FILE draws the training and held-out loss per
 * epoch (.svg or .png).
 */
import { MLP } from '../nn/mlp.js';
import { fitWithCheckpoints, resumeFit, type ResumeOptions } from '../nn/checkpoint.js';
import { checkpointRole, checkpointTarget, onStopSignals, reportInterrupted, stoppedBy } from './interrupt.js';
import { checkRunPaths } from '../io/run-paths.js';
import { backendInfo } from '../backend/select.js';
import { spirals } from '../datasets/spirals.js';
import { applyBackendOption, backendOption, distributedOption, forceOption, parseCommand, resumeOption, writesOutputs, type CommandSpec } from './options.js';
import { LossLog, pictureTarget } from './pictures.js';

const DEFAULT_CHECKPOINT = 'fastnn-demo.ckpt';

export const demoCommand = {
  name: 'demo',
  summary:
    'train an MLP (2-64-64-3, tanh) on three interleaved spirals, print the loss per epoch, the held-out accuracy ' +
    '(about 98% after the default 40 epochs) and the backend',
  usage: '[options]',
  options: {
    epochs: { type: 'string', value: 'N', default: '40', help: 'epochs to train, ≥ 1' },
    seed: { type: 'string', value: 'S', default: '1', help: 'seed of the data and the initial weights' },
    backend: backendOption,
    checkpoint: {
      type: 'string',
      value: 'FILE',
      help: `checkpoint after every epoch and on Ctrl-C or SIGTERM (default on a signal only, to ${DEFAULT_CHECKPOINT})`,
    },
    resume: resumeOption,
    plot: { type: 'string', value: 'FILE', help: 'draw the training and held-out loss per epoch (.svg or .png)' },
    force: forceOption,
    distributed: distributedOption,
  },
  examples: ['fastnn demo', 'fastnn demo --backend js --seed 2', 'fastnn demo --plot loss.svg'],
} satisfies CommandSpec;

export async function runDemo(args: string[]): Promise<void> {
  const parsed = parseCommand(demoCommand, args);
  if (parsed === null) return;
  const { values } = parsed;
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`--epochs must be a positive integer, got ${values.epochs}`);
  applyBackendOption(values.backend);
  const save = { overwrite: values.force === true };
  const target = checkpointTarget(values.checkpoint, DEFAULT_CHECKPOINT, save.overwrite);
  const role = checkpointRole(values.checkpoint);
  await checkRunPaths({
    reads: { '--resume': values.resume },
    writes: { [role]: target.path, '--plot': values.plot },
    inPlace: ['--resume', role],
    commandLine: true,
  });
  const plot = await pictureTarget('plot', values.plot, save);
  // In a data-parallel run every rank trains the same model; rank 0 alone prints and writes.
  const writer = await writesOutputs(values.distributed);
  const say = writer ? console.log : () => {};
  const info = backendInfo();
  say(
    `fastnn demo: backend ${info.active}${info.active === 'native' ? ` (addon ${info.native.version}; CPU ${info.native.cpuFeatures.join(' ') || 'baseline'})` : ''}`,
  );

  const train = spirals(300, 3, seed);
  const test = spirals(100, 3, seed + 1);
  say('task: 3 interleaved spirals in 2-D (900 training points, 300 held out), MLP 2-64-64-3, tanh, softmax cross-entropy');
  const interrupt = onStopSignals();
  const losses = new LossLog();
  const callbacks: ResumeOptions = {
    signal: interrupt.signal,
    ...(values.distributed === true ? { distributed: true } : {}),
    // The held-out points double as validation data when the loss is drawn.
    ...(plot !== undefined ? { validationData: test } : {}),
    onEpoch: ({ epoch, loss, valLoss }) => {
      losses.record(epoch, loss, valLoss);
      if (epoch === 1 || epoch % 5 === 0 || epoch === epochs) say(`epoch ${String(epoch).padStart(3)}  loss ${loss.toFixed(4)}`);
    },
  };
  const started = performance.now();
  let net: MLP;
  try {
    if (values.resume !== undefined) {
      // The network and its training settings come from the checkpoint; --seed still makes the data.
      net = (await resumeFit(values.resume, train.x, train.y, { ...callbacks, checkpoint: target })).model;
    } else {
      net = new MLP({ layers: [2, 64, 64, 3], task: 'multiclass', hidden: 'tanh', seed });
      await fitWithCheckpoints(net, train.x, train.y, { epochs, batchSize: 16, optimizer: { type: 'sgd', lr: 0.1 }, ...callbacks }, target);
    }
  } catch (err) {
    if (!interrupt.signal.aborted) throw err;
    return reportInterrupted('demo', args, target.path, false, stoppedBy(interrupt.signal));
  } finally {
    interrupt.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const { accuracy, loss } = net.evaluate(test.x, test.y);
  say(`trained in ${seconds.toFixed(2)} s; held-out loss ${loss.toFixed(4)}, accuracy ${(100 * accuracy!).toFixed(1)}%`);
  if (writer && plot !== undefined) await losses.write(plot, 'fastnn demo: MLP 2-64-64-3 on three spirals, softmax cross-entropy', save);
}
