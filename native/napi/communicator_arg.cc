#include "communicator_arg.h"

#include <string>

#include "args.h"

namespace fastnn::args {

const fastnn_communicator* Communicator(Napi::Env env, const char* fn, const char* name, const Napi::Value& v) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  const std::string what = std::string(fn) + ": " + name;
  if (!v.IsExternal()) ThrowType(env, what + " must be the communicator of fastnn's MPI addon, or null");
  const napi_type_tag tag{kCommunicatorTagLower, kCommunicatorTagUpper};
  bool tagged = false;
  if (napi_check_object_type_tag(env, v, &tag, &tagged) != napi_ok || !tagged) {
    ThrowType(env, what + " must be the communicator of fastnn's MPI addon, not another external");
  }
  const auto* c = v.As<Napi::External<fastnn_communicator>>().Data();
  // Fields are only appended (communicator.h): an older struct_size lacks some we call.
  if (c->abi_version != FASTNN_COMMUNICATOR_ABI_VERSION || c->struct_size < sizeof(fastnn_communicator)) {
    ThrowRange(env, what + " comes from an MPI addon of another version (ABI " + std::to_string(c->abi_version) +
                    ", this addon speaks " + std::to_string(FASTNN_COMMUNICATOR_ABI_VERSION) + "): rebuild both");
  }
  return c;
}

}  // namespace fastnn::args
