// The fastnn_communicator of this process's MPI world (native/core/communicator.h).
#pragma once

#include "../core/communicator.h"

namespace fastnn::mpi {

// [JS thread, after a successful Init] The struct, static: valid to the end of the process.
const fastnn_communicator* WorldCommunicator(int rank, int size);

}  // namespace fastnn::mpi
