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
//
// The file is read kBlockBytes at a time (from byte 0, or begin − 1)
// into one buffer; the unfinished token at a block's end (at most
// kMaxTokenBytes, or it is dropped) moves to the buffer's front before the
// next block is read behind it, so every token is one piece of the buffer.
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

  // Up to `max` (≥ 1) next tokens, line ends skipped, all valid until the
  // next call of either method; 0 at the end of the range. What the vocabulary
  // pass reads: a batch lets it hash every token before looking any up.
  std::size_t NextTokens(std::string_view* tokens, std::size_t max);

  // Bytes consumed so far from the start of the file.
  std::uint64_t Offset() const { return buffer_start_ + pos_; }

 private:
  // Moves buffer_[keep, len_) to the front, reads the next block behind it;
  // false at end of file.
  bool Refill(std::size_t keep);
  // The token starting at pos_ (not a separator), pos_ then just past it;
  // false when it is too long (and skipped).
  bool TakeToken(std::string_view* token);
  void Fail(const char* what) const;

  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint64_t end_;
  bool lowercase_;
  std::vector<char> buffer_;  // [kept token][block][padding for the vector scan]
  std::size_t pos_ = 0, len_ = 0;
  std::uint64_t buffer_start_ = 0;  // file offset of buffer_[0]
};

// Size of the file in bytes; throws std::runtime_error when it cannot be opened.
std::uint64_t FileSize(const std::string& path);

// Where part `part` of `parts` equal byte ranges of a file of `size` bytes
// begins (part = parts: the end). The ranges of a multi-threaded or
// multi-process run; a reader of [PartBegin(p), PartBegin(p + 1)) takes the
// tokens that start there. ⌊size·part/parts⌋ without forming size·part,
// which overflows for large files and part counts: with size = q·parts + r,
// it is q·part + ⌊r·part/parts⌋ (r·part < parts², which fits).
inline std::uint64_t PartBegin(std::uint64_t size, std::uint64_t part, std::uint64_t parts) {
  if (part >= parts) return size;
  return size / parts * part + size % parts * part / parts;
}

// Where rank `rank` of `ranks` begins its part of the file at `path`, of
// `size` bytes (rank = ranks: the end): the first line start in the rank's
// equal share [PartBegin(rank), PartBegin(rank + 1)), so ranks train whole
// sentences. A share in which no line starts (a line longer than a share, a
// file without newlines) begins where it is, at a token boundary as a
// thread's range does, rather than leave the rank idle: every rank whose
// share has a byte gets a range of at least one byte. Reads at most the
// share; throws std::runtime_error when the file cannot be read.
std::uint64_t RankBegin(const std::string& path, std::uint64_t size, std::uint64_t rank, std::uint64_t ranks);

}  // namespace fastnn::word2vec
