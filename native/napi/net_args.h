// Reading a NetworkSpec, its LossParams and an OptimizerSpec at the boundary,
// for every binding that takes one (forward, lossGradient, trainEpoch,
// optimizerStep, train, lossForwardBackward). Only what keeps memory in
// bounds is checked (args.h): shapes, codes and layer indices.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "../core/network.h"
#include "../core/optimizers.h"
#include "args.h"

namespace fastnn::bindings {

// A NetworkSpec as the core takes it, and the JS arrays it borrows (for JobMemory).
struct NetArgs {
  NetworkView view;
  std::vector<Napi::Value> params;  // the items of params
  Napi::Value class_weights;        // lossParams.classWeights
};

// The NetworkSpec at `path` ("net", "job.net"), with the instance's gemm context.
NetArgs ReadNet(args::Args& a, const std::string& path, Napi::Value v);

// The LossParams at `path` for `cols` outputs; `class_weights` receives the JS array.
LossParams ReadLossParams(args::Args& a, const std::string& path, Napi::Value v, std::size_t cols,
                          Napi::Value* class_weights = nullptr);

// A list of `count` Float32Arrays, item j shaped like net's parameter j mod its parameter
// count (params, grads, an optimizer's state, resumed best weights); `items` receives them.
std::vector<float*> ReadParamList(args::Args& a, const std::string& path, Napi::Value v, const NetworkView& net,
                                  std::size_t count, std::vector<Napi::Value>* items = nullptr);

// The OptimizerSpec at `path` for net's parameters; `state` receives its state arrays and step.
OptimizerConfig ReadOptimizer(args::Args& a, const std::string& path, Napi::Value v, const NetworkView& net,
                              std::vector<Napi::Value>* state = nullptr, Napi::Value* step = nullptr);

}  // namespace fastnn::bindings
