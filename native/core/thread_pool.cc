#include "thread_pool.h"

#include <utility>

namespace fastnn {

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
  stopping_ = false;
  workers_.reserve(threads - 1);
  for (std::size_t i = 1; i < threads; i++) workers_.emplace_back([this] { worker_loop(); });
}

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void ThreadPool::run(std::size_t tasks, const std::function<void(std::size_t)>& task) {
  std::lock_guard<std::mutex> job(job_mutex_);
  if (workers_.empty() || tasks <= 1) {
    for (std::size_t t = 0; t < tasks; t++) task(t);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    tasks_ = tasks;
    next_ = 0;
    busy_workers_ = workers_.size();
    error_ = nullptr;
    generation_++;
  }
  wake_.notify_all();
  work();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return busy_workers_ == 0; });
  task_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ThreadPool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (next_ < tasks_) {
    const std::size_t t = next_++;
    lock.unlock();
    try {
      (*task_)(t);
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      continue;
    }
    lock.lock();
  }
}

void ThreadPool::worker_loop() {
  std::size_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    lock.unlock();
    work();
    lock.lock();
    if (--busy_workers_ == 0) done_.notify_one();
  }
}

}  // namespace fastnn
