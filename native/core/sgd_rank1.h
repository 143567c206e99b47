// Per-sample SGD without a gradient buffer. For a batch of one row, layer
// l's weight gradient is the outer product dz·aᵀ of its deltas and inputs,
// so w ← w − lr·(dz·aᵀ + λ·w) runs as one pass that forms each gradient
// entry where it is used (rank1_sgd, isa_update.inc), instead of a GEMM that
// writes the gradient and optimizer_step's pass over it.
// The result is bit for bit optimizer_step's SGD after
// network_batch_gradient, with the same outcome for non-finite numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "network.h"
#include "optimizers.h"

namespace fastnn {

class Rank1Sgd {
 public:
  // Whether a batch of `rows` rows takes this path: one row, plain SGD, no
  // clipping (its norm needs the whole gradient first), no tied weights
  // (their gradients are folded together before the update), no frozen
  // layer, no dropout (its update reads the undropped activations), no
  // normalisation (its gradient needs the whole batch).
  static bool applies(const NetworkView& net, const OptimizerConfig& opt, std::size_t rows);

  // One update of net from the deltas network_batch_deltas left in ws for a
  // one-row batch at rate lr: what network_param_gradients then
  // optimizer_step(net, ws.grads, 0, opt, lr) would do, outcome included;
  // nothing is written unless it returns Applied.
  //
  // With next_row, the row of x (n, sizes[0]) the next one-row pass reads
  // (uncorrupted), an applied update also forms that row's first-layer
  // product with the new weights, row by row of W(0) as each is updated
  // (ws.first_product), so the next pass does not read W(0) again: W(0) is
  // most of a per-sample step's memory traffic. The product has the bits
  // forward would give it.
  StepOutcome step(const NetworkView& net, BatchWorkspace& ws, const OptimizerConfig& opt, double lr,
                   const float* x = nullptr, std::optional<std::uint32_t> next_row = std::nullopt);

  // The weights were changed by another update (a batch of several rows in
  // the same job): the next step measures them again, since its bounds hold
  // only while it is the only writer.
  void forget() { max_abs_.clear(); }

 private:
  // The checks step makes before it writes anything: the step's outcome
  // when the fused update must not run (a non-finite gradient; or, near
  // float32's limits, what the general path decided, applied when Applied),
  // nullopt when its bounds prove every new weight finite.
  std::optional<StepOutcome> unfused_outcome(const NetworkView& net, BatchWorkspace& ws, const OptimizerConfig& opt,
                                             double lr);

  // max |param| per parameter, kept current by every fused update; empty
  // until the first step and after an update by the general path.
  std::vector<float> max_abs_;
  // Each pool task's max |new w| of the first layer's shared update (step).
  std::vector<float> part_max_;
};

}  // namespace fastnn
