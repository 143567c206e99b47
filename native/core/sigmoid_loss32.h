// The loss on a sigmoid output, one element at a time in float32 around
// sigmoid32's exponential, defined by its operations like sigmoid32.h so
// that it vectorises (isa_elementwise.inc sigmoid_mse_loss) and the TS
// backend repeats it bit for bit (losses.ts): each float32 operation rounded
// on its own (-ffp-contract=off; Math.fround in TS), the float64 ones as JS
// numbers compute them. libm's exp twice per element in float64 was a third
// of a sigmoid-output autoencoder's training step.
//
// Each element's term returns its loss in float64 and stores its gradient,
// scaled by `scale` (1/rows), in float32. A kernel sums the terms of
// elements i = 0..n−1 in kLossLanes float64 lanes, element i into lane
// i mod kLossLanes in increasing i, then the lanes in order
// (loss_lanes_sum): an order every vector width keeps, so the sum is the
// same on every ISA path and in TS, and the lanes vectorise where one
// running sum waits on each addition in turn.
#pragma once

#include <cstddef>

#include "sigmoid32.h"

namespace fastnn {

constexpr std::size_t kLossLanes = 16;

// Squared error after a sigmoid, ½(σ(z) − r)², with *g = ((σ − r)·(σ·(1 − σ)))·scale:
// 1 − σ(z) is σ(−z) from the same exponential (its bits are sigmoid32(−z)),
// which keeps its precision where σ(z) rounds to 1. d = σ − r is float32, so
// ½d² is exact in float64.
inline double sigmoid_mse32(float z, float r, float scale, float* g) {
  const float e = exp_neg_abs32(z);
  const float s = 1.0f / (1.0f + e), es = e * s;
  const float p = select32(z >= 0, s, es), q = select32(z >= 0, es, s);
  const float d = p - r;
  *g = (d * (p * q)) * scale;
  const double dd = d;
  return 0.5 * (dd * dd);
}

// The float64 lanes of a sum, added in order.
inline double loss_lanes_sum(const double* lanes) {
  double total = 0;
  for (std::size_t j = 0; j < kLossLanes; j++) total += lanes[j];
  return total;
}

}  // namespace fastnn
