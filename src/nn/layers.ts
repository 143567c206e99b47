import { Norm } from '../backend/backend.js';
import { sharedFloat32 } from '../shared-memory.js';

/**
 * Per-hidden-layer options of the MLP and Autoencoder configs beyond the
 * activation: dropout rates and normalisation, checked here once for both
 * models, and the parameters a normalised layer starts from.
 */
export type NormName = 'layer' | 'batch';

/** config.dropout: one rate for every hidden layer, or one per hidden layer, each in [0, 1). Default 0 (off). */
export function dropoutRates(fn: string, v: unknown, hidden: number): number[] {
  if (v === undefined) return new Array<number>(hidden).fill(0);
  const rates = typeof v === 'number' ? new Array<number>(hidden).fill(v) : v;
  if (!Array.isArray(rates)) throw new TypeError(`${fn}: config.dropout must be a rate or an array of rates, one per hidden layer`);
  if (rates.length !== hidden) {
    throw new RangeError(`${fn}: config.dropout must have ${hidden} rate(s), one per hidden layer, got ${rates.length}`);
  }
  rates.forEach((r: unknown, i) => {
    if (typeof r !== 'number' || !(r >= 0 && r < 1)) {
      const at = typeof v === 'number' ? 'config.dropout' : `config.dropout[${i}]`;
      throw new RangeError(`${fn}: ${at} must be a rate in [0, 1), got ${String(r)}`);
    }
  });
  return [...rates];
}

/** The NetworkSpec field: null when every rate is 0, so a model without dropout runs exactly as before. */
export function dropoutSpec(rates: readonly number[]): Float64Array | null {
  return rates.some((r) => r > 0) ? Float64Array.from(rates) : null;
}

/** config.norm: 'layer', 'batch' or null for every hidden layer, or one per hidden layer. Default null (off). */
export function normChoices(fn: string, v: unknown, hidden: number): (NormName | null)[] {
  if (v === undefined || v === null) return new Array<null>(hidden).fill(null);
  const choices = typeof v === 'string' ? new Array<unknown>(hidden).fill(v) : v;
  if (!Array.isArray(choices)) throw new TypeError(`${fn}: config.norm must be 'layer', 'batch', null or an array of them, one per hidden layer`);
  if (choices.length !== hidden) {
    throw new RangeError(`${fn}: config.norm must have ${hidden} entries, one per hidden layer, got ${choices.length}`);
  }
  choices.forEach((c: unknown, i) => {
    if (c !== 'layer' && c !== 'batch' && c !== null) {
      const at = typeof v === 'string' ? 'config.norm' : `config.norm[${i}]`;
      throw new TypeError(`${fn}: ${at} must be 'layer', 'batch' or null, got ${String(c)}`);
    }
  });
  return [...choices] as (NormName | null)[];
}

/** The NetworkSpec field (Norm codes): null when no layer is normalised. */
export function normSpec(choices: readonly (NormName | null)[]): Uint8Array | null {
  return choices.some((c) => c !== null) ? Uint8Array.from(choices, (c) => Norm[c ?? 'none']) : null;
}

/** Layer ℓ's bias parameter: zeros; for a layer-normalised layer [γ = 1, β = 0] (the identity at the start);
 * for a batch-normalised one [γ = 1, β = 0, running mean 0, running variance 1], as PyTorch starts them.
 * On shared memory, as the weights are, so a native fit trains every parameter in place. */
export function biasParam(choices: readonly (NormName | null)[], l: number, width: number): Float32Array {
  const choice = choices[l];
  if (choice == null) return sharedFloat32(width);
  const param = sharedFloat32((choice === 'batch' ? 4 : 2) * width);
  param.fill(1, 0, width);
  if (choice === 'batch') param.fill(1, 3 * width);
  return param;
}
