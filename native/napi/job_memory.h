// The memory a running job works on: native copies of the JS arrays it uses.
//
// A reference keeps a typed array object alive, but not its memory: a
// transfer (structuredClone or postMessage with `transfer`, or
// ArrayBuffer.prototype.transfer) detaches the buffer and hands the memory to
// a new owner, perhaps in another Worker, which may free it at once while a
// job's thread still reads or writes it. Node-API offers no way to prevent or
// survive that for memory V8 allocated, and reaching into V8 for its
// BackingStore would tie the binary to one Node build. So a job never works
// on JS memory: when it starts, each array it uses is copied into memory the
// job owns (on the JS thread, before the job's thread exists), and the arrays
// it writes are copied back on the JS thread before each progress callback
// and when it settles, into whatever the JS array holds then: nothing if its
// buffer was detached meanwhile. Whatever JS does to its arrays, the job's
// thread only ever touches memory that lives until the job is freed.
//
// The price is one copy of the job's arrays (its input data included) for
// the job's lifetime, and copies back of what it writes; JS sees the written
// arrays as of the last progress report, not live. A copy back during the
// job races with its writes to what no report covers yet (the next history
// row, weights mid-epoch), as JS reading live memory did before: what a
// report covers is complete. Arrays that overlap without being the same get
// separate copies, so a job must not write through one and read the other.
#pragma once

#include <napi.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace fastnn::bindings {

class JobMemory {
 public:
  enum class Access { kRead, kReadWrite };

  // [JS thread] The job's copy of typed array `array`, whose data `data` is
  // (as an args:: function returned it): the returned pointer replaces it in
  // the job. Null `data` (an absent optional array) stays null. The same JS
  // memory asked for twice gets the same copy, so aliasing is preserved.
  template <class T>
  T* Own(Napi::Value array, T* data, Access access) {
    return static_cast<T*>(OwnBytes(array, const_cast<void*>(static_cast<const void*>(data)), access));
  }

  // [JS thread] Copies each kReadWrite copy back into its JS array, unless
  // that array's buffer was detached (or it shrank) since the job started.
  void WriteBack();

 private:
  void* OwnBytes(Napi::Value array, void* data, Access access);

  struct Copy {
    void* js_data;                  // where the array's data was at the start: only compared, never used
    std::size_t bytes;
    std::unique_ptr<unsigned char[]> data;
    Napi::ObjectReference array;    // kReadWrite only: where WriteBack copies to
  };
  std::vector<Copy> copies_;
};

}  // namespace fastnn::bindings
