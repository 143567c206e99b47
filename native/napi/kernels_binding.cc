// The kernels, one JS call each, for composition, tests and benchmarks. A
// single kernel runs at once on zero-copy views of the caller's typed arrays.
// A pass over a whole data set runs as a job on a thread of its own that
// shares the pool: firstOutside (core/scan.h) and the decompositions behind
// PCA and classical MDS, centredGram (core/gram.h) and symmetricEigen
// (core/symmetric_eigen.h); a training set takes tens of milliseconds, a
// Fashion-MNIST covariance seconds, far too long for the JS thread. Their
// inputs are read in place when a SharedArrayBuffer backs them; outputs are
// the job's copies, written back on settling (job_memory.h). No argument is
// an object with getters except lossForwardBackward's params, hence its only
// Verify().
#include <vector>

#include "../core/activations.h"
#include "../core/elementwise.h"
#include "../core/gemm.h"
#include "../core/gram.h"
#include "../core/losses.h"
#include "../core/scan.h"
#include "../core/sgd.h"
#include "../core/softmax.h"
#include "../core/symmetric_eigen.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"
#include "net_args.h"

namespace fastnn::bindings {

namespace {

using args::Args;

// [sync] gemm(c, a, b, m, n, k, transA, transB, alpha, beta): undefined
// c (m,n) = alpha·op(a)·op(b) + beta·c; a (m,k), or (k,m) if transA; b (k,n), or (n,k) if
// transB. beta == 0 overwrites c. Runs on the path gemmPath() names, threaded over the
// pool for large problems.
void Gemm(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "gemm");
  const std::size_t m = a.Size("m", info[3]), n = a.Size("n", info[4]), k = a.Size("k", info[5]);
  const bool trans_a = a.Bool("transA", info[6]), trans_b = a.Bool("transB", info[7]);
  const double alpha = a.Number("alpha", info[8]), beta = a.Number("beta", info[9]);
  float* c = a.Array<float>("c", info[0], m * n);
  const float* lhs = a.Array<float>("a", info[1], m * k);
  const float* rhs = a.Array<float>("b", info[2], k * n);
  gemm(c, lhs, rhs, m, n, k, trans_a, trans_b, alpha, beta, InstanceRuntime(info.Env()).gemm_context());
}

// [sync] biasAdd(out, bias, rows, cols): undefined
// out (rows,cols) += bias (cols), broadcast over rows.
void BiasAdd(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "biasAdd");
  const std::size_t rows = a.Size("rows", info[2]), cols = a.Size("cols", info[3]);
  bias_add(a.Array<float>("out", info[0], rows * cols), a.Array<float>("bias", info[1], cols), rows, cols, cols);
}

// [sync] colSum(out, inp, rows, cols): undefined
// out (cols) = Σ over rows of inp (rows,cols): the bias gradient.
void ColSum(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "colSum");
  const std::size_t rows = a.Size("rows", info[2]), cols = a.Size("cols", info[3]);
  col_sum(a.Array<float>("out", info[0], cols), a.Array<float>("inp", info[1], rows * cols), rows, cols, cols);
}

// [sync] activationForward(out, inp, n, act, leakySlope): undefined
// out (n) = f(inp (n)); out may be inp. act an Activation code.
void ActivationForward(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "activationForward");
  const std::size_t n = a.Size("n", info[2]);
  const auto act = a.Code<Activation>("act", info[3], kActivationCount);
  const double slope = a.Number("leakySlope", info[4]);
  activation_forward(a.Array<float>("out", info[0], n), a.Array<float>("inp", info[1], n), n, act, slope);
}

// [sync] activationBackward(dinp, dout, out, n, act, leakySlope): undefined
// dinp (n) = dout (n) ⊙ f'(s), f' written through out = f(s) (n); dinp may be dout.
void ActivationBackward(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "activationBackward");
  const std::size_t n = a.Size("n", info[3]);
  const auto act = a.Code<Activation>("act", info[4], kActivationCount);
  const double slope = a.Number("leakySlope", info[5]);
  float* dinp = a.Array<float>("dinp", info[0], n);
  const float* dout = a.Array<float>("dout", info[1], n);
  activation_backward(dinp, dout, a.Array<float>("out", info[2], n), n, act, slope);
}

// [sync] softmaxRows(out, inp, rows, cols): undefined
// out (rows,cols) = row-wise softmax of inp (rows,cols); out may be inp.
void SoftmaxRows(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "softmaxRows");
  const std::size_t rows = a.Size("rows", info[2]), cols = a.Size("cols", info[3]);
  softmax_rows(a.Array<float>("out", info[0], rows * cols), a.Array<float>("inp", info[1], rows * cols), rows, cols);
}

// [sync] lossForwardBackward(dlogits, logits, target, rows, cols, loss, params): number
// Returns the mean over rows of the loss of logits (rows,cols) against target
// (rows, cols, or cols/2 for gaussianNll); writes ∂loss/∂logits to dlogits (rows,cols)
// unless dlogits is null. loss a Loss code; params a LossParams object. A
// sigmoid output of more than one chunk (sigmoid_loss32.h kLossChunk) is
// shared over the instance's pool (losses.h).
Napi::Value LossForwardBackward(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "lossForwardBackward");
  const std::size_t rows = a.Size("rows", info[3]), cols = a.Size("cols", info[4]);
  const auto loss = a.Code<Loss>("loss", info[5], kLossCount);
  const LossParams params = ReadLossParams(a, "params", info[6], cols);
  float* dlogits = a.Optional<float>("dlogits", info[0], rows * cols);
  const float* logits = a.Array<float>("logits", info[1], rows * cols);
  const float* target = a.Array<float>("target", info[2], rows * loss_target_cols(loss, cols));
  a.Verify();
  ThreadPool* pool = &InstanceRuntime(info.Env()).pool;
  return Napi::Number::New(info.Env(), loss_forward_backward(dlogits, logits, target, rows, cols, loss, params, pool));
}

// [sync] sgdUpdate(w, g, n, lr, weightDecay): undefined
// w (n) ← w − lr·(g (n) + weightDecay·w).
void SgdUpdate(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "sgdUpdate");
  const std::size_t n = a.Size("n", info[2]);
  const double lr = a.Number("lr", info[3]), weight_decay = a.Number("weightDecay", info[4]);
  sgd_update(a.Array<float>("w", info[0], n), a.Array<float>("g", info[1], n), n, lr, weight_decay);
}

// Starts `run`, a core call given a progress and a stop function, as fn's job:
// it reports { done, total } and resolves with what run returns, an R. A non-finite
// entry of symmetricEigen's input rejects as a RangeError naming it
// (background_job.cc).
template <class R, class Run>
Napi::Value StartJob(Napi::Env env, const char* fn, Napi::Value on_progress, JobMemory memory, Run run) {
  const auto job = [run](JobContext& ctx) {
    return run(
        [&ctx](std::size_t done, std::size_t total) {
          ctx.Report({static_cast<double>(done), static_cast<double>(total)});
        },
        [&ctx] { return ctx.Cancelled(); });
  };
  return Jobs(env).Start(env, std::make_unique<FunctionJob<R>>(fn, job, std::vector<const char*>{"done", "total"}),
                         on_progress, std::move(memory));
}

// [async] centredGram(out, mean, x, n, d, rows, alpha, onProgress): { promise, cancel }
// mean (d) ← column means of x (n, d); out ← alpha·Xcᵀ·Xc (d, d), or with rows
// alpha·Xc·Xcᵀ (n, n), Xc the centred x. Resolves true, or false when cancelled.
Napi::Value CentredGram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args a(env, "centredGram");
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
  return StartJob<bool>(env, "centredGram", on_progress, std::move(memory), [=](auto report, auto stop) {
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
  Args a(env, "symmetricEigen");
  const std::size_t m = a.Size("m", info[3]);
  const auto k = a.Int<std::size_t>("k", info[4], 0, static_cast<std::int64_t>(m));
  JobMemory memory;  // no getter runs: each array is the job's as soon as it is read
  double* values = memory.Own(info[0], a.Array<double>("values", info[0], k), JobMemory::Access::kReadWrite);
  float* vectors = memory.Own(info[1], a.Array<float>("vectors", info[1], k * m), JobMemory::Access::kReadWrite);
  const float* matrix = memory.Own(info[2], a.Array<float>("a", info[2], m * m), JobMemory::Access::kRead);
  Napi::Value on_progress = a.Callback("onProgress", info[5]);
  const GemmContext gemm = InstanceRuntime(env).gemm_context();
  return StartJob<bool>(env, "symmetricEigen", on_progress, std::move(memory), [=](auto report, auto stop) {
    return symmetric_eigen(values, vectors, matrix, m, k, gemm, report, stop);
  });
}

// [async] firstOutside(data, min, max): { promise, cancel }
// The promise resolves with the index of the first element of data (a
// Float32Array) that is not finite or not in [min, max], or −1; cancelled, −1.
Napi::Value FirstOutside(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args a(env, "firstOutside");
  const double lo = a.Number("min", info[1]), hi = a.Number("max", info[2]);
  Napi::Float32Array array = a.AnyLength<float>("data", info[0]);
  JobMemory memory;
  const float* data = memory.Own(array, array.Data(), JobMemory::Access::kRead);
  const std::size_t n = array.ElementLength();
  ThreadPool& pool = InstanceRuntime(env).pool;
  return StartJob<double>(env, "firstOutside", env.Undefined(), std::move(memory), [=, &pool](auto, auto stop) {
    const std::size_t found = first_outside(data, n, lo, hi, pool, stop);
    return found == n ? -1.0 : static_cast<double>(found);
  });
}

}  // namespace

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "gemm", Gemm);
  Export(env, exports, "biasAdd", BiasAdd);
  Export(env, exports, "colSum", ColSum);
  Export(env, exports, "activationForward", ActivationForward);
  Export(env, exports, "activationBackward", ActivationBackward);
  Export(env, exports, "softmaxRows", SoftmaxRows);
  Export(env, exports, "lossForwardBackward", LossForwardBackward);
  Export(env, exports, "sgdUpdate", SgdUpdate);
  Export(env, exports, "firstOutside", FirstOutside);
  Export(env, exports, "centredGram", CentredGram);
  Export(env, exports, "symmetricEigen", SymmetricEigen);
}

}  // namespace fastnn::bindings
