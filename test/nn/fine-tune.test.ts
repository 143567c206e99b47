/**
 * Pretrain, then fine-tune: MLP.fromEncoder on a trained autoencoder, fits
 * with the encoder frozen (bit-identical after) then end to end, the freeze
 * option carried by checkpoints, its bad-input messages; and the classic
 * sigmoid-output squared-error autoencoder (loss 'sigmoidMse').
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Autoencoder, MLP, fitWithCheckpoints, useBackend } from '../../src/index.js';
import { generateShapes } from '../../src/datasets/shapes.js';
import { backendsUnderTest } from '../helpers/backends.js';

afterAll(() => useBackend('auto'));

const SIDE = 8;
const unlabelled = generateShapes(600, { side: SIDE, seed: 3 });
const labelled = generateShapes(120, { side: SIDE, seed: 4 });
const test = generateShapes(300, { side: SIDE, seed: 5 });
const adam = { type: 'adam' as const, lr: 0.01 };
const dir = mkdtempSync(join(tmpdir(), 'fastnn-finetune-'));

async function pretrained(): Promise<Autoencoder> {
  const ae = new Autoencoder({ layers: [SIDE * SIDE, 24, 12], hidden: 'sigmoid', loss: 'bce', seed: 1 });
  await ae.fit(unlabelled.images, { epochs: 8, batchSize: 32, optimizer: adam });
  return ae;
}

const same = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((p, i) => p.every((v, j) => Object.is(v, b[i]![j])));

describe.each(backendsUnderTest().map((b) => [b.name]))('fine-tuning on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('fromEncoder: the encoder layers, weights and activations, then the new head', async () => {
    use();
    const ae = await pretrained();
    const net = MLP.fromEncoder(ae, { layers: [16, 4], task: 'multiclass', seed: 2 });
    expect(net.layers).toEqual([SIDE * SIDE, 24, 12, 16, 4]);
    expect(net.hidden).toEqual(['sigmoid', 'sigmoid', 'relu']);
    expect(same(net.params.slice(0, 4), ae.params.slice(0, 4))).toBe(true);
    // The copy is the model's own: fine-tuning does not move the autoencoder.
    expect(net.params[0]).not.toBe(ae.params[0]);
    // The MLP's first two layers compute the codes: an identity regression head returns encode's values.
    const codes = MLP.fromEncoder(ae, { layers: [12], task: 'regression' });
    codes.params[4]!.fill(0);
    for (let j = 0; j < 12; j++) codes.params[4]![j * 12 + j] = 1;
    expect(codes.predict(test.images).data).toEqual(ae.encode(test.images).data);
  });

  it('freeze keeps the encoder bit for bit while the head learns; the next fit tunes end to end', async () => {
    use();
    const ae = await pretrained();
    const net = MLP.fromEncoder(ae, { layers: [4], task: 'multiclass', seed: 2 });
    const encoder = net.params.slice(0, 4).map((p) => p.slice());
    const head = net.params.slice(4).map((p) => p.slice());
    const y = Array.from(labelled.labels);
    await net.fit(labelled.images, y, { epochs: 20, batchSize: 16, optimizer: adam, freeze: [0, 1] });
    expect(same(net.params.slice(0, 4), encoder)).toBe(true);
    expect(same(net.params.slice(4), head)).toBe(false);
    const frozenAcc = net.evaluate(test.images, Array.from(test.labels)).accuracy!;
    await net.fit(labelled.images, y, { epochs: 20, batchSize: 16, optimizer: adam });
    expect(same(net.params.slice(0, 4), encoder)).toBe(false);
    const tunedAcc = net.evaluate(test.images, Array.from(test.labels)).accuracy!;
    // Four kinds of shape: chance is 0.25. The codes alone carry the kind (≈ 0.48 here);
    // tuning the encoder to the labels adds to it (≈ 0.69).
    expect(frozenAcc).toBeGreaterThan(0.35);
    expect(tunedAcc).toBeGreaterThan(frozenAcc + 0.05);
  });

  it('checkpointed fits carry freeze into every segment', async () => {
    use();
    const ae = await pretrained();
    const net = MLP.fromEncoder(ae, { layers: [4], task: 'multiclass', seed: 2 });
    const encoder = net.params.slice(0, 4).map((p) => p.slice());
    await fitWithCheckpoints(
      net,
      labelled.images,
      Array.from(labelled.labels),
      { epochs: 4, batchSize: 16, optimizer: adam, freeze: [0, 1] },
      { path: join(dir, `${name}.ckpt`), everyEpochs: 1 },
    );
    expect(same(net.params.slice(0, 4), encoder)).toBe(true);
  });

  it('sigmoidMse: a sigmoid-output autoencoder trained on squared error reconstructs, outputs in (0, 1)', async () => {
    use();
    const ae = new Autoencoder({ layers: [SIDE * SIDE, 16], loss: 'sigmoidMse', seed: 3 });
    const before = ae.evaluate(test.images).mse;
    const history = await ae.fit(unlabelled.images, { epochs: 10, batchSize: 16, optimizer: adam });
    expect(history.loss[9]!).toBeLessThan(history.loss[0]!);
    expect(ae.evaluate(test.images).mse).toBeLessThan(0.6 * before);
    const r = ae.reconstruct(test.images);
    expect(r.data.every((v) => v > 0 && v < 1)).toBe(true);
    const path = join(dir, `${name}-sigmoid-mse.safetensors`);
    await ae.save(path);
    const back = await Autoencoder.load(path);
    expect(back.loss).toBe('sigmoidMse');
    expect(back.reconstruct(test.images).data).toEqual(r.data);
  });

  it('a fitting autoencoder refuses pretrainStacked, fromEncoder and new generator or optimizer state, and trains as if alone', async () => {
    use();
    const make = () => new Autoencoder({ layers: [SIDE * SIDE, 24, 12], loss: 'bce', seed: 1 });
    const options = { epochs: 3, batchSize: 32, optimizer: adam };
    const alone = make();
    await alone.fit(unlabelled.images, options);
    const ae = make();
    const fitting = ae.fit(unlabelled.images, options);
    const busy = 'the model is busy training; wait for fit() to settle first';
    await expect(ae.pretrainStacked(unlabelled.images, { epochsPerLayer: 1 })).rejects.toThrow(`Autoencoder.pretrainStacked: ${busy}`);
    expect(() => MLP.fromEncoder(ae, { layers: [4], task: 'multiclass' })).toThrow(`MLP.fromEncoder: ${busy}`);
    expect(() => {
      ae.rngState = Uint32Array.of(1, 2, 3, 4);
    }).toThrow(`Autoencoder.rngState: ${busy}`);
    expect(() => {
      ae.optimizerState = null;
    }).toThrow(`Autoencoder.optimizerState: ${busy}`);
    await fitting;
    expect(same(ae.params, alone.params)).toBe(true);
    expect(ae.rngState).toEqual(alone.rngState);
    expect(ae.optimizerState!.step).toEqual(alone.optimizerState!.step);
  });

  it('an autoencoder in its greedy stages is busy: a fit, encode or save waits for pretrainStacked', async () => {
    use();
    const ae = new Autoencoder({ layers: [SIDE * SIDE, 24, 12], loss: 'bce', seed: 1 });
    const stacking = ae.pretrainStacked(unlabelled.images, { epochsPerLayer: 2, fineTune: { epochs: 1 } });
    const busy = 'the model is busy training; wait for fit() to settle first';
    await expect(ae.fit(unlabelled.images, { epochs: 1 })).rejects.toThrow(`Autoencoder.fit: ${busy}`);
    expect(() => ae.encode(unlabelled.images)).toThrow(`Autoencoder.encode: ${busy}`);
    await expect(ae.save(join(dir, 'stacking.safetensors'))).rejects.toThrow(`Autoencoder.save: ${busy}`);
    expect((await stacking).loss).toHaveLength(1);
    // Settled: the model is free again.
    ae.rngState = Uint32Array.of(1, 2, 3, 4);
    expect(ae.encode(unlabelled.images).cols).toBe(12);
  });
});

describe('fine-tuning options are checked', () => {
  const net = () => new MLP({ layers: [2, 3, 2], task: 'multiclass' });
  const x = [
    [0, 1],
    [1, 0],
  ];
  const y = [0, 1];
  it.each([
    [{ freeze: 0 }, TypeError, 'MLP.fit: options.freeze must be an array of layer indices'],
    [{ freeze: [2] }, RangeError, 'MLP.fit: options.freeze[0] must be a layer index in [0, 1], got 2'],
    [{ freeze: [0.5] }, RangeError, 'MLP.fit: options.freeze[0] must be a layer index in [0, 1], got 0.5'],
    [{ freeze: [0, 0] }, RangeError, 'MLP.fit: options.freeze names layer 0 twice'],
    [{ freeze: [0, 1] }, RangeError, 'MLP.fit: options.freeze freezes every layer; nothing would train'],
  ])('%o', async (options, cls, msg) => {
    const err = await net()
      .fit(x, y, options as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect((err as Error).message).toBe(msg);
  });

  it('tied autoencoder layers freeze together', async () => {
    const ae = new Autoencoder({ layers: [4, 2], tiedWeights: true });
    await expect(ae.fit([[0, 1, 0, 1]], { freeze: [0] })).rejects.toThrow(
      'Autoencoder.fit: options.freeze must name tied layers 0 and 1 together (they share one weight matrix)',
    );
  });

  it.each([
    [{ layers: [2], task: 'multiclass', extra: 1 }, TypeError, /MLP.fromEncoder: .*extra/],
    [{ layers: [], task: 'multiclass' }, TypeError, /head.layers must be an array of at least 1 layer width/],
    [{ layers: [3, 2], task: 'multiclass', hidden: ['relu', 'relu'] }, RangeError, /head.hidden must name 1 activation\(s\)/],
    [{ layers: [2], task: 'multiclass', hidden: 3 }, TypeError, /head.hidden must be an activation name or an array of them/],
  ])('fromEncoder refuses %o', (head, cls, msg) => {
    const ae = new Autoencoder({ layers: [4, 3] });
    expect(() => MLP.fromEncoder(ae, head as never)).toThrow(cls);
    expect(() => MLP.fromEncoder(ae, head as never)).toThrow(msg);
  });

  it('fromEncoder refuses encoder parameters that no longer fit their layers, naming them', () => {
    const ae = new Autoencoder({ layers: [4, 3, 2] });
    ae.params[2] = new Float32Array(7);
    expect(() => MLP.fromEncoder(ae, { layers: [2], task: 'multiclass' })).toThrow(
      new RangeError("MLP.fromEncoder: encoder.params[2] (layer 1's weight) must be a Float32Array of 6 values, got a Float32Array of 7"),
    );
    ae.params.splice(1);
    expect(() => MLP.fromEncoder(ae, { layers: [2], task: 'multiclass' })).toThrow(
      new RangeError("MLP.fromEncoder: encoder.params[1] (layer 0's bias) must be a Float32Array of 3 values, got undefined"),
    );
  });

  it('fromEncoder refuses what is not an autoencoder', () => {
    expect(() => MLP.fromEncoder({} as never, { layers: [2], task: 'multiclass' })).toThrow('MLP.fromEncoder: encoder must be an Autoencoder');
  });

  it('the Autoencoder loss names the three choices', () => {
    expect(() => new Autoencoder({ layers: [4, 2], loss: 'l2' as never })).toThrow("Autoencoder: config.loss must be 'mse', 'bce' or 'sigmoidMse', got l2");
  });
});
