/**
 * Per-hidden-layer options of the MLP and Autoencoder configs beyond the
 * activation: dropout rates and normalisation, checked here once for both
 * models, and the parameters a normalised layer starts from.
 */
export type NormName = 'layer';

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

/** config.norm: 'layer' or null for every hidden layer, or one per hidden layer. Default null (off). */
export function normChoices(fn: string, v: unknown, hidden: number): (NormName | null)[] {
  if (v === undefined || v === null) return new Array<null>(hidden).fill(null);
  const choices = typeof v === 'string' ? new Array<unknown>(hidden).fill(v) : v;
  if (!Array.isArray(choices)) throw new TypeError(`${fn}: config.norm must be 'layer', null or an array of them, one per hidden layer`);
  if (choices.length !== hidden) {
    throw new RangeError(`${fn}: config.norm must have ${hidden} entries, one per hidden layer, got ${choices.length}`);
  }
  choices.forEach((c: unknown, i) => {
    if (c !== 'layer' && c !== null) {
      const at = typeof v === 'string' ? 'config.norm' : `config.norm[${i}]`;
      throw new TypeError(`${fn}: ${at} must be 'layer' or null, got ${String(c)}`);
    }
  });
  return [...choices] as (NormName | null)[];
}

/** The NetworkSpec field: null when no layer is normalised. */
export function normSpec(choices: readonly (NormName | null)[]): Uint8Array | null {
  return choices.some((c) => c !== null) ? Uint8Array.from(choices, (c) => (c === null ? 0 : 1)) : null;
}

/** Layer ℓ's bias parameter: zeros, or for a normalised layer [γ = 1, β = 0] (the identity at the start). */
export function biasParam(choices: readonly (NormName | null)[], l: number, width: number): Float32Array {
  if (choices[l] == null) return new Float32Array(width);
  const gainBias = new Float32Array(2 * width);
  gainBias.fill(1, 0, width);
  return gainBias;
}
