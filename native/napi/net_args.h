// Reading a NetworkSpec at the boundary, shared by every binding that takes
// one (forward, lossGradient, trainEpoch, train). Two phases, as
// network_binding.cc explains: FetchNet reads properties (may run user
// getters), CheckNetShape checks and copies the plain fields.
#pragma once

#include <napi.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "../core/network.h"
#include "../core/optimizers.h"

namespace fastnn::bindings {

// A LossParams object's properties, read in phase 1 (all empty when it is not an object).
struct LossParamValues {
  Napi::Value object, delta, gamma, alpha, smoothing, class_weights;
};
LossParamValues FetchLossParams(Napi::Value v);

// Checks the object and its scalar fields (delta, gamma, alpha, smoothing) at `path`.
LossParams CheckLossScalars(Napi::Env env, const char* fn, const std::string& path, const LossParamValues& v);

// Checks classWeights (a Float32Array of 0 or `cols` numbers ≥ 0) and borrows
// it into params: a data pointer, so call it in phase 2.
void CheckClassWeights(Napi::Env env, const char* fn, const std::string& path, const LossParamValues& v,
                       std::size_t cols, LossParams& params);

// A NetworkSpec's properties, read in phase 1.
struct NetValues {
  Napi::Value sizes, hidden, leaky_slope, loss, params;
  LossParamValues loss_params;
  // Optional autoencoder terms: sparsity { layer, rho, beta } and tiedPairs.
  Napi::Value sparsity, sparse_layer, sparse_rho, sparse_beta, tied_pairs;
  Napi::Value frozen;   // optional: a Uint8Array of 0/1 per layer
  Napi::Value dropout;  // optional: a Float64Array of rates in [0, 1) per hidden layer
  Napi::Value norm;     // optional: a Uint8Array of Norm codes per hidden layer
};

// Reads the properties of the object at `path` ("net", "job.net").
NetValues FetchNet(Napi::Env env, const char* fn, const std::string& path, Napi::Value v);

// Checks sizes, hiddenActivations, leakySlope, loss (an odd output width is
// refused for gaussianNll) and lossParams' scalars, copying them into a
// NetworkView (no pointer into JS memory is kept) with the instance's gemm
// context (kernel path, thread pool), then the optional sparsity (undefined or
// null = off; a sigmoid hidden layer, ρ in (0, 1), β ≥ 0) and tiedPairs
// (undefined or null = none; an Int32Array of (e, d) layer pairs with
// W(d) shaped like W(e)ᵀ) and frozen (undefined or null = none; a Uint8Array
// of 0 or 1 per layer, tied pairs alike) and dropout (undefined or null = none;
// a Float64Array of one rate in [0, 1) per hidden layer) and norm (undefined
// or null = none; a Uint8Array of Norm codes per hidden layer). params and the class
// weights are left empty: ParamList and CheckClassWeights take them in phase 2.
NetworkView CheckNetShape(Napi::Env env, const char* fn, const std::string& path, const NetValues& v);

// Phase 2: checks the params items (from args::ArrayOf) and the class
// weights, and takes their data pointers into net.
void TakeNetPointers(Napi::Env env, const char* fn, const std::string& path, const NetValues& v,
                     const std::vector<Napi::Value>& params, NetworkView& net);

// 2 per layer: W(l), b(l).
std::size_t ParamCount(const NetworkView& net);

// Phase 1 for a nested options object: its properties in `keys` order, or
// empty values when v is not an object (the check in phase 2 reports that).
std::vector<Napi::Value> Props(Napi::Value v, std::initializer_list<const char*> keys);

// An OptimizerSpec's properties, read in phase 1 (FetchOptimizer): the fields in
// backend.ts order, then state's items when state has the length type implies.
struct OptimizerValues {
  Napi::Value object, type, weight_decay, momentum, nesterov, beta1, beta2, eps, clip_norm, state_list, step;
  std::vector<Napi::Value> state;  // state_list's items
  bool state_read = false;         // state_list is an array of that length
};
OptimizerValues FetchOptimizer(Napi::Value v, std::size_t param_count);

// Phase 2: checks the OptimizerSpec at `path` ("job.optimizer") against net's
// parameters (validate.ts checkOptimizer's order) and borrows its state and step.
OptimizerConfig CheckOptimizer(Napi::Env env, const char* fn, const std::string& path, const OptimizerValues& v,
                               const NetworkView& net);

}  // namespace fastnn::bindings
