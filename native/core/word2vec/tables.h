// The lookup tables the trainer samples and scores with. Each is built with
// float64 maths whose every step is correctly rounded (+ − × ÷ sqrt) or
// rounded to float32 right after (pow, exp), so src/backend/js/word2vec/tables.ts builds
// the same tables bit for bit.
#pragma once

#include <cstdint>
#include <vector>

namespace fastnn::word2vec {

// Noise distribution for negative sampling: slot i holds a word index, each
// word owning a share of slots proportional to count^exponent. 10 million
// slots (fastText's size) resolve probabilities down to 1e-7, far below what
// changes training, in 40 MB; word2vec.c's 1e8 slots cost 400 MB and a
// second of set-up for no measurable gain.
constexpr std::uint32_t kNoiseTableSize = 10000000;
std::vector<std::int32_t> NoiseTable(const std::vector<std::uint64_t>& counts, double exponent);

// Probability of keeping each occurrence of a word when subsampling with
// threshold `sample` (word2vec.c's formula; ≥ 1 means always kept):
// (sqrt(c / (sample·N)) + 1) · sample·N / c, N = total count.
std::vector<double> KeepProbabilities(const std::vector<std::uint64_t>& counts, double sample);

// σ(x) on a grid of kSigmoidSize points over [−kMaxExp, kMaxExp), as
// word2vec.c tabulates it; scores outside are handled by the trainer.
constexpr int kSigmoidSize = 1000;
constexpr float kMaxExp = 6;
struct SigmoidTable {
  std::vector<float> sigmoid;      // σ(x_i), rounded to float
  std::vector<double> loss_true;   // −log σ(x_i), for reporting only
  std::vector<double> loss_false;  // −log(1 − σ(x_i))
};
SigmoidTable BuildSigmoidTable();

// Grid index of a score f in (−kMaxExp, kMaxExp), computed in float exactly
// as the TS twin does; clamped so f just below kMaxExp cannot round to 1000.
inline int SigmoidIndex(float f) {
  const int i = static_cast<int>((f + kMaxExp) * (static_cast<float>(kSigmoidSize) / (2 * kMaxExp)));
  return i < 0 ? 0 : (i >= kSigmoidSize ? kSigmoidSize - 1 : i);
}

// Hierarchical softmax: the Huffman tree over the counts (sorted
// non-increasing), built as word2vec.c builds it. Word w's path is
// points[offsets[w] .. offsets[w+1]) (inner nodes, root first, in 0..V−2) with
// the branch taken at each in codes[...]: the label there is 1 − code.
struct HuffmanCodes {
  std::vector<std::uint64_t> offsets;
  std::vector<std::int32_t> points;
  std::vector<std::uint8_t> codes;
};
HuffmanCodes BuildHuffman(const std::vector<std::uint64_t>& counts);

}  // namespace fastnn::word2vec
