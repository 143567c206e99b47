#include "dispatch.h"

#include <cstdlib>

namespace fastnn {

namespace {

constexpr KernelPath kAll[] = {KernelPath::Portable, KernelPath::Avx2, KernelPath::Avx512};
// Indexed by KernelPath; also the names setGemmPath accepts.
constexpr const char* kNames[] = {"portable", "avx2", "avx512"};

KernelPath detect_best() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return KernelPath::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return KernelPath::Avx2;
#endif
  return KernelPath::Portable;
}

}  // namespace

const char* kernel_path_name(KernelPath path) { return kNames[static_cast<int>(path)]; }

bool parse_kernel_path(const std::string& name, KernelPath* path) {
  for (KernelPath p : kAll) {
    if (name == kernel_path_name(p)) {
      *path = p;
      return true;
    }
  }
  return false;
}

bool kernel_path_supported(KernelPath path) {
  // Every path at or below the best one is supported: avx512f CPUs have AVX2+FMA.
  return static_cast<int>(path) <= static_cast<int>(detect_best());
}

std::vector<KernelPath> supported_kernel_paths() {
  std::vector<KernelPath> out;
  for (KernelPath p : kAll) {
    if (kernel_path_supported(p)) out.push_back(p);
  }
  return out;
}

KernelPath initial_kernel_path() {
  // A function-local constant: initialised once (thread-safe), never written
  // again, so worker_threads sharing it see the same value and no state.
  static const KernelPath initial = [] {
    KernelPath best = detect_best();
    KernelPath wanted;
    const char* env = std::getenv("FASTNN_CPU");
    if (env != nullptr && parse_kernel_path(env, &wanted) && static_cast<int>(wanted) < static_cast<int>(best)) {
      return wanted;
    }
    return best;
  }();
  return initial;
}

const KernelSet& kernel_set(KernelPath path) {
  switch (path) {
#if defined(__x86_64__)
    case KernelPath::Avx512: return kAvx512Kernels;
    case KernelPath::Avx2: return kAvx2Kernels;
#endif
    default: return kPortableKernels;
  }
}

}  // namespace fastnn
