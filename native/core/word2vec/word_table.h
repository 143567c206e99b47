// An open-addressing hash table from word bytes to a dense index, storing
// every word once in one byte string. Used to count words (vocabulary scan)
// and to look tokens up during training, where it is read by all threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fastnn::word2vec {

class WordTable {
 public:
  // Index of `word`, or -1.
  std::int32_t Find(std::string_view word) const;
  // Index of `word`, appending it when absent.
  std::int32_t Insert(std::string_view word);
  std::size_t Size() const { return starts_.size(); }
  std::string_view Word(std::size_t i) const {
    return std::string_view(bytes_.data() + starts_[i], lengths_[i]);
  }

 private:
  static std::uint64_t Hash(std::string_view word);
  void Grow();

  std::string bytes_;
  std::vector<std::uint64_t> starts_;
  std::vector<std::uint32_t> lengths_;
  std::vector<std::int32_t> slots_;  // -1 = empty; size a power of two, at most half full
};

}  // namespace fastnn::word2vec
