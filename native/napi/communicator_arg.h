// Reads the optional communicator argument of a job: the napi_external the
// MPI addon hands out (native/core/communicator.h), checked by its type tag,
// ABI version and size, so nothing else can pass for it.
#pragma once

#include <napi.h>

#include "../core/communicator.h"

namespace fastnn::args {

// null or undefined → nullptr (a single-process job). Otherwise the
// communicator, or a TypeError naming fn and `name` for any other value, a
// RangeError for an ABI this build does not know.
const fastnn_communicator* Communicator(Napi::Env env, const char* fn, const char* name, const Napi::Value& v);

}  // namespace fastnn::args
