#include "net_args.h"

#include <initializer_list>
#include <limits>

#include "../core/runtime.h"
#include "args.h"
#include "bindings.h"

namespace fastnn::bindings {

NetValues FetchNet(Napi::Env env, const char* fn, const std::string& path, Napi::Value v) {
  Napi::Object net = args::Object(env, fn, path, v);
  NetValues out{net.Get("sizes"),
                net.Get("hiddenActivations"),
                net.Get("leakySlope"),
                net.Get("loss"),
                net.Get("params"),
                FetchLossParams(net.Get("lossParams")),
                net.Get("sparsity"),
                {},
                {},
                {},
                net.Get("tiedPairs"),
                net.Get("frozen"),
                net.Get("dropout"),
                net.Get("norm")};
  if (out.sparsity.Type() == napi_object) {
    Napi::Object s = out.sparsity.As<Napi::Object>();
    out.sparse_layer = s.Get("layer");
    out.sparse_rho = s.Get("rho");
    out.sparse_beta = s.Get("beta");
  }
  return out;
}

LossParamValues FetchLossParams(Napi::Value v) {
  if (v.Type() != napi_object) return {v, {}, {}, {}, {}, {}};
  Napi::Object o = v.As<Napi::Object>();
  return {v, o.Get("delta"), o.Get("gamma"), o.Get("alpha"), o.Get("smoothing"), o.Get("classWeights")};
}

LossParams CheckLossScalars(Napi::Env env, const char* fn, const std::string& path, const LossParamValues& v) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  args::Object(env, fn, path, v.object);
  LossParams p;
  p.delta = args::InRange(env, fn, path + ".delta", v.delta, 0, kInf, true, true);
  p.gamma = args::InRange(env, fn, path + ".gamma", v.gamma, 0, kInf, false, true);
  p.alpha = args::InRange(env, fn, path + ".alpha", v.alpha, 0, 1, false, false);
  p.smoothing = args::InRange(env, fn, path + ".smoothing", v.smoothing, 0, 1, false, true);
  return p;
}

void CheckClassWeights(Napi::Env env, const char* fn, const std::string& path, const LossParamValues& v,
                       std::size_t cols, LossParams& params) {
  const std::string arg = path + ".classWeights";
  if (!v.class_weights.IsTypedArray() ||
      v.class_weights.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    args::ThrowType(env, args::Prefix(fn, arg) + " must be a Float32Array");
  }
  Napi::Float32Array w = v.class_weights.As<Napi::Float32Array>();
  if (w.ElementLength() != 0 && w.ElementLength() != cols) {
    args::ThrowRange(env, args::Prefix(fn, arg) + " must have length 0 or " + std::to_string(cols) + ", got " +
                              std::to_string(w.ElementLength()));
  }
  for (std::size_t j = 0; j < w.ElementLength(); j++) {
    args::InRange(env, fn, arg + "[" + std::to_string(j) + "]", Napi::Number::New(env, w[j]), 0,
                  std::numeric_limits<double>::infinity(), false, true);
  }
  params.class_weights = w.ElementLength() ? w.Data() : nullptr;
}

namespace {

bool Absent(Napi::Value v) { return v.IsEmpty() || v.IsUndefined() || v.IsNull(); }

void CheckSparsity(Napi::Env env, const char* fn, const std::string& path, const NetValues& v, NetworkView& net) {
  if (Absent(v.sparsity)) return;
  const std::string arg = path + ".sparsity";
  if (v.sparsity.Type() != napi_object) args::ThrowType(env, fn + (": " + arg) + " must be an object or null");
  const std::size_t hidden = net.hidden.size();
  if (hidden == 0) args::ThrowRange(env, fn + (": " + arg) + " needs a hidden layer, the network has none");
  const auto layer = args::Int(env, fn, arg + ".layer", v.sparse_layer, 0, static_cast<std::int64_t>(hidden) - 1);
  if (net.hidden[layer] != Activation::Sigmoid) {
    args::ThrowRange(env, fn + (": " + arg) + ".layer " + std::to_string(layer) +
                              " must have the sigmoid activation, got code " +
                              std::to_string(static_cast<int>(net.hidden[layer])));
  }
  net.sparsity.layer = static_cast<long>(layer);
  net.sparsity.rho = args::InRange(env, fn, arg + ".rho", v.sparse_rho, 0, 1, true, true);
  net.sparsity.beta =
      args::InRange(env, fn, arg + ".beta", v.sparse_beta, 0, std::numeric_limits<double>::infinity(), false, true);
}

void CheckTiedPairs(Napi::Env env, const char* fn, const std::string& path, const NetValues& v, NetworkView& net) {
  if (Absent(v.tied_pairs)) return;
  const std::string arg = path + ".tiedPairs";
  Napi::Int32Array pairs = args::Int32Array(env, fn, arg, v.tied_pairs);
  if (pairs.ElementLength() % 2 != 0) {
    args::ThrowRange(env, fn + (": " + arg) + " must have an even length (layer pairs), got " +
                              std::to_string(pairs.ElementLength()));
  }
  const auto layers = static_cast<std::int64_t>(net.sizes.size() - 1);
  for (std::size_t i = 0; i < pairs.ElementLength(); i += 2) {
    const std::string at = arg + "[" + std::to_string(i + 1) + "]";
    const auto e = static_cast<std::size_t>(
        args::Int(env, fn, arg + "[" + std::to_string(i) + "]", Napi::Number::New(env, pairs[i]), 0, layers - 1));
    const auto d =
        static_cast<std::size_t>(args::Int(env, fn, at, Napi::Number::New(env, pairs[i + 1]), 0, layers - 1));
    if (e == d || net.sizes[d] != net.sizes[e + 1] || net.sizes[d + 1] != net.sizes[e]) {
      args::ThrowRange(env, fn + (": " + at) + " layer " + std::to_string(d) + " must differ from layer " +
                                std::to_string(e) + " and have its transposed shape (" + std::to_string(net.sizes[e]) +
                                ", " + std::to_string(net.sizes[e + 1]) + ")");
    }
    net.tied.emplace_back(e, d);
  }
}

void CheckFrozen(Napi::Env env, const char* fn, const std::string& path, const NetValues& v, NetworkView& net) {
  if (Absent(v.frozen)) return;
  const std::string arg = path + ".frozen";
  const std::size_t layers = net.sizes.size() - 1;
  const std::uint8_t* flags = args::Uint8Vector(env, fn, arg, v.frozen, layers);
  for (std::size_t l = 0; l < layers; l++) {
    if (flags[l] > 1) {
      args::ThrowRange(
          env, fn + (": " + arg) + "[" + std::to_string(l) + "] must be 0 or 1, got " + std::to_string(flags[l]));
    }
  }
  // Tied pairs share one gradient: freezing one copy would let the two drift apart.
  for (const auto& [e, d] : net.tied) {
    if (flags[e] != flags[d]) {
      args::ThrowRange(env, fn + (": " + arg) + " must freeze tied layers " + std::to_string(e) + " and " +
                                std::to_string(d) + " together");
    }
  }
  net.frozen.assign(flags, flags + layers);
}

void CheckDropout(Napi::Env env, const char* fn, const std::string& path, const NetValues& v, NetworkView& net) {
  if (Absent(v.dropout)) return;
  const std::string arg = path + ".dropout";
  const std::size_t hidden = net.hidden.size();
  const double* rates = args::Float64Vector(env, fn, arg, v.dropout, hidden);
  for (std::size_t l = 0; l < hidden; l++) {
    args::InRange(env, fn, arg + "[" + std::to_string(l) + "]", Napi::Number::New(env, rates[l]), 0, 1, false, true);
  }
  net.dropout.assign(rates, rates + hidden);
}

void CheckNorm(Napi::Env env, const char* fn, const std::string& path, const NetValues& v, NetworkView& net) {
  if (Absent(v.norm)) return;
  const std::string arg = path + ".norm";
  const std::size_t hidden = net.hidden.size();
  const std::uint8_t* flags = args::Uint8Vector(env, fn, arg, v.norm, hidden);
  for (std::size_t l = 0; l < hidden; l++) {
    args::Code(env, fn, arg + "[" + std::to_string(l) + "]", Napi::Number::New(env, flags[l]), kNormCount);
  }
  net.norm.assign(flags, flags + hidden);
}

}  // namespace

// Checks sizes, hiddenActivations, leakySlope and loss, copying them into a
// NetworkView (no pointer into JS memory is kept). params is left empty.
NetworkView CheckNetShape(Napi::Env env, const char* fn, const std::string& path, const NetValues& v) {
  NetworkView net;
  net.gemm = InstanceRuntime(env).gemm_context();
  Napi::Int32Array sizes = args::Int32Array(env, fn, path + ".sizes", v.sizes);
  const std::size_t layers_plus_one = sizes.ElementLength();
  if (layers_plus_one < 2) {
    args::ThrowRange(
        env, fn + (": " + path) + ".sizes must have at least 2 entries, got " + std::to_string(layers_plus_one));
  }
  for (std::size_t i = 0; i < layers_plus_one; i++) {
    const std::string arg = path + ".sizes[" + std::to_string(i) + "]";
    net.sizes.push_back(static_cast<std::size_t>(
        args::Int(env, fn, arg, Napi::Number::New(env, sizes[i]), 1, static_cast<std::int64_t>(args::kMaxDim))));
  }
  Napi::Int32Array hidden = args::Int32Array(env, fn, path + ".hiddenActivations", v.hidden);
  const std::size_t h = layers_plus_one - 2;
  if (hidden.ElementLength() != h) {
    args::ThrowRange(env, fn + (": " + path) + ".hiddenActivations must have length " + std::to_string(h) +
                              " for shape (" + std::to_string(h) + "), got " + std::to_string(hidden.ElementLength()));
  }
  for (std::size_t i = 0; i < h; i++) {
    const std::string arg = path + ".hiddenActivations[" + std::to_string(i) + "]";
    net.hidden.push_back(
        static_cast<Activation>(args::Code(env, fn, arg, Napi::Number::New(env, hidden[i]), kActivationCount)));
  }
  net.leaky_slope = args::Finite(env, fn, path + ".leakySlope", v.leaky_slope);
  net.loss = static_cast<Loss>(args::Code(env, fn, path + ".loss", v.loss, kLossCount));
  const std::size_t last = net.sizes.size() - 1;
  if (net.loss == Loss::GaussianNll && net.sizes[last] % 2 != 0) {
    args::ThrowRange(env, fn + (": " + path) + ".sizes[" + std::to_string(last) +
                              "] must be even for the gaussianNll loss, got " + std::to_string(net.sizes[last]));
  }
  net.loss_params = CheckLossScalars(env, fn, path + ".lossParams", v.loss_params);
  CheckSparsity(env, fn, path, v, net);
  CheckTiedPairs(env, fn, path, v, net);
  CheckFrozen(env, fn, path, v, net);
  CheckDropout(env, fn, path, v, net);
  CheckNorm(env, fn, path, v, net);
  return net;
}

std::size_t ParamCount(const NetworkView& net) { return 2 * (net.sizes.size() - 1); }

void TakeNetPointers(Napi::Env env, const char* fn, const std::string& path, const NetValues& v,
                     const std::vector<Napi::Value>& params, NetworkView& net) {
  net.params = args::ParamList(env, fn, path + ".params", params, net.sizes, net.norm);
  CheckClassWeights(env, fn, path + ".lossParams", v.loss_params, net.sizes.back(), net.loss_params);
}

std::vector<Napi::Value> Props(Napi::Value v, std::initializer_list<const char*> keys) {
  std::vector<Napi::Value> out(keys.size());
  if (v.Type() != napi_object) return out;
  Napi::Object o = v.As<Napi::Object>();
  std::size_t i = 0;
  for (const char* key : keys) out[i++] = o.Get(key);
  return out;
}

OptimizerValues FetchOptimizer(Napi::Value v, std::size_t param_count) {
  OptimizerValues o;
  o.object = v;
  if (v.Type() == napi_object) {
    Napi::Object obj = v.As<Napi::Object>();
    o.type = obj.Get("type");
    o.weight_decay = obj.Get("weightDecay");
    o.momentum = obj.Get("momentum");
    o.nesterov = obj.Get("nesterov");
    o.beta1 = obj.Get("beta1");
    o.beta2 = obj.Get("beta2");
    o.eps = obj.Get("eps");
    o.clip_norm = obj.Get("clipNorm");
    o.state_list = obj.Get("state");
    o.step = obj.Get("step");
  }
  if (o.type.IsNumber()) {
    const double code = o.type.As<Napi::Number>().DoubleValue();
    if (code >= 0 && code < kOptimizerCount && code == static_cast<int>(code)) {
      const std::size_t count = optimizer_state_count(static_cast<Optimizer>(static_cast<int>(code)), param_count);
      o.state = args::PrefetchArray(o.state_list, count);
      o.state_read = o.state_list.IsArray() && o.state_list.As<Napi::Array>().Length() == count;
    }
  }
  return o;
}

OptimizerConfig CheckOptimizer(Napi::Env env, const char* fn, const std::string& path, const OptimizerValues& v,
                               const NetworkView& net) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  args::Object(env, fn, path, v.object);
  OptimizerConfig opt;
  opt.type = static_cast<Optimizer>(args::Code(env, fn, path + ".type", v.type, kOptimizerCount));
  opt.weight_decay = args::InRange(env, fn, path + ".weightDecay", v.weight_decay, 0, kInf, false, true);
  opt.momentum = args::InRange(env, fn, path + ".momentum", v.momentum, 0, 1, false, true);
  opt.nesterov = args::Bool(env, fn, path + ".nesterov", v.nesterov);
  opt.beta1 = args::InRange(env, fn, path + ".beta1", v.beta1, 0, 1, false, true);
  opt.beta2 = args::InRange(env, fn, path + ".beta2", v.beta2, 0, 1, false, true);
  opt.eps = args::InRange(env, fn, path + ".eps", v.eps, 0, kInf, true, true);
  opt.clip_norm = args::InRange(env, fn, path + ".clipNorm", v.clip_norm, 0, kInf, false, true);
  const std::size_t count = net.params.size();
  const std::size_t states = optimizer_state_count(opt.type, count);
  if (!v.state_read || v.state.size() != states)
    args::ArrayOf(env, fn, path + ".state", v.state_list, states);  // throws
  for (std::size_t j = 0; j < states; j++) {
    // Each state array is shaped like its parameter: state[j] goes with params[j mod count].
    const std::size_t p = j % count, out = net.sizes[p / 2 + 1], in = net.sizes[p / 2];
    const std::string arg = path + ".state[" + std::to_string(j) + "]";
    opt.state.push_back(p % 2 == 0 ? args::Matrix(env, fn, arg, v.state[j], out, in)
                                   : args::Vector(env, fn, arg, v.state[j], param_size(net, p)));
  }
  opt.step = args::Float64Vector(env, fn, path + ".step", v.step, 1);
  args::Int(env, fn, path + ".step[0]", Napi::Number::New(env, opt.step[0]), 0, args::kMaxSafeInteger);
  return opt;
}

}  // namespace fastnn::bindings
