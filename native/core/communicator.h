// The communicator a trainer calls to talk to the other processes of a
// multi-process (MPI) run, as a versioned C ABI: a struct of plain function
// pointers, with no MPI header and no C++ type crossing it.
//
// Why a C ABI: MPI lives in a second, optional addon (fastnn_mpi.node, built
// only where MPI is installed, native/mpi/), while the trainers live in the
// main addon (fastnn.node, prebuilt without MPI). Two shared objects built
// separately, maybe by different compilers, share only what C guarantees:
// the MPI addon fills one of these structs, and hands its address to JS as a
// napi_external tagged with kCommunicatorTag; the main addon accepts the
// external only with that tag (napi_check_object_type_tag), and the struct
// only with a known abi_version and a struct_size covering the fields it
// uses. Fields are only ever appended; a change of meaning bumps abi_version.
//
// Threading: every function may be called from any thread (a job's thread, a
// pool thread) and blocks until the operation is complete on every rank. The
// calls are carried out one at a time, in the order they were made, by the
// MPI addon's one communication thread, which alone calls MPI
// (MPI_THREAD_FUNNELED). Collective calls must be made by every rank in the
// same order with the same counts, as with MPI itself: so while a job makes
// them, nothing else of the process may (JS's collectives, another job's),
// or the two streams could interleave differently on different ranks.
//
// Lifetime: the struct is static in the MPI addon (a process has one MPI
// world), and the MPI addon is never unloaded (Node never dlcloses an addon),
// so the pointer stays valid to the end of the process. After the world is
// finished (process exit) or broken, every call returns nonzero at once
// instead of blocking.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FASTNN_COMMUNICATOR_ABI_VERSION 1u

typedef struct fastnn_communicator {
  uint32_t abi_version;  // FASTNN_COMMUNICATOR_ABI_VERSION of the addon that filled it
  uint32_t struct_size;  // sizeof(fastnn_communicator) there: fields past it are absent
  int32_t rank;          // this process, 0 .. size − 1
  int32_t size;          // processes in the run
  void* context;         // passed back as the first argument of every function

  // data[0 .. count) ← Σ over ranks, summed in rank order 0, 1, …, size − 1
  // whatever the MPI library's algorithms, so every rank gets the same bits
  // and a run repeats bit for bit at the same rank count. In place. 0 = done.
  int (*allreduce_sum_f32)(void* context, float* data, size_t count);
  int (*allreduce_sum_f64)(void* context, double* data, size_t count);
  // bytes[0 .. count) ← root's. 0 = done.
  int (*broadcast)(void* context, void* bytes, size_t count, int32_t root);
  // Returns once every rank called it. 0 = done.
  int (*barrier)(void* context);
  // Why the last failed call of this thread failed (a static or thread-local string).
  const char* (*last_error)(void* context);
} fastnn_communicator;

#ifdef __cplusplus
}  // extern "C"

namespace fastnn {
// The napi_type_tag on the external that carries a fastnn_communicator*:
// {lower, upper} of a random 128-bit UUID, fixed forever for ABI 1.
constexpr uint64_t kCommunicatorTagLower = 0x6d70695f66617374ULL;  // "mpi_fast"
constexpr uint64_t kCommunicatorTagUpper = 0x8c1f4e2ab3d95701ULL;
}  // namespace fastnn
#endif
