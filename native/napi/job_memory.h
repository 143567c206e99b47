// The memory a running job works on: JS arrays on shared memory, which nothing
// can take away, and native copies of everything else.
//
// A reference keeps a typed array object alive, but not always its memory: a
// transfer (structuredClone or postMessage with `transfer`, or
// ArrayBuffer.prototype.transfer) detaches an ArrayBuffer and hands its
// memory to a new owner, perhaps in another Worker, which may free it at once
// while a job's thread still reads or writes it. Node-API offers no way to
// prevent or survive that for memory V8 allocated, and reaching into V8 for
// its BackingStore would tie the binary to one Node build.
//
// A SharedArrayBuffer cannot be detached (the language gives it no transfer
// and no shrinking), and its memory lives as long as any object refers to it.
// So an array on one is used in place when the job only READS it, or when its
// owner lets the job WRITE it in place (kWriteInPlace): the job holds a
// reference to the typed array for its lifetime, which keeps the memory alive
// through any garbage collection and out of any transfer. This is how a fit
// reads its training set (src/backend/native.ts stages other large inputs
// into such buffers in slices), trains a model's weights, optimizer state
// and best weights and writes its history rows, and how word2vec trains its
// vectors, with no pass over them on the JS thread at the start, at each
// progress report or at the end.
//
// Every other array is copied into memory the job owns when it starts (on the
// JS thread, before the job's thread exists), and the arrays it writes are
// copied back on the JS thread before each progress callback and when it
// settles, into whatever the JS array holds then: nothing if its buffer was
// detached meanwhile. Whatever JS does to its arrays, the job's thread only
// ever touches memory that lives until the job is freed.
//
// What JS sees of written arrays: a copy is written back whole at each report
// and at the end (a copy back during the job races with its writes to what no
// report covers yet, such as weights mid-epoch; what a report covers is
// complete). An array written in place changes under JS as the job runs: its
// owner keeps its own reads and writes out until the job settles (the models'
// busy guard; word2vec hands its vectors out at the end), or reads only what
// a report has said is complete and the job writes no more (a fit's history
// rows), so only a user reading the array directly sees values mid-update
// (docs/guarantees.md).
// Arrays that overlap without being the same get separate copies, so a job
// must not write through one and read the other. JS writing an array that a
// job reads in place is the caller's race, as with any library that trains on
// the caller's memory.
#pragma once

#include <napi.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace fastnn::bindings {

class JobMemory {
 public:
  // kWriteInPlace: written, and used in place when a SharedArrayBuffer backs it (else as kReadWrite),
  // for arrays whose owner writes none of it and reads only what a report said is complete until the job
  // settles (see above).
  enum class Access { kRead, kReadWrite, kWriteInPlace };

  // [JS thread] What the job uses for typed array `array`, whose data `data` is (as an args:: function returned
  // it): the same pointer for an array used in place (above), else the job's copy. Null `data` (an absent
  // optional array) stays null. The same JS memory asked for twice gets the same copy (aliasing is kept).
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
    void* js_data;  // where the array's data was at the start: only compared, never used
    std::size_t bytes;
    std::unique_ptr<unsigned char[]> data;
    Napi::ObjectReference array;  // kReadWrite only: where WriteBack copies to
  };
  std::vector<Copy> copies_;
  // Arrays on SharedArrayBuffers used in place (kRead, kWriteInPlace): held so their memory outlives the job.
  std::vector<Napi::ObjectReference> borrowed_;
};

}  // namespace fastnn::bindings
