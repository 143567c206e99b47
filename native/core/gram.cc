#include "gram.h"

#include <algorithm>
#include <vector>

namespace fastnn {

namespace {

// About 40 ms of a 2-core AVX-512 machine's gemm (~100 GFLOP/s) per block.
constexpr double kBlockFlops = 4e9;
// Floats of the centred copy of one block (16 MiB): small next to x.
constexpr std::size_t kBlockFloats = std::size_t{1} << 22;
// Rows of x per stop check in the pass for the means (16 MiB of floats at d = 1).
constexpr std::size_t kMeanFloats = std::size_t{1} << 22;

// Column sums of rows [r0, r1) of x added to sums, columns cut over the pool:
// each column's sum runs in row order on one thread, whatever the pool's size.
void add_column_sums(double* sums, const float* x, std::size_t r0, std::size_t r1, std::size_t d, ThreadPool* pool) {
  const std::size_t parts = pool ? pool->size() : 1;
  auto part = [&](std::size_t p) {
    const std::size_t j0 = part_begin(d, p, parts), j1 = part_begin(d, p + 1, parts);
    for (std::size_t i = r0; i < r1; i++) {
      const float* row = x + i * d;
      for (std::size_t j = j0; j < j1; j++) sums[j] += static_cast<double>(row[j]);
    }
  };
  if (parts == 1) part(0);
  else pool->run(parts, part);
}

// block ← rows [first, first + count) of x (columns mode: a (count, d)
// block) or its columns [first, first + count) of every row (rows mode: an
// (n, count) block), minus their means: float32 subtractions.
void centre_block(float* block, const float* x, const float* mean, std::size_t d, std::size_t first, std::size_t count,
                  bool rows, std::size_t n, ThreadPool* pool) {
  const std::size_t lines = rows ? n : count;  // rows of the block
  const std::size_t width = rows ? count : d;  // its columns
  const float* m = rows ? mean + first : mean;
  const std::size_t parts = pool && lines * width >= (std::size_t{1} << 16) ? pool->size() : 1;
  auto part = [&](std::size_t p) {
    for (std::size_t i = part_begin(lines, p, parts); i < part_begin(lines, p + 1, parts); i++) {
      const float* src = rows ? x + i * d + first : x + (first + i) * d;
      float* dst = block + i * width;
      for (std::size_t j = 0; j < width; j++) dst[j] = src[j] - m[j];
    }
  };
  if (parts == 1) part(0);
  else pool->run(parts, part);
}

// Rows (or, when `rows`, columns) of x per block: enough products per gemm
// to run near its peak, few enough that a block takes tens of milliseconds
// and its centred copy stays small. Fixed by the sizes alone, so the sums
// (float32, one rounding per block) do not depend on the thread count.
std::size_t gram_block(std::size_t n, std::size_t d, bool rows) {
  const double side = static_cast<double>(rows ? n : d);  // out is side × side
  const std::size_t depth = rows ? d : n;                 // what the blocks cut
  const std::size_t width = rows ? n : d;                 // floats per unit of depth
  const auto by_flops = static_cast<std::size_t>(kBlockFlops / std::max(1.0, 2 * side * side)) + 1;
  const std::size_t by_memory = std::max<std::size_t>(1, kBlockFloats / std::max<std::size_t>(1, width));
  return std::max<std::size_t>(1, std::min({depth, by_flops, by_memory}));
}

}  // namespace

bool centred_gram(float* out, float* mean, const float* x, std::size_t n, std::size_t d, bool rows, double alpha,
                  const GemmContext& ctx, const ProgressFn& progress, const StopFn& stop) {
  std::vector<double> sums(d, 0.0);
  const std::size_t mean_rows = std::max<std::size_t>(1, kMeanFloats / std::max<std::size_t>(1, d));
  for (std::size_t r0 = 0; r0 < n; r0 += mean_rows) {
    if (stop()) return false;
    add_column_sums(sums.data(), x, r0, std::min(n, r0 + mean_rows), d, ctx.pool);
  }
  // No rows: no mean to subtract (0 rather than 0/0).
  for (std::size_t j = 0; j < d; j++) mean[j] = n == 0 ? 0.0f : static_cast<float>(sums[j] / static_cast<double>(n));

  const std::size_t side = rows ? n : d;
  const std::size_t depth = rows ? d : n;
  const std::size_t block = gram_block(n, d, rows);
  std::vector<float> centred(block * (rows ? n : d));
  // No block (n or d is 0): the product of nothing is a zero matrix.
  if (depth == 0) std::fill(out, out + side * side, 0.0f);
  for (std::size_t first = 0; first < depth; first += block) {
    if (stop()) return false;
    const std::size_t count = std::min(block, depth - first);
    centre_block(centred.data(), x, mean, d, first, count, rows, n, ctx.pool);
    // Columns mode: out += Bᵀ·B with B (count, d); rows mode: out += B·Bᵀ with B (n, count).
    gemm(out, centred.data(), centred.data(), side, side, count, !rows, rows, alpha, first == 0 ? 0.0 : 1.0, ctx);
    progress(first + count, depth);
  }
  return true;
}

}  // namespace fastnn
