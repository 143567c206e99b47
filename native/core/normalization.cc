#include "normalization.h"

#include <cmath>

namespace fastnn {

void layer_norm_forward(float* out, float* xhat, float* inv_std, const float* z, const float* gain_bias,
                        std::size_t rows, std::size_t cols) {
  const float* gain = gain_bias;
  const float* bias = gain_bias + cols;
  const double n = static_cast<double>(cols);
  for (std::size_t r = 0; r < rows; r++) {
    const float* zr = z + r * cols;
    // Two passes (mean, then the centred squares) in float64: no cancellation for rows with a large mean.
    double mean = 0;
    for (std::size_t j = 0; j < cols; j++) mean += zr[j];
    mean /= n;
    double var = 0;
    for (std::size_t j = 0; j < cols; j++) var += (zr[j] - mean) * (zr[j] - mean);
    const double inv = 1.0 / std::sqrt(var / n + kLayerNormEps);
    if (inv_std != nullptr) inv_std[r] = static_cast<float>(inv);
    float* o = out + r * cols;
    for (std::size_t j = 0; j < cols; j++) {
      const float xh = static_cast<float>((zr[j] - mean) * inv);
      if (xhat != nullptr) xhat[r * cols + j] = xh;
      o[j] = static_cast<float>(static_cast<double>(gain[j]) * xh + bias[j]);
    }
  }
}

void layer_norm_backward(float* dz, float* d_gain_bias, const float* dy, const float* xhat, const float* inv_std,
                         const float* gain_bias, std::size_t rows, std::size_t cols) {
  const float* gain = gain_bias;
  const double n = static_cast<double>(cols);
  // The parameter gradients first (dy is overwritten below when dz aliases
  // it), column by column so the float64 sums need no scratch.
  if (d_gain_bias != nullptr) {
    for (std::size_t j = 0; j < cols; j++) {
      double dg = 0, db = 0;
      for (std::size_t r = 0; r < rows; r++) {
        dg += static_cast<double>(dy[r * cols + j]) * xhat[r * cols + j];
        db += dy[r * cols + j];
      }
      d_gain_bias[j] = static_cast<float>(dg);
      d_gain_bias[cols + j] = static_cast<float>(db);
    }
  }
  for (std::size_t r = 0; r < rows; r++) {
    const float* d = dy + r * cols;
    const float* xh = xhat + r * cols;
    double mean_g = 0, mean_gx = 0;
    for (std::size_t j = 0; j < cols; j++) {
      const double g = static_cast<double>(gain[j]) * d[j];
      mean_g += g;
      mean_gx += g * xh[j];
    }
    mean_g /= n;
    mean_gx /= n;
    const double s = inv_std[r];
    float* o = dz + r * cols;
    for (std::size_t j = 0; j < cols; j++) {
      const double g = static_cast<double>(gain[j]) * d[j];
      o[j] = static_cast<float>(s * (g - mean_g - xh[j] * mean_gx));
    }
  }
}

void batch_norm_forward(float* out, float* xhat, float* inv_std, float* batch_mean, float* batch_var, const float* z,
                        const float* params, std::size_t rows, std::size_t cols, bool training) {
  const float* gain = params;
  const float* bias = params + cols;
  const float* running_mean = params + 2 * cols;
  const float* running_var = params + 3 * cols;
  const double n = static_cast<double>(rows);
  for (std::size_t j = 0; j < cols; j++) {
    double mean = running_mean[j], var = running_var[j];
    if (training) {
      // Two passes in float64, as layer normalisation does.
      mean = 0;
      for (std::size_t r = 0; r < rows; r++) mean += z[r * cols + j];
      mean /= n;
      double ss = 0;
      for (std::size_t r = 0; r < rows; r++) ss += (z[r * cols + j] - mean) * (z[r * cols + j] - mean);
      var = ss / n;
      batch_mean[j] = static_cast<float>(mean);
      batch_var[j] = static_cast<float>(rows > 1 ? ss / (n - 1) : 0.0);
    }
    const double inv = 1.0 / std::sqrt(var + kLayerNormEps);
    if (inv_std != nullptr) inv_std[j] = static_cast<float>(inv);
    for (std::size_t r = 0; r < rows; r++) {
      const float xh = static_cast<float>((z[r * cols + j] - mean) * inv);
      if (xhat != nullptr) xhat[r * cols + j] = xh;
      out[r * cols + j] = static_cast<float>(static_cast<double>(gain[j]) * xh + bias[j]);
    }
  }
}

void batch_norm_update_running(float* params, const float* batch_mean, const float* batch_var, std::size_t cols) {
  float* running_mean = params + 2 * cols;
  float* running_var = params + 3 * cols;
  const double m = kBatchNormMomentum;
  for (std::size_t j = 0; j < cols; j++) {
    running_mean[j] = static_cast<float>((1 - m) * running_mean[j] + m * batch_mean[j]);
    running_var[j] = static_cast<float>((1 - m) * running_var[j] + m * batch_var[j]);
  }
}

void batch_norm_backward(float* dz, float* d_params, const float* dy, const float* xhat, const float* inv_std,
                         const float* params, std::size_t rows, std::size_t cols, bool training) {
  const float* gain = params;
  const double n = static_cast<double>(rows);
  for (std::size_t j = 0; j < cols; j++) {
    double sum_dy = 0, sum_dy_xhat = 0;
    for (std::size_t r = 0; r < rows; r++) {
      sum_dy += dy[r * cols + j];
      sum_dy_xhat += static_cast<double>(dy[r * cols + j]) * xhat[r * cols + j];
    }
    if (d_params != nullptr) {
      d_params[j] = static_cast<float>(sum_dy_xhat);
      d_params[cols + j] = static_cast<float>(sum_dy);
      d_params[2 * cols + j] = 0.0f;
      d_params[3 * cols + j] = 0.0f;
    }
    const double g = gain[j], s = inv_std[j];
    for (std::size_t r = 0; r < rows; r++) {
      const double d = dy[r * cols + j];
      dz[r * cols + j] =
          static_cast<float>(training ? g * s / n * (n * d - sum_dy - xhat[r * cols + j] * sum_dy_xhat) : g * s * d);
    }
  }
}

}  // namespace fastnn
