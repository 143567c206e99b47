// Failed allocations at the boundary to JS. Whatever native code cannot
// allocate, JS gets a RangeError "<fn>: not enough memory for <what>" (with
// code ERR_FASTNN_OUT_OF_MEMORY and `allocation` = <what>, which the models
// use to name themselves instead of fn), never an uncaught C++ exception,
// which would end the process. Every exported function is registered
// through Export, which converts its failures; a background job converts
// those of its thread when it settles (background_job.cc).
#pragma once

#include <napi.h>

namespace fastnn::bindings {

// What an allocation that does not say what it was for (a plain
// std::bad_alloc, not core's OutOfMemory) is reported as.
inline constexpr const char* kWorkingBuffers = "its working buffers";

// [JS thread, inside a catch block] When the exception being handled is a
// failed allocation (std::bad_alloc, core's OutOfMemory naming what it was
// for, or a container's std::length_error), throws its RangeError as fn's,
// an unnamed one called `unnamed`; otherwise returns, for the caller to rethrow.
void ThrowIfOutOfMemory(Napi::Env env, const char* fn, const char* unnamed = kWorkingBuffers);

// exports[name] = fn, run through ThrowIfOutOfMemory with `unnamed`; a fn
// that returns nothing returns undefined to JS. name must outlive the
// environment (a string literal).
template <class Result>
void Export(Napi::Env env, Napi::Object exports, const char* name, Result (*fn)(const Napi::CallbackInfo&),
            const char* unnamed = kWorkingBuffers) {
  const auto exported = [name, fn, unnamed](const Napi::CallbackInfo& info) -> Result {
    try {
      return fn(info);
    } catch (...) {
      ThrowIfOutOfMemory(info.Env(), name, unnamed);
      throw;
    }
  };
  exports.Set(name, Napi::Function::New(env, exported, name));
}

}  // namespace fastnn::bindings
