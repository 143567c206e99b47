// The decompositions behind PCA and classical MDS, each a job on a thread of
// its own that shares the pool: centredGram (core/gram.h) and
// symmetricEigen (core/symmetric_eigen.h). A Fashion-MNIST covariance is
// seconds of work, far too long for the JS thread. Inputs are read in place
// when a SharedArrayBuffer backs them; outputs are the job's copies, written
// back on settling (job_memory.h).
#include <vector>

#include "../core/gram.h"
#include "../core/symmetric_eigen.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"

namespace fastnn::bindings {

namespace {

// Starts `run`, a core call given a progress and a stop function, as fn's job:
// it reports { done, total } and resolves with whether the call finished
// (false: cancelled). A non-finite entry of symmetricEigen's input rejects as
// a RangeError naming it (background_job.cc).
template <class Run>
Napi::Value StartJob(Napi::Env env, const char* fn, Napi::Value on_progress, JobMemory memory, Run run) {
  const auto job = [run](JobContext& ctx) {
    return run(
        [&ctx](std::size_t done, std::size_t total) {
          ctx.Report({static_cast<double>(done), static_cast<double>(total)});
        },
        [&ctx] { return ctx.Cancelled(); });
  };
  return Jobs(env).Start(env, std::make_unique<FunctionJob<bool>>(fn, job, std::vector<const char*>{"done", "total"}),
                         on_progress, std::move(memory));
}

// [async] centredGram(out, mean, x, n, d, rows, alpha, onProgress): { promise, cancel }
// mean (d) ← column means of x (n, d); out ← alpha·Xcᵀ·Xc (d, d), or with rows
// alpha·Xc·Xcᵀ (n, n), Xc the centred x. Resolves true, or false when cancelled.
Napi::Value CentredGram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  args::Args a(env, "centredGram");
  const std::size_t n = a.Size("n", info[3]), d = a.Size("d", info[4]);
  const bool rows = a.Bool("rows", info[5]);
  const double alpha = a.Number("alpha", info[6]);
  const std::size_t side = rows ? n : d;
  JobMemory memory;  // no getter runs: each array is the job's as soon as it is read
  float* out = memory.Own(info[0], a.Array<float>("out", info[0], side * side), JobMemory::Access::kReadWrite);
  float* mean = memory.Own(info[1], a.Array<float>("mean", info[1], d), JobMemory::Access::kReadWrite);
  const float* x = memory.Own(info[2], a.Array<float>("x", info[2], n * d), JobMemory::Access::kRead);
  Napi::Value on_progress = a.Callback("onProgress", info[7]);
  const GemmContext gemm = InstanceRuntime(env).gemm_context();
  return StartJob(env, "centredGram", on_progress, std::move(memory), [=](auto report, auto stop) {
    return centred_gram(out, mean, x, n, d, rows, alpha, gemm, report, stop);
  });
}

// [async] symmetricEigen(values, vectors, a, m, k, onProgress): { promise, cancel }
// The k largest eigenvalues of the symmetric a (m, m) (lower triangle read) into
// values (k), largest first, and their unit eigenvectors into the rows of
// vectors (k, m), each with its largest-magnitude entry positive. Resolves true,
// or false when cancelled; rejects with a RangeError for a non-finite entry.
Napi::Value SymmetricEigen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  args::Args a(env, "symmetricEigen");
  const std::size_t m = a.Size("m", info[3]);
  const auto k = a.Int<std::size_t>("k", info[4], 0, static_cast<std::int64_t>(m));
  JobMemory memory;  // no getter runs: each array is the job's as soon as it is read
  double* values = memory.Own(info[0], a.Array<double>("values", info[0], k), JobMemory::Access::kReadWrite);
  float* vectors = memory.Own(info[1], a.Array<float>("vectors", info[1], k * m), JobMemory::Access::kReadWrite);
  const float* matrix = memory.Own(info[2], a.Array<float>("a", info[2], m * m), JobMemory::Access::kRead);
  Napi::Value on_progress = a.Callback("onProgress", info[5]);
  const GemmContext gemm = InstanceRuntime(env).gemm_context();
  return StartJob(env, "symmetricEigen", on_progress, std::move(memory), [=](auto report, auto stop) {
    return symmetric_eigen(values, vectors, matrix, m, k, gemm, report, stop);
  });
}

}  // namespace

void RegisterDecomposition(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "centredGram", CentredGram);
  Export(env, exports, "symmetricEigen", SymmetricEigen);
}

}  // namespace fastnn::bindings
