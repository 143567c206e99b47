#include "job_memory.h"

#include <cstring>
#include <stdexcept>

namespace fastnn::bindings {

namespace {

unsigned char* Bytes(const Napi::TypedArray& array) {
  return static_cast<unsigned char*>(array.ArrayBuffer().Data()) + array.ByteOffset();
}

}  // namespace

void* JobMemory::OwnBytes(Napi::Value value, void* data, Access access) {
  if (data == nullptr) return nullptr;
  // args:: handed out `data` from this very array a moment ago; anything else is a binding bug.
  if (!value.IsTypedArray()) throw std::logic_error("JobMemory: not a typed array");
  const Napi::TypedArray array = value.As<Napi::TypedArray>();
  const std::size_t bytes = array.ByteLength();
  if (data != Bytes(array)) throw std::logic_error("JobMemory: pointer is not the array's data");
  for (Copy& copy : copies_) {
    if (copy.js_data != data || copy.bytes != bytes) continue;
    if (access == Access::kReadWrite && copy.array.IsEmpty()) copy.array = Napi::Persistent(value.As<Napi::Object>());
    return copy.data.get();
  }
  Copy copy{data, bytes, std::make_unique<unsigned char[]>(bytes > 0 ? bytes : 1), {}};
  std::memcpy(copy.data.get(), data, bytes);
  if (access == Access::kReadWrite) copy.array = Napi::Persistent(value.As<Napi::Object>());
  copies_.push_back(std::move(copy));
  return copies_.back().data.get();
}

void JobMemory::WriteBack() {
  for (const Copy& copy : copies_) {
    if (copy.array.IsEmpty()) continue;
    const Napi::TypedArray array = copy.array.Value().As<Napi::TypedArray>();
    // A detached buffer reports 0 bytes: its old memory may be gone, and the array is empty.
    if (array.ByteLength() < copy.bytes) continue;
    std::memcpy(Bytes(array), copy.data.get(), copy.bytes);
  }
}

}  // namespace fastnn::bindings
