/**
 * Per-hidden-layer options of the MLP and Autoencoder configs beyond the
 * activation: dropout rates, checked here once for both models.
 */

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
