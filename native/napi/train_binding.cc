// The async trainer: one JS call starts a whole training job (every epoch,
// shuffles, validation and early stopping included) on a BackgroundJob thread
// and returns { promise, cancel }. Arguments are read in two phases as in
// network_binding.cc: first every property (user getters may run), then
// checks and data pointers, so nothing the job borrows can be detached before
// it starts; the arrays are then kept alive by the job until it settles.
#include <initializer_list>
#include <limits>
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

constexpr double kInf = std::numeric_limits<double>::infinity();

class TrainJob final : public BackgroundJob, private FitObserver {
 public:
  TrainJob(NetworkView net, FitConfig cfg, bool reporting)
      : net_(std::move(net)), cfg_(std::move(cfg)), reporting_(reporting) {}

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
    result.Set("bestEpoch", static_cast<double>(outcome_.best_epoch));
    result.Set("best", outcome_.best);
    result.Set("steps", static_cast<double>(outcome_.steps));
    result.Set("stoppedEarly", outcome_.stopped_early);
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
    // Without a callback, skip building the report: tiny epochs would pay an allocation each.
    if (!reporting_) return;
    ctx_->Report({static_cast<double>(epochs), static_cast<double>(batches), static_cast<double>(samples), loss});
  }

  NetworkView net_;
  FitConfig cfg_;
  bool reporting_;
  JobContext* ctx_ = nullptr;
  FitOutcome outcome_;
};

// Phase 1 for a nested options object: its properties in `keys` order, or
// empty values when v is not an object (the check in phase 2 reports that).
std::vector<Napi::Value> Props(Napi::Value v, std::initializer_list<const char*> keys) {
  std::vector<Napi::Value> out(keys.size());
  if (v.Type() != napi_object) return out;
  Napi::Object o = v.As<Napi::Object>();
  std::size_t i = 0;
  for (const char* key : keys) out[i++] = o.Get(key);
  return out;
}

std::string Message(const char* fn, const std::string& rest) { return std::string(fn) + ": " + rest; }

// job.optimizer: { type, weightDecay, momentum, nesterov, beta1, beta2, eps, clipNorm, state, step }.
struct OptimizerValues {
  Napi::Value object;
  std::vector<Napi::Value> props;  // in the order above
  std::vector<Napi::Value> state;  // state's items, read when its length is what type implies
  bool state_read = false;         // state is an array of that length
};

OptimizerValues FetchOptimizer(Napi::Value v, std::size_t param_count) {
  OptimizerValues o{v, Props(v, {"type", "weightDecay", "momentum", "nesterov", "beta1", "beta2", "eps", "clipNorm",
                                 "state", "step"}), {}};
  const Napi::Value type = o.props[0];
  if (type.IsNumber()) {
    const double code = type.As<Napi::Number>().DoubleValue();
    if (code >= 0 && code < kOptimizerCount && code == static_cast<int>(code)) {
      const std::size_t count = optimizer_state_count(static_cast<Optimizer>(static_cast<int>(code)), param_count);
      o.state = args::PrefetchArray(o.props[8], count);
      o.state_read = o.props[8].IsArray() && o.props[8].As<Napi::Array>().Length() == count;
    }
  }
  return o;
}

OptimizerConfig CheckOptimizer(Napi::Env env, const char* fn, const OptimizerValues& v, const NetworkView& net) {
  const std::string path = "job.optimizer";
  args::Object(env, fn, path, v.object);
  OptimizerConfig opt;
  opt.type = static_cast<Optimizer>(args::Code(env, fn, path + ".type", v.props[0], kOptimizerCount));
  opt.weight_decay = args::InRange(env, fn, path + ".weightDecay", v.props[1], 0, kInf, false, true);
  opt.momentum = args::InRange(env, fn, path + ".momentum", v.props[2], 0, 1, false, true);
  opt.nesterov = args::Bool(env, fn, path + ".nesterov", v.props[3]);
  opt.beta1 = args::InRange(env, fn, path + ".beta1", v.props[4], 0, 1, false, true);
  opt.beta2 = args::InRange(env, fn, path + ".beta2", v.props[5], 0, 1, false, true);
  opt.eps = args::InRange(env, fn, path + ".eps", v.props[6], 0, kInf, true, true);
  opt.clip_norm = args::InRange(env, fn, path + ".clipNorm", v.props[7], 0, kInf, false, true);
  const std::size_t count = net.params.size();
  const std::size_t states = optimizer_state_count(opt.type, count);
  if (!v.state_read || v.state.size() != states) args::ArrayOf(env, fn, path + ".state", v.props[8], states);  // throws
  for (std::size_t j = 0; j < states; j++) {
    // Each state array is shaped like its parameter: state[j] goes with params[j mod count].
    const std::size_t p = j % count, out = net.sizes[p / 2 + 1], in = net.sizes[p / 2];
    const std::string arg = path + ".state[" + std::to_string(j) + "]";
    opt.state.push_back(p % 2 == 0 ? args::Matrix(env, fn, arg, v.state[j], out, in)
                                   : args::Vector(env, fn, arg, v.state[j], param_size(net, p)));
  }
  opt.step = args::Float64Vector(env, fn, path + ".step", v.props[9], 1);
  args::Int(env, fn, path + ".step[0]", Napi::Number::New(env, opt.step[0]), 0, (std::int64_t{1} << 53) - 1);
  return opt;
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
    args::ThrowRange(env, Message(fn, path + ".monitor " + std::to_string(static_cast<int>(es.monitor)) +
                                          " needs validation data (job.nVal ≥ 1)"));
  }
  if ((es.monitor == Monitor::Metric || es.monitor == Monitor::ValMetric) && cfg.metric == Metric::None) {
    args::ThrowRange(env, Message(fn, path + ".monitor " + std::to_string(static_cast<int>(es.monitor)) +
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
  if (object.Type() != napi_object) args::ThrowType(env, Message(fn, path + " must be an object or null"));
  noise.type = static_cast<NoiseType>(args::Code(env, fn, path + ".type", v[0], kNoiseTypeCount));
  const bool mask = noise.type == NoiseType::Mask;
  noise.level = args::InRange(env, fn, path + ".level", v[1], 0, mask ? 1 : kInf, false, true);
  return noise;
}

// job.resume's properties, read in phase 1 with bestParams' items (when it
// holds 0 or one per parameter; any other length is reported in phase 2).
struct ResumeValues {
  Napi::Value object;
  std::vector<Napi::Value> props;  // epoch, step, bestEpoch, best, bestParams, partial
  std::vector<Napi::Value> best_params;
};

ResumeValues FetchResume(Napi::Value v, std::size_t param_count) {
  ResumeValues r{v, Props(v, {"epoch", "step", "bestEpoch", "best", "bestParams", "partial"}), {}};
  const Napi::Value list = r.props[4];
  if (list.IsArray() && list.As<Napi::Array>().Length() != 0) r.best_params = args::PrefetchArray(list, param_count);
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
    args::ThrowRange(env, Message(fn, path + "[6..9] (the generator state) must not be all zero"));
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
  if (v.object.Type() != napi_object) args::ThrowType(env, Message(fn, path + " must be an object or null"));
  r.epoch = args::Size(env, fn, path + ".epoch", v.props[0]);
  r.step = args::Size(env, fn, path + ".step", v.props[1]);
  r.best_epoch = static_cast<std::size_t>(args::Int(env, fn, path + ".bestEpoch", v.props[2], 0,
                                                    static_cast<std::int64_t>(r.epoch)));
  r.best = args::Finite(env, fn, path + ".best", v.props[3]);
  const std::size_t count = ParamCount(net);
  const bool empty = v.props[4].IsArray() && v.props[4].As<Napi::Array>().Length() == 0;
  if (!empty) {
    if (!v.props[4].IsArray() || v.best_params.size() != count) {
      args::ArrayOf(env, fn, path + ".bestParams", v.props[4], count);  // throws
    }
    r.best_params = args::ParamList(env, fn, path + ".bestParams", v.best_params, net.sizes, net.norm);
  } else if (es.restore_best) {
    args::ThrowRange(env, Message(fn, path + ".bestParams must hold the best weights (" + std::to_string(count) +
                                          " Float32Arrays) when job.earlyStopping.restoreBest is true"));
  }
  r.partial = CheckPartial(env, fn, v.props[5], batches);
  return r;
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
// { epochs, samples, bestEpoch, stoppedEarly } (fewer epochs when cancelled) and rejects
// with Error "train: non-finite loss|gradient|update at epoch E, batch B; ..." unless
// job.skipNonFinite. job.inputNoise corrupts each batch's inputs (denoising);
// job.resume continues a longer run (the schedule's clock, early stopping, an
// epoch stopped between batches); job.position (optional) receives where the job stopped.
// Throws TypeError/RangeError for bad arguments, in validate.ts
// checkFitJob's order.
Napi::Value Train(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "train";
  // Phase 1: every read that can run user code.
  Napi::Object job = args::Object(env, fn, "job", info[0]);
  const NetValues nv = FetchNet(env, fn, "job.net", job.Get("net"));
  const std::vector<Napi::Value> j = Props(job, {"n", "x", "y", "nVal", "xVal", "yVal", "epochs", "batchSize", "shuffle",
                                                 "rngState", "metric", "skipNonFinite", "progressEvery", "history",
                                                 "inputNoise", "resume", "position"});
  const std::vector<Napi::Value> noise = Props(j[14], {"type", "level"});
  const Napi::Value opt_v = job.Get("optimizer"), sched_v = job.Get("schedule"), es_v = job.Get("earlyStopping");
  const std::vector<Napi::Value> sched = Props(sched_v, {"type", "lr", "perStep", "stepSize", "gamma", "minLr", "total", "warmup"});
  const std::vector<Napi::Value> es = Props(es_v, {"monitor", "patience", "minDelta", "restoreBest"});
  NetworkView net = CheckNetShape(env, fn, "job.net", nv);
  const std::vector<Napi::Value> params = args::ArrayOf(env, fn, "job.net.params", nv.params, ParamCount(net));
  const OptimizerValues ov = FetchOptimizer(opt_v, params.size());
  const ResumeValues rv = FetchResume(j[15], params.size());
  // Phase 2: checks and pointers; no user code runs from here on.
  TakeNetPointers(env, fn, "job.net", nv, params, net);
  const auto max = static_cast<std::int64_t>(args::kMaxDim);
  const std::size_t in = net.sizes.front(), t = target_cols(net);
  FitConfig cfg;
  cfg.n = static_cast<std::size_t>(args::Int(env, fn, "job.n", j[0], 1, max));
  cfg.x = args::Matrix(env, fn, "job.x", j[1], cfg.n, in);
  cfg.y = args::Matrix(env, fn, "job.y", j[2], cfg.n, t);
  cfg.n_val = args::Size(env, fn, "job.nVal", j[3]);
  cfg.x_val = args::Matrix(env, fn, "job.xVal", j[4], cfg.n_val, in);
  cfg.y_val = args::Matrix(env, fn, "job.yVal", j[5], cfg.n_val, t);
  cfg.epochs = args::Size(env, fn, "job.epochs", j[6]);
  cfg.batch_size = static_cast<std::size_t>(args::Int(env, fn, "job.batchSize", j[7], 1, max));
  cfg.shuffle = args::Bool(env, fn, "job.shuffle", j[8]);
  cfg.rng_state = args::Uint32Vector(env, fn, "job.rngState", j[9], 4);
  if ((cfg.rng_state[0] | cfg.rng_state[1] | cfg.rng_state[2] | cfg.rng_state[3]) == 0) {
    args::ThrowRange(env, Message(fn, "job.rngState must not be all zero"));
  }
  cfg.optimizer = CheckOptimizer(env, fn, ov, net);
  cfg.schedule = CheckSchedule(env, fn, sched_v, sched);
  cfg.metric = static_cast<Metric>(args::Code(env, fn, "job.metric", j[10], kMetricCount));
  if (cfg.metric != Metric::None && t != net.sizes.back()) {
    args::ThrowRange(env, Message(fn, "job.metric must be 0 for the gaussianNll loss, got " +
                                          std::to_string(static_cast<int>(cfg.metric))));
  }
  cfg.early_stopping = CheckEarlyStopping(env, fn, es_v, es, cfg);
  cfg.skip_non_finite = args::Bool(env, fn, "job.skipNonFinite", j[11]);
  cfg.progress_every = args::Size(env, fn, "job.progressEvery", j[12]);
  cfg.history = args::Float64Vector(env, fn, "job.history", j[13], cfg.epochs * kHistoryFields);
  cfg.input_noise = CheckInputNoise(env, fn, j[14], noise);
  cfg.resume = CheckResume(env, fn, rv, net, cfg.early_stopping, (cfg.n + cfg.batch_size - 1) / cfg.batch_size);
  if (!j[16].IsUndefined() && !j[16].IsNull()) cfg.position = args::Float64Vector(env, fn, "job.position", j[16], kPositionFields);
  if (!info[1].IsNull() && !info[1].IsFunction()) args::ThrowType(env, Message(fn, "onProgress must be a function or null"));
  // The job borrows these arrays' memory until it settles.
  std::vector<Napi::Value> keep_alive(params);
  keep_alive.insert(keep_alive.end(), ov.state.begin(), ov.state.end());
  keep_alive.insert(keep_alive.end(), rv.best_params.begin(), rv.best_params.end());
  for (const Napi::Value& v : {j[1], j[2], j[4], j[5], j[9], j[13], j[16], rv.props[5], ov.props[9], nv.loss_params.class_weights}) {
    keep_alive.push_back(v);
  }
  return Jobs(env).Start(env, std::make_unique<TrainJob>(std::move(net), std::move(cfg), info[1].IsFunction()),
                         info[1], keep_alive);
}

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  exports.Set("train", Napi::Function::New(env, Train, "train"));
}

}  // namespace fastnn::bindings
