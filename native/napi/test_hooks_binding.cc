// Test hooks: a background job that only sleeps, reports and, on request,
// fails. Tests use it to check the job machinery itself (progress delivery,
// cancellation, a C++ exception on the job's thread becoming a rejected
// Promise, Workers terminated mid-job) independently of any trainer.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "args.h"
#include "background_job.h"
#include "bindings.h"

namespace fastnn::bindings {

namespace {

class SleepJob final : public BackgroundJob {
 public:
  SleepJob(std::size_t steps, std::size_t step_micros, std::size_t fail_at)
      : steps_(steps), step_micros_(step_micros), fail_at_(fail_at) {}

  void Execute(JobContext& ctx) override {
    for (; done_ < steps_ && !ctx.Cancelled(); done_++) {
      if (done_ + 1 == fail_at_) throw std::runtime_error("testBackgroundJob: forced failure at step " + std::to_string(fail_at_));
      std::this_thread::sleep_for(std::chrono::microseconds(step_micros_));
      ctx.Report({static_cast<double>(done_ + 1), static_cast<double>(steps_)});
    }
  }

  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(done_)); }

 private:
  std::size_t steps_, step_micros_, fail_at_;
  std::size_t done_ = 0;
};

// [async] testBackgroundJob(steps, stepMicros, failAt, onProgress?): { promise, cancel }
// Sleeps stepMicros per step for `steps` steps, reporting [step, steps] after
// each; throws on its thread at step failAt (0 = never). The promise resolves
// with the number of steps completed (fewer when cancelled).
// Throws TypeError/RangeError for bad sizes.
Napi::Value TestBackgroundJob(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "testBackgroundJob";
  const std::size_t steps = args::Size(env, fn, "steps", info[0]);
  const std::size_t step_micros = args::Size(env, fn, "stepMicros", info[1]);
  const std::size_t fail_at = args::Size(env, fn, "failAt", info[2]);
  if (!info[3].IsUndefined() && !info[3].IsFunction()) args::ThrowType(env, std::string(fn) + ": onProgress must be a function");
  return Jobs(env).Start(env, std::make_unique<SleepJob>(steps, step_micros, fail_at), info[3], {});
}

}  // namespace

void RegisterTestHooks(Napi::Env env, Napi::Object exports) {
  exports.Set("testBackgroundJob", Napi::Function::New(env, TestBackgroundJob, "testBackgroundJob"));
}

}  // namespace fastnn::bindings
