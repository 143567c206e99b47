// The decompositions behind PCA and classical MDS, each a job on a thread of
// its own that shares the pool: centredGram (core/gram.h) and
// symmetricEigen (core/symmetric_eigen.h). A Fashion-MNIST covariance is
// seconds of work, far too long for the JS thread. Arguments are checked as
// in src/backend/js/index.ts, in the same order and words: sizes and
// scalars, then arrays, then onProgress. Inputs are read in place when a
// SharedArrayBuffer backs them; outputs are the job's copies, written back
// on settling (job_memory.h).
#include "../core/gram.h"
#include "../core/symmetric_eigen.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"

namespace fastnn::bindings {

namespace {

// onProgress: a function or null, the last argument of both jobs.
Napi::Value ProgressCallback(Napi::Env env, const char* fn, Napi::Value v) {
  if (!v.IsNull() && !v.IsFunction()) args::ThrowType(env, args::Prefix(fn, "onProgress must be a function or null"));
  return v;
}

// Both jobs report { done, total } and resolve with whether they finished (false: cancelled).
class DecompositionJob : public BackgroundJob {
 public:
  explicit DecompositionJob(const char* fn) : BackgroundJob(fn) {}

  Napi::Value Result(Napi::Env env) override { return Napi::Boolean::New(env, finished_); }

  Napi::Value Progress(Napi::Env env, const std::vector<double>& v) override {
    Napi::Object p = Napi::Object::New(env);
    p.Set("done", v[0]);
    p.Set("total", v[1]);
    return p;
  }

 protected:
  static ProgressFn Reporter(JobContext& ctx) {
    return [&ctx](std::size_t done, std::size_t total) {
      ctx.Report({static_cast<double>(done), static_cast<double>(total)});
    };
  }
  static StopFn Stopper(JobContext& ctx) {
    return [&ctx] { return ctx.Cancelled(); };
  }

  bool finished_ = false;
};

class CentredGramJob final : public DecompositionJob {
 public:
  CentredGramJob(float* out, float* mean, const float* x, std::size_t n, std::size_t d, bool rows, double alpha,
                 GemmContext ctx)
      : DecompositionJob("centredGram"),
        out_(out),
        mean_(mean),
        x_(x),
        n_(n),
        d_(d),
        rows_(rows),
        alpha_(alpha),
        ctx_(ctx) {}

  void Execute(JobContext& ctx) override {
    finished_ = centred_gram(out_, mean_, x_, n_, d_, rows_, alpha_, ctx_, Reporter(ctx), Stopper(ctx));
  }

 private:
  float* out_;
  float* mean_;
  const float* x_;
  std::size_t n_, d_;
  bool rows_;
  double alpha_;
  GemmContext ctx_;
};

// [async] centredGram(out, mean, x, n, d, rows, alpha, onProgress): { promise, cancel }
// mean (d) ← column means of x (n, d); out ← alpha·Xcᵀ·Xc (d, d), or with rows
// alpha·Xc·Xcᵀ (n, n), Xc the centred x. Resolves true, or false when cancelled.
Napi::Value CentredGram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "centredGram";
  const std::size_t n = args::Size(env, fn, "n", info[3]);
  const std::size_t d = args::Size(env, fn, "d", info[4]);
  const bool rows = args::Bool(env, fn, "rows", info[5]);
  const double alpha = args::Finite(env, fn, "alpha", info[6]);
  const std::size_t side = rows ? n : d;
  float* out = args::Matrix(env, fn, "out", info[0], side, side);
  float* mean = args::Vector(env, fn, "mean", info[1], d);
  const float* x = args::Matrix(env, fn, "x", info[2], n, d);
  Napi::Value on_progress = ProgressCallback(env, fn, info[7]);
  JobMemory memory;
  out = memory.Own(info[0], out, JobMemory::Access::kReadWrite);
  mean = memory.Own(info[1], mean, JobMemory::Access::kReadWrite);
  x = memory.Own(info[2], x, JobMemory::Access::kRead);
  auto job = std::make_unique<CentredGramJob>(out, mean, x, n, d, rows, alpha, InstanceRuntime(env).gemm_context());
  return Jobs(env).Start(env, std::move(job), on_progress, std::move(memory));
}

class SymmetricEigenJob final : public DecompositionJob {
 public:
  SymmetricEigenJob(double* values, float* vectors, const float* a, std::size_t m, std::size_t k, GemmContext ctx)
      : DecompositionJob("symmetricEigen"), values_(values), vectors_(vectors), a_(a), m_(m), k_(k), ctx_(ctx) {}

  void Execute(JobContext& ctx) override {
    try {
      finished_ = symmetric_eigen(values_, vectors_, a_, m_, k_, ctx_, Reporter(ctx), Stopper(ctx));
    } catch (const NonFiniteEntry& e) {
      bad_ = std::make_unique<NonFiniteEntry>(e);
      throw;
    }
  }

  // A non-finite entry is a bad argument: a RangeError naming it, as the TS backend words it.
  Napi::Value Failure(Napi::Env env, const std::string& what) override {
    if (!bad_) return BackgroundJob::Failure(env, what);
    const std::string message = "symmetricEigen: a contains " + args::FormatNumber(env, bad_->value) + " at row " +
                                std::to_string(bad_->row) + ", column " + std::to_string(bad_->col);
    return Napi::RangeError::New(env, message).Value();
  }

 private:
  double* values_;
  float* vectors_;
  const float* a_;
  std::size_t m_, k_;
  GemmContext ctx_;
  std::unique_ptr<NonFiniteEntry> bad_;  // set on the job's thread before it throws; read after the join
};

// [async] symmetricEigen(values, vectors, a, m, k, onProgress): { promise, cancel }
// The k largest eigenvalues of the symmetric a (m, m) (lower triangle read) into
// values (k), largest first, and their unit eigenvectors into the rows of
// vectors (k, m), each with its largest-magnitude entry positive. Resolves true,
// or false when cancelled; rejects with a RangeError for a non-finite entry.
Napi::Value SymmetricEigen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "symmetricEigen";
  const std::size_t m = args::Size(env, fn, "m", info[3]);
  const auto k = static_cast<std::size_t>(args::Int(env, fn, "k", info[4], 0, static_cast<std::int64_t>(m)));
  double* values = args::Float64Vector(env, fn, "values", info[0], k);
  float* vectors = args::Matrix(env, fn, "vectors", info[1], k, m);
  const float* a = args::Matrix(env, fn, "a", info[2], m, m);
  Napi::Value on_progress = ProgressCallback(env, fn, info[5]);
  JobMemory memory;
  values = memory.Own(info[0], values, JobMemory::Access::kReadWrite);
  vectors = memory.Own(info[1], vectors, JobMemory::Access::kReadWrite);
  a = memory.Own(info[2], a, JobMemory::Access::kRead);
  auto job = std::make_unique<SymmetricEigenJob>(values, vectors, a, m, k, InstanceRuntime(env).gemm_context());
  return Jobs(env).Start(env, std::move(job), on_progress, std::move(memory));
}

}  // namespace

void RegisterDecomposition(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "centredGram", CentredGram);
  Export(env, exports, "symmetricEigen", SymmetricEigen);
}

}  // namespace fastnn::bindings
