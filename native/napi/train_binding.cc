// The async trainer: one JS call starts a whole training job (every epoch,
// shuffles included) on a BackgroundJob thread and returns { promise, cancel }.
// Arguments are read in two phases as in network_binding.cc: first every
// property (user getters may run), then checks and data pointers, so nothing
// the job borrows can be detached before it starts; the arrays are then kept
// alive by the job until it settles.
#include <new>
#include <stdexcept>
#include <string>

#include "../core/trainer.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "net_args.h"

namespace fastnn::bindings {

namespace {

class TrainJob final : public BackgroundJob, private FitObserver {
 public:
  TrainJob(NetworkView net, const FitConfig& cfg) : net_(std::move(net)), cfg_(cfg) {}

  void Execute(JobContext& ctx) override {
    ctx_ = &ctx;
    try {
      outcome_ = network_fit(net_, cfg_, *this);
    } catch (const std::bad_alloc&) {
      throw std::runtime_error("train: out of memory for the workspace");
    } catch (const std::length_error&) {
      throw std::runtime_error("train: out of memory for the workspace");
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string("train: ") + e.what());
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object result = Napi::Object::New(env);
    result.Set("epochs", static_cast<double>(outcome_.epochs));
    result.Set("samples", static_cast<double>(outcome_.samples));
    return result;
  }

  Napi::Value Progress(Napi::Env env, const std::vector<double>& v) override {
    Napi::Object p = Napi::Object::New(env);
    p.Set("epochs", v[0]);
    p.Set("batches", v[1]);
    p.Set("samples", v[2]);
    p.Set("loss", v[3]);
    return p;
  }

 private:
  bool cancelled() const override { return ctx_->Cancelled(); }
  void progress(std::size_t epochs, std::size_t batches, std::size_t samples, double loss) override {
    ctx_->Report({static_cast<double>(epochs), static_cast<double>(batches), static_cast<double>(samples), loss});
  }

  NetworkView net_;
  FitConfig cfg_;
  JobContext* ctx_ = nullptr;
  FitOutcome outcome_;
};

// [async] train(job, onProgress): { promise, cancel }
// Trains job.net (a NetworkSpec, params updated in place) on job.x (n, sizes[0]) and
// job.y (n, sizes[last]) for job.epochs epochs of job.batchSize samples, reshuffled per
// epoch from job.rngState (4 words, advanced in place) when job.shuffle. Writes one row of
// job.history (epochs, HISTORY_FIELDS) per epoch. onProgress (a function or null) receives
// { epochs, batches, samples, loss } after every epoch and every job.progressEvery batches.
// The promise resolves with { epochs, samples } (fewer when cancelled) and rejects with
// Error "train: non-finite loss|gradient at epoch E, batch B; ..." unless job.skipNonFinite.
// Throws TypeError/RangeError for bad arguments, in validate.ts checkFitJob's order.
Napi::Value Train(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "train";
  // Phase 1: every read that can run user code.
  Napi::Object job = args::Object(env, fn, "job", info[0]);
  const NetValues nv = FetchNet(env, fn, "job.net", job.Get("net"));
  const Napi::Value n_v = job.Get("n"), x_v = job.Get("x"), y_v = job.Get("y");
  const Napi::Value epochs_v = job.Get("epochs"), batch_v = job.Get("batchSize"), shuffle_v = job.Get("shuffle");
  const Napi::Value rng_v = job.Get("rngState"), lr_v = job.Get("learningRate"), wd_v = job.Get("weightDecay");
  const Napi::Value skip_v = job.Get("skipNonFinite"), every_v = job.Get("progressEvery");
  const Napi::Value history_v = job.Get("history");
  NetworkView net = CheckNetShape(env, fn, "job.net", nv);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "job.net.params", nv.params, ParamCount(net));
  // Phase 2: checks and pointers; no user code runs from here on.
  net.params = args::ParamList(env, fn, "job.net.params", params, net.sizes);
  FitConfig cfg;
  cfg.n = static_cast<std::size_t>(args::Int(env, fn, "job.n", n_v, 1, static_cast<std::int64_t>(args::kMaxDim)));
  cfg.x = args::Matrix(env, fn, "job.x", x_v, cfg.n, net.sizes.front());
  cfg.y = args::Matrix(env, fn, "job.y", y_v, cfg.n, net.sizes.back());
  cfg.epochs = args::Size(env, fn, "job.epochs", epochs_v);
  cfg.batch_size = static_cast<std::size_t>(
      args::Int(env, fn, "job.batchSize", batch_v, 1, static_cast<std::int64_t>(args::kMaxDim)));
  cfg.shuffle = args::Bool(env, fn, "job.shuffle", shuffle_v);
  cfg.rng_state = args::Uint32Vector(env, fn, "job.rngState", rng_v, 4);
  if ((cfg.rng_state[0] | cfg.rng_state[1] | cfg.rng_state[2] | cfg.rng_state[3]) == 0) {
    args::ThrowRange(env, std::string(fn) + ": job.rngState must not be all zero");
  }
  cfg.learning_rate = args::Finite(env, fn, "job.learningRate", lr_v);
  cfg.weight_decay = args::Finite(env, fn, "job.weightDecay", wd_v);
  cfg.skip_non_finite = args::Bool(env, fn, "job.skipNonFinite", skip_v);
  cfg.progress_every = args::Size(env, fn, "job.progressEvery", every_v);
  cfg.history = args::Float64Vector(env, fn, "job.history", history_v, cfg.epochs * kHistoryFields);
  if (!info[1].IsNull() && !info[1].IsFunction()) {
    args::ThrowType(env, std::string(fn) + ": onProgress must be a function or null");
  }
  // The job borrows these arrays' memory until it settles.
  std::vector<Napi::Value> keep_alive(params);
  for (const Napi::Value& v : {x_v, y_v, rng_v, history_v}) keep_alive.push_back(v);
  return Jobs(env).Start(env, std::make_unique<TrainJob>(std::move(net), cfg), info[1], keep_alive);
}

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  exports.Set("train", Napi::Function::New(env, Train, "train"));
}

}  // namespace fastnn::bindings
