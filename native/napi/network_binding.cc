// Whole-network calls: one JS call runs a forward pass, a full gradient, or a
// whole epoch of minibatch SGD, so JS is never in the inner loop.
//
// Object arguments (net, job) are read in two phases. Phase 1 reads every
// property and array element, which may run user getters (and a getter could
// detach a buffer). Phase 2 checks values and takes data pointers, and runs
// no user code, so no pointer can dangle by the time the core runs. Checks
// run in the TS backend's order (validate.ts checkNetwork / checkTrainJob),
// so the first error reported is the same on both backends.
#include <string>

#include "../core/network.h"
#include "../core/optimizers.h"
#include "args.h"
#include "bindings.h"
#include "boundary.h"
#include "net_args.h"

namespace fastnn::bindings {

namespace {

// Runs a core call, turning a non-finite loss into a JS Error named after fn
// (a failed allocation becomes a RangeError at the boundary, boundary.h).
template <typename F>
auto RunCore(Napi::Env env, const char* fn, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const NonFiniteLoss& e) {
    throw Napi::Error::New(env, args::Prefix(fn, e.what()));
  }
}

// [sync] forward(out, net, x, n): undefined
// out (n, sizes[last]) = output activations (after the loss's sigmoid/softmax) of the
// network net (a NetworkSpec) for x (n, sizes[0]).
// Throws TypeError/RangeError for bad arguments (net first, then n, out, x), RangeError when the
// workspace cannot be allocated.
Napi::Value Forward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "forward";
  // Phase 1: everything that can run user code.
  const NetValues nv = FetchNet(env, fn, "net", info[1]);
  NetworkView net = CheckNetShape(env, fn, "net", nv);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "net.params", nv.params, ParamCount(net));
  // Phase 2: checks and data pointers.
  TakeNetPointers(env, fn, "net", nv, params, net);
  const std::size_t n = args::Size(env, fn, "n", info[3]);
  float* out = args::Matrix(env, fn, "out", info[0], n, net.sizes.back());
  const float* x = args::Matrix(env, fn, "x", info[2], n, net.sizes.front());
  RunCore(env, fn, [&] { network_forward(out, net, x, n); });
  return env.Undefined();
}

// [sync] forwardLoss(out, net, x, y, n): number
// forward, and in the same pass the mean loss of net on x (n, sizes[0]) against
// y (n, target columns), which it returns (no sparsity penalty; 0 when n is 0).
// Throws TypeError/RangeError for bad arguments (net, n, out, x, y), RangeError when the
// workspace cannot be allocated.
Napi::Value ForwardLoss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "forwardLoss";
  // Phase 1: everything that can run user code.
  const NetValues nv = FetchNet(env, fn, "net", info[1]);
  NetworkView net = CheckNetShape(env, fn, "net", nv);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "net.params", nv.params, ParamCount(net));
  // Phase 2: checks and data pointers.
  TakeNetPointers(env, fn, "net", nv, params, net);
  const std::size_t n = args::Size(env, fn, "n", info[4]);
  float* out = args::Matrix(env, fn, "out", info[0], n, net.sizes.back());
  const float* x = args::Matrix(env, fn, "x", info[2], n, net.sizes.front());
  const float* y = args::Matrix(env, fn, "y", info[3], n, target_cols(net));
  const double loss = RunCore(env, fn, [&] { return network_forward_loss(out, net, x, y, n); });
  return Napi::Number::New(env, loss);
}

// The arguments of lossGradient and backward, (grads, net, x, second, n), read and
// checked in validate.ts's order: net, n, grads, x (n, sizes[0]), then `second_name`
// (n, cols(net)).
struct GradientArgs {
  NetworkView net;
  std::vector<float*> grads;
  const float* x = nullptr;
  const float* second = nullptr;
  std::size_t n = 0;
};

template <typename Cols>
GradientArgs ReadGradientArgs(const Napi::CallbackInfo& info, const char* fn, const char* second_name, Cols cols) {
  Napi::Env env = info.Env();
  const NetValues nv = FetchNet(env, fn, "net", info[1]);
  GradientArgs a;
  a.net = CheckNetShape(env, fn, "net", nv);
  const std::size_t count = ParamCount(a.net);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "net.params", nv.params, count);
  // grads' elements are read now but checked after n, where the TS backend checks them.
  const std::vector<Napi::Value> grad_items = args::PrefetchArray(info[0], count);
  TakeNetPointers(env, fn, "net", nv, params, a.net);
  a.n = args::Size(env, fn, "n", info[4]);
  if (grad_items.size() != count) args::ArrayOf(env, fn, "grads", info[0], count);  // throws
  a.grads = args::ParamList(env, fn, "grads", grad_items, a.net.sizes, a.net.norm);
  a.x = args::Matrix(env, fn, "x", info[2], a.n, a.net.sizes.front());
  a.second = args::Matrix(env, fn, second_name, info[3], a.n, cols(a.net));
  return a;
}

// [sync] lossGradient(grads, net, x, y, n): number
// Returns the mean loss of net on x (n, sizes[0]) against y (n, sizes[last]) and writes its
// gradient with respect to every parameter into grads (an array laid out like net.params).
// Throws TypeError/RangeError for bad arguments (net, n, grads, x, y), RangeError when the
// workspace cannot be allocated.
Napi::Value LossGradient(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "lossGradient";
  const GradientArgs a = ReadGradientArgs(info, fn, "y", [](const NetworkView& net) { return target_cols(net); });
  const double loss =
      RunCore(env, fn, [&] { return network_loss_gradient(a.grads.data(), a.net, a.x, a.second, a.n); });
  return Napi::Number::New(env, loss);
}

// [sync] backward(grads, net, x, dOutput, n): undefined
// Writes into grads (laid out like net.params) the gradient of Σ dOutput ⊙ logits, i.e.
// backpropagates dOutput (n, sizes[last]), a gradient with respect to the last layer's
// logits, through net at x (n, sizes[0]). Throws TypeError/RangeError for bad arguments
// (net, n, grads, x, dOutput), RangeError when the workspace cannot be allocated.
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "backward";
  const GradientArgs a = ReadGradientArgs(info, fn, "dOutput", [](const NetworkView& net) { return net.sizes.back(); });
  RunCore(env, fn, [&] { network_backward(a.grads.data(), a.net, a.x, a.second, a.n); });
  return env.Undefined();
}

// [sync] optimizerStep(net, grads, optimizer, lr): number
// One update of every parameter of net (a NetworkSpec, params updated in place)
// from grads (laid out like net.params; scaled in place when clipping) with
// optimizer (an OptimizerSpec: its state and step count advanced in place) at
// rate lr. Returns 0 (applied), 1 (a gradient entry was not finite) or 2 (an
// update would not be finite in float32); on 1 and 2 nothing was written.
// Throws TypeError/RangeError for bad arguments (net, grads, optimizer, lr).
Napi::Value OptimizerStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "optimizerStep";
  // Phase 1: everything that can run user code.
  const NetValues nv = FetchNet(env, fn, "net", info[0]);
  NetworkView net = CheckNetShape(env, fn, "net", nv);
  const std::size_t count = ParamCount(net);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "net.params", nv.params, count);
  const std::vector<Napi::Value> grad_items = args::PrefetchArray(info[1], count);
  const OptimizerValues ov = FetchOptimizer(info[2], count);
  // Phase 2: checks and data pointers.
  TakeNetPointers(env, fn, "net", nv, params, net);
  if (grad_items.size() != count) args::ArrayOf(env, fn, "grads", info[1], count);  // throws
  std::vector<float*> grads = args::ParamList(env, fn, "grads", grad_items, net.sizes, net.norm);
  const OptimizerConfig opt = CheckOptimizer(env, fn, "optimizer", ov, net);
  const double lr = args::Finite(env, fn, "lr", info[3]);
  const StepOutcome outcome = RunCore(env, fn, [&] { return optimizer_update(net, grads.data(), opt, lr); });
  return Napi::Number::New(env, static_cast<double>(outcome));
}

// [sync] trainEpoch(job): number
// One epoch of minibatch SGD over job.order (a TrainJob), updating job.net.params in place.
// Returns Σ over batches of (batch mean loss × batch size).
// Throws TypeError/RangeError for a bad job (job.net, n, x, y, order, batchSize,
// learningRate, weightDecay), Error "trainEpoch: non-finite loss at batch B" (weights as
// they were after batch B − 1), RangeError when the workspace cannot be allocated.
Napi::Value TrainEpoch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "trainEpoch";
  Napi::Object job = args::Object(env, fn, "job", info[0]);
  const Napi::Value net_v = job.Get("net");
  const NetValues nv = FetchNet(env, fn, "job.net", net_v);
  const Napi::Value x_v = job.Get("x"), y_v = job.Get("y"), n_v = job.Get("n"), order_v = job.Get("order");
  const Napi::Value batch_v = job.Get("batchSize"), lr_v = job.Get("learningRate");
  const Napi::Value wd_v = job.Get("weightDecay");
  NetworkView net = CheckNetShape(env, fn, "job.net", nv);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "job.net.params", nv.params, ParamCount(net));
  // Phase 2: no user code runs from here on.
  TakeNetPointers(env, fn, "job.net", nv, params, net);
  const std::size_t n = args::Size(env, fn, "job.n", n_v);
  const float* x = args::Matrix(env, fn, "job.x", x_v, n, net.sizes.front());
  const float* y = args::Matrix(env, fn, "job.y", y_v, n, target_cols(net));
  Napi::Uint32Array order = args::Uint32Array(env, fn, "job.order", order_v);
  const std::size_t order_len = order.ElementLength();
  const std::uint32_t* idx = order.Data();
  for (std::size_t i = 0; i < order_len; i++) {
    if (idx[i] >= n) {
      args::ThrowRange(env, std::string(fn) + ": job.order[" + std::to_string(i) + "] must be below n (" +
                                std::to_string(n) + "), got " + std::to_string(idx[i]));
    }
  }
  const auto batch_size = static_cast<std::size_t>(
      args::Int(env, fn, "job.batchSize", batch_v, 1, static_cast<std::int64_t>(args::kMaxDim)));
  const double lr = args::Finite(env, fn, "job.learningRate", lr_v);
  const double weight_decay = args::Finite(env, fn, "job.weightDecay", wd_v);
  const double sum =
      RunCore(env, fn, [&] { return network_train_epoch(net, x, y, n, idx, order_len, batch_size, lr, weight_decay); });
  return Napi::Number::New(env, sum);
}

}  // namespace

void RegisterNetwork(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "forward", Forward);
  Export(env, exports, "forwardLoss", ForwardLoss);
  Export(env, exports, "lossGradient", LossGradient);
  Export(env, exports, "backward", Backward);
  Export(env, exports, "trainEpoch", TrainEpoch);
  Export(env, exports, "optimizerStep", OptimizerStep);
}

}  // namespace fastnn::bindings
