#include "vocab.h"

#include <algorithm>

#include "corpus_reader.h"

namespace fastnn::word2vec {

std::uint64_t PruneThreshold(std::uint64_t max_final_vocab) {
  if (max_final_vocab == 0) return 30000000;
  return std::max<std::uint64_t>(4 * max_final_vocab, 100000);
}

namespace {

// Drops the words counted at most `floor` times (word2vec.c's ReduceVocab).
void Prune(WordTable& table, std::uint64_t floor) {
  WordTable kept;
  for (std::size_t i = 0; i < table.Size(); i++) {
    const std::string_view word = table.Word(i);
    if (table.Count(i) > floor) kept.Add(word, WordTable::Hash(word), table.Count(i));
  }
  table = std::move(kept);
}

}  // namespace

Vocab BuildVocab(const VocabOptions& options, const std::function<bool(std::uint64_t)>& tick) {
  const std::uint64_t size = options.parts > 1 ? FileSize(options.path) : 0;
  // A rank counts the part it trains on (trainer.cc).
  CorpusReader reader(options.path, options.parts > 1 ? RankBegin(options.path, size, options.part, options.parts) : 0,
                      options.parts > 1 ? RankBegin(options.path, size, options.part + 1, options.parts) : UINT64_MAX,
                      options.lowercase);
  WordTable table;
  const std::uint64_t threshold = PruneThreshold(options.max_final_vocab);
  std::uint64_t floor = 1;
  std::uint64_t tokens = 0;
  // Tokens go through in batches, in passes some time apart: hash every
  // token and prefetch its slot; prefetch the record that slot points to;
  // count them in order. The cache misses of a batch overlap instead of
  // following one another.
  constexpr std::size_t kBatch = 64;
  std::string_view batch[kBatch];
  std::uint64_t hashes[kBatch];
  for (std::size_t n; (n = reader.NextTokens(batch, kBatch)) > 0;) {
    for (std::size_t j = 0; j < n; j++) {
      hashes[j] = WordTable::Hash(batch[j]);
      table.PrefetchSlot(hashes[j]);
    }
    for (std::size_t j = 0; j < n; j++) table.PrefetchRecord(hashes[j]);
    for (std::size_t j = 0; j < n; j++) {
      table.Add(batch[j], hashes[j]);
      if (table.Size() > threshold) Prune(table, floor++);
      if (++tokens % 65536 == 0 && !tick(reader.Offset()))
        return FinalizeVocab(table, options.min_count, options.max_final_vocab);
    }
  }
  return FinalizeVocab(table, options.min_count, options.max_final_vocab);
}

Vocab FinalizeVocab(const WordTable& table, std::uint64_t min_count, std::uint64_t max_final_vocab) {
  std::vector<std::uint32_t> order;
  for (std::size_t i = 0; i < table.Size(); i++) {
    if (table.Count(i) >= min_count) order.push_back(static_cast<std::uint32_t>(i));
  }
  // Most frequent first; equal counts by bytes (string_view compares as memcmp
  // of unsigned chars via char_traits<char>::compare).
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (table.Count(a) != table.Count(b)) return table.Count(a) > table.Count(b);
    return table.Word(a) < table.Word(b);
  });
  if (max_final_vocab > 0 && order.size() > max_final_vocab) order.resize(max_final_vocab);
  Vocab vocab;
  for (std::uint32_t i : order) {
    const std::string_view word = table.Word(i);
    vocab.words.Add(word, WordTable::Hash(word), table.Count(i));
    vocab.counts.push_back(table.Count(i));
  }
  return vocab;
}

}  // namespace fastnn::word2vec
