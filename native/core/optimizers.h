// Optimizer updates inside the fused training step. State (velocities,
// moments, the step count) lives in JS-owned Float32Arrays borrowed for the
// job, so a checkpoint can save it and a later job resume it exactly.
// SGD computes in float32 (sgd.h); momentum and Adam in float64, stored once
// as float32.
#pragma once

#include <cstddef>
#include <vector>

#include "network.h"

namespace fastnn {

// The integer codes cross the JS boundary (backend.ts `Optimizer`).
enum class Optimizer : int { Sgd = 0, Momentum = 1, Adam = 2, AdamW = 3 };
constexpr int kOptimizerCount = 4;

// State arrays per parameter: none, one velocity, or first then second moments.
std::size_t optimizer_state_count(Optimizer type, std::size_t param_count);

struct OptimizerConfig {
  Optimizer type = Optimizer::Sgd;
  double weight_decay = 0;  // L2 on weights, never biases (decoupled for AdamW)
  double momentum = 0.9;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double clip_norm = 0;       // rescale gradients whose global L2 norm exceeds this; 0 = off
  std::vector<float*> state;  // optimizer_state_count arrays, each shaped like its parameter
  double* step = nullptr;     // updates applied so far (Adam's t), advanced in place
};

// What optimizer_step did: applied the update, or refused it (writing no
// weight or state) because a gradient entry, or some new weight or state
// value once rounded to float32, was not finite.
// The integer codes cross the JS boundary (backend.ts `StepOutcome`).
enum class StepOutcome : int { Applied = 0, NonFiniteGradient = 1, NonFiniteUpdate = 2 };

// Networks with at least this many parameters update them on the whole
// pool (net.gemm.pool), each thread a contiguous part of every parameter;
// smaller ones on the calling thread. Measured on the 2-core Zen 5 VM with
// bench/training.mjs: the 235k-parameter MLP's update is ~15% of its step
// on one thread, while a pool job costs ~1 µs, the update of ~10k floats.
constexpr std::size_t kParallelUpdateElements = 1 << 15;

// One update of every parameter of net from grads (params' layout, used as
// scratch: scaled in place when clipping, left holding the old weights by SGD), at
// rate lr; sum_sq = Σ g² over all of them is read only when clip_norm > 0:
//   sgd       w ← w − lr·g'                     (g' = g + λw, λ = 0 for biases)
//   momentum  v ← μ·v + g';  w ← w − lr·v, or w − lr·(g' + μ·v) with Nesterov
//   adam      m ← β1·m + (1−β1)·g';  v ← β2·v + (1−β2)·g'²;  w ← w − lr·m̂/(√v̂ + ε),
//             m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), t the step count after this update
//   adamw     as adam with g for g', after w ← w − lr·λ·w (decoupled decay)
// A refused update leaves every weight and state as it was: momentum and
// Adam compute it whole before storing anything, SGD (no state) stores it
// as it checks and copies the old weights back. The step count advances
// only when the update is applied.
StepOutcome optimizer_step(const NetworkView& net, float* const* grads, double sum_sq, const OptimizerConfig& opt,
                           double lr);

// optimizer_step for a caller that has only the gradients (Backend.optimizerStep):
// computes sum_sq itself when clipping, in float64 over four interleaved partial
// sums (entry i into s[i mod 4], as the trainer and optimizers.ts sum).
StepOutcome optimizer_update(const NetworkView& net, float* const* grads, const OptimizerConfig& opt, double lr);

}  // namespace fastnn
