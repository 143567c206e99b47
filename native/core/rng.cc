#include "rng.h"

namespace fastnn {

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
