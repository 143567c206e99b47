// Streams tokens out of a corpus file in fixed-size blocks, so memory does
// not depend on the file's size or its line lengths.
//
// The tokenisation (mirrored by src/backend/js/word2vec/corpus-reader.ts):
// - bytes ' ', \t, \n, \v, \f, \r separate tokens; \n also ends a sentence;
// - a token longer than kMaxTokenBytes is dropped whole (it is never a word
//   anyone queries, and capping it keeps memory bounded on binary junk);
// - with `lowercase`, ASCII A-Z become a-z (other bytes are left alone, so a
//   multi-byte UTF-8 sequence is never split or altered).
// A reader covers the tokens that START in [begin, end): when begin is inside
// a token, that token belongs to the previous range and is skipped.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace fastnn::word2vec {

constexpr std::size_t kMaxTokenBytes = 1000;

enum class TokenKind { kToken, kLineEnd, kEnd };

inline bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

class CorpusReader {
 public:
  // Opens `path` and positions at the first token starting at or after
  // `begin`. Throws std::runtime_error naming the file when it cannot be read.
  CorpusReader(const std::string& path, std::uint64_t begin, std::uint64_t end, bool lowercase);
  ~CorpusReader();
  CorpusReader(const CorpusReader&) = delete;
  CorpusReader& operator=(const CorpusReader&) = delete;

  // The next token (valid until the next call), a line end, or the end of
  // the range.
  TokenKind Next(std::string_view* token);

  // Bytes consumed so far from the start of the file.
  std::uint64_t Offset() const { return block_start_ + pos_; }

 private:
  bool Refill();  // false at end of file
  void Fail(const char* what) const;

  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint64_t end_;
  bool lowercase_;
  std::vector<char> block_;
  std::size_t pos_ = 0, len_ = 0;
  std::uint64_t block_start_ = 0;
  std::string spill_;  // a token that straddles two blocks
};

// Size of the file in bytes; throws std::runtime_error when it cannot be opened.
std::uint64_t FileSize(const std::string& path);

}  // namespace fastnn::word2vec
