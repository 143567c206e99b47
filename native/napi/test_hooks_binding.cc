// Test hooks: the RNG stream (to compare with src/rng.ts), and a background
// job that only sleeps, reports and, on request, fails. Tests use the job to
// check the machinery itself (progress delivery, cancellation, a C++
// exception on the job's thread becoming a rejected Promise, Workers
// terminated mid-job) independently of any trainer.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "../core/rng.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"

namespace fastnn::bindings {

namespace {

class SleepJob final : public BackgroundJob {
 public:
  SleepJob(std::size_t steps, std::size_t step_micros, std::size_t fail_at)
      : BackgroundJob("testBackgroundJob"), steps_(steps), step_micros_(step_micros), fail_at_(fail_at) {}

  void Execute(JobContext& ctx) override {
    for (; done_ < steps_ && !ctx.Cancelled(); done_++) {
      if (done_ + 1 == fail_at_)
        throw std::runtime_error("testBackgroundJob: forced failure at step " + std::to_string(fail_at_));
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
  if (!info[3].IsUndefined() && !info[3].IsFunction())
    args::ThrowType(env, std::string(fn) + ": onProgress must be a function");
  return Jobs(env).Start(env, std::make_unique<SleepJob>(steps, step_micros, fail_at), info[3], {});
}

// [sync] testRng(seed, words, bounds, belows, perm): undefined
// From a generator seeded with seed (an integer in [0, 4294967295]): fills words (a
// Uint32Array) with the raw stream, then belows[i] = below(bounds[i]) (Uint32Arrays of one
// length, bounds ≥ 1), then shuffles perm (a Uint32Array) in place. Tests compare all
// three with src/rng.ts, which must agree bit for bit.
// Throws TypeError/RangeError for bad arguments.
Napi::Value TestRng(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "testRng";
  const auto seed = static_cast<std::uint32_t>(args::Int(env, fn, "seed", info[0], 0, 0xffffffffLL));
  Napi::Uint32Array words = args::Uint32Array(env, fn, "words", info[1]);
  Napi::Uint32Array bounds = args::Uint32Array(env, fn, "bounds", info[2]);
  std::uint32_t* belows = args::Uint32Vector(env, fn, "belows", info[3], bounds.ElementLength());
  Napi::Uint32Array perm = args::Uint32Array(env, fn, "perm", info[4]);
  for (std::size_t i = 0; i < bounds.ElementLength(); i++) {
    if (bounds[i] == 0)
      args::ThrowRange(env, std::string(fn) + ": bounds[" + std::to_string(i) + "] must be at least 1");
  }
  Rng rng(seed);
  for (std::size_t i = 0; i < words.ElementLength(); i++) words[i] = rng.next_u32();
  for (std::size_t i = 0; i < bounds.ElementLength(); i++) belows[i] = rng.below(bounds[i]);
  rng.shuffle(perm.Data(), perm.ElementLength());
  return env.Undefined();
}

}  // namespace

// Only with FASTNN_TEST_HOOKS=1 in the loading environment's process.env
// (the repository's vitest config sets it): users' addons export no test
// hooks. Read through process.env rather than getenv so a Worker given its
// own env sees its own value.
void RegisterTestHooks(Napi::Env env, Napi::Object exports) {
  Napi::Value process = env.Global().Get("process");
  if (!process.IsObject()) return;
  Napi::Value vars = process.As<Napi::Object>().Get("env");
  if (!vars.IsObject()) return;
  Napi::Value flag = vars.As<Napi::Object>().Get("FASTNN_TEST_HOOKS");
  if (!flag.IsString() || flag.As<Napi::String>().Utf8Value() != "1") return;
  Export(env, exports, "testBackgroundJob", TestBackgroundJob);
  Export(env, exports, "testRng", TestRng);
}

}  // namespace fastnn::bindings
