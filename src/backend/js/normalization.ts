/**
 * Layer and batch normalisation, the TS twins of native/core/normalization.cc
 * (same names, argument order and float64 accumulation order, so the
 * backends agree bit for bit): layer normalisation per row
 * x̂ = (z − μ)/√(σ² + ε), y = γ ⊙ x̂ + β with gainBias = [γ, β]; batch
 * normalisation per column, with params = [γ, β, running mean, running var].
 */

export const LAYER_NORM_EPS = 1e-5;

/** out (rows, cols) = γ ⊙ x̂ + β for z (rows, cols); xhat (rows, cols) and invStd (rows)
 * receive x̂ and 1/√(σ² + ε) for backward unless null. out may alias z. */
export function layerNormForward(
  out: Float32Array,
  xhat: Float32Array | null,
  invStd: Float32Array | null,
  z: Float32Array,
  gainBias: Float32Array,
  rows: number,
  cols: number,
): void {
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
export function layerNormBackward(
  dz: Float32Array,
  dGainBias: Float32Array | null,
  dy: Float32Array,
  xhat: Float32Array,
  invStd: Float32Array,
  gainBias: Float32Array,
  rows: number,
  cols: number,
): void {
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

/** Batch normalisation's running-statistics momentum (PyTorch's default). */
export const BATCH_NORM_MOMENTUM = 0.1;

/** out (rows, cols) = γ ⊙ x̂ + β for z (rows, cols), params (4·cols) = [γ, β, running mean, running var].
 * With training, x̂ uses the batch's statistics and batchMean, batchVar (cols) receive its mean and unbiased
 * variance; otherwise the running ones. xhat (rows, cols) and invStd (cols) receive x̂ and the scale unless null. */
export function batchNormForward(
  out: Float32Array,
  xhat: Float32Array | null,
  invStd: Float32Array | null,
  batchMean: Float32Array | null,
  batchVar: Float32Array | null,
  z: Float32Array,
  params: Float32Array,
  rows: number,
  cols: number,
  training: boolean,
): void {
  for (let j = 0; j < cols; j++) {
    let mean = params[2 * cols + j]!;
    let variance = params[3 * cols + j]!;
    if (training) {
      // Two passes in float64, as layer normalisation does.
      mean = 0;
      for (let r = 0; r < rows; r++) mean += z[r * cols + j]!;
      mean /= rows;
      let ss = 0;
      for (let r = 0; r < rows; r++) ss += (z[r * cols + j]! - mean) * (z[r * cols + j]! - mean);
      variance = ss / rows;
      batchMean![j] = mean;
      batchVar![j] = rows > 1 ? ss / (rows - 1) : 0;
    }
    const inv = 1 / Math.sqrt(variance + LAYER_NORM_EPS);
    if (invStd) invStd[j] = inv;
    for (let r = 0; r < rows; r++) {
      const xh = Math.fround((z[r * cols + j]! - mean) * inv);
      if (xhat) xhat[r * cols + j] = xh;
      out[r * cols + j] = params[j]! * xh + params[cols + j]!;
    }
  }
}

/** running ← (1 − m)·running + m·batch for the mean and the variance in params (4·cols). */
export function batchNormUpdateRunning(params: Float32Array, batchMean: Float32Array, batchVar: Float32Array, cols: number): void {
  const m = BATCH_NORM_MOMENTUM;
  for (let j = 0; j < cols; j++) {
    params[2 * cols + j] = (1 - m) * params[2 * cols + j]! + m * batchMean[j]!;
    params[3 * cols + j] = (1 - m) * params[3 * cols + j]! + m * batchVar[j]!;
  }
}

/** dz (rows, cols) from dy: through the batch statistics when training, as the fixed affine map s·γ otherwise;
 * dParams (4·cols) = [Σ dy ⊙ x̂, Σ dy, 0, 0] unless null. dz may alias dy. */
export function batchNormBackward(
  dz: Float32Array,
  dParams: Float32Array | null,
  dy: Float32Array,
  xhat: Float32Array,
  invStd: Float32Array,
  params: Float32Array,
  rows: number,
  cols: number,
  training: boolean,
): void {
  for (let j = 0; j < cols; j++) {
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let r = 0; r < rows; r++) {
      sumDy += dy[r * cols + j]!;
      sumDyXhat += dy[r * cols + j]! * xhat[r * cols + j]!;
    }
    if (dParams) {
      dParams[j] = sumDyXhat;
      dParams[cols + j] = sumDy;
      dParams[2 * cols + j] = 0;
      dParams[3 * cols + j] = 0;
    }
    const g = params[j]!;
    const s = invStd[j]!;
    for (let r = 0; r < rows; r++) {
      const d = dy[r * cols + j]!;
      dz[r * cols + j] = training ? ((g * s) / rows) * (rows * d - sumDy - xhat[r * cols + j]! * sumDyXhat) : g * s * d;
    }
  }
}
