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
  double gemm_threaded_flops = initial_gemm_threaded_flops();

  GemmContext gemm_context() { return GemmContext{path, &pool, gemm_threaded_flops}; }
};

}  // namespace fastnn
