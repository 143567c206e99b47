// The seeded generator behind every random choice, bit-exact with src/rng.ts:
// xoshiro128** seeded by splitmix32, Lemire's unbiased bounded integers and a
// Fisher–Yates shuffle. All maths is on uint32_t, which is what the TS side's
// Math.imul / >>> 0 emulate, so a seed gives the same stream in both.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastnn {

class Rng {
 public:
  // The state splitmix32 derives from `seed` (src/rng.ts constructor).
  explicit Rng(std::uint32_t seed);
  // Resumes a stream from a saved state (4 words, not all zero).
  explicit Rng(const std::uint32_t state[4]);

  // Inline: word2vec draws several numbers per word in its inner loop.
  std::uint32_t next_u32() {
    const std::uint32_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 11);
    return result;
  }

  // Uniform in [0, 1), a multiple of 2⁻²⁴ (exact in a float), as src/rng.ts uniform().
  double uniform() { return static_cast<double>(next_u32() >> 8) * 5.9604644775390625e-8; }

  // Uniform in [0, bound) for 0 < bound, by multiply-shift with rejection.
  std::uint32_t below(std::uint32_t bound) {
    // (2³² − bound) mod bound, the low-word threshold under which a draw is biased.
    const std::uint32_t threshold = static_cast<std::uint32_t>(-bound) % bound;
    for (;;) {
      const std::uint64_t m = static_cast<std::uint64_t>(next_u32()) * bound;
      if (static_cast<std::uint32_t>(m) < threshold) continue;
      return static_cast<std::uint32_t>(m >> 32);
    }
  }
  // Fisher–Yates, from the last element down, as src/rng.ts does.
  void shuffle(std::uint32_t* a, std::size_t n);
  void get_state(std::uint32_t state[4]) const;

 private:
  static std::uint32_t rotl(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  std::uint32_t s_[4];
};

}  // namespace fastnn
