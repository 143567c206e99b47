// libFuzzer target for the word2vec corpus parser (CorpusReader) and the
// vocabulary pass (BuildVocab), linked against native/core alone (no Node).
// Built and run by scripts/fuzz.sh.
//
// Input: byte 0 chooses the options (lowercase, minCount 1..4) and bytes 1-2
// a split point; the rest is the corpus, written to a per-process temp file
// (both parsers read files). Beyond "no crash, no sanitizer report", it
// checks the invariants the trainer relies on:
// - two readers over [0, split) and [split, end) see exactly the tokens and
//   line ends of one reader over the whole file (threads split corpora so);
// - every token is non-empty, at most kMaxTokenBytes, without separators;
// - the vocabulary pass (which reads tokens in batches, NextTokens) gives
//   exactly the words and counts of a std::map over the whole reader's
//   tokens (Next), ordered by count then bytes. The build narrows the word
//   hash to a few bits, so the table's collisions and growth are exercised.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "../core/word2vec/corpus_reader.h"
#include "../core/word2vec/vocab.h"

namespace w2v = fastnn::word2vec;

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Tokens (with "\n" for line ends) that start in [begin, end).
std::vector<std::string> Tokens(const std::string& path, std::uint64_t begin, std::uint64_t end, bool lowercase) {
  std::vector<std::string> out;
  w2v::CorpusReader reader(path, begin, end, lowercase);
  std::string_view token;
  for (w2v::TokenKind kind; (kind = reader.Next(&token)) != w2v::TokenKind::kEnd;) {
    if (kind == w2v::TokenKind::kLineEnd) {
      out.emplace_back("\n");
      continue;
    }
    Check(!token.empty() && token.size() <= w2v::kMaxTokenBytes);
    for (char c : token) Check(!w2v::IsSpace(static_cast<unsigned char>(c)));
    out.emplace_back(token);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const bool lowercase = (data[0] & 1) != 0;
  const std::uint64_t min_count = 1 + ((data[0] >> 1) & 3);
  const std::size_t body = size - 3;
  const std::uint64_t split = body == 0 ? 0 : ((data[1] << 8) | data[2]) % (body + 1);
  static const std::string path = "/dev/shm/fastnn-corpus-fuzz-" + std::to_string(getpid()) + ".txt";
  // libFuzzer may exit between the write and the remove below (time limit).
  static const bool cleanup = std::atexit([] { std::remove(path.c_str()); }) == 0;
  (void)cleanup;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  std::fwrite(data + 3, 1, body, f);
  std::fclose(f);

  const std::vector<std::string> whole = Tokens(path, 0, body, lowercase);
  std::vector<std::string> parts = Tokens(path, 0, split, lowercase);
  const std::vector<std::string> second = Tokens(path, split, body, lowercase);
  parts.insert(parts.end(), second.begin(), second.end());
  // A split may add or drop only line-end markers at the seam, never a token.
  auto words = [](const std::vector<std::string>& v) {
    std::vector<std::string> w;
    for (const std::string& t : v)
      if (t != "\n") w.push_back(t);
    return w;
  };
  Check(words(parts) == words(whole));

  w2v::VocabOptions options;
  options.path = path;
  options.min_count = min_count;
  options.lowercase = lowercase;
  const w2v::Vocab vocab = w2v::BuildVocab(options, [](std::uint64_t) { return true; });
  // Inputs are far below the pruning threshold: every count is exact.
  std::map<std::string, std::uint64_t> counted;
  for (const std::string& t : words(whole)) counted[t]++;
  std::vector<std::pair<std::string, std::uint64_t>> expected;
  for (const auto& [word, count] : counted) {
    if (count >= min_count) expected.emplace_back(word, count);
  }
  std::stable_sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  Check(vocab.words.Size() == expected.size() && vocab.counts.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); i++) {
    Check(vocab.words.Word(i) == expected[i].first && vocab.counts[i] == expected[i].second);
    Check(vocab.words.Find(expected[i].first) == static_cast<std::int32_t>(i));
  }
  std::remove(path.c_str());
  return 0;
}
