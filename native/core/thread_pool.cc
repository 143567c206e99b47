#include "thread_pool.h"

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "out_of_memory.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace fastnn {

namespace {

// The fields of ThreadPool::claim_.
constexpr unsigned kIndexBits = 20, kTasksShift = 20, kJobShift = 40;
constexpr std::uint64_t kFieldMask = (std::uint64_t{1} << kIndexBits) - 1;
std::uint64_t job_of(std::uint64_t claim) { return claim >> kJobShift; }
std::size_t tasks_of(std::uint64_t claim) { return static_cast<std::size_t>((claim >> kTasksShift) & kFieldMask); }
std::size_t index_of(std::uint64_t claim) { return static_cast<std::size_t>(claim & kFieldMask); }

// Tells the core this is a spin-wait (frees the sibling hyperthread, saves power).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls ready() for up to ThreadPool::kSpinMicros, pausing for the first
// kPauseMicros and yielding the core after; true when it became true. The
// clock is read every 32 polls only: a poll is a few nanoseconds.
template <typename Ready>
bool poll(Ready ready) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto pause_until = start + std::chrono::microseconds(ThreadPool::kPauseMicros);
  const auto give_up = start + std::chrono::microseconds(ThreadPool::kSpinMicros);
  for (bool yielding = false;;) {
    for (int i = 0; i < 32; i++) {
      if (ready()) return true;
      if (yielding) std::this_thread::yield();
      else cpu_relax();
    }
    const auto now = Clock::now();
    if (now >= give_up) return ready();
    yielding = now >= pause_until;
  }
}

}  // namespace

ThreadPool::ThreadPool(std::size_t threads) { start(threads); }

ThreadPool::~ThreadPool() { stop(); }

std::size_t ThreadPool::hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;  // 0 means "unknown"
}

void ThreadPool::resize(std::size_t threads) {
  std::lock_guard<std::mutex> job(job_mutex_);
  if ((threads == 0 ? hardware_threads() : threads) == size()) return;  // keep the running threads
  stop();
  start(threads);
}

void ThreadPool::start(std::size_t threads) {
  if (threads == 0) threads = hardware_threads();
  stopping_.store(false);
  try {
    workers_.reserve(threads - 1);
    for (std::size_t i = 1; i < threads; i++) {
      workers_.push_back(
          start_thread("the thread pool's " + std::to_string(threads) + " threads", [this] { worker_loop(); }));
    }
  } catch (...) {
    // Back to the caller's thread alone, which always works: a pool that
    // half-started would have fewer threads than size() says.
    stop();
    throw;
  }
}

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void ThreadPool::run(std::size_t tasks, const std::function<void(std::size_t)>& task) {
  if (tasks > kMaxTasks) {
    throw std::invalid_argument("ThreadPool::run: at most " + std::to_string(kMaxTasks) + " tasks, got " +
                                std::to_string(tasks));
  }
  std::lock_guard<std::mutex> job_lock(job_mutex_);
  if (workers_.empty() || tasks <= 1) {
    for (std::size_t t = 0; t < tasks; t++) task(t);
    return;
  }
  task_ = &task;
  finished_.store(0, std::memory_order_relaxed);
  error_ = nullptr;
  const std::uint64_t job = job_of(claim_.load(std::memory_order_relaxed)) + 1;
  // Task 0 is the caller's before the job is announced (the next index
  // starts at 1): whoever wins the race to the announcement, the caller's
  // core runs task 0 of every job, and with two threads the worker task 1,
  // so a job cut the same way each time (part_begin) finds its part of the
  // data in the cache of the core that touched it last.
  claim_.store(job << kJobShift | static_cast<std::uint64_t>(tasks) << kTasksShift | 1, std::memory_order_release);
  // A parked worker checks claim_ under mutex_ before it sleeps, so taking
  // the mutex here orders the new job before its check or after its sleep.
  { std::lock_guard<std::mutex> lock(mutex_); }
  wake_.notify_all();
  run_task(0);
  work(job);
  wait_for_tasks(tasks);
  task_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ThreadPool::wait_for_tasks(std::size_t tasks) {
  const auto finished = [&] { return finished_.load(std::memory_order_acquire) == tasks; };
  if (poll(finished)) return;
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, finished);
}

void ThreadPool::run_task(std::size_t t) {
  try {
    (*task_)(t);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = std::current_exception();
  }
  if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == tasks_of(claim_.load(std::memory_order_relaxed))) {
    // The caller may be parked on done_: the same ordering as in run().
    { std::lock_guard<std::mutex> lock(mutex_); }
    done_.notify_one();
  }
}

void ThreadPool::work(std::uint64_t job) {
  std::uint64_t claim = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (job_of(claim) != job || index_of(claim) >= tasks_of(claim)) return;
    if (!claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    run_task(index_of(claim));
    claim = claim_.load(std::memory_order_acquire);
  }
}

void ThreadPool::worker_loop() {
  std::uint64_t seen = 0;  // the last job this worker took part in
  const auto woken = [&] {
    return stopping_.load(std::memory_order_relaxed) || job_of(claim_.load(std::memory_order_acquire)) != seen;
  };
  for (;;) {
    if (!poll(woken)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, woken);
    }
    if (stopping_.load()) return;
    seen = job_of(claim_.load(std::memory_order_acquire));
    work(seen);
  }
}

}  // namespace fastnn
