// Long work off the JS thread: a job runs on a std::thread of its own (never
// libuv's 4-thread pool, which fs and dns need), reports progress through a
// thread-safe function, and settles a Promise back on the JS thread.
//
// Threading invariants:
// - Execute() runs on the job's thread and touches no Napi type; everything it
//   needs was copied or borrowed (raw pointers into JS arrays) before start.
// - It works on copies of the JS arrays it uses, or on shared ones it holds
//   (JobMemory), so neither the GC nor a transfer can free its memory; what it
//   writes to copies is copied back on the JS thread (progress, settlement).
// - The thread only ever posts to JS with NonBlockingCall (unbounded queue,
//   progress coalesced to the latest report), so it never waits on JS and can
//   always be joined: at settlement, and at environment teardown (a Worker
//   terminated mid-job), where every running job is cancelled and joined
//   before the arrays it uses can be freed.
#pragma once

#include <napi.h>

#include "job_memory.h"

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fastnn::bindings {

// What a job's Execute() may use, from its own thread.
class JobContext {
 public:
  virtual ~JobContext() = default;
  // True once cancel() was called from JS or the environment is going away.
  virtual bool Cancelled() const = 0;
  // Publishes a progress report (at least one number). Reports not yet
  // delivered are replaced by the newer one, so a fast job cannot flood the
  // JS thread.
  virtual void Report(std::vector<double> values) = 0;
};

class BackgroundJob {
 public:
  // `fn` names the job in its errors: the binding that started it (a string literal).
  // `progress` names the fields of a progress report, in Report()'s order.
  explicit BackgroundJob(const char* fn, std::vector<const char*> progress = {})
      : fn_(fn), progress_(std::move(progress)) {}
  virtual ~BackgroundJob() = default;
  const char* fn() const { return fn_; }
  // [job thread] The work. Poll ctx.Cancelled() often (between minibatches)
  // and return early when set, leaving results consistent. What it throws
  // rejects the Promise: a failed allocation with boundary.h's RangeError, a
  // std::domain_error (a bad argument) with a RangeError of its what(), any
  // other exception with Failure().
  virtual void Execute(JobContext& ctx) = 0;
  // [JS thread] The Promise's value, after Execute returned normally
  // (cancelled or not).
  virtual Napi::Value Result(Napi::Env env) = 0;
  // [JS thread] The progress callback's argument for one report: an object of
  // the `progress` fields, or without names an array of the numbers.
  Napi::Value Progress(Napi::Env env, const std::vector<double>& values) const;
  // [JS thread] The rejection value for any other exception, of message
  // `what`: by default an Error (a job adds fields to failures it recognises).
  virtual Napi::Value Failure(Napi::Env env, const std::string& what) { return Napi::Error::New(env, what).Value(); }

 private:
  const char* fn_;
  std::vector<const char*> progress_;
};

// A job that is one function of its context, resolving with the number or
// boolean it returns (firstOutside's index, whether a decomposition finished,
// the test job's steps).
template <class R>
class FunctionJob final : public BackgroundJob {
 public:
  FunctionJob(const char* fn, std::function<R(JobContext&)> run, std::vector<const char*> progress = {})
      : BackgroundJob(fn, std::move(progress)), run_(std::move(run)) {}
  void Execute(JobContext& ctx) override { value_ = run_(ctx); }
  Napi::Value Result(Napi::Env env) override { return Napi::Value::From(env, value_); }

 private:
  std::function<R(JobContext&)> run_;
  R value_{};
};

class RunningJob;

// The jobs running in one JS environment (owned by the addon instance, so a
// Worker's jobs are its own).
class JobRegistry {
 public:
  explicit JobRegistry(Napi::Env env);
  ~JobRegistry();
  JobRegistry(const JobRegistry&) = delete;
  JobRegistry& operator=(const JobRegistry&) = delete;

  // Starts `job` on a new thread. `on_progress` is a function or undefined;
  // `memory` holds the copies of JS arrays the job works on (empty for a job
  // that uses none). Returns { promise, cancel }: cancel() asks the job to
  // stop (idempotent). Throws OutOfMemory (out_of_memory.h) when the thread
  // cannot be started; nothing of the job is left then.
  Napi::Object Start(Napi::Env env, std::unique_ptr<BackgroundJob> job, Napi::Value on_progress, JobMemory memory = {});

  // [JS thread] Called by a job that settled: joins and frees it.
  void Finished(RunningJob* job);

 private:
  // Cancels and joins every running job (environment teardown).
  void StopAll();
  static void StopAllHook(void* registry);

  napi_env env_;
  std::list<std::unique_ptr<RunningJob>> running_;
};

// The background jobs of this environment (owned by the addon instance, addon.cc).
JobRegistry& Jobs(Napi::Env env);

}  // namespace fastnn::bindings
