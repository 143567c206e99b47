// word2vec: vocabulary scan and training as background jobs (each on its own
// thread, reading the corpus file itself), vector initialisation, and the
// nearest-rows kernel behind similarity queries.
#include <algorithm>
#include <memory>
#include <stdexcept>
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

using args::Args;
using word2vec::Vocab;

// The most parts a corpus is split into (ranks of a run; validate-word2vec.ts MAX_PARTS).
constexpr std::int64_t kMaxParts = 65536;

// A vocabulary as it crosses the boundary: the words' bytes, each followed by
// '\n' (no token contains one), and their counts, one per word. Read on the
// JS thread: the bytes copied and the counts checked, with no hashing; the
// job's thread builds the word table (VocabTable), which for a million words
// would hold the JS thread for a fifth of a second at every job's start.
struct VocabArg {
  std::vector<char> bytes;
  std::vector<std::uint64_t> counts;
};

VocabArg ReadVocab(Args& a, Napi::Value words_v, Napi::Value counts_v) {
  Napi::Uint8Array words = a.AnyLength<std::uint8_t>("job.words", words_v);
  Napi::Float64Array counts = a.AnyLength<double>("job.counts", counts_v);
  const std::size_t bytes = words.ElementLength();
  const char* data = reinterpret_cast<const char*>(words.Data());
  if (bytes > 0 && data[bytes - 1] != '\n') a.ThrowRange("job.words", "must end with '\\n'");
  const auto n = static_cast<std::size_t>(std::count(data, data + bytes, '\n'));
  if (n != counts.ElementLength())
    a.ThrowRange("job.counts", "must have length " + std::to_string(n) + " (one per word)");
  VocabArg vocab{std::vector<char>(data, data + bytes), {}};
  vocab.counts.reserve(n);
  for (std::size_t i = 0; i < n; i++) {
    vocab.counts.push_back(a.IntAt<std::uint64_t>("job.counts", i, counts[i], 1, args::kMaxSafeInteger));
  }
  return vocab;
}

// [job thread] The vocabulary ReadVocab read, as the trainer takes it. The
// row of each word in the vectors is its index, so no word may come twice:
// a RangeError as ReadVocab's would be (std::domain_error, background_job.cc).
Vocab VocabTable(VocabArg arg) {
  Vocab vocab;
  const char* data = arg.bytes.data();
  const std::size_t bytes = arg.bytes.size();
  for (std::size_t i = 0, start = 0; i < arg.counts.size(); i++) {
    const std::size_t end = static_cast<std::size_t>(std::find(data + start, data + bytes, '\n') - data);
    if (vocab.words.Insert(std::string_view(data + start, end - start)) != static_cast<std::int32_t>(i)) {
      throw std::domain_error("word2vecTrain: job.words has a duplicate word at index " + std::to_string(i));
    }
    start = end + 1;
  }
  vocab.counts = std::move(arg.counts);
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
  explicit VocabJob(word2vec::VocabOptions options)
      : BackgroundJob("word2vecVocab", {"bytesRead", "bytesTotal"}), options_(std::move(options)) {}

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
    return ObjectOf(env, "words", Adopt<Napi::Uint8Array>(env, std::move(words_), bytes_), "counts",
                    Adopt<Napi::Float64Array>(env, std::move(counts_), size_), "cancelled", cancelled_);
  }

 private:
  // The result's arrays: each word's bytes then '\n', and the counts.
  void Pack(const Vocab& vocab) {
    size_ = vocab.counts.size();
    for (std::size_t i = 0; i < size_; i++) bytes_ += vocab.words.Word(i).size() + 1;
    words_ = std::make_unique<std::uint8_t[]>(bytes_);
    counts_ = std::make_unique<double[]>(size_);
    std::uint8_t* at = words_.get();
    for (std::size_t i = 0; i < size_; i++) {
      const std::string_view w = vocab.words.Word(i);
      at = std::copy(w.begin(), w.end(), at);
      *at++ = '\n';
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
// Counts the words of job (a Word2VecVocabJob, src/backend/word2vec.ts; part of parts:
// only that byte range of the file, vocab.h). Resolves { words: Uint8Array (each word's
// bytes then '\n', most frequent first), counts: Float64Array, cancelled }.
// onProgress({ bytesRead, bytesTotal }). Rejects when the file cannot be read.
Napi::Value Word2vecVocab(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args a(env, "word2vecVocab");
  Napi::Object job = a.Object("job", info[0]);
  word2vec::VocabOptions options;
  options.path = a.String("job.path", job.Get("path"));
  options.min_count = a.Int<std::uint64_t>("job.minCount", job.Get("minCount"), 1, args::kMaxSafeInteger);
  options.max_final_vocab = a.Int<std::uint64_t>("job.maxFinalVocab", job.Get("maxFinalVocab"), 0, args::kMaxDim);
  options.lowercase = a.Bool("job.lowercase", job.Get("lowercase"));
  options.parts = a.Int<std::uint32_t>("job.parts", job.Get("parts"), 1, kMaxParts);
  options.part = a.Int<std::uint32_t>("job.part", job.Get("part"), 0, std::int64_t{options.parts} - 1);
  return Jobs(env).Start(env, std::make_unique<VocabJob>(std::move(options)), a.Callback("onProgress", info[1]), {});
}

// job.resume: null, or a Word2VecState (src/backend/word2vec.ts) as an earlier
// run resolved it, of `threads` threads. Copied out at once, so no pointer into
// JS memory outlives the call.
std::unique_ptr<word2vec::TrainState> ReadResume(Args& a, Napi::Value v, std::uint32_t epochs, std::uint32_t threads) {
  if (Args::Absent(v)) return nullptr;
  Napi::Object r = a.Object("job.resume", v);
  auto state = std::make_unique<word2vec::TrainState>();
  state->epoch = a.Int<std::uint32_t>("job.resume.epoch", r.Get("epoch"), 1, std::int64_t{epochs} + 1);
  state->words_before = a.Int<std::uint64_t>("job.resume.wordsBefore", r.Get("wordsBefore"), 0, args::kMaxSafeInteger);
  const double* offsets = a.Array<double>("job.resume.offsets", r.Get("offsets"), threads);
  const double* words = a.Array<double>("job.resume.words", r.Get("words"), threads);
  const double* loss = a.Array<double>("job.resume.loss", r.Get("loss"), threads);
  const double* terms = a.Array<double>("job.resume.terms", r.Get("terms"), threads);
  const std::uint8_t* finished = a.Array<std::uint8_t>("job.resume.finished", r.Get("finished"), threads);
  const std::uint32_t* rng = a.Array<std::uint32_t>("job.resume.rng", r.Get("rng"), std::uint64_t{threads} * 4);
  a.Verify();
  state->threads.resize(threads);
  for (std::uint32_t t = 0; t < threads; t++) {
    word2vec::ThreadState& th = state->threads[t];
    th.offset = a.IntAt<std::uint64_t>("job.resume.offsets", t, offsets[t], 0, args::kMaxSafeInteger);
    th.words = a.IntAt<std::uint64_t>("job.resume.words", t, words[t], 0, args::kMaxSafeInteger);
    th.terms = a.IntAt<std::uint64_t>("job.resume.terms", t, terms[t], 0, args::kMaxSafeInteger);
    th.loss = loss[t];
    th.finished = finished[t] != 0;
    std::copy(rng + 4 * t, rng + 4 * t + 4, th.rng);
  }
  return state;
}

Napi::Object StateToJs(Napi::Env env, const word2vec::TrainState& state) {
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
  return ObjectOf(env, "epoch", state.epoch, "wordsBefore", state.words_before, "offsets", offsets, "words", words,
                  "loss", loss, "terms", terms, "finished", finished, "rng", rng);
}

class TrainJob final : public BackgroundJob, private word2vec::TrainHooks {
 public:
  TrainJob(word2vec::TrainOptions options, VocabArg vocab, word2vec::Weights weights,
           std::unique_ptr<word2vec::TrainState> resume)
      : BackgroundJob("word2vecTrain", {"progress", "epoch", "loss", "wordsPerSec", "lr", "etaSeconds", "words"}),
        options_(std::move(options)),
        vocab_(std::move(vocab)),
        weights_(weights),
        resume_(std::move(resume)) {}

  void Execute(JobContext& ctx) override {
    ctx_ = &ctx;
    const Vocab vocab = VocabTable(std::move(vocab_));
    result_ = word2vec::Train(options_, vocab, weights_, *this, resume_.get());
  }

  Napi::Value Result(Napi::Env env) override {
    return ObjectOf(env, "words", result_.words, "epochsCompleted", result_.epochs_completed, "cancelled",
                    result_.cancelled, "loss", result_.loss, "epochLosses", ArrayOf(env, result_.epoch_losses), "state",
                    StateToJs(env, result_.state));
  }

 private:
  bool Cancelled() const override { return ctx_->Cancelled(); }
  void Report(const word2vec::TrainProgress& p) override {
    ctx_->Report({p.progress, static_cast<double>(p.epoch), p.loss, p.words_per_sec, p.lr, p.eta_seconds,
                  static_cast<double>(p.words)});
  }

  word2vec::TrainOptions options_;
  VocabArg vocab_;
  word2vec::Weights weights_;
  std::unique_ptr<word2vec::TrainState> resume_;
  word2vec::TrainResult result_;
  JobContext* ctx_ = nullptr;
};

// [async] word2vecTrain(job, onProgress?): { promise, cancel }
// Trains job's vectors in place (a Word2VecTrainJob, src/backend/word2vec.ts says what
// each field does; resume as ReadResume reads it). Resolves { words, epochsCompleted,
// cancelled, loss, epochLosses, state (where to resume; ReadResume's shape) }. onProgress
// receives { progress, epoch, loss, wordsPerSec, lr, etaSeconds, words } at least every
// 200 ms. Rejects on a non-finite score (divergence) or a read error.
Napi::Value Word2vecTrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args a(env, "word2vecTrain");
  Napi::Object job = a.Object("job", info[0]);
  word2vec::TrainOptions o;
  o.path = a.String("job.path", job.Get("path"));
  VocabArg vocab =
      allocating("the job's copy of the vocabulary", [&] { return ReadVocab(a, job.Get("words"), job.Get("counts")); });
  o.dim = a.Int<std::size_t>("job.vectorSize", job.Get("vectorSize"), 1, args::kMaxDim);
  o.window = a.Int<std::uint32_t>("job.window", job.Get("window"), 1, args::kMaxDim);
  o.negative = a.Int<std::uint32_t>("job.negative", job.Get("negative"), 0, args::kMaxDim);
  o.ns_exponent = a.Number("job.nsExponent", job.Get("nsExponent"));
  o.sample = a.Number("job.sample", job.Get("sample"));
  o.alpha = a.Number("job.alpha", job.Get("alpha"));
  o.min_alpha = a.Number("job.minAlpha", job.Get("minAlpha"));
  o.epochs = a.Int<std::uint32_t>("job.epochs", job.Get("epochs"), 1, args::kMaxDim);
  o.threads = a.Int<std::uint32_t>("job.threads", job.Get("threads"), 1, args::kMaxThreads);
  o.seed = a.Int<std::uint32_t>("job.seed", job.Get("seed"), 0, 4294967295);
  o.sg = a.Bool("job.sg", job.Get("sg"));
  o.hs = a.Bool("job.hs", job.Get("hs"));
  o.lowercase = a.Bool("job.lowercase", job.Get("lowercase"));
  const std::string kernel = a.String("job.kernel", job.Get("kernel"));
  if (kernel != "batched" && kernel != "classic") a.ThrowRange("job.kernel", "must be 'batched' or 'classic'");
  o.batched = kernel == "batched";
  const std::string saturated = a.String("job.saturated", job.Get("saturated"));
  if (saturated != "limit" && saturated != "skip") a.ThrowRange("job.saturated", "must be 'limit' or 'skip'");
  o.skip_saturated = saturated == "skip";
  o.ranks = a.Int<std::uint32_t>("job.ranks", job.Get("ranks"), 1, kMaxParts);
  o.rank = a.Int<std::uint32_t>("job.rank", job.Get("rank"), 0, std::int64_t{o.ranks} - 1);
  const std::uint64_t size = std::uint64_t{vocab.counts.size()} * o.dim;
  const Napi::Value syn0 = job.Get("syn0"), syn1neg = job.Get("syn1neg"), syn1 = job.Get("syn1");
  word2vec::Weights w{a.Array<float>("job.syn0", syn0, size), a.Optional<float>("job.syn1neg", syn1neg, size),
                      a.Optional<float>("job.syn1", syn1, size)};
  // The trainer updates the output vectors each update rule uses.
  if (o.negative > 0 && Args::Absent(syn1neg))
    a.ThrowType("job.syn1neg", "must be a Float32Array when job.negative > 0");
  if (o.hs && Args::Absent(syn1)) a.ThrowType("job.syn1", "must be a Float32Array when job.hs is true");
  std::unique_ptr<word2vec::TrainState> state = ReadResume(a, job.Get("resume"), o.epochs, o.threads);
  Napi::Value on_progress = a.Callback("onProgress", info[1]);
  a.Verify();
  // The trainer works on copies of the vectors, copied back as it reports and when it settles, or on
  // the vectors themselves when they are shared (job_memory.h, kWriteInPlace: the run leaves them alone).
  JobMemory memory;
  w.syn0 = memory.Own(syn0, w.syn0, JobMemory::Access::kWriteInPlace);
  w.syn1neg = memory.Own(syn1neg, w.syn1neg, JobMemory::Access::kWriteInPlace);
  w.syn1 = memory.Own(syn1, w.syn1, JobMemory::Access::kWriteInPlace);
  return Jobs(env).Start(env, std::make_unique<TrainJob>(std::move(o), std::move(vocab), w, std::move(state)),
                         on_progress, std::move(memory));
}

// [sync] nearest(outIndex, outScore, matrix, queries, rows, cols, q, k, exclude, e)
// outIndex Int32Array (q,k), outScore Float32Array (q,k) <- for each query of
// queries (q,cols), the k rows of matrix (rows,cols) with the highest dot
// product, best first (ties: lower row), skipping the rows listed in its row
// of exclude (Int32Array (q,e), -1 = none); missing slots get -1 / -Infinity.
void Nearest(const Napi::CallbackInfo& info) {
  Args a(info.Env(), "nearest");
  const std::size_t rows = a.Size("rows", info[4]), cols = a.Size("cols", info[5]), q = a.Size("q", info[6]);
  const std::size_t k = a.Size("k", info[7]), e = a.Size("e", info[9]);
  std::int32_t* out_index = a.Array<std::int32_t>("outIndex", info[0], q * k);
  float* out_score = a.Array<float>("outScore", info[1], q * k);
  const float* matrix = a.Array<float>("matrix", info[2], rows * cols);
  const float* queries = a.Array<float>("queries", info[3], q * cols);
  const std::int32_t* exclude = a.Array<std::int32_t>("exclude", info[8], q * e);
  word2vec::Nearest(out_index, out_score, matrix, queries, rows, cols, q, k, exclude, e);
}

}  // namespace

void RegisterWord2vec(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "word2vecVocab", Word2vecVocab);
  // Past the vocabulary, what Word2vecTrain allocates is the job's copies of the vectors (job_memory.h).
  Export(env, exports, "word2vecTrain", Word2vecTrain, "the training job's copies of the vectors");
  Export(env, exports, "nearest", Nearest);
}

}  // namespace fastnn::bindings
