// Whole training jobs in one call: epochs of (optionally shuffled)
// minibatches, each a fused forward + loss + backward + update, with progress
// reports and cancellation between batches. Mirrors src/backend/js/trainer.ts
// step for step, so both backends give the same history for the same job.
#pragma once

#include <cstddef>
#include <cstdint>

#include "network.h"

namespace fastnn {

// Columns of the per-epoch history (backend.ts HISTORY_FIELDS).
enum HistoryField : std::size_t { kHistLoss = 0, kHistLr, kHistSkipped, kHistoryFields };

// A job as plain data plus borrowed pointers, all checked by the caller.
struct FitConfig {
  const float* x = nullptr;        // (n, sizes[0])
  const float* y = nullptr;        // (n, sizes[last])
  std::size_t n = 0;               // ≥ 1
  std::size_t epochs = 0;
  std::size_t batch_size = 1;
  bool shuffle = true;
  std::uint32_t* rng_state = nullptr;  // (4) xoshiro128** state, advanced by the shuffles
  double learning_rate = 0;
  double weight_decay = 0;
  bool skip_non_finite = false;    // skip and count a batch whose loss or gradient is not finite
  std::size_t progress_every = 0;  // batches between progress reports; 0 = once per epoch
  double* history = nullptr;       // (epochs, kHistoryFields), one row written per completed epoch
};

// What a job reports to and asks of its runner (the N-API job, or a test).
class FitObserver {
 public:
  virtual ~FitObserver() = default;
  virtual bool cancelled() const = 0;
  // epochs completed, batches done in the current epoch, samples processed
  // in the whole job, running mean loss of the current epoch.
  virtual void progress(std::size_t epochs, std::size_t batches, std::size_t samples, double loss) = 0;
};

struct FitOutcome {
  std::size_t epochs = 0;   // completed epochs (history rows written)
  std::size_t samples = 0;  // samples whose batch was applied or skipped
};

// Trains net in place. Stops between batches when obs.cancelled(). Throws
// std::runtime_error "non-finite loss|gradient at epoch E, batch B" (E from
// 1, B from 0) before touching any weight of that batch, unless
// skip_non_finite.
FitOutcome network_fit(const NetworkView& net, const FitConfig& cfg, FitObserver& obs);

}  // namespace fastnn
