// word2vec: vocabulary scan and training as background jobs (each on its own
// thread, reading the corpus file itself), vector initialisation, and the
// nearest-rows kernel behind similarity queries.
//
// Job objects are read in two phases as in network_binding.cc: first every
// property (getters may run), then checks in the order of the TS twin
// (src/backend/validate-word2vec.ts), so both report the same first error.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/out_of_memory.h"
#include "../core/word2vec/corpus_reader.h"
#include "../core/word2vec/nearest.h"
#include "../core/word2vec/trainer.h"
#include "../core/word2vec/vocab.h"
#include "args.h"
#include "background_job.h"
#include "bindings.h"
#include "boundary.h"

namespace fastnn::bindings {

namespace {

using word2vec::Vocab;

using args::Prefix;
using args::String;

// A count held in a double: an integer in [min, 2^53 − 1].
std::uint64_t SafeCount(Napi::Env env, const char* fn, const std::string& arg, double v, std::int64_t min) {
  if (!(v >= static_cast<double>(min) && v <= static_cast<double>(args::kMaxSafeInteger)) ||
      v != static_cast<double>(static_cast<std::int64_t>(v))) {
    args::ThrowRange(env, Prefix(fn, arg) + " must be an integer in [" + std::to_string(min) + ", " +
                              std::to_string(args::kMaxSafeInteger) + "], got " + args::FormatNumber(env, v));
  }
  return static_cast<std::uint64_t>(v);
}

void CheckCallback(Napi::Env env, const char* fn, Napi::Value v) {
  if (!v.IsUndefined() && !v.IsFunction()) args::ThrowType(env, std::string(fn) + ": onProgress must be a function");
}

// A vocabulary as it crosses the boundary: the words' bytes, each followed by
// '\n' (no token contains one), and their counts.
Vocab CheckVocab(Napi::Env env, const char* fn, Napi::Value words_v, Napi::Value counts_v) {
  if (!words_v.IsTypedArray() || words_v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    args::ThrowType(env, Prefix(fn, "job.words") + " must be a Uint8Array");
  }
  if (!counts_v.IsTypedArray() || counts_v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    args::ThrowType(env, Prefix(fn, "job.counts") + " must be a Float64Array");
  }
  auto words = words_v.As<Napi::Uint8Array>();
  auto counts = counts_v.As<Napi::Float64Array>();
  const std::size_t bytes = words.ElementLength();
  const char* data = reinterpret_cast<const char*>(words.Data());
  std::size_t n = 0;
  for (std::size_t i = 0; i < bytes; i++) n += data[i] == '\n';
  if (bytes > 0 && data[bytes - 1] != '\n') {
    args::ThrowRange(env, Prefix(fn, "job.words") + " must end with '\\n' (each word is followed by one)");
  }
  if (n != counts.ElementLength()) {
    args::ThrowRange(env, Prefix(fn, "job.counts") + " must have length " + std::to_string(n) +
                              " (one per word), got " + std::to_string(counts.ElementLength()));
  }
  Vocab vocab;
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; i++) {
    const double c = counts[i];
    SafeCount(env, fn, "job.counts[" + std::to_string(i) + "]", c, 1);
    if (i > 0 && c > counts[i - 1])
      args::ThrowRange(env, Prefix(fn, "job.counts") + " must be non-increasing (sorted by count)");
    std::size_t end = start;
    while (data[end] != '\n') end++;
    if (vocab.words.Insert(std::string_view(data + start, end - start)) != static_cast<std::int32_t>(i)) {
      args::ThrowRange(env, Prefix(fn, "job.words") + " has a duplicate word at index " + std::to_string(i));
    }
    vocab.counts.push_back(static_cast<std::uint64_t>(c));
    start = end + 1;
  }
  return vocab;
}

// A typed array over `data` (n elements), which it takes over and frees when
// collected. For results the size of the input: memory allocated here can
// fail as an exception, where an array V8 allocates for native code
// (Napi::TypedArray::New) aborts the process when it does not fit.
template <class Array, class T>
Array Adopt(Napi::Env env, std::unique_ptr<T[]> data, std::size_t n) {
  Napi::ArrayBuffer buffer =
      Napi::ArrayBuffer::New(env, data.get(), n * sizeof(T), [](Napi::Env, void* p) { delete[] static_cast<T*>(p); });
  data.release();
  return Array::New(env, n, buffer, 0);
}

class VocabJob final : public BackgroundJob {
 public:
  explicit VocabJob(word2vec::VocabOptions options) : BackgroundJob("word2vecVocab"), options_(std::move(options)) {}

  void Execute(JobContext& ctx) override {
    const double total = static_cast<double>(word2vec::FileSize(options_.path));
    const Vocab vocab = allocating("the vocabulary's word table", [&] {
      return word2vec::BuildVocab(options_, [&](std::uint64_t bytes) {
        ctx.Report({static_cast<double>(bytes), total});
        return !ctx.Cancelled();
      });
    });
    cancelled_ = ctx.Cancelled();
    allocating("the vocabulary's words and counts", [&] { Pack(vocab); });
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("words", Adopt<Napi::Uint8Array>(env, std::move(words_), bytes_));
    out.Set("counts", Adopt<Napi::Float64Array>(env, std::move(counts_), size_));
    out.Set("cancelled", cancelled_);
    return out;
  }

  Napi::Value Progress(Napi::Env env, const std::vector<double>& v) override {
    Napi::Object p = Napi::Object::New(env);
    p.Set("bytesRead", v[0]);
    p.Set("bytesTotal", v[1]);
    return p;
  }

 private:
  // The result's arrays: each word's bytes then '\n', and the counts.
  void Pack(const Vocab& vocab) {
    size_ = vocab.counts.size();
    bytes_ = 0;
    for (std::size_t i = 0; i < size_; i++) bytes_ += vocab.words.Word(i).size() + 1;
    words_ = std::make_unique<std::uint8_t[]>(bytes_);
    counts_ = std::make_unique<double[]>(size_);
    std::size_t at = 0;
    for (std::size_t i = 0; i < size_; i++) {
      const std::string_view w = vocab.words.Word(i);
      std::copy(w.begin(), w.end(), words_.get() + at);
      at += w.size();
      words_[at++] = '\n';
      counts_[i] = static_cast<double>(vocab.counts[i]);
    }
  }

  word2vec::VocabOptions options_;
  std::unique_ptr<std::uint8_t[]> words_;
  std::unique_ptr<double[]> counts_;
  std::size_t bytes_ = 0, size_ = 0;
  bool cancelled_ = false;
};

// [async] word2vecVocab(job, onProgress?): { promise, cancel }
// job: { path: string, minCount: integer ≥ 1, maxFinalVocab: integer ≥ 0 (0 =
// no cap), lowercase: boolean }. Resolves { words: Uint8Array (each word's
// bytes then '\n', most frequent first), counts: Float64Array, cancelled }.
// onProgress({ bytesRead, bytesTotal }). Throws TypeError/RangeError for a
// bad job; rejects when the file cannot be read.
Napi::Value Word2vecVocab(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "word2vecVocab";
  Napi::Object job = args::Object(env, fn, "job", info[0]);
  Napi::Value path = job.Get("path"), min_count = job.Get("minCount"), max_final = job.Get("maxFinalVocab"),
              lowercase = job.Get("lowercase");
  word2vec::VocabOptions options;
  options.path = String(env, fn, "job.path", path);
  options.min_count =
      static_cast<std::uint64_t>(args::Int(env, fn, "job.minCount", min_count, 1, args::kMaxSafeInteger));
  options.max_final_vocab = static_cast<std::uint64_t>(
      args::Int(env, fn, "job.maxFinalVocab", max_final, 0, static_cast<std::int64_t>(args::kMaxDim)));
  options.lowercase = args::Bool(env, fn, "job.lowercase", lowercase);
  CheckCallback(env, fn, info[1]);
  return Jobs(env).Start(env, std::make_unique<VocabJob>(std::move(options)), info[1], {});
}

using word2vec::TrainState;

// The properties of job.resume, read before any check (getters may run).
struct ResumeValues {
  Napi::Value object, epoch, words_before, offsets, words, loss, terms, finished, rng;
};

ResumeValues ReadResume(Napi::Value v) {
  ResumeValues r{v, {}, {}, {}, {}, {}, {}, {}, {}};
  if (!v.IsObject()) return r;
  Napi::Object o = v.As<Napi::Object>();
  r.epoch = o.Get("epoch"), r.words_before = o.Get("wordsBefore"), r.offsets = o.Get("offsets");
  r.words = o.Get("words"), r.loss = o.Get("loss"), r.terms = o.Get("terms"), r.finished = o.Get("finished");
  r.rng = o.Get("rng");
  return r;
}

// job.resume: null, or a state as an earlier run resolved it (result.state):
// { epoch in [1, epochs + 1], wordsBefore, and per thread offsets, words,
// loss, terms (Float64Array (threads)), finished (Uint8Array (threads) of
// 0/1), rng (Uint32Array (threads · 4), no thread's 4 words all zero) }.
// Copied out at once, so no pointer into JS memory outlives the call.
std::unique_ptr<TrainState> CheckResume(Napi::Env env, const char* fn, const ResumeValues& r, std::uint32_t epochs,
                                        std::uint32_t threads) {
  if (r.object.IsNull()) return nullptr;
  if (!r.object.IsObject() || r.object.IsFunction())
    args::ThrowType(env, Prefix(fn, "job.resume") + " must be an object or null");
  auto state = std::make_unique<TrainState>();
  state->epoch =
      static_cast<std::uint32_t>(args::Int(env, fn, "job.resume.epoch", r.epoch, 1, std::int64_t{epochs} + 1));
  state->words_before = static_cast<std::uint64_t>(
      args::Int(env, fn, "job.resume.wordsBefore", r.words_before, 0, args::kMaxSafeInteger));
  const double* offsets = args::Float64Vector(env, fn, "job.resume.offsets", r.offsets, threads);
  const double* words = args::Float64Vector(env, fn, "job.resume.words", r.words, threads);
  const double* loss = args::Float64Vector(env, fn, "job.resume.loss", r.loss, threads);
  const double* terms = args::Float64Vector(env, fn, "job.resume.terms", r.terms, threads);
  const std::uint8_t* finished = args::Uint8Vector(env, fn, "job.resume.finished", r.finished, threads);
  const std::uint32_t* rng = args::Uint32Vector(env, fn, "job.resume.rng", r.rng, std::size_t{threads} * 4);
  auto count = [&](const char* name, const double* a, std::uint32_t t) {
    return SafeCount(env, fn, std::string("job.resume.") + name + "[" + std::to_string(t) + "]", a[t], 0);
  };
  state->threads.resize(threads);
  for (std::uint32_t t = 0; t < threads; t++) {
    word2vec::ThreadState& th = state->threads[t];
    th.offset = count("offsets", offsets, t);
    th.words = count("words", words, t);
    th.terms = count("terms", terms, t);
    if (!(loss[t] >= 0 && std::isfinite(loss[t]))) {
      args::ThrowRange(env, Prefix(fn, "job.resume.loss[" + std::to_string(t) + "]") + " must be finite and ≥ 0, got " +
                                args::FormatNumber(env, loss[t]));
    }
    th.loss = loss[t];
    if (finished[t] > 1) {
      args::ThrowRange(env, Prefix(fn, "job.resume.finished[" + std::to_string(t) + "]") + " must be 0 or 1, got " +
                                std::to_string(static_cast<int>(finished[t])));
    }
    th.finished = finished[t] == 1;
    if ((rng[4 * t] | rng[4 * t + 1] | rng[4 * t + 2] | rng[4 * t + 3]) == 0) {
      args::ThrowRange(
          env, Prefix(fn, "job.resume.rng") + " must not hold an all-zero state (thread " + std::to_string(t) + ")");
    }
    std::copy(rng + 4 * t, rng + 4 * t + 4, th.rng);
  }
  return state;
}

Napi::Object StateToJs(Napi::Env env, const TrainState& state) {
  const std::size_t n = state.threads.size();
  auto offsets = Napi::Float64Array::New(env, n), words = Napi::Float64Array::New(env, n),
       loss = Napi::Float64Array::New(env, n), terms = Napi::Float64Array::New(env, n);
  auto finished = Napi::Uint8Array::New(env, n);
  auto rng = Napi::Uint32Array::New(env, 4 * n);
  for (std::size_t t = 0; t < n; t++) {
    const word2vec::ThreadState& th = state.threads[t];
    offsets[t] = static_cast<double>(th.offset);
    words[t] = static_cast<double>(th.words);
    loss[t] = th.loss;
    terms[t] = static_cast<double>(th.terms);
    finished[t] = th.finished ? 1 : 0;
    for (std::size_t i = 0; i < 4; i++) rng[4 * t + i] = th.rng[i];
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("epoch", state.epoch);
  out.Set("wordsBefore", static_cast<double>(state.words_before));
  out.Set("offsets", offsets);
  out.Set("words", words);
  out.Set("loss", loss);
  out.Set("terms", terms);
  out.Set("finished", finished);
  out.Set("rng", rng);
  return out;
}

class TrainJob final : public BackgroundJob, private word2vec::TrainHooks {
 public:
  TrainJob(word2vec::TrainOptions options, Vocab vocab, word2vec::Weights weights, std::unique_ptr<TrainState> resume)
      : BackgroundJob("word2vecTrain"),
        options_(std::move(options)),
        vocab_(std::move(vocab)),
        weights_(weights),
        resume_(std::move(resume)) {}

  void Execute(JobContext& ctx) override {
    ctx_ = &ctx;
    result_ = word2vec::Train(options_, vocab_, weights_, *this, resume_.get());
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("words", static_cast<double>(result_.words));
    out.Set("epochsCompleted", result_.epochs_completed);
    out.Set("cancelled", result_.cancelled);
    out.Set("loss", result_.loss);
    Napi::Array epoch_losses = Napi::Array::New(env, result_.epoch_losses.size());
    for (std::uint32_t e = 0; e < result_.epoch_losses.size(); e++) epoch_losses.Set(e, result_.epoch_losses[e]);
    out.Set("epochLosses", epoch_losses);
    out.Set("state", StateToJs(env, result_.state));
    return out;
  }

  Napi::Value Progress(Napi::Env env, const std::vector<double>& v) override {
    Napi::Object p = Napi::Object::New(env);
    const char* names[] = {"progress", "epoch", "loss", "wordsPerSec", "lr", "etaSeconds", "words"};
    for (std::size_t i = 0; i < v.size(); i++) p.Set(names[i], v[i]);
    return p;
  }

 private:
  bool Cancelled() const override { return ctx_->Cancelled(); }
  void Report(const word2vec::TrainProgress& p) override {
    ctx_->Report({p.progress, static_cast<double>(p.epoch), p.loss, p.words_per_sec, p.lr, p.eta_seconds,
                  static_cast<double>(p.words)});
  }

  word2vec::TrainOptions options_;
  Vocab vocab_;
  word2vec::Weights weights_;
  std::unique_ptr<TrainState> resume_;
  word2vec::TrainResult result_;
  JobContext* ctx_ = nullptr;
};

// word2vecTrain's job properties, all read (phase 1) before any is checked.
struct TrainJobValues {
  Napi::Value path, words, counts, vector_size, window, negative, ns_exponent, sample, alpha, min_alpha, epochs,
      threads, seed, sg, hs, lowercase, syn0, syn1neg, syn1, resume, kernel, saturated;
};

TrainJobValues FetchTrainJob(Napi::Object job) {
  return {job.Get("path"),      job.Get("words"),      job.Get("counts"),  job.Get("vectorSize"), job.Get("window"),
          job.Get("negative"),  job.Get("nsExponent"), job.Get("sample"),  job.Get("alpha"),      job.Get("minAlpha"),
          job.Get("epochs"),    job.Get("threads"),    job.Get("seed"),    job.Get("sg"),         job.Get("hs"),
          job.Get("lowercase"), job.Get("syn0"),       job.Get("syn1neg"), job.Get("syn1"),       job.Get("resume"),
          job.Get("kernel"),    job.Get("saturated")};
}

// [async] word2vecTrain(job, onProgress?): { promise, cancel }
// job: { path, words, counts (a vocabulary as word2vecVocab returns it),
// vectorSize, window ≥ 1, negative ≥ 0, nsExponent, sample, alpha, minAlpha,
// epochs ≥ 1, threads in [1, args::kMaxThreads], seed in [0, 2^32), sg, hs, lowercase,
// kernel ('batched' or 'classic', word2vec/sentence.h), saturated ('limit'
// or 'skip': negative sampling's rule for a score with |f| ≥ 6),
// syn0 (V, vectorSize), syn1neg (V, vectorSize) or null (needed when
// negative > 0), syn1 (V, vectorSize) or null (needed when hs), resume (see
// CheckResume) }, trained in place. Resolves { words, epochsCompleted,
// cancelled, loss, epochLosses, state (where to resume; CheckResume's shape) }. onProgress
// receives { progress, epoch, loss, wordsPerSec, lr, etaSeconds, words } at
// least every 200 ms. Rejects on a non-finite score (divergence) or a read error.
Napi::Value Word2vecTrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "word2vecTrain";
  const TrainJobValues v = FetchTrainJob(args::Object(env, fn, "job", info[0]));
  const ResumeValues resume = ReadResume(v.resume);
  const std::int64_t max_dim = static_cast<std::int64_t>(args::kMaxDim);
  word2vec::TrainOptions o;
  o.path = String(env, fn, "job.path", v.path);
  Vocab vocab = allocating("the job's copy of the vocabulary", [&] { return CheckVocab(env, fn, v.words, v.counts); });
  o.dim = static_cast<std::size_t>(args::Int(env, fn, "job.vectorSize", v.vector_size, 1, max_dim));
  o.window = static_cast<std::uint32_t>(args::Int(env, fn, "job.window", v.window, 1, max_dim));
  o.negative = static_cast<std::uint32_t>(args::Int(env, fn, "job.negative", v.negative, 0, max_dim));
  o.ns_exponent = args::Finite(env, fn, "job.nsExponent", v.ns_exponent);
  o.sample = args::Finite(env, fn, "job.sample", v.sample);
  o.alpha = args::Finite(env, fn, "job.alpha", v.alpha);
  o.min_alpha = args::Finite(env, fn, "job.minAlpha", v.min_alpha);
  o.epochs = static_cast<std::uint32_t>(args::Int(env, fn, "job.epochs", v.epochs, 1, max_dim));
  o.threads = static_cast<std::uint32_t>(args::Int(env, fn, "job.threads", v.threads, 1, args::kMaxThreads));
  o.seed = static_cast<std::uint32_t>(args::Int(env, fn, "job.seed", v.seed, 0, 4294967295));
  o.sg = args::Bool(env, fn, "job.sg", v.sg);
  o.hs = args::Bool(env, fn, "job.hs", v.hs);
  o.lowercase = args::Bool(env, fn, "job.lowercase", v.lowercase);
  const std::string kernel = String(env, fn, "job.kernel", v.kernel);
  if (kernel != "batched" && kernel != "classic") {
    args::ThrowRange(env, Prefix(fn, "job.kernel") + " must be 'batched' or 'classic', got '" + kernel + "'");
  }
  o.batched = kernel == "batched";
  const std::string saturated = String(env, fn, "job.saturated", v.saturated);
  if (saturated != "limit" && saturated != "skip") {
    args::ThrowRange(env, Prefix(fn, "job.saturated") + " must be 'limit' or 'skip', got '" + saturated + "'");
  }
  o.skip_saturated = saturated == "skip";
  const std::size_t rows = vocab.counts.size();
  word2vec::Weights w{};
  w.syn0 = args::Matrix(env, fn, "job.syn0", v.syn0, rows, o.dim);
  w.syn1neg = args::OptionalMatrix(env, fn, "job.syn1neg", v.syn1neg, rows, o.dim);
  w.syn1 = args::OptionalMatrix(env, fn, "job.syn1", v.syn1, rows, o.dim);
  if (o.negative > 0 && v.syn1neg.IsNull())
    args::ThrowType(env, Prefix(fn, "job.syn1neg") + " must be a Float32Array when job.negative > 0");
  if (o.hs && v.syn1.IsNull())
    args::ThrowType(env, Prefix(fn, "job.syn1") + " must be a Float32Array when job.hs is true");
  std::unique_ptr<TrainState> state = CheckResume(env, fn, resume, o.epochs, o.threads);
  CheckCallback(env, fn, info[1]);
  // The trainer works on copies of the vectors, copied back as it reports and when it settles, or on
  // the vectors themselves when they are shared (job_memory.h, kWriteInPlace: the run leaves them alone).
  JobMemory memory;
  w.syn0 = memory.Own(v.syn0, w.syn0, JobMemory::Access::kWriteInPlace);
  w.syn1neg = memory.Own(v.syn1neg, w.syn1neg, JobMemory::Access::kWriteInPlace);
  w.syn1 = memory.Own(v.syn1, w.syn1, JobMemory::Access::kWriteInPlace);
  return Jobs(env).Start(env, std::make_unique<TrainJob>(std::move(o), std::move(vocab), w, std::move(state)), info[1],
                         std::move(memory));
}

// [sync] word2vecInit(syn0, rows, cols, seed): syn0 (rows, cols) = (u − 0.5)/cols
// with u from Rng(seed). Throws TypeError/RangeError for bad arguments.
Napi::Value Word2vecInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "word2vecInit";
  const std::size_t rows = args::Size(env, fn, "rows", info[1]);
  const std::size_t cols = args::Size(env, fn, "cols", info[2]);
  const auto seed = static_cast<std::uint32_t>(args::Int(env, fn, "seed", info[3], 0, 4294967295));
  float* syn0 = args::Matrix(env, fn, "syn0", info[0], rows, cols);
  word2vec::InitVectors(syn0, rows, cols, seed);
  return env.Undefined();
}

// [sync] nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e)
// outIndex Int32Array (q,k), outScore Float32Array (q,k) <- for each query of
// queries (q,cols), the k rows of matrix (rows,cols) with the highest dot
// product, best first (ties: lower row), skipping the rows listed in its row
// of exclude (Int32Array (q,e), -1 = none); missing slots get -1 / -Infinity.
Napi::Value Nearest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "nearest";
  const std::size_t rows = args::Size(env, fn, "rows", info[4]);
  const std::size_t cols = args::Size(env, fn, "cols", info[5]);
  const std::size_t q = args::Size(env, fn, "q", info[6]);
  const std::size_t k = args::Size(env, fn, "k", info[7]);
  const std::size_t e = args::Size(env, fn, "e", info[9]);
  std::int32_t* out_index = args::Int32Matrix(env, fn, "outIndex", info[0], q, k);
  float* out_score = args::Matrix(env, fn, "outScore", info[1], q, k);
  const float* matrix = args::Matrix(env, fn, "matrix", info[2], rows, cols);
  const float* queries = args::Matrix(env, fn, "queries", info[3], q, cols);
  const std::int32_t* exclude = args::Int32Matrix(env, fn, "exclude", info[8], q, e);
  word2vec::Nearest(out_index, out_score, matrix, queries, rows, cols, q, k, exclude, e);
  return env.Undefined();
}

}  // namespace

void RegisterWord2vec(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "word2vecVocab", Word2vecVocab);
  // Past the vocabulary, what Word2vecTrain allocates is the job's copies of the vectors (job_memory.h).
  Export(env, exports, "word2vecTrain", Word2vecTrain, "the training job's copies of the vectors");
  Export(env, exports, "word2vecInit", Word2vecInit);
  Export(env, exports, "nearest", Nearest);
}

}  // namespace fastnn::bindings
