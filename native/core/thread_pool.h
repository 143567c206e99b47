// A persistent pool of std::threads that runs one parallel job at a time.
//
// Owned by whoever needs it (the addon instance owns one per environment),
// never a process-wide static, so each worker_thread's addon has its own.
// The calling thread takes part in every job, so a pool of size 1 has no
// worker threads and runs everything inline.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fastnn {

class ThreadPool {
 public:
  // threads ≥ 1 participants, the caller included; 0 means hardware cores.
  explicit ThreadPool(std::size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Participants in a job, the caller included.
  std::size_t size() const { return workers_.size() + 1; }
  // Joins the workers and starts threads − 1 new ones (0 = hardware cores);
  // waits for a running job to finish first.
  void resize(std::size_t threads);

  // Runs task(t) for every t in [0, tasks), spread over the pool; returns
  // when all are done. Which thread runs which t is not fixed, so a task's
  // result must depend on t only. The first exception a task throws is
  // rethrown here after every task has finished.
  void run(std::size_t tasks, const std::function<void(std::size_t)>& task);

  static std::size_t hardware_threads();

 private:
  void start(std::size_t threads);
  void stop();
  void worker_loop();
  void work();  // takes task indices until none are left

  std::mutex job_mutex_;  // one job (or resize) at a time
  std::mutex mutex_;      // guards everything below
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::size_t tasks_ = 0;
  std::size_t next_ = 0;          // next task index to hand out
  std::size_t busy_workers_ = 0;  // workers that have not finished the current job
  std::size_t generation_ = 0;    // bumped per job, so a worker runs each job once
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace fastnn
