// Vocabulary: one streaming pass over the corpus counts every token, then
// the words seen at least minCount times are kept, most frequent first, ties
// broken by their bytes (memcmp order), at most maxFinalVocab of them.
// src/backend/js/word2vec/vocab.ts builds the same list in the same order.
//
// Pruning (as word2vec.c's ReduceVocab): when the count table holds more than
// PruneThreshold(maxFinalVocab) distinct words, every word counted at most
// `floor` times is dropped and floor grows by one (starting at 1). Memory is
// then bounded on any corpus; counts of pruned-then-seen-again words restart,
// so on a corpus that triggers pruning rare counts are approximate.
#pragma once

#include <functional>
#include <cstdint>
#include <string>
#include <vector>

#include "word_table.h"

namespace fastnn::word2vec {

struct VocabOptions {
  std::string path;
  std::uint64_t min_count = 5;
  std::uint64_t max_final_vocab = 0;  // 0 = unlimited
  bool lowercase = false;
  // Counts only the tokens starting in bytes [RankBegin(part), RankBegin(part + 1))
  // of the file (corpus_reader.h; CorpusReader's rule): one shard of a multi-process run.
  std::uint32_t part = 0, parts = 1;
};

struct Vocab {
  WordTable words;                    // index = rank
  std::vector<std::uint64_t> counts;  // by rank, non-increasing
};

// Distinct words the counting table may hold before a pruning round:
// 4·maxFinalVocab (at least 100000), or 30 million without a cap.
std::uint64_t PruneThreshold(std::uint64_t max_final_vocab);

// Scans the file. Every 64Ki tokens, `tick` receives the bytes read so far
// and returns false to stop the scan early (cancellation): the result is then
// what was counted up to there.
Vocab BuildVocab(const VocabOptions& options, const std::function<bool(std::uint64_t)>& tick);

// The sort-and-cut step: the words of `table` counted at least min_count times.
Vocab FinalizeVocab(const WordTable& table, std::uint64_t min_count, std::uint64_t max_final_vocab);

}  // namespace fastnn::word2vec
