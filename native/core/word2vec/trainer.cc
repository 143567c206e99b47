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
#include "../rng.h"
#include "tables.h"
#include "vecmath.h"

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
  const Weights& w;
  std::vector<std::int32_t> noise;
  std::vector<double> keep;
  SigmoidTable sigmoid;
  HuffmanCodes huffman;
  double total_words;  // epochs · Σ counts: the learning-rate schedule's length
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
      : s_(s), id_(id), rng_(s.opt.seed + 1 + id), neu1_(s.opt.dim), neu1e_(s.opt.dim) {
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
    loss_ = st.loss;
    terms_ = st.terms;
    diverged_ = false;
    rng_ = Rng(st.rng);
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
        if (s_.opt.sample > 0 && s_.keep[static_cast<std::size_t>(id)] < rng_.uniform()) continue;
        sentence_.push_back(id);
        if (sentence_.size() < kMaxSentence) continue;
      }
      if (!sentence_.empty()) {
        TrainSentence();
        sentence_.clear();
      }
      mine.words.store(words_, std::memory_order_relaxed);
      mine.loss.store(loss_, std::memory_order_relaxed);
      mine.terms.store(terms_, std::memory_order_relaxed);
      if (diverged_) diverged.store(true);
      if (kind == TokenKind::kEnd || diverged_ || stop.load(std::memory_order_relaxed) ||
          diverged.load(std::memory_order_relaxed)) {
        break;
      }
    }
    st.offset = reader.Offset();
    st.words = words_;
    st.loss = loss_;
    st.terms = terms_;
    st.finished = kind == TokenKind::kEnd;
    rng_.get_state(st.rng);
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
    const double done = static_cast<double>(base_ + words_ + others_);
    const double frac = std::min(1.0, done / s_.total_words);
    return static_cast<float>(s_.opt.alpha - (s_.opt.alpha - s_.opt.min_alpha) * frac);
  }

  // One prediction of `target` (label 1) or a noise word (label 0) from the
  // input vector `in`; accumulates the input's gradient into neu1e and
  // updates the output row. Returns false on a non-finite score.
  bool Predict(const float* in, float* out, float label, float lr, bool clip_outside) {
    const std::size_t dim = s_.opt.dim;
    const float f = Dot(in, out, dim);
    if (!std::isfinite(f)) return false;
    const int idx = SigmoidIndex(f);
    float g;
    if (f >= kMaxExp || f <= -kMaxExp) {
      // Hierarchical softmax skips saturated nodes (word2vec.c); negative
      // sampling uses the limit σ = 1 or 0.
      if (clip_outside) return true;
      g = (label - (f > 0 ? 1.0f : 0.0f)) * lr;
    } else {
      g = (label - s_.sigmoid.sigmoid[static_cast<std::size_t>(idx)]) * lr;
    }
    loss_ += label > 0 ? s_.sigmoid.loss_true[static_cast<std::size_t>(idx)]
                       : s_.sigmoid.loss_false[static_cast<std::size_t>(idx)];
    terms_++;
    GradAndUpdate(neu1e_.data(), out, in, g, dim);
    return true;
  }

  // Hierarchical softmax then negative sampling for centre `word` from `in`.
  bool PredictWord(const float* in, std::int32_t word, float lr) {
    const std::size_t dim = s_.opt.dim;
    std::fill(neu1e_.begin(), neu1e_.end(), 0.0f);
    if (s_.opt.hs) {
      const auto w = static_cast<std::size_t>(word);
      for (std::uint64_t d = s_.huffman.offsets[w]; d < s_.huffman.offsets[w + 1]; d++) {
        float* out = s_.w.syn1 + static_cast<std::size_t>(s_.huffman.points[d]) * dim;
        if (!Predict(in, out, 1.0f - s_.huffman.codes[d], lr, true)) return false;
      }
    }
    for (std::uint32_t d = 0; d <= s_.opt.negative && s_.opt.negative > 0; d++) {
      std::int32_t target = word;
      if (d > 0) {
        target = s_.noise[rng_.below(kNoiseTableSize)];
        if (target == word) continue;
      }
      float* out = s_.w.syn1neg + static_cast<std::size_t>(target) * dim;
      if (!Predict(in, out, d == 0 ? 1.0f : 0.0f, lr, false)) return false;
    }
    return true;
  }

  void TrainSentence() {
    const float lr = LearningRate();
    const std::size_t dim = s_.opt.dim;
    const auto n = static_cast<std::ptrdiff_t>(sentence_.size());
    const auto window = static_cast<std::ptrdiff_t>(s_.opt.window);
    for (std::ptrdiff_t i = 0; i < n && !diverged_; i++) {
      const std::int32_t word = sentence_[static_cast<std::size_t>(i)];
      // Dynamic window: the effective radius is uniform in [1, window].
      const auto shrink = static_cast<std::ptrdiff_t>(rng_.below(s_.opt.window));
      const std::ptrdiff_t lo = std::max<std::ptrdiff_t>(0, i - window + shrink);
      const std::ptrdiff_t hi = std::min<std::ptrdiff_t>(n - 1, i + window - shrink);
      if (s_.opt.sg) {
        // word2vec.c's pairing: the context word's vector predicts the centre.
        for (std::ptrdiff_t c = lo; c <= hi; c++) {
          if (c == i) continue;
          float* in = s_.w.syn0 + static_cast<std::size_t>(sentence_[static_cast<std::size_t>(c)]) * dim;
          if (!PredictWord(in, word, lr)) {
            diverged_ = true;
            break;
          }
          Axpy(in, 1.0f, neu1e_.data(), dim);
        }
        continue;
      }
      std::fill(neu1_.begin(), neu1_.end(), 0.0f);
      std::size_t cw = 0;
      for (std::ptrdiff_t c = lo; c <= hi; c++) {
        if (c == i) continue;
        Axpy(neu1_.data(), 1.0f, s_.w.syn0 + static_cast<std::size_t>(sentence_[static_cast<std::size_t>(c)]) * dim, dim);
        cw++;
      }
      if (cw == 0) continue;
      for (float& x : neu1_) x /= static_cast<float>(cw);
      if (!PredictWord(neu1_.data(), word, lr)) {
        diverged_ = true;
        break;
      }
      for (std::ptrdiff_t c = lo; c <= hi; c++) {
        if (c == i) continue;
        Axpy(s_.w.syn0 + static_cast<std::size_t>(sentence_[static_cast<std::size_t>(c)]) * dim, 1.0f, neu1e_.data(), dim);
      }
    }
  }

  const Shared& s_;
  std::uint32_t id_;
  Rng rng_;  // taken from and returned to the thread's ThreadState
  std::vector<float> neu1_, neu1e_;
  std::vector<std::int32_t> sentence_;
  std::vector<Counters>* counters_ = nullptr;
  std::uint64_t base_ = 0, words_ = 0, others_ = 0, refreshed_at_ = 0, terms_ = 0;
  double loss_ = 0;
  bool diverged_ = false;
};

}  // namespace

TrainResult Train(const TrainOptions& opt, const Vocab& vocab, const Weights& weights, TrainHooks& hooks,
                  const TrainState* resume) {
  using Clock = std::chrono::steady_clock;
  double count_sum = 0;
  for (std::uint64_t c : vocab.counts) count_sum += static_cast<double>(c);
  // At least 1 so an empty vocabulary cannot divide by zero.
  Shared shared{opt, vocab, weights, {}, {}, BuildSigmoidTable(), {}, std::max(1.0, count_sum * opt.epochs)};
  if (opt.negative > 0) shared.noise = NoiseTable(vocab.counts, opt.ns_exponent);
  if (opt.sample > 0) shared.keep = KeepProbabilities(vocab.counts, opt.sample);
  if (opt.hs) shared.huffman = BuildHuffman(vocab.counts);

  const std::uint64_t size = FileSize(opt.path);
  const std::uint32_t threads = opt.threads;
  auto range_begin = [&](std::uint32_t t) { return size * t / threads; };
  std::vector<Worker> workers;
  workers.reserve(threads);
  for (std::uint32_t t = 0; t < threads; t++) workers.emplace_back(shared, t);

  TrainState state;
  if (resume != nullptr) {
    state = *resume;
  } else {
    state.threads.resize(threads);
    for (std::uint32_t t = 0; t < threads; t++) {
      state.threads[t].offset = range_begin(t);
      Rng(opt.seed + 1 + t).get_state(state.threads[t].rng);
    }
  }
  auto words_in_epoch = [&] {
    std::uint64_t words = 0;
    for (const ThreadState& t : state.threads) words += t.words;
    return words;
  };
  const std::uint64_t words_at_start = state.words_before + words_in_epoch();

  const double start_progress = std::min(1.0, static_cast<double>(words_at_start) / shared.total_words);

  TrainResult result;
  const auto start = Clock::now();
  TrainProgress last{start_progress,
                     std::min(state.epoch, opt.epochs), 0, 0, opt.alpha, 0, words_at_start};
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
    p.progress = std::min(1.0, static_cast<double>(p.words) / shared.total_words);
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
    for (std::uint32_t t = 0; t < threads; t++) {
      if (state.threads[t].finished) continue;
      running++;
      pool.emplace_back([&, t] {
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
      });
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
    for (std::thread& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
    last = snapshot(counters);
    result.loss = last.loss;
    if (diverged.load()) {
      throw std::runtime_error("word2vec: training diverged (a non-finite score) in epoch " + std::to_string(state.epoch) +
                               " after " + std::to_string(last.words) + " words; lower alpha");
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
