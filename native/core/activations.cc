#include "activations.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "dispatch.h"

namespace fastnn {

// Sigmoid units run the float32 sigmoid32 (sigmoid32.h) at the CPU's vector
// width: libm's exp one element at a time cost as much as a product of the
// layer, all of it on one thread. Tanh is done in float64 and rounded once on
// store, like the TS backend, so both agree to the last bit wherever libm does.
void activation_forward(float* out, const float* inp, std::size_t n, Activation act, double leaky_slope) {
  switch (act) {
    case Activation::Identity:
      if (out != inp) {
        for (std::size_t i = 0; i < n; i++) out[i] = inp[i];
      }
      return;
    case Activation::Sigmoid:
      kernel_set(initial_kernel_path()).sigmoid(out, inp, n);  // every path gives the same bits
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < n; i++) out[i] = static_cast<float>(std::tanh(static_cast<double>(inp[i])));
      return;
    case Activation::Relu:
      // `x < 0`, not `x > 0`: NaN must propagate.
      for (std::size_t i = 0; i < n; i++) out[i] = inp[i] < 0 ? 0.0f : inp[i];
      return;
    case Activation::LeakyRelu:
      for (std::size_t i = 0; i < n; i++) {
        const float x = inp[i];
        out[i] = x < 0 ? static_cast<float>(leaky_slope * x) : x;
      }
      return;
  }
}

void activation_backward(float* dinp, const float* dout, const float* out, std::size_t n, Activation act,
                         double leaky_slope) {
  switch (act) {
    case Activation::Identity:
      if (dinp != dout) {
        for (std::size_t i = 0; i < n; i++) dinp[i] = dout[i];
      }
      return;
    case Activation::Sigmoid:
      for (std::size_t i = 0; i < n; i++) dinp[i] = sigmoid_backward(dout[i], out[i]);
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < n; i++) {
        const double y = out[i];
        dinp[i] = static_cast<float>(dout[i] * (1 - y * y));
      }
      return;
    case Activation::Relu:
      // 0·dout rather than 0 so a NaN or ∞ gradient is not silently dropped.
      // Selected by bit mask: compilers keep a ?: of a multiply as a branch
      // (-ftrapping-math), which the signs of a layer's outputs mispredict
      // half the time; integer ANDs vectorise.
      for (std::size_t i = 0; i < n; i++) {
        const float d = dout[i], zeroed = 0.0f * d;
        std::uint32_t db, zb;
        std::memcpy(&db, &d, sizeof db);
        std::memcpy(&zb, &zeroed, sizeof zb);
        const std::uint32_t keep = 0u - static_cast<std::uint32_t>(out[i] > 0);
        const std::uint32_t bits = (db & keep) | (zb & ~keep);
        std::memcpy(dinp + i, &bits, sizeof bits);
      }
      return;
    case Activation::LeakyRelu:
      for (std::size_t i = 0; i < n; i++) {
        const float d = dout[i], sloped = static_cast<float>(leaky_slope * d);
        dinp[i] = out[i] > 0 ? d : sloped;
      }
      return;
  }
}

}  // namespace fastnn
