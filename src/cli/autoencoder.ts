/**
 * `fastnn autoencoder`: trains an autoencoder on IDX images (MNIST,
 * Fashion-MNIST) or, without --images, on built-in generated shapes; saves
 * the model, optionally the codes (raw little-endian float32, n × code) and a
 * PNG of originals above their reconstructions. Progress goes to stderr.
 * Ctrl-C writes a checkpoint (--checkpoint FILE, else OUT.ckpt) after the
 * last completed epoch and exits with 130; --resume FILE continues it.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Autoencoder, type AutoencoderConfig } from '../nn/autoencoder.js';
import {
  fitAutoencoderWithCheckpoints, loadCheckpoint, resumeAutoencoderFit, type CheckpointSettings, type ResumeOptions,
} from '../nn/checkpoint.js';
import { checkpointTarget, onCtrlC, reportInterrupted } from './interrupt.js';
import { backendInfo, useBackend } from '../backend/select.js';
import { readIdxImages } from '../io/idx.js';
import { imageStrips, writeGrayPng } from '../io/png.js';
import { generateShapes } from '../datasets/shapes.js';
import { Matrix } from '../tensor.js';

function positive(flag: string, v: string, integer: boolean): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new RangeError(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
  return n;
}

async function images(path: string | undefined, limit: number | undefined, seed: number): Promise<Matrix> {
  const all = path === undefined ? generateShapes(limit ?? 2000, { seed }).images : await readIdxImages(path, { scale: true });
  if (limit === undefined || limit >= all.rows) return all;
  return new Matrix(all.data.subarray(0, limit * all.cols), limit, all.cols);
}

export async function runAutoencoder(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      images: { type: 'string' },
      'test-images': { type: 'string' },
      limit: { type: 'string' },
      layers: { type: 'string' },
      hidden: { type: 'string', default: 'sigmoid' },
      loss: { type: 'string', default: 'bce' },
      denoise: { type: 'string' },
      sparse: { type: 'string' },
      tied: { type: 'boolean', default: false },
      epochs: { type: 'string', default: '5' },
      batch: { type: 'string', default: '64' },
      lr: { type: 'string', default: '0.001' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      codes: { type: 'string' },
      picture: { type: 'string' },
      backend: { type: 'string' },
      checkpoint: { type: 'string' },
      resume: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new TypeError('--out FILE is required (where the model is saved, e.g. --out ae.safetensors)');
  const epochs = positive('epochs', values.epochs, true);
  const batchSize = positive('batch', values.batch, true);
  const lr = positive('lr', values.lr, false);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`--seed must be a non-negative integer, got ${values.seed}`);
  const limit = values.limit === undefined ? undefined : positive('limit', values.limit, true);
  if (values.backend !== undefined) {
    if (values.backend !== 'js' && values.backend !== 'native') throw new RangeError(`--backend must be js or native, got ${values.backend}`);
    useBackend(values.backend);
  }
  if (values.loss !== 'mse' && values.loss !== 'bce' && values.loss !== 'sigmoidMse') {
    throw new RangeError(`--loss must be mse, bce or sigmoidMse, got ${values.loss}`);
  }
  const x = await images(values.images, limit, seed);
  const layers = values.layers === undefined ? [x.cols, 256, 64] : values.layers.split(',').map((w) => positive('layers', w, true));
  if (layers[0] !== x.cols) throw new RangeError(`--layers must start with the image size ${x.cols}, got ${layers[0]}`);
  const config: AutoencoderConfig = { layers, hidden: values.hidden as AutoencoderConfig['hidden'], loss: values.loss, tiedWeights: values.tied, seed };
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
  const interrupt = onCtrlC();
  const target = checkpointTarget(values.checkpoint, `${values.out}.ckpt`);
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
  const source = values.images ?? 'generated shapes';
  process.stderr.write(`fastnn autoencoder: ${x.rows} images of ${x.cols} pixels from ${source}, layers ${ae.layers.join('-')}, backend ${backendInfo().active}\n`);
  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  let pending = false; // a live progress line waits for its end
  const line = (epoch: number, samples: number, loss: number, end: string) => {
    const rate = samples / ((performance.now() - started) / 1000);
    process.stderr.write(`${tty ? '\r' : ''}epoch ${epoch}/${settings.epochs}  loss ${loss.toFixed(4)}  ${Math.round(rate)} samples/s${end}`);
    pending = end === '';
  };
  let first = 0; // samples/s counts this run's epochs only
  const callbacks: ResumeOptions = {
    signal: interrupt.signal,
    // Live updates only on a terminal; a log gets one line per epoch.
    ...(tty ? { onProgress: ({ epoch, samples, loss }) => line(epoch, samples, loss, ''), progressEvery: 50 } : {}),
    onEpoch: ({ epoch, loss }) => {
      first ||= epoch;
      line(epoch, (epoch - first + 1) * x.rows, loss, '\n');
    },
  };
  try {
    if (values.resume !== undefined) ae = (await resumeAutoencoderFit(values.resume, x, { ...callbacks, checkpoint: target })).model;
    else await fitAutoencoderWithCheckpoints(ae, x, { ...settings, ...callbacks }, target);
  } catch (err) {
    if (!interrupt.signal.aborted) throw err;
    return reportInterrupted('autoencoder', args, target.path, pending);
  } finally {
    interrupt.dispose();
  }
  const train = ae.evaluate(x).mse;
  let report = `reconstruction MSE per pixel: train ${train.toFixed(5)}`;
  if (values['test-images'] !== undefined) {
    const test = await readIdxImages(values['test-images'], { scale: true });
    report += `, test ${ae.evaluate(test).mse.toFixed(5)} (${test.rows} images)`;
  }
  process.stderr.write(`${report}\n`);
  await ae.save(values.out);
  if (values.codes !== undefined) {
    const codes = ae.encode(x);
    await writeFile(values.codes, new Uint8Array(codes.data.buffer, codes.data.byteOffset, codes.data.byteLength));
    process.stderr.write(`codes: ${codes.rows} × ${codes.cols} float32 (little-endian) in ${values.codes}\n`);
  }
  if (values.picture !== undefined) {
    const side = Math.round(Math.sqrt(x.cols));
    if (side * side !== x.cols) throw new RangeError(`--picture needs square images, these have ${x.cols} pixels`);
    const shown = new Matrix(x.data.subarray(0, Math.min(16, x.rows) * x.cols), Math.min(16, x.rows), x.cols);
    const { pixels, width, height } = imageStrips([shown, ae.reconstruct(shown)], 16, side);
    await writeGrayPng(values.picture, pixels, width, height);
  }
}
