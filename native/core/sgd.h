// Plain stochastic gradient descent with L2 weight decay.
//
// The rule, in float32 like the rest of training: each operation rounded on
// its own (no FMA contraction), with the rate and decay rounded to float32
// first. Every SGD kernel (this one, the fused per-sample update and the
// minibatch update, isa_update.inc) computes a new weight through
// sgd_new_weight, and the TS backend repeats it with Math.fround after each
// operation, which rounds exactly as float32 arithmetic does (a float64
// result of float32 operands rounds to the same float32), so the backends
// agree bit for bit.
#pragma once

#include <cstddef>

namespace fastnn {

// w − lr·(g + decay·w) in float32; decay 0 adds no decay term, so w − lr·g.
inline float sgd_new_weight(float w, float g, float lr, float decay) {
  return w - lr * (decay == 0.0f ? g : g + decay * w);
}

// The new weight of a one-row batch's update, whose gradient entry dz·a is
// rounded to float32 as gemm forms it (one fma from +0, so a −0 product
// becomes +0): the fused per-sample updates (isa_update.inc rank1_sgd,
// tiny_step.cc) give the bits of forming the gradient, then the rule.
inline float rank1_new_weight(float w, float dz, float a, float lr, float decay) {
  return sgd_new_weight(w, dz * a + 0.0f, lr, decay);
}

// w (n) ← sgd_new_weight(w, g (n), lr, weight_decay) element by element.
void sgd_update(float* w, const float* g, std::size_t n, double lr, double weight_decay);

}  // namespace fastnn
