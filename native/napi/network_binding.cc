// Whole-network calls: one JS call runs a forward pass, a full gradient, or a
// whole epoch of minibatch SGD, so JS is never in the inner loop.
#include <string>

#include "../core/network.h"
#include "../core/optimizers.h"
#include "args.h"
#include "bindings.h"
#include "boundary.h"
#include "net_args.h"

namespace fastnn::bindings {

namespace {

using args::Args;

// [sync] forward(out, net, x, n): undefined
// out (n, sizes[last]) = output activations (after the loss's sigmoid/softmax) of the
// network net (a NetworkSpec) for x (n, sizes[0]).
void Forward(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "forward");
  const NetworkView net = ReadNet(a, "net", info[1]).view;
  const std::size_t n = a.Size("n", info[3]);
  float* out = a.Array<float>("out", info[0], n * net.sizes.back());
  const float* x = a.Array<float>("x", info[2], n * net.sizes.front());
  a.Verify();
  network_forward(out, net, x, n);
}

// [sync] forwardLoss(out, net, x, y, n): number
// forward, and in the same pass the mean loss of net on x (n, sizes[0]) against
// y (n, target columns), which it returns (no sparsity penalty; 0 when n is 0).
Napi::Value ForwardLoss(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "forwardLoss");
  const NetworkView net = ReadNet(a, "net", info[1]).view;
  const std::size_t n = a.Size("n", info[4]);
  float* out = a.Array<float>("out", info[0], n * net.sizes.back());
  const float* x = a.Array<float>("x", info[2], n * net.sizes.front());
  const float* y = a.Array<float>("y", info[3], n * target_cols(net));
  a.Verify();
  return Napi::Number::New(info.Env(), network_forward_loss(out, net, x, y, n));
}

// lossGradient and backward: (grads, net, x, second, n), second (n, cols(net)), grads laid out like net.params.
template <typename Cols, typename Run>
auto Gradient(const Napi::CallbackInfo& info, const char* fn, const char* second_name, Cols cols, Run run) {
  Args a(info.Env(), fn);
  const NetworkView net = ReadNet(a, "net", info[1]).view;
  const std::size_t n = a.Size("n", info[4]);
  std::vector<float*> grads = ReadParamList(a, "grads", info[0], net, net.params.size());
  const float* x = a.Array<float>("x", info[2], n * net.sizes.front());
  const float* second = a.Array<float>(second_name, info[3], n * cols(net));
  a.Verify();
  return run(grads.data(), net, x, second, n);
}

// [sync] lossGradient(grads, net, x, y, n): number
// Returns the mean loss of net on x (n, sizes[0]) against y (n, target columns) and writes its
// gradient with respect to every parameter into grads.
Napi::Value LossGradient(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), Gradient(info, "lossGradient", "y", target_cols, network_loss_gradient));
}

// [sync] backward(grads, net, x, dOutput, n): undefined
// Writes into grads the gradient of Σ dOutput ⊙ logits, i.e. backpropagates dOutput
// (n, sizes[last]), a gradient with respect to the last layer's logits, through net at x (n, sizes[0]).
void Backward(const Napi::CallbackInfo& info) {
  Gradient(
      info, "backward", "dOutput", [](const NetworkView& net) { return net.sizes.back(); }, network_backward);
}

// [sync] optimizerStep(net, grads, optimizer, lr): number
// One update of every parameter of net (a NetworkSpec, params updated in place)
// from grads (laid out like net.params; scaled in place when clipping) with
// optimizer (an OptimizerSpec: its state and step count advanced in place) at
// rate lr. Returns 0 (applied), 1 (a gradient entry was not finite) or 2 (an
// update would not be finite in float32); on 1 and 2 nothing was written.
Napi::Value OptimizerStep(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "optimizerStep");
  const NetworkView net = ReadNet(a, "net", info[0]).view;
  std::vector<float*> grads = ReadParamList(a, "grads", info[1], net, net.params.size());
  const OptimizerConfig opt = ReadOptimizer(a, "optimizer", info[2], net);
  const double lr = a.Number("lr", info[3]);
  a.Verify();
  return Napi::Number::New(info.Env(), static_cast<double>(optimizer_update(net, grads.data(), opt, lr)));
}

// [sync] trainEpoch(job): number
// One epoch of minibatch SGD over job.order (a TrainJob: net, x, y, n, order of row
// indices below n, batchSize, learningRate, weightDecay), updating job.net.params in place.
// Returns Σ over batches of (batch mean loss × batch size). Throws Error
// "trainEpoch: non-finite loss at batch B" (weights as they were after batch B − 1).
Napi::Value TrainEpoch(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "trainEpoch");
  Napi::Object job = a.Object("job", info[0]);
  const NetworkView net = ReadNet(a, "job.net", job.Get("net")).view;
  const std::size_t n = a.Size("job.n", job.Get("n"));
  const float* x = a.Array<float>("job.x", job.Get("x"), n * net.sizes.front());
  const float* y = a.Array<float>("job.y", job.Get("y"), n * target_cols(net));
  Napi::Uint32Array order = a.AnyLength<std::uint32_t>("job.order", job.Get("order"));
  const auto batch_size = a.Int<std::size_t>("job.batchSize", job.Get("batchSize"), 1, args::kMaxDim);
  const double lr = a.Number("job.learningRate", job.Get("learningRate"));
  const double weight_decay = a.Number("job.weightDecay", job.Get("weightDecay"));
  a.Verify();
  // Each index is a row offset into x and y.
  for (std::size_t i = 0; i < order.ElementLength(); i++) {
    if (order[i] >= n) a.ThrowRange(args::At("job.order", i), "must be below job.n");
  }
  return Napi::Number::New(
      info.Env(), network_train_epoch(net, x, y, n, order.Data(), order.ElementLength(), batch_size, lr, weight_decay));
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
