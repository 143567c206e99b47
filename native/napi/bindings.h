// The binding groups addon.cc registers on the exports object. Each group's
// functions are described (params, returns, throws) where they are defined
// and registered with Export (boundary.h), so a failed allocation in any of
// them is a RangeError; src/backend/native.ts `NativeAddon` is the TS view of
// the same surface.
#pragma once

#include <napi.h>

#include "../core/runtime.h"

namespace fastnn::bindings {

// version, cpuFeatures (info_binding.cc).
void RegisterInfo(Napi::Env env, Napi::Object exports);
// gemm, biasAdd, colSum, activationForward, activationBackward, softmaxRows,
// lossForwardBackward, sgdUpdate, firstOutside (kernels_binding.cc).
void RegisterKernels(Napi::Env env, Napi::Object exports);
// forward, forwardLoss, lossGradient, backward, trainEpoch, optimizerStep (network_binding.cc).
void RegisterNetwork(Napi::Env env, Napi::Object exports);
// train: whole training jobs on a background thread (train_binding.cc).
void RegisterTrain(Napi::Env env, Napi::Object exports);
// gemmPath, setGemmPath, gemmPaths, gemmBlocking, getThreads, setThreads,
// probePeak, probeBandwidth (dispatch_binding.cc).
void RegisterDispatch(Napi::Env env, Napi::Object exports);

// The calling environment's Runtime (thread pool, kernel path), owned by the
// addon instance (addon.cc).
Runtime& InstanceRuntime(Napi::Env env);
// centredGram, symmetricEigen: the decompositions of PCA and MDS, as jobs (decomposition_binding.cc).
void RegisterDecomposition(Napi::Env env, Napi::Object exports);
// word2vecVocab, word2vecTrain, word2vecInit, nearest (word2vec_binding.cc).
void RegisterWord2vec(Napi::Env env, Napi::Object exports);
// testBackgroundJob, testRng: exercise the job machinery and the RNG in tests, registered
// only when process.env.FASTNN_TEST_HOOKS is "1" at load (test_hooks_binding.cc).
void RegisterTestHooks(Napi::Env env, Napi::Object exports);

// A plain object of (name, value) fields, for results:
// ObjectOf(env, "done", 3.0, "finished", true). Counts go as doubles, JS numbers.
inline void SetFields(Napi::Object) {}
template <class V, class... Rest>
void SetFields(Napi::Object o, const char* name, const V& value, const Rest&... rest) {
  o.Set(name, value);
  SetFields(o, rest...);
}
template <class... Fields>
Napi::Object ObjectOf(Napi::Env env, const Fields&... fields) {
  Napi::Object o = Napi::Object::New(env);
  SetFields(o, fields...);
  return o;
}

class JobRegistry;
// The background jobs of this environment (owned by the addon instance, addon.cc).
JobRegistry& Jobs(Napi::Env env);

}  // namespace fastnn::bindings
