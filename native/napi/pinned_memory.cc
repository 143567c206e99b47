#include "pinned_memory.h"

#include <v8.h>

#include <cstring>

namespace fastnn::bindings {

std::shared_ptr<v8::BackingStore> PinMemory(Napi::Value value) {
  if (value.IsEmpty()) return nullptr;
  // In Node a napi_value is a v8::Local<v8::Value> (src/js_native_api_v8.h,
  // V8LocalValueFromJsValue does this same copy).
  napi_value raw = value;
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(raw), "napi_value is a v8::Local");
  std::memcpy(static_cast<void*>(&local), &raw, sizeof(raw));
  if (local->IsArrayBufferView()) return local.As<v8::ArrayBufferView>()->Buffer()->GetBackingStore();
  if (local->IsArrayBuffer()) return local.As<v8::ArrayBuffer>()->GetBackingStore();
  return nullptr;
}

}  // namespace fastnn::bindings
