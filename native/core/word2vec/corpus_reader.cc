#include "corpus_reader.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fastnn::word2vec {

namespace {
// scripts/fuzz.sh builds with tiny blocks, so its small inputs cross block
// boundaries (tokens spilling over, too-long tokens across blocks).
#ifndef FASTNN_CORPUS_BLOCK_BYTES
#define FASTNN_CORPUS_BLOCK_BYTES (1 << 20)
#endif
constexpr std::size_t kBlockBytes = FASTNN_CORPUS_BLOCK_BYTES;

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

CorpusReader::CorpusReader(const std::string& path, std::uint64_t begin, std::uint64_t end, bool lowercase)
    : file_(OpenOrThrow(path)), path_(path), end_(end), lowercase_(lowercase), block_(kBlockBytes) {
  if (begin == 0) return;
  // Start one byte early to see whether `begin` is inside a token.
  if (std::fseek(file_, static_cast<long>(begin - 1), SEEK_SET) != 0) Fail("seek in");
  block_start_ = begin - 1;
  if (!Refill()) return;
  if (!IsSpace(static_cast<unsigned char>(block_[0]))) {
    // Skip the rest of the token that began in the previous range.
    for (;;) {
      while (pos_ < len_ && !IsSpace(static_cast<unsigned char>(block_[pos_]))) pos_++;
      if (pos_ < len_ || !Refill()) break;
    }
  } else {
    pos_ = 1;
  }
}

CorpusReader::~CorpusReader() {
  if (file_ != nullptr) std::fclose(file_);
}

void CorpusReader::Fail(const char* what) const {
  throw std::runtime_error(std::string("cannot ") + what + " corpus '" + path_ + "': " + std::strerror(errno));
}

bool CorpusReader::Refill() {
  block_start_ += len_;
  pos_ = 0;
  len_ = std::fread(block_.data(), 1, block_.size(), file_);
  if (len_ == 0 && std::ferror(file_)) Fail("read");
  return len_ > 0;
}

TokenKind CorpusReader::Next(std::string_view* token) {
  for (;;) {
    // Skip separators, reporting line ends.
    while (pos_ < len_ && IsSpace(static_cast<unsigned char>(block_[pos_]))) {
      if (block_[pos_++] == '\n') return TokenKind::kLineEnd;
    }
    if (pos_ == len_) {
      if (!Refill()) return TokenKind::kEnd;
      continue;
    }
    if (Offset() >= end_) return TokenKind::kEnd;
    // A token: take it in place when it ends inside this block, else spill.
    spill_.clear();
    bool too_long = false;
    std::size_t start = pos_;
    for (;;) {
      while (pos_ < len_ && !IsSpace(static_cast<unsigned char>(block_[pos_]))) pos_++;
      const std::size_t piece = pos_ - start;
      if (too_long) {
        // keep skipping to the token's end
      } else if (spill_.size() + piece > kMaxTokenBytes) {
        too_long = true;
        spill_.clear();
      } else if (pos_ == len_ || !spill_.empty()) {
        spill_.append(block_.data() + start, piece);
      }
      if (pos_ < len_ || !Refill()) break;
      start = 0;
    }
    if (too_long) continue;
    char* data;
    std::size_t size;
    if (!spill_.empty()) {
      data = spill_.data();
      size = spill_.size();
    } else {
      data = block_.data() + start;
      size = pos_ - start;
    }
    if (lowercase_) {
      for (std::size_t i = 0; i < size; i++) {
        if (data[i] >= 'A' && data[i] <= 'Z') data[i] = static_cast<char>(data[i] + 32);
      }
    }
    *token = std::string_view(data, size);
    return TokenKind::kToken;
  }
}

}  // namespace fastnn::word2vec
