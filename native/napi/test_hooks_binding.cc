// Test hooks: the RNG stream (to compare with src/rng.ts), a background
// job that only sleeps, reports and, on request, fails, and a job that calls
// each function of an MPI communicator from its own thread. Tests use the job to
// check the machinery itself (progress delivery, cancellation, a C++
// exception on the job's thread becoming a rejected Promise, Workers
// terminated mid-job) independently of any trainer.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>
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
Napi::Value TestBackgroundJob(const Napi::CallbackInfo& info) {
  const args::Args a(info.Env(), "testBackgroundJob");
  const std::size_t steps = a.Size("steps", info[0]), step_micros = a.Size("stepMicros", info[1]);
  const std::size_t fail_at = a.Size("failAt", info[2]);
  auto job = std::make_unique<FunctionJob<double>>("testBackgroundJob", [=](JobContext& ctx) {
    std::size_t done = 0;
    for (; done < steps && !ctx.Cancelled(); done++) {
      if (done + 1 == fail_at)
        throw std::runtime_error("testBackgroundJob: forced failure at step " + std::to_string(fail_at));
      std::this_thread::sleep_for(std::chrono::microseconds(step_micros));
      ctx.Report({static_cast<double>(done + 1), static_cast<double>(steps)});
    }
    return static_cast<double>(done);
  });
  return Jobs(a.env()).Start(a.env(), std::move(job), a.Callback("onProgress", info[3]), {});
}

// A new typed array of Array's kind holding a copy of values.
template <class Array, class T>
Array CopyOf(Napi::Env env, const std::vector<T>& values) {
  Array out = Array::New(env, values.size());
  std::copy(values.begin(), values.end(), out.Data());
  return out;
}

// Calls every function of a communicator (native/core/communicator.h) from
// the job's thread, as a trainer would: the two allreduces, a broadcast of
// root's bytes, a barrier.
class CommunicatorJob final : public BackgroundJob {
 public:
  CommunicatorJob(const fastnn_communicator* c, std::vector<double> f64, std::vector<float> f32, std::int32_t root)
      : BackgroundJob("testCommunicator"), c_(c), f64_(std::move(f64)), f32_(std::move(f32)), root_(root) {}

  void Execute(JobContext&) override {
    Check(c_->allreduce_sum_f64(c_->context, f64_.data(), f64_.size()));
    Check(c_->allreduce_sum_f32(c_->context, f32_.data(), f32_.size()));
    bytes_ = {static_cast<std::uint8_t>(c_->rank), 7, 11};
    Check(c_->broadcast(c_->context, bytes_.data(), bytes_.size(), root_));
    Check(c_->barrier(c_->context));
  }

  Napi::Value Result(Napi::Env env) override {
    return ObjectOf(env, "rank", c_->rank, "size", c_->size, "f64", CopyOf<Napi::Float64Array>(env, f64_), "f32",
                    CopyOf<Napi::Float32Array>(env, f32_), "broadcast", CopyOf<Napi::Uint8Array>(env, bytes_));
  }

 private:
  void Check(int status) {
    if (status != 0) throw std::runtime_error(std::string("testCommunicator: ") + c_->last_error(c_->context));
  }
  const fastnn_communicator* c_;
  std::vector<double> f64_;
  std::vector<float> f32_;
  std::vector<std::uint8_t> bytes_;
  std::int32_t root_;
};

// [async] testCommunicator(communicator, f64: Float64Array, f32: Float32Array, root): { promise, cancel }
// Copies f64 and f32, sums each over the ranks, then broadcasts [rank, 7, 11]
// from root, through the communicator's C ABI on the job's thread; resolves
// with { rank, size, f64, f32, broadcast }. Rejects with the communicator's
// error. Throws TypeError for an argument that is not a communicator.
Napi::Value TestCommunicator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  args::Args a(env, "testCommunicator");
  const fastnn_communicator* c = a.Communicator("communicator", info[0]);
  if (c == nullptr) a.ThrowType("communicator", "must not be null");
  Napi::Float64Array f64 = a.AnyLength<double>("f64", info[1]);
  Napi::Float32Array f32 = a.AnyLength<float>("f32", info[2]);
  const auto root = a.Int<std::int32_t>("root", info[3], 0, 0x7fffffffLL);
  a.Verify();
  std::vector<double> f64_copy(f64.Data(), f64.Data() + f64.ElementLength());
  std::vector<float> f32_copy(f32.Data(), f32.Data() + f32.ElementLength());
  return Jobs(env).Start(env, std::make_unique<CommunicatorJob>(c, std::move(f64_copy), std::move(f32_copy), root),
                         env.Undefined());
}

// [sync] testRng(seed, words, bounds, belows, perm): undefined
// From a generator seeded with seed (an integer in [0, 4294967295]): fills words (a
// Uint32Array) with the raw stream, then belows[i] = below(bounds[i]) (Uint32Arrays of one
// length, bounds ≥ 1), then shuffles perm (a Uint32Array) in place. Tests compare all
// three with src/rng.ts, which must agree bit for bit.
void TestRng(const Napi::CallbackInfo& info) {
  args::Args a(info.Env(), "testRng");
  const auto seed = a.Int<std::uint32_t>("seed", info[0], 0, 0xffffffffLL);
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
}

}  // namespace

// Only with FASTNN_TEST_HOOKS=1 in the loading environment's process.env
// (the repository's vitest config sets it): users' addons export no test
// hooks. Read through process.env rather than getenv so a Worker given its
// own env sees its own value.
void RegisterTestHooks(Napi::Env env, Napi::Object exports) {
  const Napi::Value process = env.Global().Get("process");
  const Napi::Value vars = process.IsObject() ? process.As<Napi::Object>().Get("env") : env.Undefined();
  const Napi::Value flag = vars.IsObject() ? vars.As<Napi::Object>().Get("FASTNN_TEST_HOOKS") : env.Undefined();
  if (!flag.IsString() || flag.As<Napi::String>().Utf8Value() != "1") return;
  Export(env, exports, "testBackgroundJob", TestBackgroundJob);
  Export(env, exports, "testRng", TestRng);
  Export(env, exports, "testCommunicator", TestCommunicator);
}

}  // namespace fastnn::bindings
