// The word2vec trainer: skip-gram or CBOW, negative sampling and/or
// hierarchical softmax, over a corpus file read by `threads` threads, each
// streaming its own byte range. Updates are lock-free across threads
// (Hogwild, as word2vec.c): rows rarely collide and a lost update is noise.
//
// Determinism: thread t draws from Rng(seed + 1 + t) (stream `seed` itself
// initialises the vectors, InitVectors), and with one thread every random
// draw, float operation and learning-rate step happens in the order
// src/backend/js/word2vec/trainer.ts follows, so both give the same vectors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vocab.h"

namespace fastnn::word2vec {

struct TrainOptions {
  std::string path;
  std::size_t dim = 100;
  std::uint32_t window = 5;
  std::uint32_t negative = 5;  // 0 = no negative sampling (then hs must be on)
  double ns_exponent = 0.75;
  double sample = 1e-3;  // 0 = no subsampling
  double alpha = 0.025;
  double min_alpha = 0.0000025;
  std::uint32_t epochs = 5;
  std::uint32_t threads = 1;
  std::uint32_t seed = 1;
  bool sg = true;   // skip-gram; false = CBOW (mean of the context)
  bool hs = false;  // hierarchical softmax
  // Skip-gram with negative sampling: the batched shared-negative kernel
  // instead of word2vec.c's (sentence.h); other combinations ignore it.
  bool batched = false;
  // Negative sampling, a score with |f| ≥ kMaxExp: false = word2vec.c's
  // limit gradient (label − 0 or 1)·lr, true = no update (gensim's rule).
  // Hierarchical softmax always skips saturated nodes (both tools do).
  bool skip_saturated = false;
  bool lowercase = false;
  // A multi-process run (src/word2vec/rank-sync.ts): this process is `rank`
  // of `ranks`. It reads part `rank` of the corpus cut into `ranks` byte
  // ranges (corpus_reader.h RankBegin: at line starts where it can), which
  // its threads cut again (so ranks may run different thread counts);
  // thread t draws from Rng(seed + 1 + rank·kRankSeedStride + t).
  // The learning rate and progress count its words times `ranks`, its
  // estimate of the words all ranks have read (each reads about as many).
  std::uint32_t rank = 0, ranks = 1;
};

// Generator streams set aside per rank: more than any rank's threads.
constexpr std::uint32_t kRankSeedStride = 1024;

// Borrowed (V, dim) row-major arrays: syn0 the word vectors, syn1neg the
// negative-sampling output vectors (null when negative = 0), syn1 the
// Huffman inner-node vectors (null when hs is off).
struct Weights {
  float* syn0;
  float* syn1neg;
  float* syn1;
};

struct TrainProgress {
  double progress;      // words done / (epochs · words in the vocabulary's counts), ≤ 1
  std::uint32_t epoch;  // 1-based
  double loss;          // mean −log-likelihood per prediction in the current epoch
  double words_per_sec;
  double lr;
  double eta_seconds;
  std::uint64_t words;  // in-vocabulary tokens read so far (before subsampling)
};

class TrainHooks {
 public:
  virtual ~TrainHooks() = default;
  virtual bool Cancelled() const = 0;
  // Called from the training's own thread (never a worker) about every
  // 200 ms, at the end of every epoch, and once at the end.
  virtual void Report(const TrainProgress& p) = 0;
};

// Where one training thread stands within the current epoch, taken at a
// sentence boundary: restoring it replays the rest of the epoch exactly.
struct ThreadState {
  std::uint64_t offset = 0;  // where its reader continues (its byte range's start at an epoch's start)
  std::uint64_t words = 0;   // in-vocabulary tokens it read this epoch
  double loss = 0;           // its summed loss this epoch
  std::uint64_t terms = 0;   // predictions behind `loss`
  bool finished = false;     // its byte range is done for this epoch
  std::uint32_t rng[4] = {};
};

// A run's resumable state (a checkpoint without the weights). Thread t reads
// bytes [size·t/threads, size·(t+1)/threads) of the corpus (of its rank's
// part, with ranks), so a state only resumes with the thread and rank counts
// that wrote it, on the same corpus.
struct TrainState {
  std::uint32_t epoch = 1;         // the epoch in progress; epochs + 1 once training is complete
  std::uint64_t words_before = 0;  // tokens read in the epochs before it
  std::vector<ThreadState> threads;
};

struct TrainResult {
  std::uint64_t words = 0;
  std::uint32_t epochs_completed = 0;
  bool cancelled = false;
  double loss = 0;                   // mean loss of the last (possibly partial) epoch
  std::vector<double> epoch_losses;  // mean loss of each epoch this call completed, in order
  TrainState state;                  // where a resumed run would continue
};

// Sentences longer than this many kept words are cut into pieces (gensim's
// 10000-word batches): a corpus with no line breaks still streams.
constexpr std::size_t kMaxSentence = 10000;

// syn0 (V, dim) = (u − 0.5)/dim for u drawn from Rng(seed), row-major.
void InitVectors(float* syn0, std::size_t rows, std::size_t cols, std::uint32_t seed);

// Trains in place, from the start (first initialising syn0 with InitVectors
// from options.seed) or (resume non-null, with options.threads entries) from
// a state an earlier, cancelled run returned; a cancelled run
// stops each thread at its next sentence boundary. Throws std::runtime_error
// when the corpus cannot be read or a score becomes non-finite (divergence;
// the message names the epoch).
TrainResult Train(const TrainOptions& options, const Vocab& vocab, const Weights& weights, TrainHooks& hooks,
                  const TrainState* resume = nullptr);

}  // namespace fastnn::word2vec
