/**
 * Model files: save → load is bit-exact, saves are atomic, and anything that
 * is not a well-formed fastnn safetensors file is refused with a message.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MLP, Matrix, ModelFileError } from '../../src/index.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'fastnn-model-'));
const path = (name: string) => join(dir, name);

/** A safetensors file whose header is built by hand, for the inconsistent cases. */
function rawFile(header: object, dataBytes: number): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([prefix, json, Buffer.alloc(dataBytes)]);
}

let valid: Buffer;
let net: MLP;

beforeAll(async () => {
  net = new MLP({ layers: [3, 4, 2], task: 'multiclass', hidden: 'leakyRelu', leakySlope: 0.1, seed: 5 });
  // Irregular values (subnormals, negative zero, extremes) must survive bit for bit.
  net.params[1]!.set([1e-45, -0, 3.4e38, -1.17549435e-38]);
  await net.save(path('valid.safetensors'));
  valid = readFileSync(path('valid.safetensors'));
});

describe('model files', () => {
  it('round-trips weights bit-exactly with the architecture', async () => {
    const again = await MLP.load(path('valid.safetensors'));
    expect(again.config()).toEqual(net.config());
    again.params.forEach((p, i) => {
      expect(new Uint32Array(p.buffer)).toEqual(new Uint32Array(net.params[i]!.buffer));
    });
    const x = Matrix.fromArrays([
      [1, 2, 3],
      [-1, 0, 0.5],
    ]);
    expect(again.predict(x).data).toEqual(net.predict(x).data);
  });

  it('writes a standard safetensors layout (aligned header, torch-style names)', () => {
    const headerLength = Number(valid.readBigUInt64LE(0));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(valid.subarray(8, 8 + headerLength).toString());
    expect(header['layers.0.weight']).toEqual({ dtype: 'F32', shape: [4, 3], data_offsets: [0, 48] });
    expect(header['layers.1.bias'].shape).toEqual([2]);
    expect(header.__metadata__.format).toBe('fastnn');
    expect(JSON.parse(header.__metadata__['fastnn.config']).layers).toEqual([3, 4, 2]);
  });

  it('saves atomically: no temp file remains, and an existing file is replaced whole', async () => {
    const target = path('atomic.safetensors');
    await net.save(target);
    const other = new MLP({ layers: [3, 4, 2], task: 'multiclass', seed: 99 });
    await other.save(target);
    expect(readdirSync(dir).filter((f) => f.includes('atomic'))).toEqual(['atomic.safetensors']);
    expect((await MLP.load(target)).params[0]).toEqual(other.params[0]);
  });

  it('rejects the file truncated at every byte length', async () => {
    for (let length = 0; length < valid.length; length++) {
      writeFileSync(path('cut.safetensors'), valid.subarray(0, length));
      await expect(MLP.load(path('cut.safetensors')), `length ${length}`).rejects.toThrow(ModelFileError);
    }
  });

  it('rejects a normalised, dropout model file truncated at every byte length', async () => {
    // The norm tensors (layers.ℓ.norm) and the dropout/norm config are parsed too.
    const layered = new MLP({ layers: [3, 4, 4, 2], task: 'multiclass', norm: ['batch', 'layer'], dropout: 0.25, seed: 6 });
    await layered.save(path('layered.safetensors'));
    const bytes = readFileSync(path('layered.safetensors'));
    expect((await MLP.load(path('layered.safetensors'))).config()).toEqual(layered.config());
    for (let length = 0; length < bytes.length; length++) {
      writeFileSync(path('cut-layered.safetensors'), bytes.subarray(0, length));
      await expect(MLP.load(path('cut-layered.safetensors')), `length ${length}`).rejects.toThrow(ModelFileError);
    }
  });

  it('rejects a file with bytes appended', async () => {
    writeFileSync(path('long.safetensors'), Buffer.concat([valid, Buffer.alloc(4)]));
    await expect(MLP.load(path('long.safetensors'))).rejects.toThrow('tensor data ends at');
  });

  const weight = (shape: number[], offsets: number[]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const meta = (config: object, extra: object = {}) => ({
    format: 'fastnn',
    'fastnn.version': '1',
    'fastnn.kind': 'MLP',
    'fastnn.config': JSON.stringify(config),
    ...extra,
  });
  const config = { layers: [2, 1], task: 'binary' };
  const bytesOf = (chunks: Uint8Array[]) => Buffer.concat(chunks);

  it.each([
    ['empty', Buffer.alloc(0), 'too short'],
    ['an HTML page', Buffer.from('<!doctype html><html><body>Not found</body></html>'), 'truncated or not a safetensors file'],
    [
      'a header length past the end',
      (() => {
        const b = Buffer.alloc(16);
        b.writeBigUInt64LE(1n << 62n);
        return b;
      })(),
      'header declares',
    ],
    ['a header length of 2^64 − 1', Buffer.concat([Buffer.alloc(8, 0xff), Buffer.alloc(8)]), 'header declares'],
    [
      'a header that is not JSON',
      (() => {
        const b = Buffer.from('\0\0\0\0\0\0\0\0{nope');
        b.writeBigUInt64LE(5n);
        return b;
      })(),
      'not valid UTF-8 JSON',
    ],
    [
      'invalid UTF-8 in the header',
      (() => {
        const b = Buffer.from('\0\0\0\0\0\0\0\0{"\xff":1}', 'latin1');
        b.writeBigUInt64LE(6n);
        return b;
      })(),
      'not valid UTF-8 JSON',
    ],
    [
      'a non-F32 dtype',
      rawFile(
        { __metadata__: meta(config), 'layers.0.weight': { dtype: 'F16', shape: [1, 2], data_offsets: [0, 4] }, 'layers.0.bias': weight([1], [4, 8]) },
        8,
      ),
      'only F32',
    ],
    [
      'offsets past the data',
      rawFile({ __metadata__: meta(config), 'layers.0.weight': weight([1, 2], [0, 8]), 'layers.0.bias': weight([1], [8, 12]) }, 8),
      'lie outside',
    ],
    [
      'shape inconsistent with offsets',
      rawFile({ __metadata__: meta(config), 'layers.0.weight': weight([1, 3], [0, 8]), 'layers.0.bias': weight([1], [8, 12]) }, 12),
      'needs 12 bytes',
    ],
    [
      'an absurd shape',
      rawFile({ __metadata__: meta(config), 'layers.0.weight': weight([1e15, 1e15], [0, 8]), 'layers.0.bias': weight([1], [8, 12]) }, 12),
      'needs more bytes than the file holds',
    ],
    [
      'overlapping tensors',
      rawFile({ __metadata__: meta(config), 'layers.0.weight': weight([1, 2], [0, 8]), 'layers.0.bias': weight([1], [4, 8]) }, 8),
      'overlap or hole',
    ],
    ['a foreign safetensors file', bytesOf(encodeSafetensors({}, [['embed.weight', [2, 2], new Float32Array(4)]])), 'not a fastnn model'],
    ['an unknown format version', bytesOf(encodeSafetensors(meta(config, { 'fastnn.version': '9' }), [])), 'version 9 is not supported'],
    ['another kind of model', bytesOf(encodeSafetensors(meta(config, { 'fastnn.kind': 'Word2Vec' }), [])), 'holds a Word2Vec, not a MLP'],
    ['a broken config', bytesOf(encodeSafetensors(meta({ layers: [2], task: 'binary' }), [])), 'invalid model config'],
    // Found by scripts/fuzz-parsers.mjs (test/fixtures/fuzz/regressions/model/): 12 MB of weights
    // were allocated for a 586-byte file before its tensors were checked.
    [
      'a config wider than its tensors',
      bytesOf(encodeSafetensors(meta({ layers: [1000000, 3, 2], task: 'multiclass' }), [['layers.0.weight', [3, 2], new Float32Array(6)]])),
      'declares 3000011 parameters, the file holds 6 values',
    ],
    ['a missing tensor', bytesOf(encodeSafetensors(meta(config), [['layers.0.weight', [1, 2], new Float32Array(2)]])), "missing tensor 'layers.0.bias'"],
    [
      'an extra tensor',
      bytesOf(
        encodeSafetensors(meta(config), [
          ['layers.0.weight', [1, 2], new Float32Array(2)],
          ['layers.0.bias', [1], new Float32Array(1)],
          ['layers.1.weight', [1], new Float32Array(1)],
        ]),
      ),
      "unexpected tensor 'layers.1.weight'",
    ],
    [
      'a wrong shape',
      bytesOf(
        encodeSafetensors(meta(config), [
          ['layers.0.weight', [2, 1], new Float32Array(2)],
          ['layers.0.bias', [1], new Float32Array(1)],
        ]),
      ),
      'has shape [2, 1], expected [1, 2]',
    ],
    [
      'a NaN weight',
      bytesOf(
        encodeSafetensors(meta(config), [
          ['layers.0.weight', [1, 2], Float32Array.of(0, NaN)],
          ['layers.0.bias', [1], new Float32Array(1)],
        ]),
      ),
      'holds NaN at index 1',
    ],
  ])('rejects %s', async (_label, bytes, message) => {
    writeFileSync(path('bad.safetensors'), bytes);
    const loading = MLP.load(path('bad.safetensors'));
    await expect(loading).rejects.toThrow(ModelFileError);
    await expect(MLP.load(path('bad.safetensors'))).rejects.toThrow(message);
  });

  it('a missing file is a ModelFileError naming it', async () => {
    await expect(MLP.load(path('nope.safetensors'))).rejects.toThrow(new ModelFileError(`${path('nope.safetensors')}: does not exist`));
  });
});
