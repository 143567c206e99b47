#include "comm_thread.h"

#include <dlfcn.h>
#include <mpi.h>

#include <future>

namespace fastnn::mpi {

CommThread& CommThread::Get() {
  static CommThread* const instance = new CommThread();  // never destroyed: see comm_thread.h
  return *instance;
}

void CommThread::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
      if (!started_) {
        started_ = true;
        std::thread([this] { Loop(); }).detach();
      }
      tasks_.push_back(std::move(task));
      wake_.notify_one();
      return;
    }
  }
  task();  // the world is finished: the task sees finished() and fails without MPI
}

void CommThread::Run(const std::function<void()>& task) {
  std::promise<void> done;
  std::future<void> waited = done.get_future();
  Post([&] {
    task();
    done.set_value();
  });
  waited.wait();
}

void CommThread::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return !tasks_.empty(); });
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && tasks_.empty()) return;
  }
}

std::string CommThread::Init() {
  if (initialised_) return "";
  if (finished_) return "MPI was already finished in this process";
  // Node loads addons RTLD_LOCAL, so libmpi's symbols are not visible to the
  // plugins (mca_*.so) Open MPI dlopens during MPI_Init: some builds then
  // fail with mca_base_component_repository_open errors. Re-opening the
  // already loaded libmpi RTLD_GLOBAL (NOLOAD: never a second copy) makes
  // them visible, as mpi4py does.
  Dl_info where{};
  if (dladdr(reinterpret_cast<void*>(&MPI_Init_thread), &where) != 0 && where.dli_fname != nullptr) {
    dlopen(where.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  }
  int provided = 0;
  int code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (code != MPI_SUCCESS) return "MPI_Init_thread failed: " + MpiErrorText(code);
  if (provided < MPI_THREAD_FUNNELED) return "the MPI library does not support MPI_THREAD_FUNNELED";
  // Errors come back as codes, turned into JS errors and C ABI failures,
  // rather than the default abort inside the library.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  initialised_ = true;
  return "";
}

void CommThread::Finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  if (!initialised_ || finished_) {
    finished_ = true;
    return;
  }
  finished_ = true;
  MPI_Finalize();
}

std::string MpiErrorText(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, static_cast<std::size_t>(length));
}

}  // namespace fastnn::mpi
