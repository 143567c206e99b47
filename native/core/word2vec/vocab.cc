#include "vocab.h"

#include <algorithm>
#include <numeric>

#include "corpus_reader.h"

namespace fastnn::word2vec {

std::uint64_t PruneThreshold(std::uint64_t max_final_vocab) {
  if (max_final_vocab == 0) return 30000000;
  return std::max<std::uint64_t>(4 * max_final_vocab, 100000);
}

namespace {

// Drops the words counted at most `floor` times (word2vec.c's ReduceVocab).
void Prune(WordTable& table, std::vector<std::uint64_t>& counts, std::uint64_t floor) {
  WordTable kept;
  std::vector<std::uint64_t> kept_counts;
  for (std::size_t i = 0; i < table.Size(); i++) {
    if (counts[i] > floor) {
      kept.Insert(table.Word(i));
      kept_counts.push_back(counts[i]);
    }
  }
  table = std::move(kept);
  counts = std::move(kept_counts);
}

}  // namespace

Vocab BuildVocab(const VocabOptions& options, const std::function<bool(std::uint64_t)>& tick) {
  CorpusReader reader(options.path, 0, UINT64_MAX, options.lowercase);
  WordTable table;
  std::vector<std::uint64_t> counts;
  const std::uint64_t threshold = PruneThreshold(options.max_final_vocab);
  std::uint64_t floor = 1;
  std::uint64_t tokens = 0;
  // Tokens go through in batches: all are hashed and their slots prefetched,
  // then their words' entries and counts, then they are counted in order, so
  // the cache misses of a batch overlap instead of following one another.
  constexpr std::size_t kBatch = 32;
  std::string_view batch[kBatch];
  std::uint64_t hashes[kBatch];
  for (std::size_t n; (n = reader.NextTokens(batch, kBatch)) > 0;) {
    for (std::size_t j = 0; j < n; j++) {
      hashes[j] = WordTable::Hash(batch[j]);
      table.Prefetch(hashes[j]);
    }
    for (std::size_t j = 0; j < n; j++) {
      const std::int32_t guess = table.Guess(hashes[j]);
      if (guess >= 0) {
        table.PrefetchWord(guess);
        __builtin_prefetch(&counts[static_cast<std::size_t>(guess)], 1);
      }
    }
    for (std::size_t j = 0; j < n; j++) {
      const auto i = static_cast<std::size_t>(table.Insert(batch[j], hashes[j]));
      if (i == counts.size()) counts.push_back(0);
      counts[i]++;
      if (table.Size() > threshold) Prune(table, counts, floor++);
      if (++tokens % 65536 == 0 && !tick(reader.Offset())) {
        return FinalizeVocab(table, counts, options.min_count, options.max_final_vocab);
      }
    }
  }
  return FinalizeVocab(table, counts, options.min_count, options.max_final_vocab);
}

Vocab FinalizeVocab(const WordTable& table, const std::vector<std::uint64_t>& counts, std::uint64_t min_count,
                    std::uint64_t max_final_vocab) {
  std::vector<std::uint32_t> order;
  for (std::size_t i = 0; i < table.Size(); i++) {
    if (counts[i] >= min_count) order.push_back(static_cast<std::uint32_t>(i));
  }
  // Most frequent first; equal counts by bytes (string_view compares as memcmp
  // of unsigned chars via char_traits<char>::compare).
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (counts[a] != counts[b]) return counts[a] > counts[b];
    return table.Word(a) < table.Word(b);
  });
  if (max_final_vocab > 0 && order.size() > max_final_vocab) order.resize(max_final_vocab);
  Vocab vocab;
  for (std::uint32_t i : order) {
    vocab.words.Insert(table.Word(i));
    vocab.counts.push_back(counts[i]);
  }
  return vocab;
}

}  // namespace fastnn::word2vec
