// Optimizer updates inside the fused training step. State (velocities,
// moments, the step count) lives in JS-owned Float32Arrays borrowed for the
// job, so a checkpoint can save it and a later job resume it exactly.
// Every update is computed in float64 and stored once as float32.
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
  double clip_norm = 0;     // rescale gradients whose global L2 norm exceeds this; 0 = off
  std::vector<float*> state;  // optimizer_state_count arrays, each shaped like its parameter
  double* step = nullptr;     // updates applied so far (Adam's t), advanced in place
};

// w (n), v (n), g (n): g' = g + decay·w; v ← μ·v + g'; w ← w − lr·(Nesterov ? g' + μ·v : v).
void momentum_update(float* w, float* v, const float* g, std::size_t n, double lr, double mu, double decay,
                     bool nesterov);

// w (n), m (n), v (n), g (n), at step t ≥ 1: g' = g + decay·w (Adam) or w ← w − lr·decay·w first
// (AdamW, decoupled); m ← β1·m + (1−β1)·g'; v ← β2·v + (1−β2)·g'²;
// w ← w − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
void adam_update(float* w, float* m, float* v, const float* g, std::size_t n, double lr, double beta1, double beta2,
                 double eps, double decay, bool decoupled, double t);

// One update of every parameter of net from grads (params' layout; scaled in
// place when clipping), given sum_sq = Σ g² over all of them.
void optimizer_step(const NetworkView& net, float* const* grads, double sum_sq, const OptimizerConfig& opt, double lr);

}  // namespace fastnn
