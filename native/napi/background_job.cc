#include "background_job.h"

#include <exception>
#include <stdexcept>
#include <utility>

#include "../core/out_of_memory.h"
#include "bindings.h"
#include "boundary.h"

namespace fastnn::bindings {

namespace {

enum class EventKind { kProgress, kDone };

// What the job's thread posts: pointers to these, so that posting allocates
// nothing (its last post, kDone, must not fail for want of memory). Never
// written; not const only because the thread-safe function takes EventKind*.
EventKind progress_event = EventKind::kProgress;
EventKind done_event = EventKind::kDone;

void CallJs(Napi::Env env, Napi::Function, RunningJob* job, EventKind* event);

using Tsfn = Napi::TypedThreadSafeFunction<RunningJob, EventKind, CallJs>;

}  // namespace

Napi::Value BackgroundJob::Progress(Napi::Env env, const std::vector<double>& values) const {
  if (progress_.empty()) return ArrayOf(env, values);
  Napi::Object out = Napi::Object::New(env);
  for (std::size_t i = 0; i < values.size() && i < progress_.size(); i++) out.Set(progress_[i], values[i]);
  return out;
}

// One started job: its thread, its Promise, the memory it works on, and the
// latest progress report.
class RunningJob final : public JobContext {
 public:
  RunningJob(JobRegistry& registry, Napi::Env env, std::unique_ptr<BackgroundJob> job, Napi::Value on_progress,
             JobMemory memory)
      : registry_(registry),
        job_(std::move(job)),
        memory_(std::move(memory)),
        deferred_(Napi::Promise::Deferred::New(env)) {
    if (on_progress.IsFunction()) on_progress_ = Napi::Persistent(on_progress.As<Napi::Function>());
    tsfn_ = Tsfn::New(env, "fastnn.job", 0 /* unbounded queue: posting never blocks */, 1, this);
  }

  ~RunningJob() override { Join(); }

  bool Cancelled() const override { return cancelled_->load(std::memory_order_relaxed); }

  void Report(std::vector<double> values) override {
    if (on_progress_.IsEmpty()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const bool queued = !latest_.empty();  // then the queued event will carry this newer report
    latest_ = std::move(values);
    if (!queued) Post(&progress_event);
  }

  // [JS thread] Starts the thread; returns { promise, cancel }.
  Napi::Object Launch(Napi::Env env) {
    // The flag, not the job: cancel() may be called after the job is freed.
    const auto cancel = [flag = cancelled_](const Napi::CallbackInfo&) {
      flag->store(true, std::memory_order_relaxed);
    };
    Napi::Object handle =
        ObjectOf(env, "promise", deferred_.Promise(), "cancel", Napi::Function::New(env, cancel, "cancel"));
    thread_ = start_thread("the job's thread (its stack)", [this] { Run(); });
    return handle;
  }

  // [JS thread] For a job that could not be launched: lets its thread-safe
  // function go, which would otherwise keep the event loop alive.
  void Discard() { tsfn_.Release(); }

  void Cancel() { cancelled_->store(true, std::memory_order_relaxed); }

  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  // [JS thread] One event from the job's thread.
  void Deliver(Napi::Env env, EventKind kind) {
    if (kind == EventKind::kProgress) {
      DeliverProgress(env);
      return;
    }
    Join();  // the thread posted kDone as its last act, so this returns at once
    Settle(env);
    tsfn_.Release();
    registry_.Finished(this);  // deletes this
  }

 private:
  void Run() {
    try {
      job_->Execute(*this);
    } catch (...) {
      // Kept as it is and turned into a JS value when the job settles: after
      // Execute nothing on this thread may throw (an exception leaving a
      // thread's function ends the process), not even building a message.
      error_ = std::current_exception();
    }
    Post(&done_event);
  }

  void Post(EventKind* event) {
    // Fails only while the environment is being torn down; the job is then
    // being cancelled and joined, and nobody waits for the event.
    tsfn_.NonBlockingCall(event);
  }

  void DeliverProgress(Napi::Env env) {
    std::vector<double> values;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      values.swap(latest_);
    }
    if (values.empty() || on_progress_.IsEmpty() || !js_error_.IsEmpty()) return;
    // The callback reads what the report covers (history rows, weights) from the JS arrays.
    memory_.WriteBack();
    try {
      on_progress_.Call({job_->Progress(env, values)});
    } catch (const Napi::Error& e) {
      // A throwing progress callback stops the job; the Promise rejects with its error.
      js_error_ = Napi::Persistent(e.Value());
      Cancel();
    }
  }

  void Settle(Napi::Env env) {
    // The job's thread is joined: its copies hold its final writes, whether it finished, stopped or failed.
    memory_.WriteBack();
    if (!js_error_.IsEmpty()) {
      deferred_.Reject(js_error_.Value());
      return;
    }
    try {
      if (error_) std::rethrow_exception(error_);
      deferred_.Resolve(job_->Result(env));
    } catch (...) {
      deferred_.Reject(Rejection(env));
    }
  }

  // [JS thread, inside a catch block] What the Promise rejects with for the
  // exception being handled, thrown by Execute or Result.
  Napi::Value Rejection(Napi::Env env) {
    try {
      ThrowIfOutOfMemory(env, job_->fn());
      throw;
    } catch (const Napi::Error& e) {
      return e.Value();
    } catch (const std::domain_error& e) {
      // The core refusing a value it was given (core/symmetric_eigen.h NonFiniteEntry): a bad argument.
      return Napi::RangeError::New(env, e.what()).Value();
    } catch (const std::exception& e) {
      return job_->Failure(env, e.what());
    } catch (...) {
      return job_->Failure(env, "fastnn: unknown native error in a background job");
    }
  }

  JobRegistry& registry_;
  std::unique_ptr<BackgroundJob> job_;
  JobMemory memory_;
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference on_progress_;
  Napi::ObjectReference js_error_;
  Tsfn tsfn_;
  std::thread thread_;
  // Shared with the JS cancel() function (Launch).
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
  // What Execute threw, if anything: written by the job's thread before it posts kDone; read on the JS thread after
  // join.
  std::exception_ptr error_;
  std::mutex mutex_;            // guards latest_
  std::vector<double> latest_;  // the report not yet delivered, if any (reports are never empty)
};

namespace {

// False once the environment can no longer run JS (a Worker being
// terminated): then every N-API call that could enter JS fails, and
// node-addon-api, building a Napi::Error for that failure, aborts the whole
// process (Error::Error's fatal napi_define_properties). Probed with raw
// N-API, which only returns a status: napi_set_named_property goes through
// the same "can call into JS" check and has no side effect on a fresh object.
bool CanRunJs(napi_env env) {
  napi_value object, undefined;
  if (napi_create_object(env, &object) != napi_ok || napi_get_undefined(env, &undefined) != napi_ok) return false;
  return napi_set_named_property(env, object, "probe", undefined) == napi_ok;
}

void CallJs(Napi::Env env, Napi::Function, RunningJob* job, EventKind* event) {
  const EventKind kind = *event;
  // A null env means the environment is being torn down: the registry has
  // cancelled, joined and freed the job, so `job` must not be touched. An env
  // that cannot run JS is being terminated: its teardown hook will cancel,
  // join and free the job, and nothing here may touch JS.
  if (env == nullptr || !CanRunJs(env)) return;
  try {
    job->Deliver(env, kind);
  } catch (const Napi::Error&) {
    // Only a terminating environment (a Worker being stopped) makes the
    // calls above fail, mid-callback or while settling. Rethrowing would
    // reach napi_throw, which fails there too and aborts the process; the
    // registry's teardown hook cancels, joins and frees the job instead.
  }
}

}  // namespace

JobRegistry::JobRegistry(Napi::Env env) : env_(env) {
  // Joins running jobs before the environment frees the arrays they write to
  // (a Worker terminated mid-training, or process exit).
  napi_add_env_cleanup_hook(env_, StopAllHook, this);
}

JobRegistry::~JobRegistry() {
  // Whichever of the hook and this destructor comes first stops the jobs; the
  // hook must not run on a destroyed registry.
  napi_remove_env_cleanup_hook(env_, StopAllHook, this);
  StopAll();
}

void JobRegistry::StopAllHook(void* registry) { static_cast<JobRegistry*>(registry)->StopAll(); }

Napi::Object JobRegistry::Start(Napi::Env env, std::unique_ptr<BackgroundJob> job, Napi::Value on_progress,
                                JobMemory memory) {
  // The list's node first: once the job exists, its thread-safe function
  // holds the event loop open, so from then on a failure must discard it.
  running_.emplace_back();
  try {
    running_.back() = std::make_unique<RunningJob>(*this, env, std::move(job), on_progress, std::move(memory));
    return running_.back()->Launch(env);
  } catch (...) {
    if (running_.back()) running_.back()->Discard();
    running_.pop_back();
    throw;
  }
}

void JobRegistry::Finished(RunningJob* job) {
  running_.remove_if([job](const std::unique_ptr<RunningJob>& r) { return r.get() == job; });
}

void JobRegistry::StopAll() {
  for (auto& job : running_) job->Cancel();
  for (auto& job : running_) job->Join();
  running_.clear();
}

}  // namespace fastnn::bindings
