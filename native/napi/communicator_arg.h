// Reads the optional communicator argument of a job: the napi_external the
// MPI addon hands out (native/core/communicator.h), checked by its type tag,
// ABI version and size, so nothing else can pass for it.
#pragma once

#include <napi.h>

#include <string>

#include "../core/communicator.h"
#include "args.h"

namespace fastnn::args {

// null or undefined → nullptr (a single-process job). Otherwise the
// communicator, or a TypeError naming `arg` for any other value, a
// RangeError for an ABI this build does not know.
const fastnn_communicator* Communicator(const Args& a, const std::string& arg, const Napi::Value& v);

}  // namespace fastnn::args
