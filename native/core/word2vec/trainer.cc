#include "trainer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "corpus_reader.h"
#include "../out_of_memory.h"
#include "../rng.h"
#include "sentence.h"
#include "tables.h"

namespace fastnn::word2vec {

void InitVectors(float* syn0, std::size_t rows, std::size_t cols, std::uint32_t seed) {
  Rng rng(seed);
  const std::size_t n = rows * cols;
  // (u − 0.5)/cols in double, rounded once: equal to the float division the
  // TS twin gets with Math.fround (double has > 2·24 + 2 bits).
  for (std::size_t i = 0; i < n; i++) syn0[i] = static_cast<float>((rng.uniform() - 0.5) / static_cast<double>(cols));
}

namespace {

// What every thread reads and nobody writes during training.
struct Shared {
  const TrainOptions& opt;
  const Vocab& vocab;
  std::vector<double> keep;
  double total_words;  // epochs · Σ counts: the learning-rate schedule's length
  SentenceModel model;
};

// A thread's published counters, on a cache line of its own.
struct alignas(64) Counters {
  std::atomic<std::uint64_t> words{0};  // this epoch
  std::atomic<double> loss{0};          // this epoch
  std::atomic<std::uint64_t> terms{0};  // predictions behind `loss`
};

// Aligned to a cache line: each thread writes its own Worker (RNG state,
// counters) all the time, and neighbours sharing a line would thrash it.
class alignas(64) Worker {
 public:
  Worker(const Shared& s, std::uint32_t id)
      : s_(s), id_(id), scratch_(s.opt.seed + 1 + s.opt.rank * kRankSeedStride + id) {
    scratch_.neu1.resize(s.opt.dim);
    scratch_.neu1e.resize(s.opt.dim);
    sentence_.reserve(kMaxSentence);
  }

  // Continues the epoch from `st` (offset, counters, generator) until byte
  // `end`, a stop or a divergence, and leaves in `st` where it stopped: the
  // checks happen only at sentence boundaries, so `st` always describes one.
  // base = words done in earlier epochs.
  void RunEpoch(std::uint64_t end, ThreadState& st, std::uint64_t base, std::vector<Counters>& counters,
                const std::atomic<bool>& stop, std::atomic<bool>& diverged) {
    counters_ = &counters;
    base_ = base;
    words_ = st.words;
    others_ = 0;
    refreshed_at_ = 0;
    scratch_.loss = st.loss;
    scratch_.terms = st.terms;
    diverged_ = false;
    scratch_.rng = Rng(st.rng);
    Counters& mine = counters[id_];
    CorpusReader reader(s_.opt.path, st.offset, end, s_.opt.lowercase);
    sentence_.clear();
    std::string_view token;
    TokenKind kind;
    for (;;) {
      kind = reader.Next(&token);
      if (kind == TokenKind::kToken) {
        const std::int32_t id = s_.vocab.words.Find(token);
        if (id < 0) continue;
        words_++;
        if (s_.opt.sample > 0 && s_.keep[static_cast<std::size_t>(id)] < scratch_.rng.uniform()) continue;
        sentence_.push_back(id);
        if (sentence_.size() < kMaxSentence) continue;
      }
      if (!sentence_.empty()) {
        TrainSentence();
        sentence_.clear();
      }
      mine.words.store(words_, std::memory_order_relaxed);
      mine.loss.store(scratch_.loss, std::memory_order_relaxed);
      mine.terms.store(scratch_.terms, std::memory_order_relaxed);
      if (diverged_) diverged.store(true);
      if (kind == TokenKind::kEnd || diverged_ || stop.load(std::memory_order_relaxed) ||
          diverged.load(std::memory_order_relaxed)) {
        break;
      }
    }
    st.offset = reader.Offset();
    st.words = words_;
    st.loss = scratch_.loss;
    st.terms = scratch_.terms;
    st.finished = kind == TokenKind::kEnd;
    scratch_.rng.get_state(st.rng);
  }

 private:
  // Learning rate for the next sentence: linear in the words done by all
  // threads. Other threads' counts are re-read every 10000 own words (as
  // word2vec.c shares its counter); with one thread the count is exact.
  float LearningRate() {
    if (s_.opt.threads > 1 && words_ - refreshed_at_ >= 10000) {
      refreshed_at_ = words_;
      others_ = 0;
      for (std::size_t t = 0; t < counters_->size(); t++) {
        if (t != id_) others_ += (*counters_)[t].words.load(std::memory_order_relaxed);
      }
    }
    const double done = static_cast<double>(base_ + words_ + others_) * s_.opt.ranks;
    const double frac = std::min(1.0, done / s_.total_words);
    return static_cast<float>(s_.opt.alpha - (s_.opt.alpha - s_.opt.min_alpha) * frac);
  }

  void TrainSentence() {
    if (!word2vec::TrainSentence(s_.model, scratch_, sentence_.data(), sentence_.size(), LearningRate()))
      diverged_ = true;
  }

  const Shared& s_;
  std::uint32_t id_;
  SentenceScratch scratch_;  // its generator is taken from and returned to the thread's ThreadState
  std::vector<std::int32_t> sentence_;
  std::vector<Counters>* counters_ = nullptr;
  std::uint64_t base_ = 0, words_ = 0, others_ = 0, refreshed_at_ = 0;
  bool diverged_ = false;
};

}  // namespace

TrainResult Train(const TrainOptions& opt, const Vocab& vocab, const Weights& weights, TrainHooks& hooks,
                  const TrainState* resume) {
  using Clock = std::chrono::steady_clock;
  double count_sum = 0;
  for (std::uint64_t c : vocab.counts) count_sum += static_cast<double>(c);
  // At least 1 so an empty vocabulary cannot divide by zero.
  const std::vector<std::int32_t> noise =
      opt.negative > 0
          ? allocating("the negative-sampling table", [&] { return NoiseTable(vocab.counts, opt.ns_exponent); })
          : std::vector<std::int32_t>{};
  const SigmoidTable sigmoid = BuildSigmoidTable();
  const HuffmanCodes huffman =
      opt.hs ? allocating("the Huffman tree of the vocabulary", [&] { return BuildHuffman(vocab.counts); })
             : HuffmanCodes{};
  Shared shared{opt, vocab, {}, std::max(1.0, count_sum * opt.epochs), {opt, weights, noise.data(), sigmoid, huffman}};
  if (opt.sample > 0) {
    shared.keep = allocating("the subsampling table", [&] { return KeepProbabilities(vocab.counts, opt.sample); });
  }

  const std::uint64_t size = FileSize(opt.path);
  const std::uint32_t threads = opt.threads;
  // This rank's part of the file (whole lines where it can), cut into one range per thread.
  const std::uint64_t part_begin = RankBegin(opt.path, size, opt.rank, opt.ranks);
  const std::uint64_t part_bytes = RankBegin(opt.path, size, opt.rank + 1, opt.ranks) - part_begin;
  auto range_begin = [&](std::uint32_t t) { return part_begin + PartBegin(part_bytes, t, threads); };
  std::vector<Worker> workers;
  allocating("the training threads' buffers", [&] {
    workers.reserve(threads);
    for (std::uint32_t t = 0; t < threads; t++) workers.emplace_back(shared, t);
  });

  TrainState state;
  if (resume != nullptr) {
    state = *resume;
  } else {
    // A run from the start initialises the vectors here, on the job's thread: 15 M floats (50 000 words at dim 300)
    // took half a second of the JS thread as a call of their own.
    InitVectors(weights.syn0, vocab.counts.size(), opt.dim, opt.seed);
    state.threads.resize(threads);
    for (std::uint32_t t = 0; t < threads; t++) {
      state.threads[t].offset = range_begin(t);
      Rng(opt.seed + 1 + opt.rank * kRankSeedStride + t).get_state(state.threads[t].rng);
    }
  }
  auto words_in_epoch = [&] {
    std::uint64_t words = 0;
    for (const ThreadState& t : state.threads) words += t.words;
    return words;
  };
  const std::uint64_t words_at_start = state.words_before + words_in_epoch();

  // Progress and learning rate count this rank's words times the ranks (trainer.h TrainOptions).
  const double start_progress = std::min(1.0, static_cast<double>(words_at_start) * opt.ranks / shared.total_words);

  TrainResult result;
  const auto start = Clock::now();
  TrainProgress last{start_progress, std::min(state.epoch, opt.epochs), 0, 0, opt.alpha, 0, words_at_start};
  auto snapshot = [&](const std::vector<Counters>& counters) {
    std::uint64_t words = 0, terms = 0;
    double loss = 0;
    for (const Counters& c : counters) {
      words += c.words.load(std::memory_order_relaxed);
      loss += c.loss.load(std::memory_order_relaxed);
      terms += c.terms.load(std::memory_order_relaxed);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    TrainProgress p;
    p.words = state.words_before + words;
    p.progress = std::min(1.0, static_cast<double>(p.words) * opt.ranks / shared.total_words);
    p.epoch = state.epoch;
    p.loss = terms > 0 ? loss / static_cast<double>(terms) : 0;
    p.words_per_sec = seconds > 0 ? static_cast<double>(p.words - std::min(p.words, words_at_start)) / seconds : 0;
    p.lr = opt.alpha - (opt.alpha - opt.min_alpha) * p.progress;
    const double done_here = p.progress - start_progress;  // by this run, for its speed
    p.eta_seconds = done_here > 0 ? seconds * (1 - p.progress) / done_here : 0;
    // Other threads' counters are read one by one, so guard monotonicity.
    if (p.words < last.words) p.words = last.words;
    if (p.progress < last.progress) p.progress = last.progress;
    return p;
  };

  std::atomic<bool> stop{false}, diverged{false};
  while (state.epoch <= opt.epochs && !hooks.Cancelled()) {
    std::vector<Counters> counters(threads);
    for (std::uint32_t t = 0; t < threads; t++) {
      counters[t].words.store(state.threads[t].words);
      counters[t].loss.store(state.threads[t].loss);
      counters[t].terms.store(state.threads[t].terms);
    }
    std::mutex mutex;
    std::condition_variable done_cv;
    std::uint32_t running = 0;
    std::exception_ptr failure;
    std::vector<std::thread> pool;
    pool.reserve(threads);  // before any thread runs: growing it later could throw with threads to join
    try {
      for (std::uint32_t t = 0; t < threads; t++) {
        if (state.threads[t].finished) continue;
        {
          // Counted before it starts, under the lock its decrement takes: it may finish at once.
          std::lock_guard<std::mutex> lock(mutex);
          running++;
        }
        pool.push_back(
            start_thread("training thread " + std::to_string(t + 1) + " of " + std::to_string(threads), [&, t] {
              try {
                workers[t].RunEpoch(range_begin(t + 1), state.threads[t], state.words_before, counters, stop, diverged);
              } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!failure) failure = std::current_exception();
                stop.store(true);
              }
              std::lock_guard<std::mutex> lock(mutex);
              running--;
              done_cv.notify_all();
            }));
      }
      // Until the epoch's threads finish: relay cancellation within 50 ms (the
      // workers then stop after their current sentence), report every 200 ms.
      auto reported = Clock::now();
      for (;;) {
        std::unique_lock<std::mutex> lock(mutex);
        if (done_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return running == 0; })) break;
        lock.unlock();
        if (hooks.Cancelled()) stop.store(true);
        if (Clock::now() - reported < std::chrono::milliseconds(200)) continue;
        reported = Clock::now();
        last = snapshot(counters);
        hooks.Report(last);
      }
    } catch (...) {
      // A thread that could not start or a report that could not be built:
      // the threads already running stop at their next sentence and are
      // joined, since destroying a joinable std::thread ends the process.
      stop.store(true);
      for (std::thread& th : pool) th.join();
      throw;
    }
    for (std::thread& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
    last = snapshot(counters);
    result.loss = last.loss;
    if (diverged.load()) {
      throw std::runtime_error("word2vec: training diverged (a non-finite score) in epoch " +
                               std::to_string(state.epoch) + " after " + std::to_string(last.words) +
                               " words; lower alpha");
    }
    bool complete = true;
    for (const ThreadState& t : state.threads) complete = complete && t.finished;
    if (!complete) break;  // stopped at sentence boundaries: `state` is where to resume
    result.epoch_losses.push_back(last.loss);
    state.words_before += words_in_epoch();
    state.epoch++;
    for (std::uint32_t t = 0; t < threads; t++) {
      ThreadState& next = state.threads[t];
      next.offset = range_begin(t);
      next.words = next.terms = 0;
      next.loss = 0;
      next.finished = false;
    }
    // Short epochs end between two 200 ms reports: report each end.
    if (state.epoch <= opt.epochs) hooks.Report(last);
  }
  result.epochs_completed = state.epoch - 1;
  result.cancelled = result.epochs_completed < opt.epochs;
  result.words = state.words_before + words_in_epoch();
  result.state = state;
  if (!result.cancelled) last.progress = 1, last.eta_seconds = 0;
  last.words = result.words;
  hooks.Report(last);
  return result;
}

}  // namespace fastnn::word2vec
