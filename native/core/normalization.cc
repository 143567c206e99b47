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

}  // namespace fastnn
