#include "rng.h"

namespace fastnn {

namespace {

std::uint32_t rotl(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

}  // namespace

Rng::Rng(std::uint32_t seed) {
  std::uint32_t x = seed;
  for (std::uint32_t& s : s_) {
    // splitmix32: never produces the all-zero state xoshiro cannot leave.
    x += 0x9e3779b9u;
    std::uint32_t z = x;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    s = z ^ (z >> 16);
  }
}

Rng::Rng(const std::uint32_t state[4]) {
  for (int i = 0; i < 4; i++) s_[i] = state[i];
}

std::uint32_t Rng::next_u32() {
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

std::uint32_t Rng::below(std::uint32_t bound) {
  // (2³² − bound) mod bound, the low-word threshold under which a draw is biased.
  const std::uint32_t threshold = static_cast<std::uint32_t>(-bound) % bound;
  for (;;) {
    const std::uint64_t m = static_cast<std::uint64_t>(next_u32()) * bound;
    if (static_cast<std::uint32_t>(m) < threshold) continue;
    return static_cast<std::uint32_t>(m >> 32);
  }
}

void Rng::shuffle(std::uint32_t* a, std::size_t n) {
  for (std::size_t i = n; i-- > 1;) {
    const std::uint32_t j = below(static_cast<std::uint32_t>(i + 1));
    const std::uint32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

void Rng::get_state(std::uint32_t state[4]) const {
  for (int i = 0; i < 4; i++) state[i] = s_[i];
}

}  // namespace fastnn
