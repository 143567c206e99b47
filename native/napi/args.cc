#include "args.h"

namespace fastnn::args {

void Args::ThrowType(const std::string& arg, const std::string& must) const {
  throw Napi::TypeError::New(env_, std::string(fn_) + ": " + arg + " " + must);
}

void Args::ThrowRange(const std::string& arg, const std::string& must) const {
  throw Napi::RangeError::New(env_, std::string(fn_) + ": " + arg + " " + must);
}

double Args::Number(const std::string& arg, Napi::Value v) const {
  if (!v.IsNumber()) ThrowType(arg, "must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

std::int64_t Args::CheckInt(const std::string& arg, double v, std::int64_t min, std::int64_t max) const {
  if (!IsIntIn(v, min, max)) {
    ThrowRange(arg, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<std::int64_t>(v);
}

bool Args::Bool(const std::string& arg, Napi::Value v) const {
  if (!v.IsBoolean()) ThrowType(arg, "must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string Args::String(const std::string& arg, Napi::Value v) const {
  if (!v.IsString()) ThrowType(arg, "must be a string");
  return v.As<Napi::String>().Utf8Value();
}

Napi::Object Args::Object(const std::string& arg, Napi::Value v) const {
  if (v.Type() != napi_object) ThrowType(arg, "must be an object");
  return v.As<Napi::Object>();
}

Napi::Value Args::Callback(const std::string& arg, Napi::Value v) const {
  if (!Absent(v) && !v.IsFunction()) ThrowType(arg, "must be a function or null");
  return v;
}

const fastnn_communicator* Args::Communicator(const std::string& arg, Napi::Value v) const {
  if (Absent(v)) return nullptr;
  if (!v.IsExternal()) ThrowType(arg, "must be the communicator of fastnn's MPI addon, or null");
  const napi_type_tag tag{kCommunicatorTagLower, kCommunicatorTagUpper};
  bool tagged = false;
  if (napi_check_object_type_tag(env_, v, &tag, &tagged) != napi_ok || !tagged) {
    ThrowType(arg, "must be the communicator of fastnn's MPI addon, not another external");
  }
  const auto* c = v.As<Napi::External<fastnn_communicator>>().Data();
  // Fields are only appended (communicator.h): an older struct_size lacks some we call.
  if (c->abi_version != FASTNN_COMMUNICATOR_ABI_VERSION || c->struct_size < sizeof(fastnn_communicator)) {
    ThrowRange(arg, "comes from an MPI addon of another version (ABI " + std::to_string(c->abi_version) +
                        ", this addon speaks " + std::to_string(FASTNN_COMMUNICATOR_ABI_VERSION) + "): rebuild both");
  }
  return c;
}

std::vector<Napi::Value> Args::List(const std::string& arg, Napi::Value v, std::size_t count) const {
  if (!v.IsArray()) ThrowType(arg, "must be an array");
  Napi::Array array = v.As<Napi::Array>();
  if (array.Length() != count) ThrowRange(arg, "must be an array of " + std::to_string(count));
  std::vector<Napi::Value> items;
  for (std::uint32_t i = 0; i < count; i++) items.push_back(array.Get(i));
  return items;
}

void Args::Verify() const {
  for (const Borrow& b : borrowed_) {
    // Asked afresh: Napi::TypedArray caches what it saw when it was made.
    std::size_t length = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env_, b.array, nullptr, &length, &data, nullptr, nullptr);
    if (data != b.data || length != b.length) {
      ThrowRange(b.arg, "was detached or resized while the arguments were read");
    }
  }
}

}  // namespace fastnn::args
