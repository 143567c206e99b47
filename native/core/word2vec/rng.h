// The seeded generator of src/rng.ts, ported bit for bit: xoshiro128** with
// its state filled by splitmix32, all uint32_t maths. uniform() uses the top
// 24 bits (exact in a float), below(n) is Lemire's multiply-shift with
// rejection. Same seed, same stream, in C++ and TS.
// (No shared native/core/rng.* existed when word2vec landed; if one appears,
// this header should become an alias of it.)
#pragma once

#include <cstdint>

namespace fastnn::word2vec {

class Rng {
 public:
  explicit Rng(std::uint32_t seed) {
    std::uint32_t x = seed;
    auto next = [&x]() {
      x += 0x9e3779b9u;
      std::uint32_t z = x;
      z = (z ^ (z >> 16)) * 0x85ebca6bu;
      z = (z ^ (z >> 13)) * 0xc2b2ae35u;
      return z ^ (z >> 16);
    };
    s0_ = next();
    s1_ = next();
    s2_ = next();
    s3_ = next();
  }

  std::uint32_t NextU32() {
    const std::uint32_t result = Rotl(s1_ * 5u, 7) * 9u;
    const std::uint32_t t = s1_ << 9;
    s2_ ^= s0_;
    s3_ ^= s1_;
    s1_ ^= s2_;
    s0_ ^= s3_;
    s2_ ^= t;
    s3_ = Rotl(s3_, 11);
    return result;
  }

  // Uniform in [0, 1), a multiple of 2^-24.
  double Uniform() { return static_cast<double>(NextU32() >> 8) * 5.9604644775390625e-8; }

  // Uniform integer in [0, bound), 0 < bound < 2^32, without modulo bias.
  std::uint32_t Below(std::uint32_t bound) {
    const std::uint32_t threshold = static_cast<std::uint32_t>(0x100000000ull - bound) % bound;
    for (;;) {
      const std::uint64_t m = static_cast<std::uint64_t>(NextU32()) * bound;
      if (static_cast<std::uint32_t>(m) < threshold) continue;
      return static_cast<std::uint32_t>(m >> 32);
    }
  }

 private:
  static std::uint32_t Rotl(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  std::uint32_t s0_, s1_, s2_, s3_;
};

}  // namespace fastnn::word2vec
