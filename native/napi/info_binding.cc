// Build and machine information, for support questions (backendInfo()).
#include <string>

#include "../core/cpu_features.h"
#include "bindings.h"
#include "boundary.h"

#ifndef FASTNN_VERSION
#error "FASTNN_VERSION must be defined by the build (package.json's version, as a string literal)"
#endif

namespace fastnn::bindings {

namespace {

// [sync] cpuFeatures(): string[]
// Returns the CPU features the kernels can dispatch on, e.g. ['sse4.2', 'avx', 'avx2', 'fma'];
// empty on non-x86 machines. Throws nothing.
Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<std::string> features = cpu_features();
  Napi::Array out = Napi::Array::New(env, features.size());
  for (std::size_t i = 0; i < features.size(); i++) out.Set(static_cast<uint32_t>(i), features[i]);
  return out;
}

}  // namespace

void RegisterInfo(Napi::Env env, Napi::Object exports) {
  // version: string, package.json's version baked in at build time (read-only).
  exports.DefineProperty(
      Napi::PropertyDescriptor::Value("version", Napi::String::New(env, FASTNN_VERSION), napi_enumerable));
  Export(env, exports, "cpuFeatures", CpuFeatures);
}

}  // namespace fastnn::bindings
