#include "word_table.h"

#include <cstring>
#include <stdexcept>

namespace fastnn::word2vec {

namespace {

std::uint64_t Load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

std::uint64_t Load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The last 1-8 bytes of a word as one integer: every byte is covered (two
// overlapping 4-byte loads from 4 bytes up), so words of one length differ
// here whenever they differ there.
std::uint64_t Tail(const char* p, std::size_t n) {
  if (n >= 4) return Load32(p) | (Load32(p + n - 4) << 32);
  if (n > 0) {
    return static_cast<unsigned char>(p[0]) | (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
           (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
  }
  return 0;
}

// Small, so that even tiny tables (tests, fuzzing) grow a few times.
constexpr std::size_t kFirstSlots = 16;

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;

std::uint64_t Round(std::uint64_t h, std::uint64_t v) {
  h = (h ^ v) * kMul;
  return h ^ (h >> 32);
}

bool SameBytes(const char* a, const char* b, std::size_t n) {
  if (n > 8) return std::memcmp(a, b, n) == 0;
  return Tail(a, n) == Tail(b, n);
}

}  // namespace

#ifndef FASTNN_WORD_HASH_MASK
// scripts/fuzz.sh narrows the hash to a few bits, so that distinct words
// collide all the time and the byte comparisons behind the tags are tested.
#define FASTNN_WORD_HASH_MASK (~0ull)
#endif

std::uint64_t WordTable::Hash(std::string_view word) {
  // Eight bytes per multiply (most words take one or two rounds), then
  // MurmurHash3's finaliser so that the low bits (the slot) and the high
  // bits (the tag) both depend on every input bit.
  const char* p = word.data();
  std::size_t n = word.size();
  std::uint64_t h = Round(0x243F6A8885A308D3ull, n);
  for (; n > 8; p += 8, n -= 8) h = Round(h, Load64(p));
  h = Round(h, Tail(p, n));
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h & FASTNN_WORD_HASH_MASK;
}

WordTable::WordTable() : slots_(kFirstSlots, Slot{0, kEmpty}) {}

WordTable::Record* WordTable::Lookup(std::string_view word, std::uint64_t hash, std::size_t* free_slot) const {
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = Tag(hash);
  for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
    const Slot slot = slots_[s];
    if (slot.record == kEmpty) {
      *free_slot = s;
      return nullptr;
    }
    if (slot.tag != tag) continue;
    // Const only for this table's callers: Add() writes the count.
    auto* r = const_cast<Record*>(RecordAt(slot.record));
    if (r->length == word.size() && SameBytes(WordOf(r).data(), word.data(), word.size())) return r;
  }
}

std::int32_t WordTable::Find(std::string_view word, std::uint64_t hash) const {
  std::size_t free_slot;
  const Record* r = Lookup(word, hash, &free_slot);
  return r != nullptr ? r->index : -1;
}

std::int32_t WordTable::Add(std::string_view word, std::uint64_t hash, std::uint64_t count) {
  std::size_t free_slot;
  Record* r = Lookup(word, hash, &free_slot);
  if (r == nullptr) {
    if (4 * (Size() + 1) > 3 * slots_.size()) {
      Rehash(2 * slots_.size());
      Lookup(word, hash, &free_slot);
    }
    const std::uint32_t at = Append(word);
    slots_[free_slot] = {Tag(hash), at};
    r = RecordAt(at);
  }
  r->count += count;
  return r->index;
}

std::uint32_t WordTable::Append(std::string_view word) {
  constexpr std::size_t kUnit = sizeof(std::uint64_t);
  const std::size_t at = arena_.size();
  const std::size_t units = sizeof(Record) / kUnit + (word.size() + kUnit - 1) / kUnit;
  if (at + units >= kEmpty) throw std::length_error("word2vec: the vocabulary's words exceed 32 GiB");
  arena_.resize(at + units);
  Record* r = RecordAt(static_cast<std::uint32_t>(at));
  *r = Record{0, static_cast<std::int32_t>(Size()), static_cast<std::uint32_t>(word.size())};
  std::memcpy(r + 1, word.data(), word.size());
  records_.push_back(static_cast<std::uint32_t>(at));
  return static_cast<std::uint32_t>(at);
}

void WordTable::Rehash(std::size_t slot_count) {
  slots_.assign(slot_count, Slot{0, kEmpty});
  const std::size_t mask = slot_count - 1;
  for (std::uint32_t at : records_) {
    const std::uint64_t hash = Hash(WordOf(RecordAt(at)));
    std::size_t s = hash & mask;
    while (slots_[s].record != kEmpty) s = (s + 1) & mask;
    slots_[s] = {Tag(hash), at};
  }
}

}  // namespace fastnn::word2vec
