/**
 * Layer normalisation, the TS twin of native/core/normalization.cc (same
 * names, argument order and float64 accumulation order, so the backends
 * agree bit for bit): per row x̂ = (z − μ)/√(σ² + ε), y = γ ⊙ x̂ + β, with
 * gain_bias = [γ (cols), β (cols)].
 */

export const LAYER_NORM_EPS = 1e-5;

/** out (rows, cols) = γ ⊙ x̂ + β for z (rows, cols); xhat (rows, cols) and invStd (rows)
 * receive x̂ and 1/√(σ² + ε) for backward unless null. out may alias z. */
export function layerNormForward(out: Float32Array, xhat: Float32Array | null, invStd: Float32Array | null, z: Float32Array,
                                 gainBias: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    // Two passes (mean, then the centred squares) in float64: no cancellation for rows with a large mean.
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += z[o + j]!;
    mean /= cols;
    let variance = 0;
    for (let j = 0; j < cols; j++) variance += (z[o + j]! - mean) * (z[o + j]! - mean);
    const inv = 1 / Math.sqrt(variance / cols + LAYER_NORM_EPS);
    if (invStd) invStd[r] = inv;
    for (let j = 0; j < cols; j++) {
      const xh = Math.fround((z[o + j]! - mean) * inv);
      if (xhat) xhat[o + j] = xh;
      out[o + j] = gainBias[j]! * xh + gainBias[cols + j]!;
    }
  }
}

/** dz (rows, cols) = ∂loss/∂z from dy = ∂loss/∂out: per row s·(g − mean(g) − x̂·mean(g ⊙ x̂)), g = γ ⊙ dy,
 * s = invStd; dGainBias (2·cols) = [Σ_rows dy ⊙ x̂, Σ_rows dy] unless null. dz may alias dy. */
export function layerNormBackward(dz: Float32Array, dGainBias: Float32Array | null, dy: Float32Array, xhat: Float32Array,
                                  invStd: Float32Array, gainBias: Float32Array, rows: number, cols: number): void {
  // The parameter gradients first (dy is overwritten below when dz aliases it), column by column.
  if (dGainBias) {
    for (let j = 0; j < cols; j++) {
      let dg = 0;
      let db = 0;
      for (let r = 0; r < rows; r++) {
        dg += dy[r * cols + j]! * xhat[r * cols + j]!;
        db += dy[r * cols + j]!;
      }
      dGainBias[j] = dg;
      dGainBias[cols + j] = db;
    }
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let meanG = 0;
    let meanGx = 0;
    for (let j = 0; j < cols; j++) {
      const g = gainBias[j]! * dy[o + j]!;
      meanG += g;
      meanGx += g * xhat[o + j]!;
    }
    meanG /= cols;
    meanGx /= cols;
    const s = invStd[r]!;
    for (let j = 0; j < cols; j++) {
      const g = gainBias[j]! * dy[o + j]!;
      dz[o + j] = s * (g - meanG - xhat[o + j]! * meanGx);
    }
  }
}
