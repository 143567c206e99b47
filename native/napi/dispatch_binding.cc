// The build and the machine, which kernels run and on how many threads: for
// support questions (backendInfo()), tests (every path this CPU supports) and
// benchmarks. Paths and threads belong to this environment's Runtime (addon
// instance).
#include <string>

#include "../core/cpu_features.h"
#include "../core/dispatch.h"
#include "../core/gemm.h"
#include "../core/probe.h"
#include "args.h"
#include "bindings.h"
#include "boundary.h"

#ifndef FASTNN_VERSION
#error "FASTNN_VERSION must be defined by the build (package.json's version, as a string literal)"
#endif

namespace fastnn::bindings {

namespace {

// [sync] cpuFeatures(): string[]
// Returns the CPU features the kernels can dispatch on, e.g. ['sse4.2', 'avx', 'avx2', 'fma'];
// empty on non-x86 machines. Throws nothing.
Napi::Value CpuFeatures(const Napi::CallbackInfo& info) { return ArrayOf(info.Env(), cpu_features()); }

std::string SupportedList() {
  std::string out;
  for (KernelPath p : supported_kernel_paths())
    out += std::string(out.empty() ? "'" : ", '") + kernel_path_name(p) + "'";
  return out;
}

// [sync] gemmPath(): string
// The active kernel path: 'portable', 'avx2' or 'avx512'. Starts at the best the CPU
// supports, lowered by FASTNN_CPU at load. Throws nothing.
Napi::Value GemmPath(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), kernel_path_name(InstanceRuntime(info.Env()).path));
}

// [sync] setGemmPath(name): undefined
// Switches this environment's kernels to `name`. Throws TypeError when name is not a string,
// RangeError when it is not a path this CPU supports.
void SetGemmPath(const Napi::CallbackInfo& info) {
  const args::Args a(info.Env(), "setGemmPath");
  const std::string name = a.String("name", info[0]);
  KernelPath path;
  if (!parse_kernel_path(name, &path) || !kernel_path_supported(path)) {
    a.ThrowRange("name", "must be a kernel path this CPU supports (" + SupportedList() + "), got '" + name + "'");
  }
  InstanceRuntime(info.Env()).path = path;
}

// [sync] gemmPaths(): string[]
// The paths this CPU supports, slowest first, e.g. ['portable', 'avx2', 'avx512']. Throws nothing.
Napi::Value GemmPaths(const Napi::CallbackInfo& info) {
  std::vector<const char*> names;
  for (KernelPath p : supported_kernel_paths()) names.push_back(kernel_path_name(p));
  return ArrayOf(info.Env(), names);
}

// [sync] gemmBlocking(): { path, mr, nr, mc, kc, nc, threadedFlops, directMnk, gemvThreadedFlops }
// The active path's register tile (mr×nr), cache blocks (mc, kc, nc), the problem size
// (2·m·n·k flops) from which gemm uses the whole pool, the largest m·n·k it computes
// unpacked and the size (2·n·k) from which a one-row product with transB shares its rows:
// the sizes where the algorithm switches, for tests that probe each one ±1.
// Throws nothing.
Napi::Value GemmBlocking(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Runtime& rt = InstanceRuntime(env);
  const MicroKernel& uk = kernel_set(rt.path).gemm;
  return ObjectOf(env, "path", kernel_path_name(rt.path), "mr", uk.mr, "nr", uk.nr, "mc", uk.mc, "kc", uk.kc, "nc",
                  uk.nc, "threadedFlops", rt.gemm_threaded_flops, "directMnk", kGemmDirectMnk, "gemvThreadedFlops",
                  kGemvThreadedFlops);
}

// [sync] getThreads(): number
// Threads gemm uses for large problems (the caller included). Throws nothing.
Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(InstanceRuntime(info.Env()).pool.size()));
}

// [sync] setThreads(n): undefined
// Resizes this environment's pool to n threads (the caller included); 0 = hardware cores.
// Throws TypeError when n is not a number, RangeError when not an integer in [0, args::kMaxThreads].
void SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::int64_t n = args::Args(env, "setThreads").Int("n", info[0], 0, args::kMaxThreads);
  InstanceRuntime(env).pool.resize(static_cast<std::size_t>(n));
}

// [sync] probePeak(): { path, gflops }
// fp32 FMA throughput of one core on the active path, GFLOP/s (about 0.3 s). Throws nothing.
Napi::Value ProbePeak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const KernelPath path = InstanceRuntime(env).path;
  return ObjectOf(env, "path", kernel_path_name(path), "gflops", probe_peak_gflops(path));
}

// [sync] probeBandwidth(bytes): { bytes, copyGBs, triadGBs }
// Single-thread memory bandwidth over arrays of `bytes` each (3 are allocated), GB/s.
// Throws TypeError when bytes is not a number, RangeError when not an integer in [4, 2^31 − 1].
Napi::Value ProbeBandwidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::int64_t bytes = args::Args(env, "probeBandwidth").Int("bytes", info[0], 4, args::kMaxDim);
  const Bandwidth bw = probe_bandwidth(static_cast<std::size_t>(bytes));
  return ObjectOf(env, "bytes", bytes, "copyGBs", bw.copy_gbs, "triadGBs", bw.triad_gbs);
}

}  // namespace

void RegisterDispatch(Napi::Env env, Napi::Object exports) {
  // version: string, package.json's version baked in at build time (read-only).
  exports.DefineProperty(
      Napi::PropertyDescriptor::Value("version", Napi::String::New(env, FASTNN_VERSION), napi_enumerable));
  Export(env, exports, "cpuFeatures", CpuFeatures);
  Export(env, exports, "gemmPath", GemmPath);
  Export(env, exports, "setGemmPath", SetGemmPath);
  Export(env, exports, "gemmPaths", GemmPaths);
  Export(env, exports, "gemmBlocking", GemmBlocking);
  Export(env, exports, "getThreads", GetThreads);
  Export(env, exports, "setThreads", SetThreads);
  Export(env, exports, "probePeak", ProbePeak);
  Export(env, exports, "probeBandwidth", ProbeBandwidth);
}

}  // namespace fastnn::bindings
