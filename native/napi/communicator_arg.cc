#include "communicator_arg.h"

namespace fastnn::args {

const fastnn_communicator* Communicator(const Args& a, const std::string& arg, const Napi::Value& v) {
  if (Args::Absent(v)) return nullptr;
  if (!v.IsExternal()) a.ThrowType(arg, "must be the communicator of fastnn's MPI addon, or null");
  const napi_type_tag tag{kCommunicatorTagLower, kCommunicatorTagUpper};
  bool tagged = false;
  if (napi_check_object_type_tag(a.env(), v, &tag, &tagged) != napi_ok || !tagged) {
    a.ThrowType(arg, "must be the communicator of fastnn's MPI addon, not another external");
  }
  const auto* c = v.As<Napi::External<fastnn_communicator>>().Data();
  // Fields are only appended (communicator.h): an older struct_size lacks some we call.
  if (c->abi_version != FASTNN_COMMUNICATOR_ABI_VERSION || c->struct_size < sizeof(fastnn_communicator)) {
    a.ThrowRange(arg, "comes from an MPI addon of another version (ABI " + std::to_string(c->abi_version) +
                          ", this addon speaks " + std::to_string(FASTNN_COMMUNICATOR_ABI_VERSION) + "): rebuild both");
  }
  return c;
}

}  // namespace fastnn::args
