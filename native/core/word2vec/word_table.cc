#include "word_table.h"

#include <cstring>

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

std::int32_t WordTable::Find(std::string_view word, std::uint64_t hash) const {
  if (slots_.empty()) return -1;
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = Tag(hash);
  for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
    const Slot slot = slots_[s];
    if (slot.index < 0) return -1;
    if (slot.tag != tag) continue;
    const Entry& e = entries_[static_cast<std::size_t>(slot.index)];
    if (e.length == word.size() && SameBytes(arena_.data() + e.start, word.data(), word.size())) return slot.index;
  }
}

std::size_t WordTable::FreeSlot(std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t s = hash & mask;
  while (slots_[s].index >= 0) s = (s + 1) & mask;
  return s;
}

std::int32_t WordTable::Insert(std::string_view word, std::uint64_t hash) {
  const std::int32_t found = Find(word, hash);
  if (found >= 0) return found;
  if (2 * (Size() + 1) > slots_.size()) Rehash(slots_.empty() ? kFirstSlots : 2 * slots_.size());
  const auto index = static_cast<std::int32_t>(Size());
  entries_.push_back({arena_.size(), static_cast<std::uint32_t>(word.size())});
  arena_.insert(arena_.end(), word.begin(), word.end());
  slots_[FreeSlot(hash)] = {Tag(hash), index};
  return index;
}

void WordTable::Reserve(std::size_t words, std::size_t bytes) {
  entries_.reserve(words);
  arena_.reserve(bytes);
  std::size_t slot_count = slots_.empty() ? kFirstSlots : slots_.size();
  while (2 * words > slot_count) slot_count *= 2;
  if (slot_count != slots_.size()) Rehash(slot_count);
}

void WordTable::Rehash(std::size_t slot_count) {
  slots_.assign(slot_count, Slot{0, -1});
  for (std::size_t i = 0; i < Size(); i++) {
    const std::uint64_t hash = Hash(Word(i));
    slots_[FreeSlot(hash)] = {Tag(hash), static_cast<std::int32_t>(i)};
  }
}

}  // namespace fastnn::word2vec
