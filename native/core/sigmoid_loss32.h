// The losses on a sigmoid output, one element at a time in float32 around
// sigmoid32's exponential, defined by their operations like sigmoid32.h so
// that they vectorise (isa_elementwise.inc sigmoid_mse_loss,
// sigmoid_ce_loss) and the TS backend repeats them bit for bit (losses.ts):
// each float32 operation rounded on its own (-ffp-contract=off; Math.fround
// in TS), the float64 ones as JS numbers compute them. libm's exp and log1p
// per element in float64 were a third (squared error) to nearly half
// (cross-entropy) of a sigmoid-output autoencoder's training step.
//
// Each element's term returns its loss in float64 and stores its gradient,
// scaled by `scale` (1/rows), in float32. A loss sums the terms of elements
// i = 0..n−1 by chunks of kLossChunk elements, the chunks' sums added in
// order from +0; a kernel sums one chunk's in kLossLanes float64 lanes,
// element i into lane i mod kLossLanes in increasing i, then the lanes in
// order (loss_lanes_sum). An order every vector width keeps, so the sum is
// the same on every ISA path and in TS; the lanes vectorise where one
// running sum waits on each addition in turn, and the chunks let threads
// share a large output's loss (losses.cc) with the same bits.
#pragma once

#include <cstddef>

#include "sigmoid32.h"

namespace fastnn::sigmoid_loss32_detail {

constexpr float kSqrt2 = 1.41421356f;
// Cephes' logf polynomial: log(1 + f) ≈ f − f²/2 + f³·P(f) for f ∈ [√½ − 1, √2 − 1].
constexpr float kL0 = 7.0376836292e-2f, kL1 = -1.1514610310e-1f, kL2 = 1.1676998740e-1f, kL3 = -1.2420140846e-1f,
                kL4 = 1.4249322787e-1f, kL5 = -1.6668057665e-1f, kL6 = 2.0000714765e-1f, kL7 = -2.4999993993e-1f,
                kL8 = 3.3333331174e-1f;

}  // namespace fastnn::sigmoid_loss32_detail

namespace fastnn {

constexpr std::size_t kLossLanes = 16;
// A multiple of kLossLanes: every chunk starts at lane 0.
constexpr std::size_t kLossChunk = 4096;

// log(1 + e) for e ∈ [0, 1] (softplus's tail, e = exp(−|z|)): u = 1 + e
// rounded and c = e − (u − 1) the part of e the rounding lost (both exact);
// u = 2^k·(1 + f) with k ∈ {0, 1} and f ∈ [√½ − 1, √2 − 1) exact; then
// Cephes' logf on 1 + f, plus c/u for log(1 + c/u). Within 1 ulp
// (test/backend/sigmoid-loss32.test.ts); tiny e gives e itself (u = 1, c = e).
inline float log1p32(float e) {
  using namespace sigmoid_loss32_detail;
  using sigmoid32_detail::kLn2Hi, sigmoid32_detail::kLn2Lo;
  const float u = 1.0f + e;
  const float c = e - (u - 1.0f);
  const bool high = !(u < kSqrt2);
  const float k = select32(high, 1.0f, 0.0f);
  const float f = select32(high, u * 0.5f - 1.0f, u - 1.0f);
  const float z = f * f;
  float p = kL0 * f + kL1;
  p = p * f + kL2;
  p = p * f + kL3;
  p = p * f + kL4;
  p = p * f + kL5;
  p = p * f + kL6;
  p = p * f + kL7;
  p = p * f + kL8;
  float y = (p * f) * z;
  y = y + k * kLn2Lo;
  y = y - 0.5f * z;
  y = y + c / u;
  return (f + y) + k * kLn2Hi;
}

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

// Binary cross-entropy on the logit in the softplus form, which never
// overflows: max(z, 0) − z·r + log(1 + e^−|z|) = −[r·log σ(z) + (1 − r)·log(1 − σ(z))],
// the first two terms in float64 (z·r exact); *g = (σ(z) − r)·scale. A NaN z
// gives NaN (z·r), as Math.max(NaN, 0) would.
inline double sigmoid_ce32(float z, float r, float scale, float* g) {
  const float e = exp_neg_abs32(z);
  const float s = 1.0f / (1.0f + e);
  const float p = select32(z >= 0, s, e * s);
  *g = (p - r) * scale;
  const double zd = z;
  return ((zd > 0 ? zd : 0.0) - zd * r) + static_cast<double>(log1p32(e));
}

// The float64 lanes of a sum, added in order.
// The lanes' sum in lane order. Lanes from `used` on hold +0 (fewer
// elements than lanes), and adding +0 changes no bit of a sum begun at +0,
// so a one-output network's loss skips fifteen dependent additions.
inline double loss_lanes_sum(const double* lanes, std::size_t used) {
  double total = 0;
  for (std::size_t j = 0; j < used && j < kLossLanes; j++) total += lanes[j];
  return total;
}

}  // namespace fastnn
