#include "word_table.h"

namespace fastnn::word2vec {

std::uint64_t WordTable::Hash(std::string_view word) {
  // FNV-1a: short keys, one pass, good enough spread for linear probing.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : word) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::int32_t WordTable::Find(std::string_view word) const {
  if (slots_.empty()) return -1;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t s = Hash(word) & mask;; s = (s + 1) & mask) {
    const std::int32_t i = slots_[s];
    if (i < 0) return -1;
    if (Word(static_cast<std::size_t>(i)) == word) return i;
  }
}

std::int32_t WordTable::Insert(std::string_view word) {
  const std::int32_t found = Find(word);
  if (found >= 0) return found;
  if (2 * (Size() + 1) > slots_.size()) Grow();
  const auto index = static_cast<std::int32_t>(Size());
  starts_.push_back(bytes_.size());
  lengths_.push_back(static_cast<std::uint32_t>(word.size()));
  bytes_.append(word);
  const std::size_t mask = slots_.size() - 1;
  std::size_t s = Hash(word) & mask;
  while (slots_[s] >= 0) s = (s + 1) & mask;
  slots_[s] = index;
  return index;
}

void WordTable::Grow() {
  slots_.assign(slots_.empty() ? 1024 : 2 * slots_.size(), -1);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = 0; i < Size(); i++) {
    std::size_t s = Hash(Word(i)) & mask;
    while (slots_[s] >= 0) s = (s + 1) & mask;
    slots_[s] = static_cast<std::int32_t>(i);
  }
}

}  // namespace fastnn::word2vec
