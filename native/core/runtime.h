// The compute state one addon instance owns (one per Node environment, so
// each worker_thread has its own): the thread pool and the kernel path.
#pragma once

#include "dispatch.h"
#include "gemm.h"
#include "thread_pool.h"

namespace fastnn {

struct Runtime {
  ThreadPool pool;  // hardware cores by default
  KernelPath path = initial_kernel_path();

  GemmContext gemm_context() { return GemmContext{path, &pool}; }
};

}  // namespace fastnn
