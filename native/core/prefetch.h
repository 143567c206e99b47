// Asking the CPU for a cache line ahead of its use.
#pragma once

namespace fastnn {

// Asks the CPU to fetch the cache line at p into every level, without
// waiting for it. Not __builtin_prefetch on x86: GCC 12 deleted that as dead
// code where the address comes from a loaded value (a word table's slot),
// so it must be an asm volatile.
inline void prefetch_line(const void* p) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace fastnn
