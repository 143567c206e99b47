#include "job_memory.h"

#include <cstring>
#include <stdexcept>

namespace fastnn::bindings {

namespace {

struct ArrayView {
  unsigned char* data;
  std::size_t bytes;
  bool shared;  // backed by a SharedArrayBuffer
};

// The typed array's data, length and backing. napi_get_typedarray_info
// reports the data of either kind of buffer; napi_is_arraybuffer is false
// for a SharedArrayBuffer, the only other kind a typed array can have.
ArrayView View(Napi::Env env, const Napi::TypedArray& array) {
  void* data = nullptr;
  napi_value buffer = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, array, nullptr, nullptr, &data, &buffer, nullptr),
                       ArrayView{});
  bool plain = true;
  NAPI_THROW_IF_FAILED(env, napi_is_arraybuffer(env, buffer, &plain), ArrayView{});
  return {static_cast<unsigned char*>(data), array.ByteLength(), !plain};
}

}  // namespace

void* JobMemory::OwnBytes(Napi::Value value, void* data, Access access) {
  if (data == nullptr) return nullptr;
  // args:: handed out `data` from this very array a moment ago; anything else is a binding bug.
  if (!value.IsTypedArray()) throw std::logic_error("JobMemory: not a typed array");
  const ArrayView view = View(value.Env(), value.As<Napi::TypedArray>());
  if (data != view.data) throw std::logic_error("JobMemory: pointer is not the array's data");
  if (access != Access::kReadWrite && view.shared) {
    borrowed_.push_back(Napi::Persistent(value.As<Napi::Object>()));
    return data;
  }
  for (Copy& copy : copies_) {
    if (copy.js_data != data || copy.bytes != view.bytes) continue;
    if (access != Access::kRead && copy.array.IsEmpty()) copy.array = Napi::Persistent(value.As<Napi::Object>());
    return copy.data.get();
  }
  // new[] without (): memcpy fills every byte next, and make_unique's zero-fill was a second pass over
  // what can be hundreds of MB (word2vec's vectors at each checkpoint segment's start).
  Copy copy{data, view.bytes, std::unique_ptr<unsigned char[]>(new unsigned char[view.bytes > 0 ? view.bytes : 1]), {}};
  std::memcpy(copy.data.get(), data, view.bytes);
  if (access != Access::kRead) copy.array = Napi::Persistent(value.As<Napi::Object>());
  copies_.push_back(std::move(copy));
  return copies_.back().data.get();
}

void JobMemory::WriteBack() {
  for (const Copy& copy : copies_) {
    if (copy.array.IsEmpty()) continue;
    const Napi::TypedArray array = copy.array.Value().As<Napi::TypedArray>();
    const ArrayView view = View(array.Env(), array);
    // A detached buffer reports 0 bytes: its old memory may be gone, and the array is empty.
    if (view.bytes < copy.bytes) continue;
    std::memcpy(view.data, copy.data.get(), copy.bytes);
  }
}

}  // namespace fastnn::bindings
