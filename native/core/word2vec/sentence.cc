#include "sentence.h"

#include <algorithm>
#include <cmath>

#include "vecmath.h"

namespace fastnn::word2vec {

namespace {

inline bool Saturated(float f) { return f >= kMaxExp || f <= -kMaxExp; }

// The gradient scale of one prediction with score f: (label − σ(f))·lr, or
// for a saturated score the limit σ = 0 or 1 (word2vec.c). *loss gets the
// prediction's −log-likelihood (for reporting only).
inline float Gradient(const SentenceModel& m, float f, float label, float lr, double* loss) {
  const auto idx = static_cast<std::size_t>(SigmoidIndex(f));
  *loss = label > 0 ? m.sigmoid.loss_true[idx] : m.sigmoid.loss_false[idx];
  if (Saturated(f)) return (label - (f > 0 ? 1.0f : 0.0f)) * lr;
  return (label - m.sigmoid.sigmoid[idx]) * lr;
}

// One prediction of an output row from the input vector `in`: accumulates
// the input's gradient into neu1e and updates the row. A saturated score
// makes no update and no loss term when skip_saturated: always for
// hierarchical softmax (word2vec.c), for negative sampling under
// opt.skip_saturated (gensim).
inline bool Predict(const SentenceModel& m, SentenceScratch& s, const float* in, float* out, float label, float lr,
                    bool skip_saturated) {
  const std::size_t dim = m.opt.dim;
  const float f = Dot(in, out, dim);
  if (!std::isfinite(f)) return false;
  if (skip_saturated && Saturated(f)) return true;
  double loss;
  const float g = Gradient(m, f, label, lr, &loss);
  s.loss += loss;
  s.terms++;
  GradAndUpdate(s.neu1e.data(), out, in, g, dim);
  return true;
}

// Hierarchical softmax then negative sampling for centre `word` from `in`,
// with fresh noise words.
inline bool PredictWord(const SentenceModel& m, SentenceScratch& s, const float* in, std::int32_t word, float lr) {
  const std::size_t dim = m.opt.dim;
  std::fill(s.neu1e.begin(), s.neu1e.end(), 0.0f);
  if (m.opt.hs) {
    const auto w = static_cast<std::size_t>(word);
    for (std::uint64_t d = m.huffman.offsets[w]; d < m.huffman.offsets[w + 1]; d++) {
      float* out = m.w.syn1 + static_cast<std::size_t>(m.huffman.points[d]) * dim;
      if (!Predict(m, s, in, out, 1.0f - m.huffman.codes[d], lr, true)) return false;
    }
  }
  for (std::uint32_t d = 0; d <= m.opt.negative && m.opt.negative > 0; d++) {
    std::int32_t target = word;
    if (d > 0) {
      target = m.noise[s.rng.below(kNoiseTableSize)];
      if (target == word) continue;
    }
    float* out = m.w.syn1neg + static_cast<std::size_t>(target) * dim;
    if (!Predict(m, s, in, out, d == 0 ? 1.0f : 0.0f, lr, m.opt.skip_saturated)) return false;
  }
  return true;
}

float* Row(float* matrix, std::int32_t word, std::size_t dim) { return matrix + static_cast<std::size_t>(word) * dim; }

// Classic skip-gram: each context word of [lo, hi] \ {i} predicts the centre in turn.
inline bool SkipGramClassic(const SentenceModel& m, SentenceScratch& s, const std::int32_t* sentence, std::size_t lo,
                            std::size_t hi, std::size_t i, float lr) {
  const std::size_t dim = m.opt.dim;
  for (std::size_t c = lo; c <= hi; c++) {
    if (c == i) continue;
    float* in = Row(m.w.syn0, sentence[c], dim);
    if (!PredictWord(m, s, in, sentence[i], lr)) return false;
    Axpy(in, 1.0f, s.neu1e.data(), dim);
  }
  return true;
}

// CBOW: the mean of the context predicts the centre; each context row gets the whole input gradient.
inline bool Cbow(const SentenceModel& m, SentenceScratch& s, const std::int32_t* sentence, std::size_t lo,
                 std::size_t hi, std::size_t i, float lr) {
  const std::size_t dim = m.opt.dim;
  std::fill(s.neu1.begin(), s.neu1.end(), 0.0f);
  std::size_t cw = 0;
  for (std::size_t c = lo; c <= hi; c++) {
    if (c == i) continue;
    Axpy(s.neu1.data(), 1.0f, Row(m.w.syn0, sentence[c], dim), dim);
    cw++;
  }
  if (cw == 0) return true;
  for (float& x : s.neu1) x /= static_cast<float>(cw);
  if (!PredictWord(m, s, s.neu1.data(), sentence[i], lr)) return false;
  for (std::size_t c = lo; c <= hi; c++) {
    if (c != i) Axpy(Row(m.w.syn0, sentence[c], dim), 1.0f, s.neu1e.data(), dim);
  }
  return true;
}

// The window's output words: the centre (label 1), then `negative` noise
// draws, dropping the centre and merging repeats into a weight.
inline void DrawOutputs(const SentenceModel& m, SentenceScratch& s, std::int32_t word) {
  s.outputs.assign(1, word);
  s.labels.assign(1, 1.0f);
  s.weights.assign(1, 1.0f);
  for (std::uint32_t d = 0; d < m.opt.negative; d++) {
    const std::int32_t target = m.noise[s.rng.below(kNoiseTableSize)];
    if (target == word) continue;
    const auto seen = std::find(s.outputs.begin() + 1, s.outputs.end(), target);
    if (seen != s.outputs.end()) {
      s.weights[static_cast<std::size_t>(seen - s.outputs.begin())] += 1.0f;
      continue;
    }
    s.outputs.push_back(target);
    s.labels.push_back(0.0f);
    s.weights.push_back(1.0f);
  }
}

// Batched skip-gram with shared negatives (see sentence.h).
inline bool SkipGramBatched(const SentenceModel& m, SentenceScratch& s, const std::int32_t* sentence, std::size_t lo,
                            std::size_t hi, std::size_t i, float lr) {
  const std::size_t dim = m.opt.dim;
  const std::size_t b = hi - lo;  // context words: the window minus the centre
  if (b == 0) return true;
  DrawOutputs(m, s, sentence[i]);
  const std::size_t k = s.outputs.size();
  s.grads.resize(b * k);
  s.errors.assign(b * dim, 0.0f);
  float* g = s.grads.data();
  // Scores and gradient scales, all from the rows as they stand.
  for (std::size_t c = lo, j = 0; c <= hi; c++) {
    if (c == i) continue;
    const float* in = Row(m.w.syn0, sentence[c], dim);
    for (std::size_t o = 0; o < k; o++) {
      const float f = Dot(in, Row(m.w.syn1neg, s.outputs[o], dim), dim);
      if (!std::isfinite(f)) return false;
      if (m.opt.skip_saturated && Saturated(f)) {
        g[j * k + o] = 0.0f;  // no update, no loss term: as classic's Predict
        continue;
      }
      double loss;
      const float scale = Gradient(m, f, s.labels[o], lr, &loss);
      s.loss += s.weights[o] * loss;
      s.terms += static_cast<std::uint64_t>(s.weights[o]);
      g[j * k + o] = s.weights[o] == 1.0f ? scale : scale * s.weights[o];
    }
    j++;
  }
  // Input errors from the output rows before their update ...
  for (std::size_t j = 0; j < b; j++) {
    for (std::size_t o = 0; o < k; o++)
      Axpy(&s.errors[j * dim], g[j * k + o], Row(m.w.syn1neg, s.outputs[o], dim), dim);
  }
  // ... output rows from the input rows before theirs ...
  for (std::size_t o = 0; o < k; o++) {
    float* out = Row(m.w.syn1neg, s.outputs[o], dim);
    for (std::size_t c = lo, j = 0; c <= hi; c++) {
      if (c == i) continue;
      Axpy(out, g[j * k + o], Row(m.w.syn0, sentence[c], dim), dim);
      j++;
    }
  }
  // ... then the input rows.
  for (std::size_t c = lo, j = 0; c <= hi; c++) {
    if (c == i) continue;
    Axpy(Row(m.w.syn0, sentence[c], dim), 1.0f, &s.errors[j * dim], dim);
    j++;
  }
  return true;
}

}  // namespace

FASTNN_W2V_CLONES bool TrainSentence(const SentenceModel& m, SentenceScratch& s, const std::int32_t* sentence,
                                     std::size_t n, float lr) {
  const std::size_t window = m.opt.window;
  const bool batched = m.opt.batched && m.opt.sg && !m.opt.hs && m.opt.negative > 0;
  for (std::size_t i = 0; i < n; i++) {
    // Dynamic window: the effective radius is uniform in [1, window].
    const std::size_t radius = window - s.rng.below(m.opt.window);
    const std::size_t lo = i > radius ? i - radius : 0;
    const std::size_t hi = std::min(n - 1, i + radius);
    const bool ok = batched    ? SkipGramBatched(m, s, sentence, lo, hi, i, lr)
                    : m.opt.sg ? SkipGramClassic(m, s, sentence, lo, hi, i, lr)
                               : Cbow(m, s, sentence, lo, hi, i, lr);
    if (!ok) return false;
  }
  return true;
}

}  // namespace fastnn::word2vec
