#include "trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "data_parallel.h"
#include "out_of_memory.h"
#include "rng.h"
#include "sgd_rank1.h"
#include "tiny_step.h"

namespace fastnn {

NonFiniteStep::NonFiniteStep(const char* quantity, std::size_t epoch, std::size_t batch)
    : std::runtime_error(std::string("non-finite ") + quantity + " at epoch " + std::to_string(epoch) + ", batch " +
                         std::to_string(batch) + "; that batch was not applied"),
      quantity_(quantity),
      epoch_(epoch),
      batch_(batch) {}

namespace {

// Σ g² over every parameter's gradient, in float64: finite exactly when every
// gradient entry is (float32 squares cannot overflow a double). Four partial
// sums (entry i into s[i mod 4]) break the add latency chain, which otherwise
// costs as much as a small net's whole update; trainer.ts sums in the same order.
double gradient_sum_squares(const NetworkView& net, const BatchWorkspace& ws) {
  double s[4] = {0, 0, 0, 0};
  for (std::size_t p = 0; p < net.params.size(); p++) {
    const std::vector<float>& g = ws.grad_bufs[p];
    for (std::size_t i = 0; i < g.size(); i++) s[i % 4] += static_cast<double>(g[i]) * g[i];
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// The best monitored value so far, and a copy of the weights that gave it
// (in resume.best_params when given, so the run's next job continues it).
class BestTracker {
 public:
  BestTracker(const NetworkView& net, const EarlyStopping& es, const FitResume& resume)
      : es_(es), enabled_(es.patience > 0 || es.restore_best || !resume.best_params.empty()) {
    if (enabled_) {
      best_ = resume.best;
      best_epoch_ = resume.best_epoch;
    }
    if (!resume.best_params.empty()) {
      for (std::size_t p = 0; p < net.params.size(); p++) saved_.push_back({resume.best_params[p], param_size(net, p)});
      return;
    }
    if (!es.restore_best) return;
    allocating("the copy of the best weights (restoreBestWeights)", [&] {
      owned_.resize(net.params.size());
      for (std::size_t p = 0; p < net.params.size(); p++) {
        owned_[p].resize(param_size(net, p));
        saved_.push_back({owned_[p].data(), owned_[p].size()});
      }
    });
  }

  // Records the history row of the run's epoch `epoch`; true when training should stop.
  bool update(const NetworkView& net, const double* row, std::size_t epoch) {
    if (!enabled_) return false;
    const double v = row[monitor_field()];
    const bool maximise = es_.monitor == Monitor::Metric || es_.monitor == Monitor::ValMetric;
    // NaN never improves; the first finite value always does.
    const bool better = best_epoch_ == 0 ? std::isfinite(v)
                        : maximise       ? v > best_ + es_.min_delta
                                         : v < best_ - es_.min_delta;
    if (better) {
      best_ = v;
      best_epoch_ = epoch;
      for (std::size_t p = 0; p < saved_.size(); p++) std::copy_n(net.params[p], saved_[p].size, saved_[p].data);
    }
    return es_.patience > 0 && epoch - best_epoch_ >= es_.patience;
  }

  void restore(const NetworkView& net) const {
    if (best_epoch_ == 0) return;
    for (std::size_t p = 0; p < saved_.size(); p++) std::copy_n(saved_[p].data, saved_[p].size, net.params[p]);
  }

  std::size_t best_epoch() const { return best_epoch_; }
  double best() const { return best_epoch_ == 0 ? 0 : best_; }

 private:
  std::size_t monitor_field() const {
    switch (es_.monitor) {
      case Monitor::Loss: return kHistLoss;
      case Monitor::Metric: return kHistMetric;
      case Monitor::ValLoss: return kHistValLoss;
      case Monitor::ValMetric: return kHistValMetric;
    }
    return kHistLoss;
  }

  struct Span {
    float* data;
    std::size_t size;
  };

  const EarlyStopping& es_;
  bool enabled_;
  std::vector<std::vector<float>> owned_;  // the copies when the job is not given any
  std::vector<Span> saved_;
  double best_ = 0;
  std::size_t best_epoch_ = 0;
};

// What an epoch's history row is made of, summed over the ranks as one array.
enum EpochSum : std::size_t { kSumLoss = 0, kSumMetric, kSumApplied, kSumValLoss, kSumValMetric, kEpochSums };

// The epoch in progress: where it is and the sums its history row needs.
struct EpochState {
  std::size_t batch = 0;  // batches done
  double loss_sum = 0, metric_total = 0;
  std::size_t applied = 0, skipped = 0;
  double lr = 0;                      // of the last applied batch (the epoch's start rate before one)
  std::uint32_t order_state[4] = {};  // the generator before the epoch's shuffle, to draw its order again
};

EpochState resumed_epoch(const double* partial) {
  EpochState st;
  st.batch = static_cast<std::size_t>(partial[kEpochBatch]);
  st.loss_sum = partial[kEpochLossSum];
  st.metric_total = partial[kEpochMetric];
  st.applied = static_cast<std::size_t>(partial[kEpochApplied]);
  st.skipped = static_cast<std::size_t>(partial[kEpochSkipped]);
  st.lr = partial[kEpochLr];
  for (std::size_t i = 0; i < 4; i++) st.order_state[i] = static_cast<std::uint32_t>(partial[kEpochOrder + i]);
  return st;
}

// Fills cfg.position (when given): what the job did and, when `st` stopped
// between batches, that epoch. A stop before an epoch's first batch leaves
// no partial epoch: the generator goes back to before its shuffle, so the
// next job draws the same order.
void write_position(const FitConfig& cfg, const FitOutcome& out, const BestTracker& best, const EpochState* st) {
  if (st != nullptr && st->batch == 0) std::copy_n(st->order_state, 4, cfg.rng_state);
  if (cfg.position == nullptr) return;
  double* p = cfg.position;
  std::fill_n(p, kPositionFields, 0.0);
  p[kPosEpochs] = static_cast<double>(out.epochs);
  p[kPosSteps] = static_cast<double>(out.steps);
  p[kPosBestEpoch] = static_cast<double>(best.best_epoch());
  p[kPosBest] = best.best();
  if (st == nullptr || st->batch == 0) return;
  double* e = p + kPosEpoch;
  e[kEpochBatch] = static_cast<double>(st->batch);
  e[kEpochLossSum] = st->loss_sum;
  e[kEpochMetric] = st->metric_total;
  e[kEpochApplied] = static_cast<double>(st->applied);
  e[kEpochSkipped] = static_cast<double>(st->skipped);
  e[kEpochLr] = st->lr;
  for (std::size_t i = 0; i < 4; i++) e[kEpochOrder + i] = st->order_state[i];
}

}  // namespace

FitOutcome network_fit(const NetworkView& net, const FitConfig& cfg, FitObserver& obs) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool has_metric = cfg.metric != Metric::None;
  const std::size_t k = net.sizes.back();
  BatchWorkspace ws(net, std::min(cfg.batch_size, cfg.n));
  std::vector<std::uint32_t> order = allocating("the shuffle order of " + std::to_string(cfg.n) + " rows",
                                                [&] { return std::vector<std::uint32_t>(cfg.n); });
  Rng rng(cfg.rng_state);
  BestTracker best(net, cfg.early_stopping, cfg.resume);
  Rank1Sgd rank1;
  // Decided once: a small net's per-sample steps run as one pass and one update (tiny_step.h).
  const bool tiny = TinyStep::applies(net, cfg);
  DataParallel ranks(net, cfg.comm);
  // One-row SGD batches form their gradient inside the update (sgd_rank1.h); ranks sum whole gradients.
  const bool fuse_one_row = !ranks.active() && Rank1Sgd::applies(net, cfg.optimizer, 1);
  // Rows per update: this rank's batch_size times the ranks' count.
  const std::size_t global_batch = cfg.batch_size * static_cast<std::size_t>(ranks.size());
  // This rank's rows of the batch that starts at row `start` of the order.
  const auto share_at = [&](std::size_t start) {
    const std::size_t global_rows = std::min(global_batch, cfg.n - start);
    return ranks.active() ? share_of(global_rows, ranks.rank(), ranks.size()) : Share{0, global_rows};
  };
  FitOutcome out;
  // The run's epochs and updates before this job: the schedule's clocks continue from them.
  const std::size_t epoch0 = cfg.resume.epoch, step0 = cfg.resume.step;
  for (std::size_t epoch = 1; epoch <= cfg.epochs; epoch++) {
    const bool resumed = epoch == 1 && cfg.resume.partial != nullptr;
    EpochState st;
    if (resumed) {
      st = resumed_epoch(cfg.resume.partial);
    } else {
      rng.get_state(st.order_state);
      st.lr = schedule_lr(cfg.schedule, cfg.schedule.per_step ? step0 + out.steps : epoch0 + epoch - 1);
    }
    // A resumed epoch draws its order again from its own state; the stream continues from cfg.rng_state.
    Rng order_rng(st.order_state);
    Rng& shuffler = resumed ? order_rng : rng;
    std::iota(order.begin(), order.end(), 0u);
    if (cfg.shuffle) shuffler.shuffle(order.data(), order.size());
    if (!resumed) rng.get_state(cfg.rng_state);
    for (std::size_t start = st.batch * global_batch; start < cfg.n; start += global_batch, st.batch++) {
      const auto stop = [&] {
        // The stream after this epoch's draws so far (the noise drew from it too).
        if (st.batch > 0) rng.get_state(cfg.rng_state);
        write_position(cfg, out, best, &st);
        return out;
      };
      // Several ranks learn of a cancellation together, from the step's sum below.
      if (!ranks.active() && obs.cancelled()) return stop();
      const std::size_t batch = st.batch;
      const std::size_t global_rows = std::min(global_batch, cfg.n - start);
      const Share share = share_at(start);
      const std::size_t rows = share.rows;
      const std::uint32_t* idx = order.data() + start + share.begin;
      // The next batch's rows are asked for now, so that their misses overlap this step (network.h).
      if (!tiny && start + global_batch < cfg.n) {
        const Share next = share_at(start + global_batch);
        prefetch_rows(cfg.x, net.sizes.front(), order.data() + start + global_batch + next.begin, next.rows);
      }
      const bool fused = fuse_one_row && rows == 1;
      // Alone, the noise draws from the run's stream; ranks keep that stream for the shared shuffles.
      std::optional<Rng> share_rng;
      if (ranks.active()) share_rng.emplace(share_seed(st.order_state, batch, ranks.rank()));
      Rng* noise_rng = share_rng ? &*share_rng : &rng;
      double loss = tiny        ? TinyStep::pass(ws, net, cfg.x, cfg.y, *idx)
                    : fused     ? network_batch_deltas(ws, net, cfg.x, cfg.y, idx, rows, cfg.input_noise, noise_rng)
                    : rows == 0 ? 0.0
                                : network_batch_gradient(ws, net, cfg.x, cfg.y, idx, rows, cfg.input_noise, noise_rng);
      if (ranks.active()) {
        const StepAgreement agreed =
            ranks.reduce_gradients(ws, rows, global_rows, std::isfinite(loss), obs.cancelled());
        if (agreed.cancelled) return stop();
        if (!agreed.loss_finite) loss = nan;
      }
      // The gradient's norm is only needed to clip; otherwise the update's dry
      // run is what finds a non-finite gradient, saving a pass over the parameters.
      const bool clip = cfg.optimizer.clip_norm > 0;
      const double sum_sq = std::isfinite(loss) && clip ? gradient_sum_squares(net, ws) : 0;
      const double step_lr = cfg.schedule.per_step ? schedule_lr(cfg.schedule, step0 + out.steps) : st.lr;
      // Every check comes before any weight changes: the loss, the gradient,
      // and the update itself (optimizer_step writes nothing that would overflow).
      // The next row of this epoch, when it is a one-row batch read as it lies (no noise to draw first).
      const bool next_one_row = cfg.batch_size == 1 && start + 1 < cfg.n && cfg.input_noise.type == NoiseType::None;
      const auto next_row = next_one_row ? std::optional<std::uint32_t>(order[start + 1]) : std::nullopt;
      const StepOutcome outcome = !std::isfinite(loss) || !std::isfinite(sum_sq) ? StepOutcome::NonFiniteGradient
                                  : tiny  ? TinyStep::update(net, ws, cfg.optimizer, step_lr)
                                  : fused ? rank1.step(net, ws, cfg.optimizer, step_lr, cfg.x, next_row)
                                          : optimizer_step(net, ws.grads.data(), sum_sq, cfg.optimizer, step_lr);
      // The fused update's bounds hold only while it is the only writer of the weights.
      if (!fused && outcome == StepOutcome::Applied) rank1.forget();
      const char* bad = !std::isfinite(loss)                        ? "loss"
                        : outcome == StepOutcome::NonFiniteGradient ? "gradient"
                        : outcome == StepOutcome::NonFiniteUpdate   ? "update"
                                                                    : nullptr;
      if (bad != nullptr && !cfg.skip_non_finite) throw NonFiniteStep(bad, epoch0 + epoch, batch);
      if (bad != nullptr) {
        st.skipped++;
      } else {
        st.lr = step_lr;
        // The logits of this batch are still in ws (backward and the update do not touch them).
        if (has_metric && rows > 0) st.metric_total += metric_sum(ws.acts.back(), ws.yb.data(), rows, k, cfg.metric);
        out.steps++;
        st.loss_sum += loss * static_cast<double>(rows);
        st.applied += rows;
      }
      out.samples += global_rows;
      if (cfg.progress_every != 0 && (batch + 1) % cfg.progress_every == 0) {
        obs.progress(out.epochs, batch + 1, out.samples,
                     st.applied ? st.loss_sum / static_cast<double>(st.applied) : 0);
      }
    }
    // The input noise drew from the stream too; the caller continues after it.
    rng.get_state(cfg.rng_state);
    double* row = cfg.history + (epoch - 1) * kHistoryFields;
    // The epoch's sums over every rank; the validation figures are rank 0's
    // (the others add 0), so every rank writes the same row and early
    // stopping decides alike everywhere.
    double sums[kEpochSums] = {st.loss_sum, st.metric_total, static_cast<double>(st.applied), 0, 0};
    if (cfg.n_val > 0 && ranks.rank() == 0) {
      sums[kSumValLoss] = network_evaluate(ws, net, cfg.x_val, cfg.y_val, cfg.n_val, cfg.metric, &sums[kSumValMetric]);
    }
    if (ranks.active()) ranks.sum(sums, kEpochSums);
    const double applied = sums[kSumApplied];
    // An epoch whose every batch was skipped has no mean loss: NaN says so.
    row[kHistLoss] = applied != 0 ? sums[kSumLoss] / applied : nan;
    row[kHistMetric] = has_metric && applied != 0 ? sums[kSumMetric] / applied : nan;
    row[kHistValLoss] = cfg.n_val > 0 ? sums[kSumValLoss] : nan;
    row[kHistValMetric] = cfg.n_val > 0 && has_metric ? sums[kSumValMetric] / static_cast<double>(cfg.n_val) : nan;
    row[kHistLr] = st.lr;
    row[kHistSkipped] = static_cast<double>(st.skipped);
    out.epochs = epoch;
    const bool stop = best.update(net, row, epoch0 + epoch);
    obs.progress(out.epochs, 0, out.samples, row[kHistLoss]);
    if (stop) {
      out.stopped_early = true;
      break;
    }
  }
  if (cfg.early_stopping.restore_best) best.restore(net);
  out.best_epoch = best.best_epoch();
  out.best = best.best();
  write_position(cfg, out, best, nullptr);
  return out;
}

}  // namespace fastnn
