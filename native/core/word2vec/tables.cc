#include "tables.h"

#include <cmath>

namespace fastnn::word2vec {

std::vector<std::int32_t> NoiseTable(const std::vector<std::uint64_t>& counts, double exponent) {
  const std::size_t v = counts.size();
  std::vector<std::int32_t> table(kNoiseTableSize, 0);
  if (v == 0) return table;
  std::vector<double> weight(v);
  double total = 0;
  for (std::size_t i = 0; i < v; i++) {
    // pow is not correctly rounded and libm differs from V8 in the last bit;
    // rounding to float hides that (a flip would need ~2^-29 bad luck).
    weight[i] = static_cast<float>(std::pow(static_cast<double>(counts[i]), exponent));
    total += weight[i];
  }
  std::size_t word = 0;
  double edge = weight[0] / total;  // cumulative share up to and including `word`
  for (std::uint32_t a = 0; a < kNoiseTableSize; a++) {
    table[a] = static_cast<std::int32_t>(word);
    if (static_cast<double>(a) / kNoiseTableSize > edge && word + 1 < v) {
      word++;
      edge += weight[word] / total;
    }
  }
  return table;
}

std::vector<double> KeepProbabilities(const std::vector<std::uint64_t>& counts, double sample) {
  double total = 0;
  for (std::uint64_t c : counts) total += static_cast<double>(c);
  const double threshold = sample * total;
  std::vector<double> keep(counts.size());
  for (std::size_t i = 0; i < counts.size(); i++) {
    const double c = static_cast<double>(counts[i]);
    keep[i] = (std::sqrt(c / threshold) + 1) * threshold / c;
  }
  return keep;
}

SigmoidTable BuildSigmoidTable() {
  SigmoidTable t;
  for (int i = 0; i < kSigmoidSize; i++) {
    const double x = (static_cast<double>(i) / kSigmoidSize * 2 - 1) * kMaxExp;
    const double e = std::exp(x);
    t.sigmoid.push_back(static_cast<float>(e / (e + 1)));
    t.loss_true.push_back(std::log1p(1 / e));
    t.loss_false.push_back(std::log1p(e));
  }
  return t;
}

HuffmanCodes BuildHuffman(const std::vector<std::uint64_t>& counts) {
  const std::size_t v = counts.size();
  HuffmanCodes h;
  h.offsets.assign(v + 1, 0);
  if (v < 2) return h;  // one word: nothing to decide, empty path
  // Nodes 0..v−1 are the words (counts non-increasing), v..2v−2 the merges,
  // created in non-decreasing count order; two cursors walk both lists
  // towards the smallest remaining node.
  std::vector<std::uint64_t> count(2 * v - 1, UINT64_MAX);
  std::vector<std::size_t> parent(2 * v - 1, 0);
  std::vector<std::uint8_t> branch(2 * v - 1, 0);
  for (std::size_t i = 0; i < v; i++) count[i] = counts[i];
  std::ptrdiff_t leaf = static_cast<std::ptrdiff_t>(v) - 1;
  std::size_t merged = v;
  auto take_smallest = [&]() {
    if (leaf >= 0 && count[static_cast<std::size_t>(leaf)] < count[merged]) {
      return static_cast<std::size_t>(leaf--);
    }
    return merged++;
  };
  for (std::size_t a = 0; a + 1 < v; a++) {
    const std::size_t first = take_smallest();
    const std::size_t second = take_smallest();
    count[v + a] = count[first] + count[second];
    parent[first] = v + a;
    parent[second] = v + a;
    branch[second] = 1;
  }
  const std::size_t root = 2 * v - 2;
  std::vector<std::int32_t> points;
  std::vector<std::uint8_t> codes;
  for (std::size_t w = 0; w < v; w++) {
    points.clear();
    codes.clear();
    // Walk leaf to root, then store root first.
    for (std::size_t node = w; node != root; node = parent[node]) {
      codes.push_back(branch[node]);
      points.push_back(static_cast<std::int32_t>(parent[node] - v));
    }
    h.points.insert(h.points.end(), points.rbegin(), points.rend());
    h.codes.insert(h.codes.end(), codes.rbegin(), codes.rend());
    h.offsets[w + 1] = h.points.size();
  }
  return h;
}

}  // namespace fastnn::word2vec
