#include "corpus_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#if defined(__SSE2__) && !defined(FASTNN_CORPUS_SCALAR_SCAN)
#include <emmintrin.h>
#define FASTNN_CORPUS_SSE2 1
#endif

namespace fastnn::word2vec {

namespace {
// scripts/fuzz.sh builds with tiny blocks, so its small inputs cross block
// boundaries (tokens moved to the front, too-long tokens across blocks).
#ifndef FASTNN_CORPUS_BLOCK_BYTES
#define FASTNN_CORPUS_BLOCK_BYTES (1 << 20)
#endif
constexpr std::size_t kBlockBytes = FASTNN_CORPUS_BLOCK_BYTES;
// The vector scan reads up to 15 bytes past the data (never past the buffer).
constexpr std::size_t kScanPadding = 16;

#ifdef FASTNN_CORPUS_SSE2
// Bit i set when p[i] is a separator, for the 16 bytes at p.
unsigned SeparatorMask(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i space = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
  // \t..\r (9..13) plus 0x77 wrap to -128..-124: the only bytes below -123.
  const __m128i control = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x77)), _mm_set1_epi8(-123));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(space, control)));
}

// First separator in data[i, len), or len. Reads up to 15 bytes past len;
// what it finds there is ignored.
std::size_t TokenEnd(const char* data, std::size_t i, std::size_t len) {
  for (; i < len; i += 16) {
    const unsigned mask = SeparatorMask(data + i);
    if (mask != 0) return std::min(i + static_cast<std::size_t>(__builtin_ctz(mask)), len);
  }
  return len;
}
#else
std::size_t TokenEnd(const char* data, std::size_t i, std::size_t len) {
  while (i < len && !IsSpace(static_cast<unsigned char>(data[i]))) i++;
  return i;
}
#endif

void Lowercase(char* data, std::size_t n) {
  for (std::size_t i = 0; i < n; i++)
    data[i] = static_cast<char>(data[i] + ((data[i] >= 'A' && data[i] <= 'Z') ? 32 : 0));
}

std::FILE* OpenOrThrow(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open corpus '" + path + "': " + std::strerror(errno));
  return f;
}
}  // namespace

std::uint64_t FileSize(const std::string& path) {
  std::FILE* f = OpenOrThrow(path);
  const long pos = std::fseek(f, 0, SEEK_END) == 0 ? std::ftell(f) : -1;
  std::fclose(f);
  if (pos < 0) throw std::runtime_error("cannot size corpus '" + path + "' (not a regular file?)");
  return static_cast<std::uint64_t>(pos);
}

std::uint64_t RankBegin(const std::string& path, std::uint64_t size, std::uint64_t rank, std::uint64_t ranks) {
  const std::uint64_t share = PartBegin(size, rank, ranks), next = PartBegin(size, rank + 1, ranks);
  if (share == 0 || share == next) return share;
  // A line starts at b when byte b − 1 is '\n': look through bytes [share − 1, next − 1).
  std::FILE* f = OpenOrThrow(path);
  std::vector<char> block(std::min<std::uint64_t>(next - share, 1 << 16));
  std::uint64_t at = share - 1, begin = share;
  const char* failed = std::fseek(f, static_cast<long>(at), SEEK_SET) != 0 ? "seek in" : nullptr;
  while (failed == nullptr && at < next - 1) {
    const std::size_t got = std::fread(block.data(), 1, std::min<std::uint64_t>(block.size(), next - 1 - at), f);
    if (got == 0) {
      if (std::ferror(f)) failed = "read";
      break;  // the file shrank: keep the share's begin
    }
    if (const void* newline = std::memchr(block.data(), '\n', got)) {
      begin = at + static_cast<std::uint64_t>(static_cast<const char*>(newline) - block.data()) + 1;
      break;
    }
    at += got;
  }
  const int error = errno;
  std::fclose(f);
  if (failed != nullptr)
    throw std::runtime_error(std::string("cannot ") + failed + " corpus '" + path + "': " + std::strerror(error));
  return begin;
}

CorpusReader::CorpusReader(const std::string& path, std::uint64_t begin, std::uint64_t end, bool lowercase)
    : file_(OpenOrThrow(path)),
      path_(path),
      end_(end),
      lowercase_(lowercase),
      buffer_(kMaxTokenBytes + kBlockBytes + kScanPadding) {
  // stdio's own buffer would only add a copy: blocks are read whole.
  std::setvbuf(file_, nullptr, _IONBF, 0);
  if (begin == 0) return;
  // Start one byte early to see whether `begin` is inside a token.
  if (std::fseek(file_, static_cast<long>(begin - 1), SEEK_SET) != 0) Fail("seek in");
  buffer_start_ = begin - 1;
  if (!Refill(0)) return;
  if (IsSpace(static_cast<unsigned char>(buffer_[0]))) {
    pos_ = 1;
    return;
  }
  // Skip the rest of the token that began in the previous range.
  for (;;) {
    pos_ = TokenEnd(buffer_.data(), pos_, len_);
    if (pos_ < len_ || !Refill(len_)) break;
  }
}

CorpusReader::~CorpusReader() {
  if (file_ != nullptr) std::fclose(file_);
}

void CorpusReader::Fail(const char* what) const {
  throw std::runtime_error(std::string("cannot ") + what + " corpus '" + path_ + "': " + std::strerror(errno));
}

bool CorpusReader::Refill(std::size_t keep) {
  const std::size_t kept = len_ - keep;
  std::memmove(buffer_.data(), buffer_.data() + keep, kept);
  buffer_start_ += keep;
  pos_ -= keep;
  const std::size_t got = std::fread(buffer_.data() + kept, 1, kBlockBytes, file_);
  if (got == 0 && std::ferror(file_)) Fail("read");
  if (lowercase_) Lowercase(buffer_.data() + kept, got);
  len_ = kept + got;
  return got > 0;
}

bool CorpusReader::TakeToken(std::string_view* token) {
  std::size_t start = pos_;
  std::size_t end = TokenEnd(buffer_.data(), start, len_);
  while (end == len_) {  // the token may go on in the next block
    const std::size_t have = end - start;
    if (have > kMaxTokenBytes) {
      // Too long already: skip to its end without keeping it.
      pos_ = len_;
      do {
        if (!Refill(len_)) return false;
        pos_ = TokenEnd(buffer_.data(), 0, len_);
      } while (pos_ == len_);
      return false;
    }
    const bool more = Refill(start);  // the token is now at the front
    start = 0;
    end = more ? TokenEnd(buffer_.data(), have, len_) : have;
    if (!more) break;  // the file ends with it
  }
  pos_ = end;
  if (end - start > kMaxTokenBytes) return false;
  *token = std::string_view(buffer_.data() + start, end - start);
  return true;
}

TokenKind CorpusReader::Next(std::string_view* token) {
  for (;;) {
    // Skip separators, reporting line ends.
    while (pos_ < len_ && IsSpace(static_cast<unsigned char>(buffer_[pos_]))) {
      if (buffer_[pos_++] == '\n') return TokenKind::kLineEnd;
    }
    if (pos_ == len_) {
      if (!Refill(len_)) return TokenKind::kEnd;
      continue;
    }
    if (Offset() >= end_) return TokenKind::kEnd;
    if (TakeToken(token)) return TokenKind::kToken;
  }
}

std::size_t CorpusReader::NextTokens(std::string_view* tokens, std::size_t max) {
  const char* data = buffer_.data();
  std::size_t n = 0;
  while (n < max) {
    while (pos_ < len_ && IsSpace(static_cast<unsigned char>(data[pos_]))) pos_++;
    if (pos_ == len_) {
      // A refill moves the buffer's contents: not under tokens handed out.
      if (n > 0 || !Refill(len_)) break;
      continue;
    }
    if (Offset() >= end_) break;
    const std::size_t end = TokenEnd(data, pos_, len_);
    if (end < len_) {  // the common case: the token ends inside this block
      if (end - pos_ <= kMaxTokenBytes) tokens[n++] = std::string_view(data + pos_, end - pos_);
      pos_ = end;
    } else {
      if (n > 0) break;
      if (TakeToken(&tokens[n])) n++;
    }
  }
  return n;
}

}  // namespace fastnn::word2vec
