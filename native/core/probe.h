// The machine's limits, measured: what the benchmarks express GEMM speed
// against. Each probe takes a fraction of a second.
#pragma once

#include <cstddef>

#include "dispatch.h"

namespace fastnn {

// fp32 FMA throughput of one core on `path`, in GFLOP/s: independent FMA
// chains in registers, no memory traffic (isa_kernels.inc fma_probe).
double probe_peak_gflops(KernelPath path);

struct Bandwidth {
  double copy_gbs;   // a[i] = b[i]: bytes read + written per second / 1e9
  double triad_gbs;  // a[i] = b[i] + s·c[i]
};
// Single-thread memory bandwidth on arrays of `bytes` each (well beyond the
// last-level cache for a meaningful figure: 64 MiB or more).
Bandwidth probe_bandwidth(std::size_t bytes);

}  // namespace fastnn
