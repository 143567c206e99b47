#include "net_args.h"

#include "bindings.h"

namespace fastnn::bindings {

namespace {

using args::Args;
using args::At;

// sparsity's layer indexes the hidden layers; its ρ and β are plain numbers.
void ReadSparsity(Args& a, const std::string& path, Napi::Value v, NetworkView& net) {
  if (Args::Absent(v)) return;
  Napi::Object s = a.Object(path, v);
  net.sparsity.layer =
      a.Int<long>(path + ".layer", s.Get("layer"), 0, static_cast<std::int64_t>(net.hidden.size()) - 1);
  net.sparsity.rho = a.Number(path + ".rho", s.Get("rho"));
  net.sparsity.beta = a.Number(path + ".beta", s.Get("beta"));
}

// Each tied pair (e, d) names two layers, W(d) shaped like W(e)ᵀ: the core copies one into the other.
void ReadTiedPairs(Args& a, const std::string& path, Napi::Value v, NetworkView& net) {
  if (Args::Absent(v)) return;
  Napi::Int32Array pairs = a.AnyLength<std::int32_t>(path, v);
  if (pairs.ElementLength() % 2 != 0) a.ThrowRange(path, "must have an even length");
  const auto last = static_cast<std::int64_t>(net.sizes.size()) - 2;
  for (std::size_t i = 0; i < pairs.ElementLength(); i += 2) {
    const auto e = a.Int<std::size_t>(At(path, i), pairs[i], 0, last);
    const auto d = a.Int<std::size_t>(At(path, i + 1), pairs[i + 1], 0, last);
    if (net.sizes[d] != net.sizes[e + 1] || net.sizes[d + 1] != net.sizes[e])
      a.ThrowRange(At(path, i + 1), "must have the transposed shape");
    net.tied.emplace_back(e, d);
  }
}

}  // namespace

LossParams ReadLossParams(Args& a, const std::string& path, Napi::Value v, std::size_t cols,
                          Napi::Value* class_weights) {
  Napi::Object o = a.Object(path, v);
  LossParams p;
  p.delta = a.Number(path + ".delta", o.Get("delta"));
  p.gamma = a.Number(path + ".gamma", o.Get("gamma"));
  p.alpha = a.Number(path + ".alpha", o.Get("alpha"));
  p.smoothing = a.Number(path + ".smoothing", o.Get("smoothing"));
  const Napi::Value w = o.Get("classWeights");
  Napi::Float32Array weights = a.AnyLength<float>(path + ".classWeights", w);
  if (weights.ElementLength() != 0 && weights.ElementLength() != cols)
    a.ThrowRange(path + ".classWeights", "must have length 0 or " + std::to_string(cols));
  p.class_weights = weights.ElementLength() != 0 ? weights.Data() : nullptr;
  if (class_weights != nullptr) *class_weights = w;
  return p;
}

NetArgs ReadNet(Args& a, const std::string& path, Napi::Value v) {
  Napi::Object o = a.Object(path, v);
  NetArgs out;
  NetworkView& net = out.view;
  net.gemm = InstanceRuntime(a.env()).gemm_context();
  Napi::Int32Array sizes = a.AnyLength<std::int32_t>(path + ".sizes", o.Get("sizes"));
  if (sizes.ElementLength() < 2) a.ThrowRange(path + ".sizes", "must have at least 2 entries");
  for (std::size_t i = 0; i < sizes.ElementLength(); i++) {
    net.sizes.push_back(a.Int<std::size_t>(At(path + ".sizes", i), sizes[i], 1, args::kMaxDim));
  }
  const std::size_t hidden = net.sizes.size() - 2, layers = hidden + 1;
  const std::int32_t* acts = a.Array<std::int32_t>(path + ".hiddenActivations", o.Get("hiddenActivations"), hidden);
  for (std::size_t l = 0; l < hidden; l++) {
    net.hidden.push_back(a.Int<Activation>(At(path + ".hiddenActivations", l), acts[l], 0, kActivationCount - 1));
  }
  net.leaky_slope = a.Number(path + ".leakySlope", o.Get("leakySlope"));
  net.loss = a.Code<Loss>(path + ".loss", o.Get("loss"), kLossCount);
  net.loss_params = ReadLossParams(a, path + ".lossParams", o.Get("lossParams"), net.sizes.back(), &out.class_weights);
  ReadSparsity(a, path + ".sparsity", o.Get("sparsity"), net);
  ReadTiedPairs(a, path + ".tiedPairs", o.Get("tiedPairs"), net);
  if (const std::uint8_t* frozen = a.Optional<std::uint8_t>(path + ".frozen", o.Get("frozen"), layers)) {
    net.frozen.assign(frozen, frozen + layers);
    // A tied pair shares one gradient buffer: both layers train, or neither does.
    for (const auto& [e, d] : net.tied) {
      if ((frozen[e] != 0) != (frozen[d] != 0)) a.ThrowRange(path + ".frozen", "must freeze tied layers together");
    }
  }
  if (const double* dropout = a.Optional<double>(path + ".dropout", o.Get("dropout"), hidden))
    net.dropout.assign(dropout, dropout + hidden);
  if (const std::uint8_t* norm = a.Optional<std::uint8_t>(path + ".norm", o.Get("norm"), hidden)) {
    for (std::size_t l = 0; l < hidden; l++) a.Int(At(path + ".norm", l), norm[l], 0, kNormCount - 1);
    net.norm.assign(norm, norm + hidden);
  }
  net.params = ReadParamList(a, path + ".params", o.Get("params"), net, 2 * layers, &out.params);
  return out;
}

std::vector<float*> ReadParamList(Args& a, const std::string& path, Napi::Value v, const NetworkView& net,
                                  std::size_t count, std::vector<Napi::Value>* items) {
  const std::vector<Napi::Value> list = a.List(path, v, count);
  const std::size_t params = 2 * (net.sizes.size() - 1);
  std::vector<float*> out;
  for (std::size_t j = 0; j < count; j++)
    out.push_back(a.Array<float>(At(path, j), list[j], param_size(net, j % params)));
  if (items != nullptr) *items = list;
  return out;
}

OptimizerConfig ReadOptimizer(Args& a, const std::string& path, Napi::Value v, const NetworkView& net,
                              std::vector<Napi::Value>* state, Napi::Value* step) {
  Napi::Object o = a.Object(path, v);
  OptimizerConfig opt;
  opt.type = a.Code<Optimizer>(path + ".type", o.Get("type"), kOptimizerCount);
  opt.weight_decay = a.Number(path + ".weightDecay", o.Get("weightDecay"));
  opt.momentum = a.Number(path + ".momentum", o.Get("momentum"));
  opt.nesterov = a.Bool(path + ".nesterov", o.Get("nesterov"));
  opt.beta1 = a.Number(path + ".beta1", o.Get("beta1"));
  opt.beta2 = a.Number(path + ".beta2", o.Get("beta2"));
  opt.eps = a.Number(path + ".eps", o.Get("eps"));
  opt.clip_norm = a.Number(path + ".clipNorm", o.Get("clipNorm"));
  const std::size_t states = optimizer_state_count(opt.type, net.params.size());
  opt.state = ReadParamList(a, path + ".state", o.Get("state"), net, states, state);
  const Napi::Value s = o.Get("step");
  opt.step = a.Array<double>(path + ".step", s, 1);
  if (step != nullptr) *step = s;
  return opt;
}

}  // namespace fastnn::bindings
