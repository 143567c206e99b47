/**
 * fastnn model files: safetensors with the architecture in `__metadata__`,
 * so PyTorch and Hugging Face tools open them (`safetensors.torch.load_file`)
 * and fastnn can rebuild the model. Parameters are named `layers.ℓ.weight`
 * (out, in) and `layers.ℓ.bias` (out), like a torch `nn.Linear` stack; a
 * normalised layer has `layers.ℓ.norm` instead of its bias: (2, out) =
 * [gain; bias] for layer normalisation, (4, out) = [gain; bias; running
 * mean; running variance] for batch normalisation.
 */
import type { WriteOptions } from '../io/atomic.js';
import { ModelFileError, readSafetensors, writeSafetensors, type Tensors } from '../io/safetensors.js';
import { denseParams } from '../sizes.js';

/** Bumped when the metadata layout changes incompatibly. */
const FORMAT_VERSION = '1';

// Rows of a normalised layer's bias parameter, stored as `layers.ℓ.norm` (rows, out): 2 for layer
// normalisation ([γ; β]), 4 for batch normalisation ([γ; β; running mean; running variance]); 1 for a plain bias.
function normRows(model: Model, index: number): number {
  return index % 2 === 1 ? model.params[index]!.length / model.layers[(index >> 1) + 1]! : 1;
}

function normalised(model: Model, index: number): boolean {
  return normRows(model, index) > 1;
}

function paramName(model: Model, index: number): string {
  return `layers.${index >> 1}.${index % 2 === 0 ? 'weight' : normalised(model, index) ? 'norm' : 'bias'}`;
}

/** Weight ℓ is (layers[ℓ+1], layers[ℓ]); bias ℓ is (layers[ℓ+1]); a normalised layer's parameters (2 or 4, layers[ℓ+1]). */
function paramShape(model: Model, index: number): number[] {
  const { layers } = model;
  const l = index >> 1;
  if (index % 2 === 0) return [layers[l + 1]!, layers[l]!];
  return normalised(model, index) ? [normRows(model, index), layers[l + 1]!] : [layers[l + 1]!];
}

/**
 * The parameter count of the dense stack a config's widths describe: `layers`
 * (an MLP, or an autoencoder's encoder) continued by an autoencoder's
 * `decoder`. Widths that are not positive integers count as none: `build`
 * refuses them before allocating. A mirrored (default) decoder is left out,
 * so this is at most what `build` allocates, and at least half of it.
 */
function declaredParams(config: Record<string, unknown> | null): number {
  const widths = (w: unknown): number[] => (Array.isArray(w) && w.every((x) => Number.isSafeInteger(x) && x > 0) ? (w as number[]) : []);
  return denseParams([...widths(config?.['layers']), ...widths(config?.['decoder'])]).total;
}

/** @internal The key under which a model lists its tied layers: a symbol, so it is not public API. */
export const tiedLayers = Symbol('tiedLayers');

interface Model {
  params: Float32Array[];
  layers: readonly number[];
  /** @internal Pairs (e, d) of layers that share one weight matrix, W(d) = W(e)ᵀ (a tied autoencoder). */
  readonly [tiedLayers]?: readonly (readonly [number, number])[];
}

export async function writeModelFile(
  path: string,
  kind: string,
  config: object,
  model: Model,
  extra: { metadata: Record<string, string>; tensors: [string, number[], Float32Array][] } = { metadata: {}, tensors: [] },
  options: WriteOptions = {},
): Promise<void> {
  const metadata = { ...extra.metadata, format: 'fastnn', 'fastnn.version': FORMAT_VERSION, 'fastnn.kind': kind, 'fastnn.config': JSON.stringify(config) };
  await writeSafetensors(
    path,
    metadata,
    [...model.params.map((p, i): [string, number[], Float32Array] => [paramName(model, i), paramShape(model, i), p]), ...extra.tensors],
    options,
  );
}

/**
 * Reads a model of `kind`: `build` makes a fresh model from the stored config
 * (re-validating it), then every parameter is checked for name, shape and
 * finiteness and copied in.
 */
export async function readModelFile<M extends Model>(path: string, kind: string, build: (config: Record<string, unknown>) => M): Promise<M> {
  return modelFromTensors(path, await readSafetensors(path), kind, build);
}

/** readModelFile on a file already parsed (checkpoints hold a model plus their own tensors). */
export function modelFromTensors<M extends Model>(
  path: string,
  { metadata, tensors }: Tensors,
  kind: string,
  build: (config: Record<string, unknown>) => M,
): M {
  const fail = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  if (metadata['format'] !== 'fastnn') fail('not a fastnn model (its safetensors metadata has no format "fastnn")');
  if (metadata['fastnn.version'] !== FORMAT_VERSION) {
    fail(`fastnn model format version ${metadata['fastnn.version']} is not supported (expected ${FORMAT_VERSION})`);
  }
  if (metadata['fastnn.kind'] !== kind) fail(`holds a ${metadata['fastnn.kind']}, not a ${kind}`);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(metadata['fastnn.config'] ?? 'null') as Record<string, unknown>;
  } catch (err) {
    return fail(`invalid model config: ${(err as Error).message}`);
  }
  // `build` allocates every parameter the config's widths declare: a few
  // header bytes must not make it allocate far more than the file holds. The
  // slack (2× and 1024 values) leaves a file that lacks a tensor or two to
  // the check below, which names them.
  const stored = [...tensors.values()].reduce((n, t) => n + t.data.length, 0);
  const declared = declaredParams(config);
  if (declared > 2 * stored + 1024) fail(`invalid model config: it declares ${declared} parameters, the file holds ${stored} values`);
  let model: M;
  try {
    model = build(config);
  } catch (err) {
    return fail(`invalid model config: ${(err as Error).message}`);
  }
  const expectedNames = new Set(model.params.map((_, i) => paramName(model, i)));
  for (const name of tensors.keys()) if (!expectedNames.has(name)) fail(`unexpected tensor '${name}'`);
  model.params.forEach((param, i) => {
    const name = paramName(model, i);
    const tensor = tensors.get(name) ?? fail(`missing tensor '${name}'`);
    const shape = paramShape(model, i);
    if (tensor.shape.join() !== shape.join()) {
      fail(`tensor '${name}' has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    const bad = tensor.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`tensor '${name}' holds ${tensor.data[bad]} at index ${bad}`);
    // Batch normalisation divides by √(running variance + ε): a negative variance would make every prediction NaN.
    if (normRows(model, i) === 4) {
      const width = shape[1]!;
      const neg = tensor.data.subarray(3 * width).findIndex((v) => v < 0);
      if (neg >= 0) fail(`tensor '${name}' holds a negative running variance ${tensor.data[3 * width + neg]} at index ${3 * width + neg}`);
    }
    param.set(tensor.data);
  });
  // The file stores a tied matrix twice (so PyTorch reads every layer): copies
  // that differ would load as two matrices that training then moves together.
  for (const [e, d] of model[tiedLayers] ?? []) {
    const at = firstUntied(model.params[2 * e]!, model.params[2 * d]!, model.layers[e + 1]!, model.layers[e]!);
    if (at !== null) {
      fail(
        `tensor '${paramName(model, 2 * d)}' must be the transpose of '${paramName(model, 2 * e)}' (the layers are tied), ` +
          `but [${at.col}, ${at.row}] differs from [${at.row}, ${at.col}]`,
      );
    }
  }
  return model;
}

// The first entry (row, col) of w (rows, cols) that t (cols, rows) does not mirror, or null.
function firstUntied(w: Float32Array, t: Float32Array, rows: number, cols: number): { row: number; col: number } | null {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (t[c * rows + r] !== w[r * cols + c]) return { row: r, col: c };
  return null;
}
