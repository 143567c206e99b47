// The fastnn_communicator (native/core/communicator.h) this addon hands to
// the main addon's trainers: each function runs its collective on the
// communication thread and blocks the calling thread until it is done.
#include "communicator_abi.h"

#include <string>

#include "collectives.h"
#include "comm_thread.h"

namespace fastnn::mpi {

namespace {

thread_local std::string last_error;

// Runs `op` (returning "" or a failure) on the communication thread; 0 on success.
template <class Op>
int Blocking(Op op) {
  std::string why;
  CommThread::Get().Run([&] { why = op(); });
  last_error = why;
  return why.empty() ? 0 : 1;
}

int AllreduceF32(void*, float* data, size_t count) {
  return Blocking([&] { return AllreduceSum(data, count); });
}
int AllreduceF64(void*, double* data, size_t count) {
  return Blocking([&] { return AllreduceSum(data, count); });
}
int BroadcastBytes(void*, void* bytes, size_t count, int32_t root) {
  return Blocking([&] { return Broadcast(bytes, count, root); });
}
int BarrierAll(void*) {
  return Blocking([] { return Barrier(); });
}
const char* LastError(void*) { return last_error.c_str(); }

}  // namespace

const fastnn_communicator* WorldCommunicator(int rank, int size) {
  // Filled once, after MPI_Init_thread: rank and size never change afterwards.
  static fastnn_communicator world{FASTNN_COMMUNICATOR_ABI_VERSION,
                                   sizeof(fastnn_communicator),
                                   rank,
                                   size,
                                   nullptr,
                                   AllreduceF32,
                                   AllreduceF64,
                                   BroadcastBytes,
                                   BarrierAll,
                                   LastError};
  return &world;
}

}  // namespace fastnn::mpi
