// The async trainer: one JS call starts a whole training job (every epoch,
// shuffles, validation and early stopping included) on a BackgroundJob thread
// and returns { promise, cancel }. After the arguments are read, the job takes
// its arrays over (job_memory.h) until it settles.
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

using args::Args;

class TrainJob final : public BackgroundJob, private FitObserver {
 public:
  TrainJob(NetworkView net, FitConfig cfg, bool reporting)
      : BackgroundJob("train", {"epochs", "batches", "samples", "loss"}),
        net_(std::move(net)),
        cfg_(std::move(cfg)),
        reporting_(reporting) {}

  // A failed allocation passes through: the job settles it as a RangeError (boundary.h).
  void Execute(JobContext& ctx) override {
    ctx_ = &ctx;
    try {
      outcome_ = network_fit(net_, cfg_, *this);
    } catch (const NonFiniteStep& e) {
      non_finite_ = std::make_unique<NonFiniteStep>(e);
      throw std::runtime_error(std::string("train: ") + e.what());
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string("train: ") + e.what());
    }
  }

  Napi::Value Result(Napi::Env env) override {
    return ObjectOf(env, "epochs", outcome_.epochs, "samples", outcome_.samples, "bestEpoch", outcome_.best_epoch,
                    "best", outcome_.best, "steps", outcome_.steps, "stoppedEarly", outcome_.stopped_early);
  }

  // A non-finite batch rejects with the fields of src/backend/errors.ts NonFiniteError.
  Napi::Value Failure(Napi::Env env, const std::string& what) override {
    Napi::Error error = Napi::Error::New(env, what);
    if (non_finite_) {
      error.Set("code", "ERR_FASTNN_NON_FINITE");
      error.Set("quantity", non_finite_->quantity());
      error.Set("epoch", static_cast<double>(non_finite_->epoch()));
      error.Set("batch", static_cast<double>(non_finite_->batch()));
    }
    return error.Value();
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
  std::unique_ptr<NonFiniteStep> non_finite_;  // set on the job's thread before it throws; read after the join
};

// job.schedule: { type, lr, perStep, stepSize ≥ 1, gamma, minLr, total ≥ 1, warmup } (the core divides by
// stepSize and total).
ScheduleConfig ReadSchedule(Args& a, Napi::Value v) {
  Napi::Object o = a.Object("job.schedule", v);
  // Braced, as the readers below: the fields are read in the order written.
  return {a.Code<Schedule>("job.schedule.type", o.Get("type"), kScheduleCount),
          a.Number("job.schedule.lr", o.Get("lr")),
          a.Bool("job.schedule.perStep", o.Get("perStep")),
          a.Int<std::size_t>("job.schedule.stepSize", o.Get("stepSize"), 1, args::kMaxDim),
          a.Number("job.schedule.gamma", o.Get("gamma")),
          a.Number("job.schedule.minLr", o.Get("minLr")),
          a.Int<std::size_t>("job.schedule.total", o.Get("total"), 1, args::kMaxDim),
          a.Size("job.schedule.warmup", o.Get("warmup"))};
}

// job.earlyStopping: { monitor, patience, minDelta, restoreBest }.
EarlyStopping ReadEarlyStopping(Args& a, Napi::Value v) {
  Napi::Object o = a.Object("job.earlyStopping", v);
  return {a.Code<Monitor>("job.earlyStopping.monitor", o.Get("monitor"), kMonitorCount),
          a.Size("job.earlyStopping.patience", o.Get("patience")),
          a.Number("job.earlyStopping.minDelta", o.Get("minDelta")),
          a.Bool("job.earlyStopping.restoreBest", o.Get("restoreBest"))};
}

// job.inputNoise: undefined or null (none), or { type, level }.
InputNoise ReadInputNoise(Args& a, Napi::Value v) {
  if (Args::Absent(v)) return {};
  Napi::Object o = a.Object("job.inputNoise", v);
  return {a.Code<NoiseType>("job.inputNoise.type", o.Get("type"), kNoiseTypeCount),
          a.Number("job.inputNoise.level", o.Get("level"))};
}

// The JS arrays of job.resume the job takes over (job_memory.h).
struct ResumeArrays {
  std::vector<Napi::Value> best_params;
  Napi::Value partial;
};

// job.resume: undefined or null (a run of its own), or { epoch, step, bestEpoch,
// best, bestParams (0 arrays, or one shaped like each parameter), partial }.
// partial, undefined or null or an epoch stopped after batch b of `batches`
// (trainer.h EpochField), holds the integers the core resumes from: the batch
// it continues after, counts, and the generator's four words.
FitResume ReadResume(Args& a, Napi::Value v, const NetworkView& net, std::size_t batches, ResumeArrays& arrays) {
  FitResume r;
  if (Args::Absent(v)) return r;
  const std::string path = "job.resume";
  Napi::Object o = a.Object(path, v);
  r.epoch = a.Size(path + ".epoch", o.Get("epoch"));
  r.step = a.Size(path + ".step", o.Get("step"));
  r.best_epoch = a.Size(path + ".bestEpoch", o.Get("bestEpoch"));
  r.best = a.Number(path + ".best", o.Get("best"));
  const Napi::Value best = o.Get("bestParams");
  const bool none = best.IsArray() && best.As<Napi::Array>().Length() == 0;
  if (!none) r.best_params = ReadParamList(a, path + ".bestParams", best, net, net.params.size(), &arrays.best_params);
  arrays.partial = o.Get("partial");
  const double* p = a.Optional<double>(path + ".partial", arrays.partial, kEpochFields);
  if (p == nullptr) return r;
  const auto field = [&](std::size_t i, std::int64_t min, std::int64_t max) {
    a.IntAt(path + ".partial", i, p[i], min, max);
  };
  field(kEpochBatch, 1, static_cast<std::int64_t>(batches) - 1);
  field(kEpochApplied, 0, args::kMaxDim);
  field(kEpochSkipped, 0, args::kMaxDim);
  for (std::size_t i = kEpochOrder; i < kEpochFields; i++) field(i, 0, 0xffffffff);
  r.partial = p;
  return r;
}

// [async] train(job, onProgress, communicator): { promise, cancel }
// Runs job, a FitJob (src/backend/backend.ts says what each field does), updating
// in place job.net.params, the optimizer's state and step, rngState, history and
// position. onProgress (a function or null) receives { epochs, batches, samples, loss }
// after every epoch and every job.progressEvery batches. The promise resolves with
// { epochs, samples, bestEpoch, best, steps, stoppedEarly } (fewer epochs when cancelled)
// and rejects with Error "train: non-finite loss|gradient|update at epoch E, batch B; ..."
// carrying code ERR_FASTNN_NON_FINITE, quantity, epoch and batch, unless job.skipNonFinite.
// communicator (undefined or null for a run of one process) is the MPI addon's external
// (core/communicator.h): the job is then one rank of a data-parallel run
// (core/data_parallel.h), job.batchSize rows its share of each global batch.
Napi::Value Train(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args a(env, "train");
  Napi::Object job = a.Object("job", info[0]);
  NetArgs net = ReadNet(a, "job.net", job.Get("net"));
  const std::size_t in = net.view.sizes.front(), t = target_cols(net.view);
  const Napi::Value x = job.Get("x"), y = job.Get("y"), x_val = job.Get("xVal"), y_val = job.Get("yVal");
  const Napi::Value rng_state = job.Get("rngState"), history = job.Get("history"), position = job.Get("position");
  FitConfig cfg;
  cfg.comm = a.Communicator("communicator", info[2]);
  const std::size_t ranks = cfg.comm == nullptr ? 1 : static_cast<std::size_t>(cfg.comm->size);
  cfg.n = a.Int<std::size_t>("job.n", job.Get("n"), 1, args::kMaxDim);
  cfg.x = a.Array<float>("job.x", x, cfg.n * in);
  cfg.y = a.Array<float>("job.y", y, cfg.n * t);
  cfg.n_val = a.Size("job.nVal", job.Get("nVal"));
  cfg.x_val = a.Array<float>("job.xVal", x_val, cfg.n_val * in);
  cfg.y_val = a.Array<float>("job.yVal", y_val, cfg.n_val * t);
  cfg.epochs = a.Size("job.epochs", job.Get("epochs"));
  cfg.batch_size = a.Int<std::size_t>("job.batchSize", job.Get("batchSize"), 1, args::kMaxDim);
  cfg.shuffle = a.Bool("job.shuffle", job.Get("shuffle"));
  cfg.rng_state = a.Array<std::uint32_t>("job.rngState", rng_state, 4);
  std::vector<Napi::Value> state;
  Napi::Value step;
  cfg.optimizer = ReadOptimizer(a, "job.optimizer", job.Get("optimizer"), net.view, &state, &step);
  cfg.schedule = ReadSchedule(a, job.Get("schedule"));
  cfg.metric = a.Code<Metric>("job.metric", job.Get("metric"), kMetricCount);
  // A metric compares each output with its target: gaussianNll's targets are half as wide.
  if (cfg.metric != Metric::None && t != net.view.sizes.back())
    a.ThrowRange("job.metric", "must be 0 for the gaussianNll loss");
  cfg.early_stopping = ReadEarlyStopping(a, job.Get("earlyStopping"));
  cfg.skip_non_finite = a.Bool("job.skipNonFinite", job.Get("skipNonFinite"));
  cfg.progress_every = a.Size("job.progressEvery", job.Get("progressEvery"));
  cfg.history = a.Array<double>("job.history", history, std::uint64_t{cfg.epochs} * kHistoryFields);
  cfg.input_noise = ReadInputNoise(a, job.Get("inputNoise"));
  ResumeArrays resume;
  const std::size_t global_batch = cfg.batch_size * ranks;
  cfg.resume = ReadResume(a, job.Get("resume"), net.view, (cfg.n + global_batch - 1) / global_batch, resume);
  cfg.position = a.Optional<double>("job.position", position, kPositionFields);
  const Napi::Value on_progress = a.Callback("onProgress", info[1]);
  a.Verify();
  // Weights, optimizer state and best weights are trained in place when shared (the model's busy guard keeps
  // its own reads out), and so are the history rows (fit.ts reads only the rows a report says are complete);
  // the rest, and plain arrays, are copies, written back (job_memory.h).
  using Access = JobMemory::Access;
  JobMemory memory;
  NetworkView& view = net.view;
  for (std::size_t p = 0; p < net.params.size(); p++)
    view.params[p] = memory.Own(net.params[p], view.params[p], Access::kWriteInPlace);
  for (std::size_t s = 0; s < state.size(); s++)
    cfg.optimizer.state[s] = memory.Own(state[s], cfg.optimizer.state[s], Access::kWriteInPlace);
  for (std::size_t p = 0; p < resume.best_params.size(); p++) {
    cfg.resume.best_params[p] = memory.Own(resume.best_params[p], cfg.resume.best_params[p], Access::kWriteInPlace);
  }
  cfg.optimizer.step = memory.Own(step, cfg.optimizer.step, Access::kReadWrite);
  cfg.rng_state = memory.Own(rng_state, cfg.rng_state, Access::kReadWrite);
  cfg.history = memory.Own(history, cfg.history, Access::kWriteInPlace);
  cfg.position = memory.Own(position, cfg.position, Access::kReadWrite);
  cfg.x = memory.Own(x, cfg.x, Access::kRead);
  cfg.y = memory.Own(y, cfg.y, Access::kRead);
  cfg.x_val = memory.Own(x_val, cfg.x_val, Access::kRead);
  cfg.y_val = memory.Own(y_val, cfg.y_val, Access::kRead);
  cfg.resume.partial = memory.Own(resume.partial, cfg.resume.partial, Access::kRead);
  view.loss_params.class_weights = memory.Own(net.class_weights, view.loss_params.class_weights, Access::kRead);
  return Jobs(env).Start(env, std::make_unique<TrainJob>(std::move(view), std::move(cfg), on_progress.IsFunction()),
                         on_progress, std::move(memory));
}

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  // Past the checks, what Train allocates is the job's copies of its arrays (job_memory.h).
  Export(env, exports, "train", Train, "the training job's copies of its arrays");
}

}  // namespace fastnn::bindings
