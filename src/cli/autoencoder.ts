/**
 * `fastnn autoencoder`: trains an autoencoder on IDX images (MNIST,
 * Fashion-MNIST) or, without --images, on built-in generated shapes; saves
 * the model, optionally the codes (raw little-endian float32, n × code) and a
 * PNG of originals (the test images when given) above their reconstructions.
 * Progress goes to stderr.
 * Ctrl-C or SIGTERM writes a checkpoint (--checkpoint FILE, else OUT.ckpt)
 * between two batches and exits with 130 or 143; --resume FILE continues it.
 * --map FILE draws the codes in 2-D (coloured by --labels, or by shape kind
 * for the generated shapes); --plot FILE draws the loss per epoch the
 * progress lines print, on the training and the --test-images.
 */
import { Activation, type ActivationName } from '../backend/backend.js';
import { Autoencoder, type AutoencoderConfig } from '../nn/autoencoder.js';
import {
  fitAutoencoderWithCheckpoints,
  loadCheckpoint,
  resumeAutoencoderFit,
  type AutoencoderResumeOptions,
  type CheckpointSettings,
} from '../nn/checkpoint.js';
import { checkpointRole, checkpointTarget, onStopSignals, reportInterrupted, stoppedBy } from './interrupt.js';
import { backendInfo } from '../backend/select.js';
import { checkWritable, writeFileAtomic, type WriteOptions } from '../io/atomic.js';
import { checkRunPaths } from '../io/run-paths.js';
import { basename } from 'node:path';
import { readIdxImages, readIdxLabels } from '../io/idx.js';
import { imageStrips, writeGrayPng } from '../io/png.js';
import { generateShapes, SHAPE_KINDS } from '../datasets/shapes.js';
import { scatterPlot } from '../plot/scatter.js';
import { Matrix } from '../tensor.js';
import { applyBackendOption, backendOption, distributedOption, forceOption, writesOutputs, parseCommand, resumeOption, type CommandSpec } from './options.js';
import { LossLog, mapMethod, pictureTarget, toPlane, writePicture, type MapMethod } from './pictures.js';

function positive(flag: string, v: string, integer: boolean): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new RangeError(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
  return n;
}

/** The training images, and for generated shapes the kind of each (SHAPE_KINDS), which --map colours by. */
async function images(path: string | undefined, limit: number | undefined, seed: number): Promise<{ x: Matrix; kinds: string[] | null }> {
  if (path === undefined) {
    const shapes = generateShapes(limit ?? 2000, { seed });
    return { x: shapes.images, kinds: Array.from(shapes.labels, (k) => SHAPE_KINDS[k]!) };
  }
  const all = await readIdxImages(path, { scale: true });
  if (limit === undefined || limit >= all.rows) return { x: all, kinds: null };
  return { x: new Matrix(all.data.subarray(0, limit * all.cols), limit, all.cols), kinds: null };
}

// Codes of this many images at most go on a --map: more points only hide each other.
const MAP_POINTS = 2000;

/** The class of each of n images for --map, from the --labels file. */
async function classes(labelsPath: string, n: number): Promise<Int32Array> {
  const labels = await readIdxLabels(labelsPath);
  if (labels.length < n) throw new RangeError(`--labels ${labelsPath} holds ${labels.length} labels for ${n} images`);
  return labels.subarray(0, n);
}

/**
 * The legend names of --class-names NAME,NAME,…: one per class the --map
 * shows, in the order of their labels (smallest first), so MNIST-style
 * labels 0–9 take the names in the order the dataset documents them.
 */
function classNames(list: string, labels: ArrayLike<number>, n: number): string[] {
  const names = list.split(',').map((name) => name.trim());
  const present = new Set(Array.from(labels).slice(0, Math.min(MAP_POINTS, n))).size;
  if (names.length !== present || names.some((name) => name === '')) {
    throw new RangeError(
      `--class-names gives ${names.length} name${names.length === 1 ? '' : 's'} for the ${present} classes on the --map; give one non-empty name per class, comma-separated`,
    );
  }
  return names;
}

async function drawCodes(
  ae: Autoencoder,
  x: Matrix,
  labels: ArrayLike<number | string> | undefined,
  names: string[] | undefined,
  method: MapMethod,
  seed: number,
  path: string,
  save: WriteOptions,
): Promise<void> {
  const n = Math.min(MAP_POINTS, x.rows);
  const codes = ae.encode(new Matrix(x.data.subarray(0, n * x.cols), n, x.cols));
  const direct = codes.cols === 2;
  const axis = direct ? 'code unit' : method === 'pca' ? 'principal component' : 'Sammon coordinate';
  const figure = scatterPlot(await toPlane(codes, method, seed), {
    ...(labels !== undefined ? { classes: Array.from(labels).slice(0, n) } : {}),
    ...(names !== undefined ? { classNames: names } : {}),
    title: `codes of ${n}${n < x.rows ? ` of ${x.rows}` : ''} images, ${codes.cols}-unit code layer${direct ? '' : ` (${method === 'pca' ? 'PCA' : 'Sammon map'})`}`,
    xTitle: `${axis} 1`,
    yTitle: `${axis} 2`,
  });
  await writePicture(figure, path, `a map of ${n} codes`, save);
}

const ACTIVATIONS = Object.keys(Activation) as ActivationName[];

function activation(flag: string, v: string): ActivationName {
  if (!(ACTIVATIONS as string[]).includes(v)) throw new RangeError(`--${flag} must be one of ${ACTIVATIONS.join(', ')}, got '${v}'`);
  return v as ActivationName;
}

/**
 * The activation of every hidden layer, encoder then decoder: --hidden
 * around a --code layer. The CLI's defaults are its own, not the library's
 * (sigmoid everywhere): sigmoid units saturate a 2-unit code into one
 * corner of the map (every code within 0.98–1.00), where ReLU layers
 * around a linear code give codes that spread, and train to a lower error.
 */
function hiddenLayers(layers: number[], hidden: string, code: string | undefined, sparse: boolean): ActivationName[] {
  const around = activation('hidden', hidden);
  const middle = activation('code', code ?? (sparse ? 'sigmoid' : 'identity'));
  if (sparse && middle !== 'sigmoid') {
    throw new RangeError(`--sparse needs --code sigmoid (its penalty is on mean activations in (0, 1)), got --code ${middle}`);
  }
  const encoder = new Array<ActivationName>(layers.length - 2).fill(around);
  return [...encoder, middle, ...encoder];
}

export const autoencoderCommand = {
  name: 'autoencoder',
  summary:
    'train an autoencoder on IDX images (MNIST, Fashion-MNIST) or, without --images, on generated shapes; save it, ' +
    'optionally its codes, a picture of reconstructions, a map of the codes and a loss curve. Ctrl-C or SIGTERM writes a checkpoint and exits with 130 or 143',
  usage: '--out FILE [options]',
  options: {
    out: { type: 'string', value: 'FILE', help: 'where the model is saved (safetensors); required' },
    images: { type: 'string', value: 'IDX', help: 'training images, raw or gzip (default: generated shapes)' },
    'test-images': { type: 'string', value: 'IDX', help: 'images to report the test reconstruction error on' },
    limit: { type: 'string', value: 'N', help: 'use the first N images (default all; 2000 generated shapes)' },
    layers: { type: 'string', value: 'W,W,…', help: 'encoder widths from the image size to the code (default SIZE,256,64)' },
    hidden: {
      type: 'string',
      value: 'ACT',
      default: 'relu',
      help: 'activation of the hidden layers between the image and the code: sigmoid, tanh, relu, leakyRelu, identity',
    },
    code: {
      type: 'string',
      value: 'ACT',
      help: 'activation of the code layer (default identity: a linear code, which spreads out on a --map; sigmoid with --sparse, which needs it)',
    },
    loss: {
      type: 'string',
      value: 'bce|mse|sigmoidMse',
      default: 'bce',
      help: 'reconstruction loss: cross-entropy (sigmoid output), squared error (linear output) or squared error with a sigmoid output',
    },
    denoise: { type: 'string', value: 'P', help: 'zero this fraction of each input, in [0, 1)' },
    sparse: { type: 'string', value: 'RHO,BETA', help: 'KL sparsity penalty on the code layer' },
    tied: { type: 'boolean', help: "decoder weights are the encoder's transposed" },
    epochs: { type: 'string', value: 'N', default: '5', help: 'epochs, ≥ 1' },
    batch: { type: 'string', value: 'B', default: '64', help: 'minibatch size, ≥ 1' },
    lr: { type: 'string', value: 'LR', default: '0.001', help: 'Adam learning rate, > 0' },
    seed: { type: 'string', value: 'S', default: '1', help: 'seed of the weights, the shuffles and the generated shapes' },
    codes: { type: 'string', value: 'FILE', help: 'write the codes as raw little-endian float32 (n × code width)' },
    picture: { type: 'string', value: 'PNG', help: 'write 16 originals (the test images when given) above their reconstructions' },
    backend: backendOption,
    checkpoint: { type: 'string', value: 'FILE', help: 'checkpoint after every epoch and on Ctrl-C or SIGTERM (default on a signal only, to OUT.ckpt)' },
    resume: resumeOption,
    map: { type: 'string', value: 'FILE', help: 'draw the codes in 2-D (.svg or .png): a 2-unit code directly, wider codes by --map-method' },
    'map-method': { type: 'string', value: 'pca|sammon', default: 'pca', help: 'how codes wider than 2 are brought to 2-D' },
    labels: { type: 'string', value: 'IDX', help: 'colour the --map points by these labels (default for generated shapes: their kind)' },
    'class-names': { type: 'string', value: 'NAME,NAME,…', help: 'what the --map legend calls the --labels classes, smallest label first' },
    plot: { type: 'string', value: 'FILE', help: 'draw the training (and test) loss per epoch (.svg or .png)' },
    force: forceOption,
    distributed: distributedOption,
  },
  examples: [
    'fastnn autoencoder --out ae.safetensors --epochs 3 --picture recon.png',
    'fastnn autoencoder --out ae.safetensors --layers 784,128,2 --map codes.svg --plot loss.svg',
    'fastnn autoencoder --images train-images-idx3-ubyte.gz --layers 784,256,64 --denoise 0.2 --out ae.safetensors',
  ],
} satisfies CommandSpec;

export async function runAutoencoder(args: string[]): Promise<void> {
  const parsed = parseCommand(autoencoderCommand, args);
  if (parsed === null) return;
  const { values } = parsed;
  if (values.out === undefined) throw new TypeError('--out FILE is required (where the model is saved, e.g. --out ae.safetensors)');
  const save = { overwrite: values.force === true };
  const target = checkpointTarget(values.checkpoint, `${values.out}.ckpt`, save.overwrite);
  const role = checkpointRole(values.checkpoint);
  // Every file the run writes is checked before training, so a bad path loses no work and no output replaces an input.
  await checkRunPaths({
    reads: { '--images': values.images, '--test-images': values['test-images'], '--labels': values.labels, '--resume': values.resume },
    writes: { '--out': values.out, '--codes': values.codes, '--picture': values.picture, '--map': values.map, '--plot': values.plot, [role]: target.path },
    inPlace: ['--resume', role],
    commandLine: true,
  });
  for (const out of [values.out, values.codes, values.picture]) if (out !== undefined) await checkWritable(out, save);
  const epochs = positive('epochs', values.epochs, true);
  const batchSize = positive('batch', values.batch, true);
  const lr = positive('lr', values.lr, false);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`--seed must be a non-negative integer, got ${values.seed}`);
  const limit = values.limit === undefined ? undefined : positive('limit', values.limit, true);
  applyBackendOption(values.backend);
  if (values.loss !== 'mse' && values.loss !== 'bce' && values.loss !== 'sigmoidMse') {
    throw new RangeError(`--loss must be mse, bce or sigmoidMse, got ${values.loss}`);
  }
  const method = mapMethod('map-method', values['map-method']);
  const map = await pictureTarget('map', values.map, save);
  const plot = await pictureTarget('plot', values.plot, save);
  if (values.labels !== undefined && map === undefined) throw new TypeError('--labels colours the points of --map: give --map FILE too');
  if (values.labels !== undefined && values.images === undefined) throw new TypeError('--labels needs --images: the generated shapes carry their own kinds');
  if (values['class-names'] !== undefined && values.labels === undefined)
    throw new TypeError('--class-names names the classes of --labels: give --labels IDX too');
  const { x, kinds } = await images(values.images, limit, seed);
  const labelled = values.labels === undefined || map === undefined ? undefined : await classes(values.labels, x.rows);
  const labels = map === undefined ? undefined : (labelled ?? kinds ?? undefined);
  const names = labelled === undefined || values['class-names'] === undefined ? undefined : classNames(values['class-names'], labelled, x.rows);
  const test = values['test-images'] === undefined ? undefined : await readIdxImages(values['test-images'], { scale: true });
  const layers = values.layers === undefined ? [x.cols, 256, 64] : values.layers.split(',').map((w) => positive('layers', w, true));
  if (layers[0] !== x.cols) throw new RangeError(`--layers must start with the image size ${x.cols}, got ${layers[0]}`);
  const config: AutoencoderConfig = {
    layers,
    hidden: hiddenLayers(layers, values.hidden, values.code, values.sparse !== undefined),
    loss: values.loss,
    tiedWeights: values.tied ?? false,
    seed,
  };
  if (values.denoise !== undefined) {
    const level = Number(values.denoise);
    if (!(level >= 0 && level < 1)) throw new RangeError(`--denoise must be a masking fraction in [0, 1), got ${values.denoise}`);
    config.denoise = level;
  }
  if (values.sparse !== undefined) {
    const [rho, beta, extra] = values.sparse.split(',').map(Number);
    if (extra !== undefined || !(rho! > 0 && rho! < 1) || !(beta! >= 0)) {
      throw new RangeError(`--sparse must be RHO,BETA with RHO in (0, 1) and BETA ≥ 0, got ${values.sparse}`);
    }
    config.sparse = { rho: rho!, beta: beta! };
  }
  const interrupt = onStopSignals();
  let ae: Autoencoder;
  let settings: CheckpointSettings = { epochs, batchSize, optimizer: { type: 'adam', lr } };
  if (values.resume !== undefined) {
    // The model and the training settings are the checkpoint's; the data flags still choose the data.
    const saved = await loadCheckpoint(values.resume);
    if (!(saved.model instanceof Autoencoder)) throw new TypeError(`--resume ${values.resume} holds an MLP checkpoint, not an autoencoder's`);
    if (saved.model.inputs !== x.cols) throw new RangeError(`--resume ${values.resume} is for images of ${saved.model.inputs} pixels, these have ${x.cols}`);
    ae = saved.model;
    settings = saved.meta.settings;
  } else {
    ae = new Autoencoder(config);
  }
  // In a data-parallel run every rank ends with the same model; rank 0 alone reports and writes.
  const writer = await writesOutputs(values.distributed);
  const source = values.images ?? 'generated shapes';
  if (writer)
    process.stderr.write(
      `fastnn autoencoder: ${x.rows} images of ${x.cols} pixels from ${source}, layers ${ae.layers.join('-')}, backend ${backendInfo().active}\n`,
    );
  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  let pending = false; // a live progress line waits for its end
  const line = (epoch: number, samples: number, loss: number, end: string) => {
    if (!writer) return;
    const rate = samples / ((performance.now() - started) / 1000);
    process.stderr.write(`${tty ? '\r' : ''}epoch ${epoch}/${settings.epochs}  loss ${loss.toFixed(4)}  ${Math.round(rate)} samples/s${end}`);
    pending = end === '';
  };
  let first = 0; // samples/s counts this run's epochs only
  const losses = new LossLog();
  const callbacks: AutoencoderResumeOptions = {
    signal: interrupt.signal,
    ...(values.distributed === true ? { distributed: true } : {}),
    // The test images double as validation data when the loss is drawn.
    ...(plot !== undefined && test !== undefined ? { validationData: { x: test } } : {}),
    // Live updates only on a terminal; a log gets one line per epoch.
    ...(tty ? { onProgress: ({ epoch, samples, loss }) => line(epoch, samples, loss, ''), progressEvery: 50 } : {}),
    onEpoch: ({ epoch, loss, valLoss }) => {
      losses.record(epoch, loss, valLoss);
      first ||= epoch;
      line(epoch, (epoch - first + 1) * x.rows, loss, '\n');
    },
  };
  try {
    if (values.resume !== undefined) ae = (await resumeAutoencoderFit(values.resume, x, { ...callbacks, checkpoint: target })).model;
    else await fitAutoencoderWithCheckpoints(ae, x, { ...settings, ...callbacks }, target);
  } catch (err) {
    if (!interrupt.signal.aborted) throw err;
    return reportInterrupted('autoencoder', args, target.path, pending, stoppedBy(interrupt.signal));
  } finally {
    interrupt.dispose();
  }
  if (!writer) return;
  const train = ae.evaluate(x).mse;
  let report = `reconstruction MSE per pixel: train ${train.toFixed(5)}`;
  if (test !== undefined) {
    report += `, test ${ae.evaluate(test).mse.toFixed(5)} (${test.rows} images)`;
  }
  process.stderr.write(`${report}\n`);
  await ae.save(values.out, save);
  if (values.codes !== undefined) {
    const codes = ae.encode(x);
    await writeFileAtomic(values.codes, [new Uint8Array(codes.data.buffer, codes.data.byteOffset, codes.data.byteLength)], save);
    process.stderr.write(`codes: ${codes.rows} × ${codes.cols} float32 (little-endian) in ${values.codes}\n`);
  }
  if (values.picture !== undefined) {
    const side = Math.round(Math.sqrt(x.cols));
    if (side * side !== x.cols) throw new RangeError(`--picture needs square images, these have ${x.cols} pixels`);
    // Images the model never trained on show what it learned; training images only what it can recall.
    const from = test ?? x;
    const n = Math.min(16, from.rows);
    const shown = new Matrix(from.data.subarray(0, n * from.cols), n, from.cols);
    const { pixels, width, height } = imageStrips([shown, ae.reconstruct(shown)], 16, side);
    await writeGrayPng(values.picture, pixels, width, height, save);
    process.stderr.write(`wrote ${n} ${test === undefined ? 'training' : 'test'} images above their reconstructions to ${values.picture}\n`);
  }
  if (map !== undefined) await drawCodes(ae, x, labels, names, method, seed, map, save);
  if (plot !== undefined) {
    // The curves are the loss the progress lines print: the training objective of one image, summed over its pixels
    // (not the MSE per pixel of the report, which would take a pass over the data after every epoch).
    const what = ae.loss === 'bce' ? 'cross-entropy' : '½ squared error';
    await losses.write(plot, `fastnn autoencoder ${ae.layers.join('-')} on ${values.images === undefined ? source : basename(values.images)}`, save, {
      yTitle: `${ae.loss} loss per image (${what} summed over ${x.cols} pixels)`,
      valName: 'test',
    });
  }
}
