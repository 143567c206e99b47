#include "boundary.h"

#include <new>
#include <stdexcept>
#include <string>

#include "../core/out_of_memory.h"

namespace fastnn::bindings {

void ThrowIfOutOfMemory(Napi::Env env, const char* fn, const char* unnamed) {
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

}  // namespace fastnn::bindings
