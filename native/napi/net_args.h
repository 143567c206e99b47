// Reading a NetworkSpec at the boundary, shared by every binding that takes
// one (forward, lossGradient, trainEpoch, train). Two phases, as
// network_binding.cc explains: FetchNet reads properties (may run user
// getters), CheckNetShape checks and copies the plain fields.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>

#include "../core/network.h"

namespace fastnn::bindings {

// A NetworkSpec's properties, read in phase 1.
struct NetValues {
  Napi::Value sizes, hidden, leaky_slope, loss, params;
};

// Reads the properties of the object at `path` ("net", "job.net").
NetValues FetchNet(Napi::Env env, const char* fn, const std::string& path, Napi::Value v);

// Checks sizes, hiddenActivations, leakySlope and loss, copying them into a
// NetworkView (no pointer into JS memory is kept). params is left empty.
NetworkView CheckNetShape(Napi::Env env, const char* fn, const std::string& path, const NetValues& v);

// 2 per layer: W(l), b(l).
std::size_t ParamCount(const NetworkView& net);

}  // namespace fastnn::bindings
