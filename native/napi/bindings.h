// The binding groups addon.cc registers on the exports object. Each function
// is described (params, returns, throws) where it is defined; it reads its
// arguments in one pass (args.h: kinds, lengths, codes and every offset;
// checked.ts checks the rest), then Verify(), and is registered with Export
// (boundary.h), which turns its failures into JS errors. src/backend/native.ts
// `NativeAddon` is the TS view of the same surface.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "../core/runtime.h"

namespace fastnn::bindings {

// Each registers the exports of its *_binding.cc on `exports` (RegisterTestHooks
// only when process.env.FASTNN_TEST_HOOKS is "1" at load).
void RegisterDispatch(Napi::Env env, Napi::Object exports);
void RegisterKernels(Napi::Env env, Napi::Object exports);
void RegisterNetwork(Napi::Env env, Napi::Object exports);
void RegisterTrain(Napi::Env env, Napi::Object exports);
void RegisterWord2vec(Napi::Env env, Napi::Object exports);
void RegisterTestHooks(Napi::Env env, Napi::Object exports);

// The calling environment's Runtime (thread pool, kernel path), owned by the
// addon instance (addon.cc).
Runtime& InstanceRuntime(Napi::Env env);

// A JS array of the values (numbers or strings), for results.
template <class T>
Napi::Array ArrayOf(Napi::Env env, const std::vector<T>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (std::size_t i = 0; i < values.size(); i++) out.Set(static_cast<std::uint32_t>(i), values[i]);
  return out;
}

// A plain object of (name, value) fields, for results:
// ObjectOf(env, "done", 3, "finished", true). Numbers of any type go as JS
// numbers (doubles), as Napi::Value::From converts them.
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

}  // namespace fastnn::bindings
