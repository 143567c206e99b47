// An open-addressing hash table from word bytes to a dense index (the order
// of insertion) and a count. Used to count words (vocabulary pass) and to
// look tokens up during training, where it is read by all threads.
//
// Layout, chosen for lookups that miss the cache (vocabularies of 10⁵-10⁷
// words, most of them rare): a slot holds 32 bits of the word's hash and
// where its record is; a record holds the word's count, index, length and
// bytes, one after the other in one arena. A lookup touches the slot, then
// (only when the hash bits match) one record: two cache lines. Callers that
// look many tokens up hash them first and prefetch slots, then records, so
// that the misses of many tokens overlap.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "../prefetch.h"

namespace fastnn::word2vec {

class WordTable {
 public:
  WordTable();

  // The hash every method takes: 64 bits, reading each byte once.
  static std::uint64_t Hash(std::string_view word);

  // Index of `word`, or -1. `hash` must be Hash(word).
  std::int32_t Find(std::string_view word, std::uint64_t hash) const;
  std::int32_t Find(std::string_view word) const { return Find(word, Hash(word)); }
  // Adds `count` to the count of `word` (0 when new), appending it when
  // absent; returns its index. `hash` must be Hash(word).
  std::int32_t Add(std::string_view word, std::uint64_t hash, std::uint64_t count = 1);
  // Index of `word`, appending it (count 0) when absent.
  std::int32_t Insert(std::string_view word) { return Add(word, Hash(word), 0); }

  // Asks the CPU to fetch the slot where a lookup of `hash` starts.
  void PrefetchSlot(std::uint64_t hash) const { prefetch_line(slots_.data() + (hash & (slots_.size() - 1))); }
  // Then, some time later, the record that slot points to, when its hash
  // bits match (the likely word; Find decides).
  void PrefetchRecord(std::uint64_t hash) const {
    const Slot& slot = slots_[hash & (slots_.size() - 1)];
    if (slot.tag == Tag(hash) && slot.record != kEmpty) prefetch_line(arena_.data() + slot.record);
  }

  std::size_t Size() const { return records_.size(); }
  std::string_view Word(std::size_t i) const { return WordOf(RecordAt(records_[i])); }
  std::uint64_t Count(std::size_t i) const { return RecordAt(records_[i])->count; }

 private:
  // Followed in the arena by `length` bytes of the word, then padding to 8.
  struct Record {
    std::uint64_t count;
    std::int32_t index;
    std::uint32_t length;
  };
  struct Slot {
    std::uint32_t tag;     // high 32 bits of the hash
    std::uint32_t record;  // arena offset / 8, kEmpty for a free slot
  };
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  static std::uint32_t Tag(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }
  const Record* RecordAt(std::uint32_t at) const { return reinterpret_cast<const Record*>(arena_.data() + at); }
  Record* RecordAt(std::uint32_t at) { return reinterpret_cast<Record*>(arena_.data() + at); }
  static std::string_view WordOf(const Record* r) {
    return std::string_view(reinterpret_cast<const char*>(r + 1), r->length);
  }
  // The record of `word` (nullptr if absent), or the free slot where it would go.
  Record* Lookup(std::string_view word, std::uint64_t hash, std::size_t* free_slot) const;
  std::uint32_t Append(std::string_view word);  // a new record, count 0
  void Rehash(std::size_t slot_count);

  std::vector<std::uint64_t> arena_;    // records, 8-byte aligned
  std::vector<std::uint32_t> records_;  // by index: arena offset / 8
  std::vector<Slot> slots_;             // size a power of two (never 0), at most 3/4 full
};

}  // namespace fastnn::word2vec
