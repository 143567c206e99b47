// Data-parallel synchronous SGD over the processes of a multi-process run
// (communicator.h): what network_fit does differently when it is one rank
// of several. Every rank holds the whole training set and draws the same
// order; each global batch of size × batch_size rows is cut into `size`
// contiguous shares in rank order, each rank forms the gradient of its
// share, and one rank-ordered sum of the gradients weighted by share rows /
// global rows makes every rank apply the update of the whole global batch.
// TS twin: src/backend/js/data-parallel.ts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "communicator.h"
#include "network.h"

namespace fastnn {

// The rows of a global batch one rank trains on: [begin, begin + rows) of it.
struct Share {
  std::size_t begin = 0;
  std::size_t rows = 0;
};

// A global batch of `global_rows` cut as evenly as possible into `size`
// contiguous shares in rank order (the first global_rows mod size get one more row).
Share share_of(std::size_t global_rows, std::int32_t rank, std::int32_t size);

// The seed of the generator a rank's share of batch `batch` draws its input
// noise and dropout masks from: the ranks' shared generator only shuffles,
// so every rank keeps drawing the same orders. Derived from the epoch's
// order state, so a resumed epoch draws the same noise again.
std::uint32_t share_seed(const std::uint32_t order_state[4], std::size_t batch, std::int32_t rank);

// What every rank learns from a step's sum besides the gradient.
struct StepAgreement {
  bool loss_finite = true;  // no rank's share had a non-finite loss
  bool cancelled = false;   // some rank was cancelled: every rank stops before this batch
};

// The per-step and per-epoch sums of one rank (inactive outside a multi-process run).
class DataParallel {
 public:
  DataParallel(const NetworkView& net, const fastnn_communicator* comm);

  bool active() const { return comm_ != nullptr; }
  std::int32_t rank() const { return active() ? comm_->rank : 0; }
  std::int32_t size() const { return active() ? comm_->size : 1; }

  // ws.grads ← Σ over ranks of (share rows / global rows) · each rank's
  // gradient, every rank the same bits: one allreduce of one contiguous
  // buffer holding every gradient and two flags. A share of 0 rows adds 0
  // (its gradient is not read). Throws std::runtime_error when the
  // communicator fails.
  StepAgreement reduce_gradients(BatchWorkspace& ws, std::size_t rows, std::size_t global_rows, bool loss_finite,
                                 bool cancelled);

  // values[0 .. count) ← Σ over ranks (float64, rank order), in place.
  void sum(double* values, std::size_t count);

 private:
  const fastnn_communicator* comm_;
  std::vector<std::size_t> sizes_;  // elements of each gradient
  std::vector<float> buffer_;       // every gradient, then the two flags
};

}  // namespace fastnn
