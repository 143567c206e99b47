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

// [async] testBackgroundJob(steps, stepMicros, failAt, onProgress?): { promise, cancel }
// Sleeps stepMicros per step for `steps` steps, reporting [step, steps] after
// each; throws on its thread at step failAt (0 = never). The promise resolves
// with the number of steps completed (fewer when cancelled).
// Throws TypeError/RangeError for bad sizes.
Napi::Value TestBackgroundJob(const Napi::CallbackInfo& info) {
  const args::Args a(info.Env(), "testBackgroundJob");
  const std::size_t steps = a.Size("steps", info[0]), step_micros = a.Size("stepMicros", info[1]);
  const std::size_t fail_at = a.Size("failAt", info[2]);
  auto job = std::make_unique<NumberJob>("testBackgroundJob", [=](JobContext& ctx) {
    std::size_t done = 0;
    for (; done < steps && !ctx.Cancelled(); done++) {
      if (done + 1 == fail_at) throw std::runtime_error("testBackgroundJob: forced failure at step " + std::to_string(fail_at));
      std::this_thread::sleep_for(std::chrono::microseconds(step_micros));
      ctx.Report({static_cast<double>(done + 1), static_cast<double>(steps)});
    }
    return static_cast<double>(done);
  });
  return Jobs(a.env()).Start(a.env(), std::move(job), a.Callback("onProgress", info[3]), {});
}

// [sync] testRng(seed, words, bounds, belows, perm): undefined
// From a generator seeded with seed (an integer in [0, 4294967295]): fills words (a
// Uint32Array) with the raw stream, then belows[i] = below(bounds[i]) (Uint32Arrays of one
// length, bounds ≥ 1), then shuffles perm (a Uint32Array) in place. Tests compare all
// three with src/rng.ts, which must agree bit for bit.
// Throws TypeError/RangeError for bad arguments.
Napi::Value TestRng(const Napi::CallbackInfo& info) {
  args::Args a(info.Env(), "testRng");
  const auto seed = static_cast<std::uint32_t>(a.Int("seed", info[0], 0, 0xffffffffLL));
  Napi::Uint32Array words = a.AnyLength<std::uint32_t>("words", info[1]);
  Napi::Uint32Array bounds = a.AnyLength<std::uint32_t>("bounds", info[2]);
  std::uint32_t* belows = a.Array<std::uint32_t>("belows", info[3], bounds.ElementLength());
  Napi::Uint32Array perm = a.AnyLength<std::uint32_t>("perm", info[4]);
  for (std::size_t i = 0; i < bounds.ElementLength(); i++) {
    if (bounds[i] == 0) a.ThrowRange(args::At("bounds", i), "must be at least 1");
  }
  Rng rng(seed);
  for (std::size_t i = 0; i < words.ElementLength(); i++) words[i] = rng.next_u32();
  for (std::size_t i = 0; i < bounds.ElementLength(); i++) belows[i] = rng.below(bounds[i]);
  rng.shuffle(perm.Data(), perm.ElementLength());
  return info.Env().Undefined();
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
