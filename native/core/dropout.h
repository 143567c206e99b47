// Inverted dropout (Srivastava et al. 2014) on a hidden layer's activations
// during training: each entry is kept with probability 1 − rate and scaled
// by 1/(1 − rate), so the expected activation is unchanged and inference
// (predict, evaluate) needs no rescaling; dropout is simply off there.
// Masks come from the job's seeded generator, one uniform draw per entry in
// row-major order, exactly as src/backend/js/dropout.ts draws them.
#pragma once

#include <cstddef>

#include "rng.h"

namespace fastnn {

// out (n) = a ⊙ mask, mask (n) = 1/(1 − rate) where the draw u ≥ rate, else 0;
// rate in [0, 1). out may alias a.
void dropout_forward(float* out, float* mask, const float* a, std::size_t n, double rate, Rng& rng);

// dx (n) = dout ⊙ mask: the gradient through the same mask. dx may alias dout.
void dropout_backward(float* dx, const float* dout, const float* mask, std::size_t n);

}  // namespace fastnn
