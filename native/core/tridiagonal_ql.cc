#include "tridiagonal_ql.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "householder.h"

namespace fastnn {

namespace {

// Rotations per batch: 160 KiB of them, read once per column chunk.
constexpr std::size_t kBatch = std::size_t{1} << 13;
// Bytes of z one chunk spans (its m rows of `width` doubles): about half an L2.
constexpr std::size_t kChunkBytes = std::size_t{1} << 19;
constexpr int kMaxSweeps = 60;

class RotationBatch {
 public:
  RotationBatch(double* z, std::size_t m, const EigenKernels& ek, ThreadPool* pool, const StopFn& stop)
      : z_(z),
        m_(m),
        ek_(ek),
        pool_(pool),
        stop_(stop),
        // 8 to 64 columns: wide enough for the vector units, narrow enough that the chunk stays in cache.
        width_(std::clamp<std::size_t>(kChunkBytes / sizeof(double) / std::max<std::size_t>(1, m) / 8 * 8, 8, 64)) {
    index_.reserve(kBatch);
    c_.reserve(kBatch);
    s_.reserve(kBatch);
  }

  // Records the rotation of rows i, i+1; applies the batch when it is full. False once stop() says so.
  bool add(std::size_t i, double c, double s) {
    index_.push_back(static_cast<std::uint32_t>(i));
    c_.push_back(c);
    s_.push_back(s);
    return index_.size() < kBatch || flush();
  }

  // Applies the recorded rotations to z and forgets them. False when stop() interrupted it.
  bool flush() {
    const std::size_t count = index_.size();
    const std::size_t chunks = (m_ + width_ - 1) / width_;
    const std::size_t parts = pool_ && count * m_ >= (std::size_t{1} << 16) ? std::min(pool_->size(), chunks) : 1;
    std::atomic<bool> stopped{false};
    auto part = [&](std::size_t p) {
      for (std::size_t ch = chunks * p / parts; ch < chunks * (p + 1) / parts; ch++) {
        if (stop_()) {
          stopped.store(true, std::memory_order_relaxed);
          return;
        }
        const std::size_t c0 = ch * width_;
        ek_.rotate(z_ + c0, m_, std::min(width_, m_ - c0), index_.data(), c_.data(), s_.data(), count);
      }
    };
    if (parts == 1) part(0);
    else pool_->run(parts, part);
    index_.clear();
    c_.clear();
    s_.clear();
    return !stopped.load(std::memory_order_relaxed) && !stop_();
  }

 private:
  double* z_;
  std::size_t m_;
  const EigenKernels& ek_;
  ThreadPool* pool_;
  const StopFn& stop_;
  std::size_t width_;
  std::vector<std::uint32_t> index_;
  std::vector<double> c_, s_;
};

}  // namespace

bool tridiagonal_ql(double* diag, double* off, double* z, std::size_t m, const EigenKernels& ek, ThreadPool* pool,
                    const ProgressFn& progress, const StopFn& stop) {
  RotationBatch batch(z, m, ek, pool, stop);
  const double eps = std::ldexp(1.0, -52);
  double f = 0, tst1 = 0;
  for (std::size_t l = 0; l < m; l++) {
    if (stop()) return false;
    // The first negligible off-diagonal entry from l on splits off the block l..mm.
    tst1 = std::max(tst1, std::fabs(diag[l]) + std::fabs(off[l]));
    std::size_t mm = l;
    while (mm + 1 < m && !(std::fabs(off[mm]) <= eps * tst1)) mm++;
    if (mm > l) {
      int sweeps = 0;
      do {
        if (++sweeps > kMaxSweeps) throw std::runtime_error("symmetricEigen: the QL iteration did not converge");
        // Wilkinson's shift from the leading 2 × 2 block, applied to the whole of diag.
        double g = diag[l];
        double p = (diag[l + 1] - g) / (2.0 * off[l]);
        double r = stable_hypot(p, 1.0);
        if (p < 0) r = -r;
        diag[l] = off[l] / (p + r);
        diag[l + 1] = off[l] * (p + r);
        const double dl1 = diag[l + 1];
        double h = g - diag[l];
        for (std::size_t i = l + 2; i < m; i++) diag[i] = diag[i] - h;
        f = f + h;
        // The implicit QL sweep, bottom to top.
        p = diag[mm];
        double c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const double el1 = off[l + 1];
        for (std::size_t i = mm; i-- > l;) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * off[i];
          h = c * p;
          r = stable_hypot(p, off[i]);
          off[i + 1] = s * r;
          s = off[i] / r;
          c = p / r;
          p = c * diag[i] - s * g;
          diag[i + 1] = h + s * (c * g + s * diag[i]);
          if (!batch.add(i, c, s)) return false;
        }
        p = -s * s2 * c3 * el1 * off[l] / dl1;
        off[l] = s * p;
        diag[l] = c * p;
      } while (std::fabs(off[l]) > eps * tst1);
    }
    diag[l] = diag[l] + f;
    off[l] = 0;
    progress(l + 1, m);
  }
  return batch.flush();
}

}  // namespace fastnn
