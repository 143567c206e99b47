// Whole training jobs in one call: epochs of (optionally shuffled)
// minibatches, each a fused forward + loss + backward + optimizer update with
// the learning rate from a schedule, then validation, history and early
// stopping; progress reports and cancellation between batches. Mirrors
// src/backend/js/trainer.ts step for step, so both backends give the same
// history for the same job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "communicator.h"
#include "metrics.h"
#include "network.h"
#include "optimizers.h"
#include "schedule.h"

namespace fastnn {

// Columns of the per-epoch history (backend.ts HISTORY_FIELDS).
enum HistoryField : std::size_t {
  kHistLoss = 0,   // mean training loss over the applied batches (NaN if none)
  kHistMetric,     // mean training metric over those batches' rows (NaN without a metric)
  kHistValLoss,    // validation loss (NaN without validation data)
  kHistValMetric,  // validation metric (NaN without validation data or metric)
  kHistLr,         // learning rate of the epoch's last batch
  kHistSkipped,    // batches skipped for a non-finite loss, gradient or update
  kHistoryFields
};

// What early stopping watches: a history column, minimised (losses) or maximised (metrics).
enum class Monitor : int { Loss = 0, Metric = 1, ValLoss = 2, ValMetric = 3 };
constexpr int kMonitorCount = 4;

struct EarlyStopping {
  Monitor monitor = Monitor::Loss;
  std::size_t patience = 0;   // stop after this many epochs without improvement; 0 = never stop
  double min_delta = 0;       // an improvement must exceed this
  bool restore_best = false;  // end with the weights of the best epoch (tracked even when patience is 0)
};

// Where a job continues a longer run (backend.ts FitResume): the schedule's
// clock and the early-stopping tracker start here instead of at zero.
struct FitResume {
  std::size_t epoch = 0;       // epochs of the run before this job; epoch numbers count from the run's start
  std::size_t step = 0;        // updates applied before this job: the per-step schedule's clock
  std::size_t best_epoch = 0;  // the run's best epoch so far (0 = none, else ≤ epoch)
  double best = 0;             // its monitored value
  // Empty, or one array per parameter (shaped like it): the best epoch's
  // weights, tracked there in place whatever restore_best says.
  std::vector<float*> best_params;
  // Null, or the run's epoch in progress (epoch + 1) stopped between two of
  // its batches, kEpochFields long (backend.ts EPOCH_FIELDS, batch ≥ 1): the
  // job finishes that epoch first, from its next batch.
  const double* partial = nullptr;
};

// An epoch stopped between batches (backend.ts EPOCH_FIELDS): batches done,
// loss × rows and metric sums over the applied batches, rows applied, batches
// skipped, the rate of the last applied batch, the generator state before the
// epoch's shuffle (4 words).
enum EpochField : std::size_t {
  kEpochBatch = 0,
  kEpochLossSum,
  kEpochMetric,
  kEpochApplied,
  kEpochSkipped,
  kEpochLr,
  kEpochOrder,
  kEpochFields = kEpochOrder + 4
};

// FitConfig::position (backend.ts POSITION_FIELDS): the job's epochs and
// updates, the run's best epoch and value, then the epoch fields.
enum PositionField : std::size_t {
  kPosEpochs = 0,
  kPosSteps,
  kPosBestEpoch,
  kPosBest,
  kPosEpoch,
  kPositionFields = kPosEpoch + kEpochFields
};

// A job as plain data plus borrowed pointers, all checked by the caller.
struct FitConfig {
  const float* x = nullptr;      // (n, sizes[0])
  const float* y = nullptr;      // (n, target_cols)
  std::size_t n = 0;             // ≥ 1
  const float* x_val = nullptr;  // (n_val, sizes[0]); n_val = 0: no validation
  const float* y_val = nullptr;  // (n_val, target_cols)
  std::size_t n_val = 0;
  std::size_t epochs = 0;
  std::size_t batch_size = 1;
  bool shuffle = true;
  std::uint32_t* rng_state = nullptr;  // (4) xoshiro128** state, advanced by the shuffles
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  Metric metric = Metric::None;
  EarlyStopping early_stopping;
  bool skip_non_finite = false;    // skip and count a batch whose loss, gradient or update is not finite
  std::size_t progress_every = 0;  // batches between progress reports; 0 = once per epoch
  double* history = nullptr;       // (epochs, kHistoryFields), one row written per completed epoch
  InputNoise input_noise;          // corrupts each gathered batch (denoising); drawn after the epoch's shuffle
  FitResume resume;                // all zero and empty: a run of its own
  double* position = nullptr;      // (kPositionFields) or null: where the job stopped, written unless it throws
  // Null, or the run's other processes (data_parallel.h): batch_size is then
  // this rank's share of each global batch of comm->size × batch_size rows.
  const fastnn_communicator* comm = nullptr;
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
  std::size_t epochs = 0;      // completed epochs (history rows written)
  std::size_t samples = 0;     // samples whose batch was applied or skipped
  std::size_t best_epoch = 0;  // 1-based epoch (of the run) of the best monitored value; 0 when not tracked
  double best = 0;             // its monitored value (0 when best_epoch is 0)
  std::size_t steps = 0;       // updates applied by this job
  bool stopped_early = false;
};

// A batch whose loss, gradient or update was not finite (src/backend/errors.ts
// NonFiniteError): what() is "non-finite <quantity> at epoch E, batch B; that
// batch was not applied", E from 1 (of the run), B from 0.
class NonFiniteStep : public std::runtime_error {
 public:
  NonFiniteStep(const char* quantity, std::size_t epoch, std::size_t batch);
  const char* quantity() const { return quantity_; }  // "loss", "gradient" or "update"
  std::size_t epoch() const { return epoch_; }
  std::size_t batch() const { return batch_; }

 private:
  const char* quantity_;
  std::size_t epoch_;
  std::size_t batch_;
};

// Trains net in place. Stops between batches when obs.cancelled() (weights
// as after the last applied batch; best weights are not restored then).
// Throws NonFiniteStep before touching any weight of that batch, unless
// skip_non_finite.
FitOutcome network_fit(const NetworkView& net, const FitConfig& cfg, FitObserver& obs);

}  // namespace fastnn
