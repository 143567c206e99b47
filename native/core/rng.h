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

  std::uint32_t next_u32();
  // Uniform in [0, bound) for 0 < bound, by multiply-shift with rejection.
  std::uint32_t below(std::uint32_t bound);
  // Fisher–Yates, from the last element down, as src/rng.ts does.
  void shuffle(std::uint32_t* a, std::size_t n);
  void get_state(std::uint32_t state[4]) const;

 private:
  std::uint32_t s_[4];
};

}  // namespace fastnn
