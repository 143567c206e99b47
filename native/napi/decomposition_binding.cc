// The decompositions behind PCA and classical MDS, each a job on a thread of
// its own that shares the pool: centredGram (core/gram.h) and
// symmetricEigen (core/symmetric_eigen.h). A Fashion-MNIST covariance is
// seconds of work, far too long for the JS thread. Arguments are read as
// args.h says (sizes and exact lengths; checked.ts checks the rest). Inputs
// are read in place when a SharedArrayBuffer backs them; outputs are the
// job's copies, written back on settling (job_memory.h).
#include <cmath>
#include <functional>

#include "../core/gram.h"
#include "../core/symmetric_eigen.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"

namespace fastnn::bindings {

namespace {

// Both jobs run one core call on their thread, report { done, total } and
// resolve with whether it finished (false: cancelled). A non-finite entry of
// symmetricEigen's input is a bad argument: a RangeError naming it, as the TS
// backend words it.
class DecompositionJob final : public BackgroundJob {
 public:
  using Run = std::function<bool(const ProgressFn&, const StopFn&)>;
  DecompositionJob(const char* fn, Run run) : BackgroundJob(fn, {"done", "total"}), run_(std::move(run)) {}

  void Execute(JobContext& ctx) override {
    const ProgressFn report = [&ctx](std::size_t done, std::size_t total) {
      ctx.Report({static_cast<double>(done), static_cast<double>(total)});
    };
    try {
      finished_ = run_(report, [&ctx] { return ctx.Cancelled(); });
    } catch (const NonFiniteEntry& e) {
      bad_ = std::make_unique<NonFiniteEntry>(e);
      throw;
    }
  }

  Napi::Value Result(Napi::Env env) override { return Napi::Boolean::New(env, finished_); }

  Napi::Value Failure(Napi::Env env, const std::string& what) override {
    if (!bad_) return BackgroundJob::Failure(env, what);
    // Only NaN and ±∞ fail, so their JS names are all the formatting needed.
    const char* value = std::isnan(bad_->value) ? "NaN" : bad_->value > 0 ? "Infinity" : "-Infinity";
    return Napi::RangeError::New(env, std::string(fn()) + ": a contains " + value + " at row " +
                                          std::to_string(bad_->row) + ", column " + std::to_string(bad_->col))
        .Value();
  }

 private:
  Run run_;
  bool finished_ = false;
  std::unique_ptr<NonFiniteEntry> bad_;  // set on the job's thread before it throws; read after the join
};

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
  float* out = a.Array<float>("out", info[0], side * side);
  float* mean = a.Array<float>("mean", info[1], d);
  const float* x = a.Array<float>("x", info[2], n * d);
  Napi::Value on_progress = a.Callback("onProgress", info[7]);
  JobMemory memory;
  out = memory.Own(info[0], out, JobMemory::Access::kReadWrite);
  mean = memory.Own(info[1], mean, JobMemory::Access::kReadWrite);
  x = memory.Own(info[2], x, JobMemory::Access::kRead);
  const GemmContext gemm = InstanceRuntime(env).gemm_context();
  auto job = std::make_unique<DecompositionJob>("centredGram", [=](const ProgressFn& report, const StopFn& stop) {
    return centred_gram(out, mean, x, n, d, rows, alpha, gemm, report, stop);
  });
  return Jobs(env).Start(env, std::move(job), on_progress, std::move(memory));
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
  const auto k = static_cast<std::size_t>(a.Int("k", info[4], 0, static_cast<std::int64_t>(m)));
  double* values = a.Array<double>("values", info[0], k);
  float* vectors = a.Array<float>("vectors", info[1], k * m);
  const float* matrix = a.Array<float>("a", info[2], m * m);
  Napi::Value on_progress = a.Callback("onProgress", info[5]);
  JobMemory memory;
  values = memory.Own(info[0], values, JobMemory::Access::kReadWrite);
  vectors = memory.Own(info[1], vectors, JobMemory::Access::kReadWrite);
  matrix = memory.Own(info[2], matrix, JobMemory::Access::kRead);
  const GemmContext gemm = InstanceRuntime(env).gemm_context();
  auto job = std::make_unique<DecompositionJob>("symmetricEigen", [=](const ProgressFn& report, const StopFn& stop) {
    return symmetric_eigen(values, vectors, matrix, m, k, gemm, report, stop);
  });
  return Jobs(env).Start(env, std::move(job), on_progress, std::move(memory));
}

}  // namespace

void RegisterDecomposition(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "centredGram", CentredGram);
  Export(env, exports, "symmetricEigen", SymmetricEigen);
}

}  // namespace fastnn::bindings
