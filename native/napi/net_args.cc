#include "net_args.h"

#include <limits>

#include "../core/runtime.h"
#include "args.h"
#include "bindings.h"

namespace fastnn::bindings {

NetValues FetchNet(Napi::Env env, const char* fn, const std::string& path, Napi::Value v) {
  Napi::Object net = args::Object(env, fn, path, v);
  return {net.Get("sizes"), net.Get("hiddenActivations"), net.Get("leakySlope"), net.Get("loss"),
          net.Get("params"), FetchLossParams(net.Get("lossParams"))};
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
    args::ThrowType(env, std::string(fn) + ": " + arg + " must be a Float32Array");
  }
  Napi::Float32Array w = v.class_weights.As<Napi::Float32Array>();
  if (w.ElementLength() != 0 && w.ElementLength() != cols) {
    args::ThrowRange(env, std::string(fn) + ": " + arg + " must have length 0 or " + std::to_string(cols) + ", got " +
                              std::to_string(w.ElementLength()));
  }
  for (std::size_t j = 0; j < w.ElementLength(); j++) {
    args::InRange(env, fn, arg + "[" + std::to_string(j) + "]", Napi::Number::New(env, w[j]), 0,
                  std::numeric_limits<double>::infinity(), false, true);
  }
  params.class_weights = w.ElementLength() ? w.Data() : nullptr;
}

// Checks sizes, hiddenActivations, leakySlope and loss, copying them into a
// NetworkView (no pointer into JS memory is kept). params is left empty.
NetworkView CheckNetShape(Napi::Env env, const char* fn, const std::string& path, const NetValues& v) {
  NetworkView net;
  net.gemm = InstanceRuntime(env).gemm_context();
  Napi::Int32Array sizes = args::Int32Array(env, fn, path + ".sizes", v.sizes);
  const std::size_t layers_plus_one = sizes.ElementLength();
  if (layers_plus_one < 2) {
    args::ThrowRange(env, fn + (": " + path) + ".sizes must have at least 2 entries, got " +
                              std::to_string(layers_plus_one));
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
                              " for shape (" + std::to_string(h) + "), got " +
                              std::to_string(hidden.ElementLength()));
  }
  for (std::size_t i = 0; i < h; i++) {
    const std::string arg = path + ".hiddenActivations[" + std::to_string(i) + "]";
    net.hidden.push_back(static_cast<Activation>(
        args::Code(env, fn, arg, Napi::Number::New(env, hidden[i]), kActivationCount)));
  }
  net.leaky_slope = args::Finite(env, fn, path + ".leakySlope", v.leaky_slope);
  net.loss = static_cast<Loss>(args::Code(env, fn, path + ".loss", v.loss, kLossCount));
  const std::size_t last = net.sizes.size() - 1;
  if (net.loss == Loss::GaussianNll && net.sizes[last] % 2 != 0) {
    args::ThrowRange(env, fn + (": " + path) + ".sizes[" + std::to_string(last) +
                              "] must be even for the gaussianNll loss, got " + std::to_string(net.sizes[last]));
  }
  net.loss_params = CheckLossScalars(env, fn, path + ".lossParams", v.loss_params);
  return net;
}

std::size_t ParamCount(const NetworkView& net) { return 2 * (net.sizes.size() - 1); }

void TakeNetPointers(Napi::Env env, const char* fn, const std::string& path, const NetValues& v,
                     const std::vector<Napi::Value>& params, NetworkView& net) {
  net.params = args::ParamList(env, fn, path + ".params", params, net.sizes);
  CheckClassWeights(env, fn, path + ".lossParams", v.loss_params, net.sizes.back(), net.loss_params);
}

}  // namespace fastnn::bindings
