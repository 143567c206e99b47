// An open-addressing hash table from word bytes to a dense index (the order
// of insertion), storing every word once in one byte arena. Used to count
// words (vocabulary pass) and to look tokens up during training, where it is
// read by all threads.
//
// Layout, chosen for lookups that miss the cache (vocabularies of 10⁵-10⁷
// words): a slot holds 32 bits of the word's hash beside its index, so a
// probe touches the arena only when those bits match; the word's place in
// the arena is in `entries_`, by index. Callers that look many tokens up can
// hash them first and Prefetch() their slots, overlapping the misses.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace fastnn::word2vec {

class WordTable {
 public:
  // The hash every method takes: 64 bits, reading each byte once.
  static std::uint64_t Hash(std::string_view word);

  // Index of `word`, or -1. `hash` must be Hash(word).
  std::int32_t Find(std::string_view word, std::uint64_t hash) const;
  std::int32_t Find(std::string_view word) const { return Find(word, Hash(word)); }
  // Index of `word`, appending it when absent. `hash` must be Hash(word).
  std::int32_t Insert(std::string_view word, std::uint64_t hash);
  std::int32_t Insert(std::string_view word) { return Insert(word, Hash(word)); }

  // Asks the CPU to fetch the slot where a lookup of `hash` starts.
  void Prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  // Index of the word in the slot where a lookup of `hash` starts when its
  // hash bits match there, else -1: a guess for prefetching the word's own
  // data (entries, counts); Find() decides.
  std::int32_t Guess(std::uint64_t hash) const {
    if (slots_.empty()) return -1;
    const Slot& slot = slots_[hash & (slots_.size() - 1)];
    return slot.tag == Tag(hash) ? slot.index : -1;
  }
  void PrefetchWord(std::int32_t index) const { __builtin_prefetch(&entries_[static_cast<std::size_t>(index)]); }

  std::size_t Size() const { return entries_.size(); }
  std::string_view Word(std::size_t i) const {
    return std::string_view(arena_.data() + entries_[i].start, entries_[i].length);
  }
  // Reserves room for `words` words of `bytes` bytes in all, so that many
  // insertions neither grow nor rehash.
  void Reserve(std::size_t words, std::size_t bytes);

 private:
  struct Slot {
    std::uint32_t tag;    // high 32 bits of the hash
    std::int32_t index;   // -1 = empty
  };
  struct Entry {
    std::uint64_t start;  // in arena_
    std::uint32_t length;
  };
  static std::uint32_t Tag(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }
  std::size_t FreeSlot(std::uint64_t hash) const;  // first empty slot from hash's start
  void Rehash(std::size_t slot_count);

  std::vector<char> arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;  // size a power of two, at most half full
};

}  // namespace fastnn::word2vec
