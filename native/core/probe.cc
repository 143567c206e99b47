#include "probe.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

namespace fastnn {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best of `reps` timings of f(): the least disturbed run on a shared machine.
template <class F>
double best_seconds(int reps, F f) {
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

}  // namespace

double probe_peak_gflops(KernelPath path) {
  const KernelSet& ks = kernel_set(path);
  // Calibrate to ~50 ms per run, then take the best of 5.
  std::size_t iters = 1 << 16;
  while (true) {
    const auto t0 = std::chrono::steady_clock::now();
    ks.fma_probe(iters);
    if (seconds_since(t0) > 0.02 || iters > (std::size_t{1} << 34)) break;
    iters *= 2;
  }
  iters *= 2;
  double flops = 0;
  const double s = best_seconds(5, [&] { flops = ks.fma_probe(iters); });
  return flops / s / 1e9;
}

Bandwidth probe_bandwidth(std::size_t bytes) {
  const std::size_t n = std::max<std::size_t>(bytes / sizeof(float), 1);
  // Touch every page before timing (first-touch page faults are not bandwidth).
  std::vector<float> a(n, 0.0f), b(n, 1.0f), c(n, 2.0f);
  const float s = 0.5f;
  Bandwidth out{};
  const double copy_s = best_seconds(5, [&] { std::memcpy(a.data(), b.data(), n * sizeof(float)); });
  out.copy_gbs = 2.0 * static_cast<double>(n * sizeof(float)) / copy_s / 1e9;
  const double triad_s = best_seconds(5, [&] {
    float* pa = a.data();
    const float* pb = b.data();
    const float* pc = c.data();
    for (std::size_t i = 0; i < n; i++) pa[i] = pb[i] + s * pc[i];
  });
  out.triad_gbs = 3.0 * static_cast<double>(n * sizeof(float)) / triad_s / 1e9;
  // Keep the stores observable.
  volatile float sink = a[n / 2];
  (void)sink;
  return out;
}

}  // namespace fastnn
