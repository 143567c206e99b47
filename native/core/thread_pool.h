// A persistent pool of std::threads that runs one parallel job at a time.
//
// Owned by whoever needs it (the addon instance owns one per environment),
// never a process-wide static, so each worker_thread's addon has its own.
// The calling thread takes part in every job, so a pool of size 1 has no
// worker threads and runs everything inline.
//
// A training step runs a dozen small jobs a few microseconds apart, so a
// condition-variable wake-up (10–20 µs each way) would cost more than the
// work it shares. Workers therefore poll for kSpinMicros after each job
// before parking, and the caller polls as long before sleeping on the last
// task: back-to-back jobs start and finish in about a microsecond, and an
// idle pool sleeps within kSpinMicros. Polling turns to yielding after
// kPauseMicros, so on an oversubscribed machine a poller hands its core to
// the thread it waits for. Tasks are claimed, not assigned: the caller never
// waits for a worker that has not started (descheduled, or still parked); it
// runs the job's tasks itself, so a busy machine degrades towards one thread
// rather than below it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fastnn {

// Where part `part` of `parts` of `len` elements begins (part == parts: len):
// len·part/parts rounded down to a multiple of 16, so parts of a float array
// never share a 64-byte cache line. Fixed by len and parts alone, so a job
// that always cuts the same way gives each task the same elements.
inline std::size_t part_begin(std::size_t len, std::size_t part, std::size_t parts) {
  return part == parts ? len : len * part / parts / 16 * 16;
}

class ThreadPool {
 public:
  // How long a worker keeps polling for the next job, and the caller for the
  // workers, before parking on a condition variable. Longer than the serial
  // gaps of a training step (loss, updates, batch gathering: ≤ ~100 µs),
  // short enough that an idle pool costs nothing measurable.
  static constexpr unsigned kSpinMicros = 200;
  static constexpr unsigned kPauseMicros = 20;
  // Most tasks in one job: task indices share a word with the job number.
  static constexpr std::size_t kMaxTasks = (std::size_t{1} << 20) - 1;

  // threads ≥ 1 participants, the caller included; 0 means hardware cores.
  explicit ThreadPool(std::size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Participants in a job, the caller included.
  std::size_t size() const { return workers_.size() + 1; }
  // Joins the workers and starts threads − 1 new ones (0 = hardware cores);
  // waits for a running job to finish first. When a thread cannot be
  // started (OutOfMemory, out_of_memory.h), the pool is left with the caller
  // alone (size() 1) and the exception propagates; so does the constructor's.
  void resize(std::size_t threads);

  // Runs task(t) for every t in [0, tasks), spread over the pool; returns
  // when all are done. Which thread runs which t is not fixed, so a task's
  // result must depend on t only. The first exception a task throws is
  // rethrown here after every task has finished. tasks ≤ kMaxTasks, else
  // std::invalid_argument.
  void run(std::size_t tasks, const std::function<void(std::size_t)>& task);

  static std::size_t hardware_threads();

 private:
  void start(std::size_t threads);
  void stop();
  void worker_loop();
  // Claims and runs tasks of job `job` until none are left; false once another job has begun.
  void work(std::uint64_t job);
  // Runs task t of the current job, keeps its exception, counts it finished.
  void run_task(std::size_t t);
  void wait_for_tasks(std::size_t tasks);

  std::mutex job_mutex_;  // one job (or resize) at a time
  std::mutex mutex_;      // parking, stopping and error_
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  // The job: written by run() before claim_ announces it (release), read by
  // a worker only after it has claimed one of its tasks, which the job
  // cannot finish without.
  const std::function<void(std::size_t)>* task_ = nullptr;
  // job number (bits 40–63) | task count (20–39) | next task index (0–19):
  // one word, so a claim (a compare-and-swap) can never take an index of a
  // job that has ended, even if a worker slept through several jobs.
  std::atomic<std::uint64_t> claim_{0};
  std::atomic<std::size_t> finished_{0};  // tasks of the current job that have returned
  std::atomic<bool> stopping_{false};
  std::exception_ptr error_;
};

}  // namespace fastnn
