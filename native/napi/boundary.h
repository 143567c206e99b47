// Failed allocations at the boundary to JS. Whatever native code cannot
// allocate, JS gets a RangeError "<fn>: not enough memory for <what>" (with
// code ERR_FASTNN_OUT_OF_MEMORY and `allocation` = <what>, which the models
// use to name themselves instead of fn), never an uncaught C++ exception,
// which would end the process. Every exported function is registered
// through Export, which converts its failures; a background job converts
// those of its thread when it settles (background_job.cc).
#pragma once

#include <napi.h>

#include <new>
#include <stdexcept>
#include <string>

#include "../core/out_of_memory.h"

namespace fastnn::bindings {

// What an allocation that does not say what it was for (a plain
// std::bad_alloc, not core's OutOfMemory) is reported as.
inline constexpr const char* kWorkingBuffers = "its working buffers";

// [JS thread, inside a catch block] When the exception being handled is a
// failed allocation (std::bad_alloc, core's OutOfMemory naming what it was
// for, or a container's std::length_error), throws its RangeError as fn's,
// an unnamed one called `unnamed`; otherwise returns, for the caller to rethrow.
inline void ThrowIfOutOfMemory(Napi::Env env, const char* fn, const char* unnamed = kWorkingBuffers) {
  std::string what;
  try {
    throw;
  } catch (const OutOfMemory& e) {
    what = e.what();
  } catch (const std::bad_alloc&) {
    what = unnamed;
  } catch (const std::length_error&) {
    what = unnamed;
  } catch (...) {
    return;
  }
  Napi::Error error = Napi::RangeError::New(env, std::string(fn) + ": not enough memory for " + what);
  error.Set("code", "ERR_FASTNN_OUT_OF_MEMORY");
  error.Set("allocation", what);
  throw error;
}

// exports[name] = fn, its failures turned into JS errors: a failed
// allocation into ThrowIfOutOfMemory's RangeError (an unnamed one called
// `unnamed`), any other std::runtime_error of the core (a non-finite loss)
// into an Error "name: what". A fn that returns nothing returns undefined.
// name must outlive the environment (a string literal).
template <class Result>
void Export(Napi::Env env, Napi::Object exports, const char* name, Result (*fn)(const Napi::CallbackInfo&),
            const char* unnamed = kWorkingBuffers) {
  const auto exported = [name, fn, unnamed](const Napi::CallbackInfo& info) -> Result {
    try {
      return fn(info);
    } catch (const std::runtime_error& e) {
      throw Napi::Error::New(info.Env(), std::string(name) + ": " + e.what());
    } catch (...) {
      ThrowIfOutOfMemory(info.Env(), name, unnamed);
      throw;
    }
  };
  exports.Set(name, Napi::Function::New(env, exported, name));
}

}  // namespace fastnn::bindings
