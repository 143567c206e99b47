// The updates one sentence makes, in either kernel (TrainOptions::batched):
//
// classic: word2vec.c's loop. For each centre word and each context word in
//   its window, the context word's vector predicts the centre: the Huffman
//   path's nodes, then the centre and `negative` noise words drawn for that
//   pair, each output row updated as soon as it is scored (CBOW: the mean of
//   the context predicts the centre once).
// batched (skip-gram with negative sampling only; CBOW and hierarchical
//   softmax always run classic): for each centre word, `negative` noise words
//   are drawn ONCE and shared by all B context words of its window (Ji et al.
//   2016, pWord2Vec). A noise word drawn twice becomes one output row whose
//   gradient counts twice; one equal to the centre is dropped, as in classic.
//   All B×K scores are taken from the rows as they stood before the window,
//   then every row is updated once: a mini-batch of B context rows against K
//   output rows, read from memory once per window instead of B times, with
//   B·negative fewer random draws and noise-table reads.
// In both, a negative-sampling score saturated at |f| ≥ kMaxExp gets
// word2vec.c's limit gradient or, under TrainOptions::skip_saturated,
// gensim's rule: no update (batched: a zero gradient scale).
//
// src/backend/js/word2vec/sentence.ts is the TS twin: same draws in the same
// order, same float32 roundings, so one thread gives the same vectors.
#pragma once

#include <cstdint>
#include <vector>

#include "../rng.h"
#include "tables.h"
#include "trainer.h"

namespace fastnn::word2vec {

// What every thread reads and nobody writes during training.
struct SentenceModel {
  const TrainOptions& opt;
  const Weights& w;
  const std::int32_t* noise;  // kNoiseTableSize slots when opt.negative > 0
  const SigmoidTable& sigmoid;
  const HuffmanCodes& huffman;
};

// One thread's generator, working memory and running loss.
struct SentenceScratch {
  explicit SentenceScratch(std::uint32_t seed) : rng(seed) {}
  Rng rng;
  std::vector<float> neu1, neu1e;      // dim each
  std::vector<std::int32_t> outputs;   // batched: the window's output words (centre first)
  std::vector<float> labels, weights;  // batched: each output's label and multiplicity
  std::vector<float> grads;            // batched: (B, K) gradient scales
  std::vector<float> errors;           // batched: (B, dim) input-row updates
  double loss = 0;
  std::uint64_t terms = 0;
};

// Trains on sentence[0..n) at learning rate lr. Returns false as soon as a
// score is non-finite (divergence), with the rows updated so far kept.
bool TrainSentence(const SentenceModel& m, SentenceScratch& s, const std::int32_t* sentence, std::size_t n, float lr);

}  // namespace fastnn::word2vec
