// The async trainer: one JS call starts a whole training job (every epoch,
// shuffles, validation and early stopping included) on a BackgroundJob thread
// and returns { promise, cancel }. Arguments are read in two phases as in
// network_binding.cc: first every property (user getters may run), then
// checks and data pointers, so nothing the job borrows can be detached before
// it starts; the arrays are then kept alive by the job until it settles.
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>

#include "../core/trainer.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"
#include "net_args.h"

namespace fastnn::bindings {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

class TrainJob final : public BackgroundJob, private FitObserver {
 public:
  TrainJob(NetworkView net, FitConfig cfg, bool reporting)
      : BackgroundJob("train"), net_(std::move(net)), cfg_(std::move(cfg)), reporting_(reporting) {}

  // A failed allocation passes through: the job settles it as a RangeError (boundary.h).
  void Execute(JobContext& ctx) override {
    ctx_ = &ctx;
    try {
      outcome_ = network_fit(net_, cfg_, *this);
    } catch (const NonFiniteStep& e) {
      non_finite_ = NonFiniteFields{e.quantity(), e.epoch(), e.batch()};
      throw std::runtime_error(std::string("train: ") + e.what());
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string("train: ") + e.what());
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object result = Napi::Object::New(env);
    result.Set("epochs", static_cast<double>(outcome_.epochs));
    result.Set("samples", static_cast<double>(outcome_.samples));
    result.Set("bestEpoch", static_cast<double>(outcome_.best_epoch));
    result.Set("best", outcome_.best);
    result.Set("steps", static_cast<double>(outcome_.steps));
    result.Set("stoppedEarly", outcome_.stopped_early);
    return result;
  }

  // A non-finite batch rejects with the fields of src/backend/errors.ts NonFiniteError.
  Napi::Value Failure(Napi::Env env, const std::string& what) override {
    Napi::Error error = Napi::Error::New(env, what);
    if (non_finite_.quantity != nullptr) {
      error.Set("code", "ERR_FASTNN_NON_FINITE");
      error.Set("quantity", non_finite_.quantity);
      error.Set("epoch", static_cast<double>(non_finite_.epoch));
      error.Set("batch", static_cast<double>(non_finite_.batch));
    }
    return error.Value();
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
    // Without a callback, skip building the report: tiny epochs would pay an allocation each.
    if (!reporting_) return;
    ctx_->Report({static_cast<double>(epochs), static_cast<double>(batches), static_cast<double>(samples), loss});
  }

  NetworkView net_;
  FitConfig cfg_;
  bool reporting_;
  JobContext* ctx_ = nullptr;
  FitOutcome outcome_;
  // Set by Execute (job thread) before it throws; read by Failure after the join.
  struct NonFiniteFields {
    const char* quantity = nullptr;  // null: the failure was something else
    std::size_t epoch = 0;
    std::size_t batch = 0;
  } non_finite_;
};

// Batch normalisation standardises each unit over a batch's rows: a batch of
// one row (batchSize 1, n = 1, or a last batch of 1) has no spread to divide
// by, so a layer that uses the batch's statistics (not frozen) refuses it
// (backend.ts batchNormedOnOneRow).
void CheckBatchRows(Napi::Env env, const char* fn, const NetworkView& net, std::size_t n, std::size_t batch_size) {
  if (batch_size != 1 && n % batch_size != 1) return;
  for (std::size_t l = 0; l < net.norm.size(); l++) {
    if (norm_of(net, l) != Norm::Batch || layer_frozen(net, l)) continue;
    args::ThrowRange(
        env, args::Prefix(fn, "job.batchSize " + std::to_string(batch_size) + " leaves a batch of 1 row of job.n " +
                                  std::to_string(n) + "; job.net.norm[" + std::to_string(l) +
                                  "] (batch normalisation, not frozen) needs at least 2 rows per batch"));
  }
}

// job.schedule: { type, lr, perStep, stepSize, gamma, minLr, total, warmup }.
ScheduleConfig CheckSchedule(Napi::Env env, const char* fn, Napi::Value object, const std::vector<Napi::Value>& v) {
  const std::string path = "job.schedule";
  const auto max = static_cast<std::int64_t>(args::kMaxDim);
  args::Object(env, fn, path, object);
  ScheduleConfig s;
  s.type = static_cast<Schedule>(args::Code(env, fn, path + ".type", v[0], kScheduleCount));
  s.lr = args::Finite(env, fn, path + ".lr", v[1]);
  s.per_step = args::Bool(env, fn, path + ".perStep", v[2]);
  s.step_size = static_cast<std::size_t>(args::Int(env, fn, path + ".stepSize", v[3], 1, max));
  s.gamma = args::InRange(env, fn, path + ".gamma", v[4], 0, kInf, true, true);
  s.min_lr = args::Finite(env, fn, path + ".minLr", v[5]);
  s.total = static_cast<std::size_t>(args::Int(env, fn, path + ".total", v[6], 1, max));
  s.warmup = args::Size(env, fn, path + ".warmup", v[7]);
  return s;
}

// job.earlyStopping: { monitor, patience, minDelta, restoreBest }, consistent with the job.
EarlyStopping CheckEarlyStopping(Napi::Env env, const char* fn, Napi::Value object, const std::vector<Napi::Value>& v,
                                 const FitConfig& cfg) {
  const std::string path = "job.earlyStopping";
  args::Object(env, fn, path, object);
  EarlyStopping es;
  es.monitor = static_cast<Monitor>(args::Code(env, fn, path + ".monitor", v[0], kMonitorCount));
  es.patience = args::Size(env, fn, path + ".patience", v[1]);
  es.min_delta = args::InRange(env, fn, path + ".minDelta", v[2], 0, kInf, false, true);
  es.restore_best = args::Bool(env, fn, path + ".restoreBest", v[3]);
  if (es.patience == 0 && !es.restore_best) return es;
  if ((es.monitor == Monitor::ValLoss || es.monitor == Monitor::ValMetric) && cfg.n_val == 0) {
    args::ThrowRange(env, args::Prefix(fn, path + ".monitor " + std::to_string(static_cast<int>(es.monitor)) +
                                               " needs validation data (job.nVal ≥ 1)"));
  }
  if ((es.monitor == Monitor::Metric || es.monitor == Monitor::ValMetric) && cfg.metric == Metric::None) {
    args::ThrowRange(env, args::Prefix(fn, path + ".monitor " + std::to_string(static_cast<int>(es.monitor)) +
                                               " needs a metric (job.metric ≥ 1)"));
  }
  return es;
}

// job.inputNoise: undefined or null (none), or { type, level } with level in
// [0, 1) for masking and [0, ∞) for Gaussian noise.
InputNoise CheckInputNoise(Napi::Env env, const char* fn, Napi::Value object, const std::vector<Napi::Value>& v) {
  InputNoise noise;
  if (object.IsUndefined() || object.IsNull()) return noise;
  const std::string path = "job.inputNoise";
  if (object.Type() != napi_object) args::ThrowType(env, args::Prefix(fn, path + " must be an object or null"));
  noise.type = static_cast<NoiseType>(args::Code(env, fn, path + ".type", v[0], kNoiseTypeCount));
  const bool mask = noise.type == NoiseType::Mask;
  noise.level = args::InRange(env, fn, path + ".level", v[1], 0, mask ? 1 : kInf, false, true);
  return noise;
}

// job.resume's properties, read in phase 1 with bestParams' items (when it
// holds 0 or one per parameter; any other length is reported in phase 2).
struct ResumeValues {
  Napi::Value object, epoch, step, best_epoch, best, best_list, partial;
  std::vector<Napi::Value> best_params;  // best_list's items
};

ResumeValues FetchResume(Napi::Value v, std::size_t param_count) {
  const std::vector<Napi::Value> p = Props(v, {"epoch", "step", "bestEpoch", "best", "bestParams", "partial"});
  ResumeValues r{v, p[0], p[1], p[2], p[3], p[4], p[5], {}};
  if (r.best_list.IsArray() && r.best_list.As<Napi::Array>().Length() != 0) {
    r.best_params = args::PrefetchArray(r.best_list, param_count);
  }
  return r;
}

// job.resume.partial: undefined or null, or an epoch stopped after batch b
// of `batches` (trainer.h EpochField), checked field by field as validate.ts does.
const double* CheckPartial(Napi::Env env, const char* fn, Napi::Value v, std::size_t batches) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  const std::string path = "job.resume.partial";
  const double* p = args::Float64Vector(env, fn, path, v, kEpochFields);
  const auto field = [&](std::size_t i) { return Napi::Number::New(env, p[i]); };
  const auto name = [&](std::size_t i) { return path + "[" + std::to_string(i) + "]"; };
  // Stopping needs a batch done and one to go: a stop at an epoch's end is no partial epoch.
  args::Int(env, fn, name(kEpochBatch), field(kEpochBatch), 1, static_cast<std::int64_t>(batches) - 1);
  args::Finite(env, fn, name(kEpochLossSum), field(kEpochLossSum));
  args::Finite(env, fn, name(kEpochMetric), field(kEpochMetric));
  args::Int(env, fn, name(kEpochApplied), field(kEpochApplied), 0, static_cast<std::int64_t>(args::kMaxDim));
  args::Int(env, fn, name(kEpochSkipped), field(kEpochSkipped), 0, static_cast<std::int64_t>(p[kEpochBatch]));
  args::Finite(env, fn, name(kEpochLr), field(kEpochLr));
  for (std::size_t i = kEpochOrder; i < kEpochFields; i++) args::Int(env, fn, name(i), field(i), 0, 0xffffffff);
  if (p[kEpochOrder] == 0 && p[kEpochOrder + 1] == 0 && p[kEpochOrder + 2] == 0 && p[kEpochOrder + 3] == 0) {
    args::ThrowRange(env, args::Prefix(fn, path + "[6..9] (the generator state) must not be all zero"));
  }
  return p;
}

// job.resume: undefined or null (a run of its own), or { epoch, step,
// bestEpoch ≤ epoch, best (finite), bestParams (0 arrays,
// or one shaped like each parameter; needed by restoreBest), partial }.
FitResume CheckResume(Napi::Env env, const char* fn, const ResumeValues& v, const NetworkView& net,
                      const EarlyStopping& es, std::size_t batches) {
  FitResume r;
  if (v.object.IsUndefined() || v.object.IsNull()) return r;
  const std::string path = "job.resume";
  if (v.object.Type() != napi_object) args::ThrowType(env, args::Prefix(fn, path + " must be an object or null"));
  r.epoch = args::Size(env, fn, path + ".epoch", v.epoch);
  r.step = args::Size(env, fn, path + ".step", v.step);
  r.best_epoch = static_cast<std::size_t>(
      args::Int(env, fn, path + ".bestEpoch", v.best_epoch, 0, static_cast<std::int64_t>(r.epoch)));
  r.best = args::Finite(env, fn, path + ".best", v.best);
  const std::size_t count = ParamCount(net);
  const bool empty = v.best_list.IsArray() && v.best_list.As<Napi::Array>().Length() == 0;
  if (!empty) {
    if (!v.best_list.IsArray() || v.best_params.size() != count) {
      args::ArrayOf(env, fn, path + ".bestParams", v.best_list, count);  // throws
    }
    r.best_params = args::ParamList(env, fn, path + ".bestParams", v.best_params, net.sizes, net.norm);
  } else if (es.restore_best) {
    args::ThrowRange(env, args::Prefix(fn, path + ".bestParams must hold the best weights (" + std::to_string(count) +
                                               " Float32Arrays) when job.earlyStopping.restoreBest is true"));
  }
  r.partial = CheckPartial(env, fn, v.partial, batches);
  return r;
}

// A FitJob's plain fields, read in phase 1 (net, optimizer, schedule and
// earlyStopping have readers of their own).
struct JobValues {
  Napi::Value n, x, y, n_val, x_val, y_val, epochs, batch_size, shuffle, rng_state, metric, skip_non_finite,
      progress_every, history, input_noise, resume, position;
};

JobValues FetchJob(Napi::Object job) {
  return {job.Get("n"),
          job.Get("x"),
          job.Get("y"),
          job.Get("nVal"),
          job.Get("xVal"),
          job.Get("yVal"),
          job.Get("epochs"),
          job.Get("batchSize"),
          job.Get("shuffle"),
          job.Get("rngState"),
          job.Get("metric"),
          job.Get("skipNonFinite"),
          job.Get("progressEvery"),
          job.Get("history"),
          job.Get("inputNoise"),
          job.Get("resume"),
          job.Get("position")};
}

// [async] train(job, onProgress): { promise, cancel }
// Trains job.net (a NetworkSpec, params updated in place) on job.x (n, sizes[0]), job.y
// (n, target columns) for up to job.epochs epochs of job.batchSize samples, reshuffled per
// epoch from job.rngState (advanced in place) when job.shuffle, updating with
// job.optimizer (its state arrays and step count updated in place) at the rate of
// job.schedule, evaluating job.metric and, when job.nVal ≥ 1, the validation data, and
// stopping early as job.earlyStopping says. Writes one row of job.history per epoch.
// onProgress (a function or null) receives { epochs, batches, samples, loss } after every
// epoch and every job.progressEvery batches. The promise resolves with
// { epochs, samples, bestEpoch, best, steps, stoppedEarly } (fewer epochs when cancelled)
// and rejects with Error "train: non-finite loss|gradient|update at epoch E, batch B; ..."
// carrying code ERR_FASTNN_NON_FINITE, quantity, epoch and batch, unless job.skipNonFinite. job.inputNoise corrupts
// each batch's inputs (denoising); job.resume continues a longer run (the schedule's clock, early stopping, an epoch
// stopped between batches); job.position (optional) receives where the job stopped. Throws TypeError/RangeError for bad
// arguments, in validate.ts checkFitJob's order; a batch of 1 row with a batch-normalised layer that trains is a bad
// argument too.
Napi::Value Train(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "train";
  // Phase 1: every read that can run user code.
  Napi::Object job = args::Object(env, fn, "job", info[0]);
  const NetValues nv = FetchNet(env, fn, "job.net", job.Get("net"));
  const JobValues j = FetchJob(job);
  const std::vector<Napi::Value> noise = Props(j.input_noise, {"type", "level"});
  const Napi::Value opt_v = job.Get("optimizer"), sched_v = job.Get("schedule"), es_v = job.Get("earlyStopping");
  const std::vector<Napi::Value> sched =
      Props(sched_v, {"type", "lr", "perStep", "stepSize", "gamma", "minLr", "total", "warmup"});
  const std::vector<Napi::Value> es = Props(es_v, {"monitor", "patience", "minDelta", "restoreBest"});
  NetworkView net = CheckNetShape(env, fn, "job.net", nv);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "job.net.params", nv.params, ParamCount(net));
  const OptimizerValues ov = FetchOptimizer(opt_v, params.size());
  const ResumeValues rv = FetchResume(j.resume, params.size());
  // Phase 2: checks and pointers; no user code runs from here on.
  TakeNetPointers(env, fn, "job.net", nv, params, net);
  const auto max = static_cast<std::int64_t>(args::kMaxDim);
  const std::size_t in = net.sizes.front(), t = target_cols(net);
  FitConfig cfg;
  cfg.n = static_cast<std::size_t>(args::Int(env, fn, "job.n", j.n, 1, max));
  cfg.x = args::Matrix(env, fn, "job.x", j.x, cfg.n, in);
  cfg.y = args::Matrix(env, fn, "job.y", j.y, cfg.n, t);
  cfg.n_val = args::Size(env, fn, "job.nVal", j.n_val);
  cfg.x_val = args::Matrix(env, fn, "job.xVal", j.x_val, cfg.n_val, in);
  cfg.y_val = args::Matrix(env, fn, "job.yVal", j.y_val, cfg.n_val, t);
  cfg.epochs = args::Size(env, fn, "job.epochs", j.epochs);
  cfg.batch_size = static_cast<std::size_t>(args::Int(env, fn, "job.batchSize", j.batch_size, 1, max));
  CheckBatchRows(env, fn, net, cfg.n, cfg.batch_size);
  cfg.shuffle = args::Bool(env, fn, "job.shuffle", j.shuffle);
  cfg.rng_state = args::Uint32Vector(env, fn, "job.rngState", j.rng_state, 4);
  if ((cfg.rng_state[0] | cfg.rng_state[1] | cfg.rng_state[2] | cfg.rng_state[3]) == 0) {
    args::ThrowRange(env, args::Prefix(fn, "job.rngState must not be all zero"));
  }
  cfg.optimizer = CheckOptimizer(env, fn, "job.optimizer", ov, net);
  cfg.schedule = CheckSchedule(env, fn, sched_v, sched);
  cfg.metric = static_cast<Metric>(args::Code(env, fn, "job.metric", j.metric, kMetricCount));
  if (cfg.metric != Metric::None && t != net.sizes.back()) {
    args::ThrowRange(env, args::Prefix(fn, "job.metric must be 0 for the gaussianNll loss, got " +
                                               std::to_string(static_cast<int>(cfg.metric))));
  }
  cfg.early_stopping = CheckEarlyStopping(env, fn, es_v, es, cfg);
  cfg.skip_non_finite = args::Bool(env, fn, "job.skipNonFinite", j.skip_non_finite);
  cfg.progress_every = args::Size(env, fn, "job.progressEvery", j.progress_every);
  cfg.history = args::Float64Vector(env, fn, "job.history", j.history, cfg.epochs * kHistoryFields);
  cfg.input_noise = CheckInputNoise(env, fn, j.input_noise, noise);
  cfg.resume = CheckResume(env, fn, rv, net, cfg.early_stopping, (cfg.n + cfg.batch_size - 1) / cfg.batch_size);
  if (!j.position.IsUndefined() && !j.position.IsNull()) {
    cfg.position = args::Float64Vector(env, fn, "job.position", j.position, kPositionFields);
  }
  if (!info[1].IsNull() && !info[1].IsFunction())
    args::ThrowType(env, args::Prefix(fn, "onProgress must be a function or null"));
  // The job works on copies of these arrays; those it writes are copied back (job_memory.h).
  using Access = JobMemory::Access;
  JobMemory memory;
  for (std::size_t p = 0; p < params.size(); p++)
    net.params[p] = memory.Own(params[p], net.params[p], Access::kReadWrite);
  for (std::size_t s = 0; s < ov.state.size(); s++) {
    cfg.optimizer.state[s] = memory.Own(ov.state[s], cfg.optimizer.state[s], Access::kReadWrite);
  }
  for (std::size_t p = 0; p < cfg.resume.best_params.size(); p++) {
    cfg.resume.best_params[p] = memory.Own(rv.best_params[p], cfg.resume.best_params[p], Access::kReadWrite);
  }
  cfg.optimizer.step = memory.Own(ov.step, cfg.optimizer.step, Access::kReadWrite);
  cfg.rng_state = memory.Own(j.rng_state, cfg.rng_state, Access::kReadWrite);
  cfg.history = memory.Own(j.history, cfg.history, Access::kReadWrite);
  cfg.position = memory.Own(j.position, cfg.position, Access::kReadWrite);
  cfg.x = memory.Own(j.x, cfg.x, Access::kRead);
  cfg.y = memory.Own(j.y, cfg.y, Access::kRead);
  cfg.x_val = memory.Own(j.x_val, cfg.x_val, Access::kRead);
  cfg.y_val = memory.Own(j.y_val, cfg.y_val, Access::kRead);
  cfg.resume.partial = memory.Own(rv.partial, cfg.resume.partial, Access::kRead);
  net.loss_params.class_weights =
      memory.Own(nv.loss_params.class_weights, net.loss_params.class_weights, Access::kRead);
  return Jobs(env).Start(env, std::make_unique<TrainJob>(std::move(net), std::move(cfg), info[1].IsFunction()), info[1],
                         std::move(memory));
}

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  // Past the checks, what Train allocates is the job's copies of its arrays (job_memory.h).
  Export(env, exports, "train", Train, "the training job's copies of its arrays");
}

}  // namespace fastnn::bindings
