#include "scan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace fastnn {

namespace {

// Elements per block: each block is tested without branching (a loop the
// compiler vectorises), and only a block that fails is searched for its index.
constexpr std::size_t kBlock = 512;
// Elements per pool job: 16 MiB of floats, so a stop request is seen within milliseconds.
constexpr std::size_t kChunk = std::size_t{1} << 22;

// Float bounds that accept exactly the floats in [lo, hi]: lo rounded up and
// hi rounded down to floats (a double bound between two floats must not let
// the one outside it pass), clamped to the finite floats so "finite" never
// admits ±Infinity.
struct FloatBounds {
  float lo, hi;
};

FloatBounds float_bounds(double lo, double hi) {
  constexpr float kMax = std::numeric_limits<float>::max();
  float l = static_cast<float>(std::clamp(lo, -static_cast<double>(kMax), static_cast<double>(kMax)));
  if (static_cast<double>(l) < lo) l = std::nextafter(l, kMax);
  float h = static_cast<float>(std::clamp(hi, -static_cast<double>(kMax), static_cast<double>(kMax)));
  if (static_cast<double>(h) > hi) h = std::nextafter(h, -kMax);
  return {l, h};
}

std::size_t scan(const float* x, std::size_t n, FloatBounds b) {
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t end = std::min(n, start + kBlock);
    // Bitwise & of the comparisons, not &&: no branch, so the loop vectorises.
    unsigned inside = 1;
    for (std::size_t i = start; i < end; i++)
      inside &= static_cast<unsigned>(x[i] >= b.lo) & static_cast<unsigned>(x[i] <= b.hi);
    if (inside) continue;
    for (std::size_t i = start; i < end; i++) {
      if (!(x[i] >= b.lo && x[i] <= b.hi)) return i;
    }
  }
  return n;
}

}  // namespace

std::size_t first_outside(const float* x, std::size_t n, double lo, double hi, ThreadPool& pool,
                          const std::function<bool()>& stop) {
  const FloatBounds b = float_bounds(lo, hi);
  const std::size_t parts = pool.size();
  std::vector<std::size_t> found(parts);
  for (std::size_t start = 0; start < n; start += kChunk) {
    if (stop()) return n;
    const std::size_t len = std::min(kChunk, n - start);
    // Each part finds its own first hit; the earliest part with one has the answer.
    pool.run(parts, [&](std::size_t p) {
      const std::size_t begin = part_begin(len, p, parts);
      const std::size_t end = part_begin(len, p + 1, parts);
      found[p] = begin + scan(x + start + begin, end - begin, b);
    });
    for (std::size_t p = 0; p < parts; p++) {
      if (found[p] < part_begin(len, p + 1, parts)) return start + found[p];
    }
  }
  return n;
}

}  // namespace fastnn
