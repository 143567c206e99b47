// Per-sample SGD steps of a small network in one function each: the pass
// (gather, forward, loss gradient, backward) and the update, with no
// per-layer dispatch of the general passes (network.cc forward_layers and
// backward_layers, Rank1Sgd::step's per-layer updates). For a 2-4-1 net (XOR) those
// cost more than the arithmetic: with 4 hidden units and 1 output a step is
// the latency of a few dependent chains, and the general path adds calls,
// branches and vector kernels that run only their scalar tails around them.
//
// Which fits take it (TinyStep::applies, decided once per fit): every batch
// one row (batch size 1, one process), plain SGD without clipping and every
// layer kTinyWidth units wide or less, with nothing a pass keeps for
// backward beyond activations and deltas: no tied weights, frozen layers,
// dropout, normalisation, sparsity penalty or input noise (Rank1Sgd::applies
// and the trainer's own conditions). Every activation and loss is taken.
//
// Why it gives the general path's bits: it runs the same float operations in
// the same order. Products go through gemm_row, the kernels the general pass
// calls for one row (their order depends on the kernel path); bias, the
// sigmoid units (sigmoid32.h) and the sigmoid-output losses
// (sigmoid_loss32.h, in its lane order) are the same inline functions; other
// activations and losses call the same functions; the update applies
// rank1_new_weight (sgd.h) and, when some new value is not finite, puts the
// old weights back and lets optimizer_step decide, so non-finite numbers
// and updates near float32's limits end as the general path ends them.
// test/backend/train.test.ts and test/native/parallel-training.test.ts
// compare both paths bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "network.h"
#include "optimizers.h"
#include "trainer.h"

namespace fastnn {

// The widest layer (inputs included) of a net the tiny step takes: wider
// layers repay the general path's vector kernels and, from 2^15 weights in
// the first layer, its sharing over the pool.
constexpr std::size_t kTinyWidth = 32;

class TinyStep {
 public:
  // Whether every step of the fit cfg describes (alone: not data-parallel) takes this path.
  static bool applies(const NetworkView& net, const FitConfig& cfg);

  // Row `row` of x (n, sizes[0]) and y (n, target_cols) into ws.xb and
  // ws.yb, forward, the loss and, when it is finite, every layer's deltas:
  // network_batch_deltas's bits for that one-row batch. Returns the loss.
  static double pass(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y, std::uint32_t row);

  // The update of what pass left in ws at rate lr: Rank1Sgd::step's outcome and bits.
  static StepOutcome update(const NetworkView& net, BatchWorkspace& ws, const OptimizerConfig& opt, double lr);
};

}  // namespace fastnn
