// The one thread of the process that calls MPI. MPI is initialised with
// MPI_THREAD_FUNNELED, so every MPI call, MPI_Init_thread and
// MPI_Finalize included, must come from one thread: this one. Everybody else
// (the JS thread, a trainer's threads through the C ABI of
// native/core/communicator.h) hands it a task and waits for it, or is told
// when it is done. Tasks run one at a time in the order they were posted,
// which is what keeps the collectives of every rank in the same order.
//
// One per process, not per Node environment: a process has one MPI world.
// It is created on first use and never destroyed (its thread may be blocked
// inside MPI when the process exits, and a joinable std::thread destroyed by
// a static destructor would end the process with std::terminate).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace fastnn::mpi {

class CommThread {
 public:
  static CommThread& Get();

  // [any thread] Queues `task` to run on the communication thread after
  // everything posted before it (starting the thread on first use). Once the
  // world is finished, `task` runs at once on the caller's thread with
  // finished() true, so it can fail instead of waiting forever.
  void Post(std::function<void()> task);
  // [any thread] Posts `task` and waits for it to have run.
  void Run(const std::function<void()>& task);

  // [communication thread] The world's state, set by Init/Finish.
  bool initialised() const { return initialised_.load(); }
  bool finished() const { return finished_.load(); }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // [communication thread] MPI_Init_thread (after the plugin-loading fix),
  // rank and size; empty on success, else why not.
  std::string Init();
  // [communication thread] MPI_Finalize (which waits for every rank to call
  // it). Later posts fail at once.
  void Finish();

 private:
  CommThread() = default;
  void Loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool started_ = false;
  bool stopping_ = false;  // under mutex_: set by Finish, the loop ends after it
  // Written on the communication thread; read there, and by callers whose
  // task runs on their own thread once the world is finished.
  std::atomic<bool> initialised_{false};
  std::atomic<bool> finished_{false};
  int rank_ = 0, size_ = 1;
};

// The text of an MPI error code.
std::string MpiErrorText(int code);

}  // namespace fastnn::mpi
