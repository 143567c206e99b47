#include "trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "rng.h"

namespace fastnn {

namespace {

// Σ g² over every parameter's gradient, in float64: finite exactly when every
// gradient entry is (float32 squares cannot overflow a double).
double gradient_sum_squares(const NetworkView& net, const BatchWorkspace& ws) {
  double s = 0;
  for (std::size_t p = 0; p < net.params.size(); p++) {
    for (float g : ws.grad_bufs[p]) s += static_cast<double>(g) * g;
  }
  return s;
}

[[noreturn]] void throw_non_finite(const char* what, std::size_t epoch, std::size_t batch) {
  throw std::runtime_error(std::string("non-finite ") + what + " at epoch " + std::to_string(epoch) +
                           ", batch " + std::to_string(batch) + "; that batch was not applied");
}

}  // namespace

FitOutcome network_fit(const NetworkView& net, const FitConfig& cfg, FitObserver& obs) {
  BatchWorkspace ws(net, std::min(cfg.batch_size, cfg.n));
  std::vector<std::uint32_t> order(cfg.n);
  Rng rng(cfg.rng_state);
  FitOutcome out;
  for (std::size_t epoch = 1; epoch <= cfg.epochs; epoch++) {
    std::iota(order.begin(), order.end(), 0u);
    if (cfg.shuffle) rng.shuffle(order.data(), order.size());
    rng.get_state(cfg.rng_state);
    double loss_sum = 0;
    std::size_t applied = 0, skipped = 0, batch = 0;
    for (std::size_t start = 0; start < cfg.n; start += cfg.batch_size, batch++) {
      if (obs.cancelled()) return out;
      const std::size_t rows = std::min(cfg.batch_size, cfg.n - start);
      const double loss = network_batch_gradient(ws, net, cfg.x, cfg.y, order.data() + start, rows);
      // Both checks come before any update: a bad batch never reaches the weights.
      const char* bad = !std::isfinite(loss) ? "loss"
                        : !std::isfinite(gradient_sum_squares(net, ws)) ? "gradient" : nullptr;
      if (bad != nullptr && !cfg.skip_non_finite) throw_non_finite(bad, epoch, batch);
      if (bad != nullptr) {
        skipped++;
      } else {
        network_sgd_step(net, ws.grads.data(), cfg.learning_rate, cfg.weight_decay);
        loss_sum += loss * static_cast<double>(rows);
        applied += rows;
      }
      out.samples += rows;
      if (cfg.progress_every != 0 && (batch + 1) % cfg.progress_every == 0) {
        obs.progress(out.epochs, batch + 1, out.samples, applied ? loss_sum / applied : 0);
      }
    }
    double* row = cfg.history + (epoch - 1) * kHistoryFields;
    // An epoch whose every batch was skipped has no mean loss: NaN says so.
    row[kHistLoss] = applied ? loss_sum / static_cast<double>(applied) : std::nan("");
    row[kHistLr] = cfg.learning_rate;
    row[kHistSkipped] = static_cast<double>(skipped);
    out.epochs = epoch;
    obs.progress(out.epochs, 0, out.samples, row[kHistLoss]);
  }
  return out;
}

}  // namespace fastnn
