// The single kernels, one JS call each: for composition, tests and
// benchmarks (firstOutside, a pass over a whole training set, runs as a job). Every function validates its arguments
// (args.h; messages as in src/backend/validate.ts, checked in the same order as the TS backend: scalars first, then
// arrays), then calls one core kernel on zero-copy views of the caller's Float32Arrays. Throws: TypeError for a wrong
// kind of value, RangeError for a wrong size or value; nothing else.
#include "../core/activations.h"
#include "../core/elementwise.h"
#include "../core/gemm.h"
#include "../core/losses.h"
#include "../core/scan.h"
#include "../core/sgd.h"
#include "../core/softmax.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"
#include "net_args.h"

namespace fastnn::bindings {

namespace {

// [sync] gemm(c, a, b, m, n, k, transA, transB, alpha, beta): undefined
// c (m,n) = alpha·op(a)·op(b) + beta·c; a (m,k), or (k,m) if transA; b (k,n), or (n,k) if
// transB. beta == 0 overwrites c. m, n, k sizes; alpha, beta finite; transA, transB booleans.
// Runs on the path gemmPath() names, threaded over the pool for large problems.
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "gemm";
  const std::size_t m = args::Size(env, fn, "m", info[3]);
  const std::size_t n = args::Size(env, fn, "n", info[4]);
  const std::size_t k = args::Size(env, fn, "k", info[5]);
  const bool trans_a = args::Bool(env, fn, "transA", info[6]);
  const bool trans_b = args::Bool(env, fn, "transB", info[7]);
  const double alpha = args::Finite(env, fn, "alpha", info[8]);
  const double beta = args::Finite(env, fn, "beta", info[9]);
  float* c = args::Matrix(env, fn, "c", info[0], m, n);
  const float* a = trans_a ? args::Matrix(env, fn, "a", info[1], k, m) : args::Matrix(env, fn, "a", info[1], m, k);
  const float* b = trans_b ? args::Matrix(env, fn, "b", info[2], n, k) : args::Matrix(env, fn, "b", info[2], k, n);
  gemm(c, a, b, m, n, k, trans_a, trans_b, alpha, beta, InstanceRuntime(env).gemm_context());
  return env.Undefined();
}

// [sync] biasAdd(out, bias, rows, cols): undefined
// out (rows,cols) += bias (cols), broadcast over rows.
Napi::Value BiasAdd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "biasAdd";
  const std::size_t rows = args::Size(env, fn, "rows", info[2]);
  const std::size_t cols = args::Size(env, fn, "cols", info[3]);
  float* out = args::Matrix(env, fn, "out", info[0], rows, cols);
  const float* bias = args::Vector(env, fn, "bias", info[1], cols);
  bias_add(out, bias, rows, cols, cols);
  return env.Undefined();
}

// [sync] colSum(out, inp, rows, cols): undefined
// out (cols) = Σ over rows of inp (rows,cols): the bias gradient.
Napi::Value ColSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "colSum";
  const std::size_t rows = args::Size(env, fn, "rows", info[2]);
  const std::size_t cols = args::Size(env, fn, "cols", info[3]);
  float* out = args::Vector(env, fn, "out", info[0], cols);
  const float* inp = args::Matrix(env, fn, "inp", info[1], rows, cols);
  col_sum(out, inp, rows, cols, cols);
  return env.Undefined();
}

// [sync] activationForward(out, inp, n, act, leakySlope): undefined
// out (n) = f(inp (n)); out may be inp. act an Activation code in [0, 4]; leakySlope finite.
Napi::Value ActivationForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "activationForward";
  const std::size_t n = args::Size(env, fn, "n", info[2]);
  const int act = args::Code(env, fn, "act", info[3], kActivationCount);
  const double slope = args::Finite(env, fn, "leakySlope", info[4]);
  float* out = args::Vector(env, fn, "out", info[0], n);
  const float* inp = args::Vector(env, fn, "inp", info[1], n);
  activation_forward(out, inp, n, static_cast<Activation>(act), slope);
  return env.Undefined();
}

// [sync] activationBackward(dinp, dout, out, n, act, leakySlope): undefined
// dinp (n) = dout (n) ⊙ f'(s), f' written through out = f(s) (n); dinp may be dout.
Napi::Value ActivationBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "activationBackward";
  const std::size_t n = args::Size(env, fn, "n", info[3]);
  const int act = args::Code(env, fn, "act", info[4], kActivationCount);
  const double slope = args::Finite(env, fn, "leakySlope", info[5]);
  float* dinp = args::Vector(env, fn, "dinp", info[0], n);
  const float* dout = args::Vector(env, fn, "dout", info[1], n);
  const float* out = args::Vector(env, fn, "out", info[2], n);
  activation_backward(dinp, dout, out, n, static_cast<Activation>(act), slope);
  return env.Undefined();
}

// [sync] softmaxRows(out, inp, rows, cols): undefined
// out (rows,cols) = row-wise softmax of inp (rows,cols); out may be inp.
Napi::Value SoftmaxRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "softmaxRows";
  const std::size_t rows = args::Size(env, fn, "rows", info[2]);
  const std::size_t cols = args::Size(env, fn, "cols", info[3]);
  float* out = args::Matrix(env, fn, "out", info[0], rows, cols);
  const float* inp = args::Matrix(env, fn, "inp", info[1], rows, cols);
  softmax_rows(out, inp, rows, cols);
  return env.Undefined();
}

// [sync] lossForwardBackward(dlogits, logits, target, rows, cols, loss, params): number
// Returns the mean over rows of the loss of logits (rows,cols) against target
// (rows, cols, or cols/2 for gaussianNll); writes ∂loss/∂logits to dlogits (rows,cols)
// unless dlogits is null. loss a Loss code; params a LossParams object.
Napi::Value LossForwardBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "lossForwardBackward";
  // params' properties first: reading them may run user getters.
  const LossParamValues pv = FetchLossParams(info[6]);
  const std::size_t rows = args::Size(env, fn, "rows", info[3]);
  const std::size_t cols = args::Size(env, fn, "cols", info[4]);
  const Loss loss = static_cast<Loss>(args::Code(env, fn, "loss", info[5], kLossCount));
  if (loss == Loss::GaussianNll && cols % 2 != 0) {
    args::ThrowRange(env,
                     std::string(fn) + ": cols must be even for the gaussianNll loss, got " + std::to_string(cols));
  }
  LossParams params = CheckLossScalars(env, fn, "params", pv);
  CheckClassWeights(env, fn, "params", pv, cols, params);
  float* dlogits = args::OptionalMatrix(env, fn, "dlogits", info[0], rows, cols);
  const float* logits = args::Matrix(env, fn, "logits", info[1], rows, cols);
  const float* target = args::Matrix(env, fn, "target", info[2], rows, loss_target_cols(loss, cols));
  return Napi::Number::New(env, loss_forward_backward(dlogits, logits, target, rows, cols, loss, params));
}

// [sync] sgdUpdate(w, g, n, lr, weightDecay): undefined
// w (n) ← w − lr·(g (n) + weightDecay·w). lr and weightDecay finite.
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "sgdUpdate";
  const std::size_t n = args::Size(env, fn, "n", info[2]);
  const double lr = args::Finite(env, fn, "lr", info[3]);
  const double weight_decay = args::Finite(env, fn, "weightDecay", info[4]);
  float* w = args::Vector(env, fn, "w", info[0], n);
  const float* g = args::Vector(env, fn, "g", info[1], n);
  sgd_update(w, g, n, lr, weight_decay);
  return env.Undefined();
}

// The scan of firstOutside, on a thread of its own: a training set takes
// tens of milliseconds, too long to hold the JS thread.
class FirstOutsideJob final : public BackgroundJob {
 public:
  FirstOutsideJob(const float* data, std::size_t n, double lo, double hi, ThreadPool& pool)
      : BackgroundJob("firstOutside"), data_(data), n_(n), lo_(lo), hi_(hi), pool_(pool) {}

  void Execute(JobContext& ctx) override {
    found_ = first_outside(data_, n_, lo_, hi_, pool_, [&ctx] { return ctx.Cancelled(); });
  }

  Napi::Value Result(Napi::Env env) override {
    return Napi::Number::New(env, found_ == n_ ? -1.0 : static_cast<double>(found_));
  }

 private:
  const float* data_;
  std::size_t n_;
  double lo_, hi_;
  ThreadPool& pool_;
  std::size_t found_ = 0;
};

// [async] firstOutside(data, min, max): { promise, cancel }
// The promise resolves with the index of the first element of data (a
// Float32Array) that is not finite or not in [min, max], or −1; cancelled, −1.
// min ≤ max finite. Reads data in place when a SharedArrayBuffer backs it.
Napi::Value FirstOutside(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "firstOutside";
  const double lo = args::Finite(env, fn, "min", info[1]);
  const double hi = args::Finite(env, fn, "max", info[2]);
  if (!(lo <= hi)) args::ThrowRange(env, args::Prefix(fn, "min must be at most max"));
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    args::ThrowType(env, args::Prefix(fn, "data must be a Float32Array"));
  }
  Napi::Float32Array array = info[0].As<Napi::Float32Array>();
  JobMemory memory;
  const float* data = memory.Own(array, array.Data(), JobMemory::Access::kRead);
  auto job = std::make_unique<FirstOutsideJob>(data, array.ElementLength(), lo, hi, InstanceRuntime(env).pool);
  return Jobs(env).Start(env, std::move(job), env.Undefined(), std::move(memory));
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
}

}  // namespace fastnn::bindings
