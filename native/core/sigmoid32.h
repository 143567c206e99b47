// The logistic function of sigmoid units in float32 (hidden units, and the
// output's through sigmoid_loss32.h), defined by its operations so that it
// vectorises (isa_elementwise.inc) and the TS backend repeats it bit for bit
// (activations.ts sigmoid32): every operation is one float32 operation
// rounded on its own (-ffp-contract=off; TS rounds each with Math.fround,
// which gives the float32 result of float32 operands exactly).
//
// sigmoid(x) = s = 1/(1 + e) for x ≥ 0 and e·s for x < 0, with e = exp(−|x|),
// so exp never overflows. exp(t), t ≤ 0: t = n·ln2 + r with n the nearest
// integer to t·log2(e) (found by adding and removing 1.5·2²³), r from a
// two-part ln2 (Cody–Waite: n·ln2_hi is exact), then Cephes' degree-6
// polynomial for e^r on |r| ≤ ln2/2 and a multiplication by 2ⁿ; results
// below 2⁻¹²⁶ (t < −87.3) become 0. Within 3 ulp of the exact logistic
// (test/backend/sigmoid32.test.ts sweeps it); NaN stays NaN.
#pragma once

#include <cstdint>
#include <cstring>

namespace fastnn::sigmoid32_detail {

constexpr float kLog2e = 1.44269504f;
constexpr float kRound = 12582912.0f;  // 1.5·2²³: adding it rounds to an integer
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f, kP3 = 4.1665795894e-2f,
                kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;

}  // namespace fastnn::sigmoid32_detail

namespace fastnn {

// c ? a : b by bit masks, so that loops of sigmoid32 vectorise on every
// path: GCC keeps a ?: as a branch when one side computes a product that
// may raise a floating-point flag (-ftrapping-math) or when it can copy the
// code after it into both sides, and without mask registers to predicate
// the product (AVX2, SSE2, NEON) a branch stops the loop's vectorisation
// (GCC 12 vectorised the ?: form for AVX-512 only).
inline float select32(bool c, float a, float b) {
  std::uint32_t ab, bb;
  std::memcpy(&ab, &a, sizeof ab);
  std::memcpy(&bb, &b, sizeof bb);
  const std::uint32_t keep = 0u - static_cast<std::uint32_t>(c);
  const std::uint32_t bits = (ab & keep) | (bb & ~keep);
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// e = exp(−|x|), the one exponential of sigmoid32, shared with the
// sigmoid-output losses (sigmoid_loss32.h): 0 below 2⁻¹²⁶, NaN for NaN.
inline float exp_neg_abs32(float x) {
  using namespace sigmoid32_detail;
  const float t0 = select32(x < 0, x, -x);  // −|x| (NaN stays NaN)
  const float t = select32(t0 < -104.0f, -104.0f, t0);
  const float m = t * kLog2e + kRound;
  const float n = m - kRound;
  const float r = (t - n * kLn2Hi) - n * kLn2Lo;
  float p = kP0 * r + kP1;
  p = p * r + kP2;
  p = p * r + kP3;
  p = p * r + kP4;
  p = p * r + kP5;
  p = (p * (r * r) + r) + 1.0f;
  // 2ⁿ from n's bits in m (m = 1.5·2²³ + n exactly); unsigned maths, so a NaN's bits are harmless.
  std::uint32_t mb, rb;
  std::memcpy(&mb, &m, sizeof mb);
  std::memcpy(&rb, &kRound, sizeof rb);
  const std::uint32_t scale_bits = (mb - rb + 127u) << 23;
  float scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return select32(n < -126.0f, 0.0f, p * scale);
}

inline float sigmoid32(float x) {
  const float e = exp_neg_abs32(x);
  const float s = 1.0f / (1.0f + e);
  return select32(x >= 0, s, e * s);
}

}  // namespace fastnn
