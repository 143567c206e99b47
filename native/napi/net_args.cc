#include "net_args.h"

#include "args.h"

namespace fastnn::bindings {

NetValues FetchNet(Napi::Env env, const char* fn, const std::string& path, Napi::Value v) {
  Napi::Object net = args::Object(env, fn, path, v);
  return {net.Get("sizes"), net.Get("hiddenActivations"), net.Get("leakySlope"), net.Get("loss"),
          net.Get("params")};
}

// Checks sizes, hiddenActivations, leakySlope and loss, copying them into a
// NetworkView (no pointer into JS memory is kept). params is left empty.
NetworkView CheckNetShape(Napi::Env env, const char* fn, const std::string& path, const NetValues& v) {
  NetworkView net;
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
  return net;
}

std::size_t ParamCount(const NetworkView& net) { return 2 * (net.sizes.size() - 1); }

}  // namespace fastnn::bindings
