// A failed allocation that says what it was for.
//
// The Node-API glue turns any std::bad_alloc into a JS RangeError
// ("<fn>: not enough memory for <what>"); OutOfMemory is a std::bad_alloc whose
// what() is that <what>, so the user learns which buffer did not fit (and
// which option to lower) instead of a bare "std::bad_alloc". Core code names
// its large allocations with allocating() and starts threads with
// start_thread(), whose failure (no memory for the thread's stack) is
// reported the same way.
#pragma once

#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace fastnn {

class OutOfMemory : public std::bad_alloc {
 public:
  // `item` completes "not enough memory for …", e.g. "the shuffle order of 400000 rows".
  explicit OutOfMemory(std::string item);
  const char* what() const noexcept override { return item_->c_str(); }

 private:
  // Shared, so that copying the exception (as throw and exception_ptr may) cannot throw.
  std::shared_ptr<const std::string> item_;
};

// [inside a catch block] Throws OutOfMemory(item) when the exception being
// handled is a failed allocation: a plain std::bad_alloc, or a container's
// std::length_error (asked for more elements than it can hold). An
// OutOfMemory, which already names a narrower item, and any other exception
// are rethrown unchanged.
[[noreturn]] void rethrow_named(const std::string& item);

// make()'s result, with a failed allocation inside it named `item` (rethrow_named).
template <class Make>
auto allocating(const std::string& item, Make&& make) -> decltype(make()) {
  try {
    return make();
  } catch (...) {
    rethrow_named(item);
  }
}

// std::thread(f), or OutOfMemory(item) when the system cannot start it:
// std::thread throws std::system_error when pthread_create fails, which under
// a memory limit means no address space for the new thread's stack.
template <class F>
std::thread start_thread(const std::string& item, F&& f) {
  try {
    return std::thread(std::forward<F>(f));
  } catch (const std::system_error&) {
    throw OutOfMemory(item);
  }
}

}  // namespace fastnn
