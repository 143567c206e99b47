#include "gemm_pack.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace fastnn {

void transpose(float* dst, std::size_t ld, const float* x, std::size_t si, std::size_t rows, std::size_t cols) {
  std::size_t i = 0;
#if defined(__SSE__)
  // 4×4 blocks are loaded as rows and stored as columns, which a compiler
  // does not find in the scalar loop and which packs ~3× faster.
  for (; i + 4 <= rows; i += 4) {
    const float* x0 = x + i * si;
    std::size_t p = 0;
    for (; p + 4 <= cols; p += 4) {
      __m128 r0 = _mm_loadu_ps(x0 + p), r1 = _mm_loadu_ps(x0 + si + p);
      __m128 r2 = _mm_loadu_ps(x0 + 2 * si + p), r3 = _mm_loadu_ps(x0 + 3 * si + p);
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      _mm_storeu_ps(dst + p * ld + i, r0);
      _mm_storeu_ps(dst + (p + 1) * ld + i, r1);
      _mm_storeu_ps(dst + (p + 2) * ld + i, r2);
      _mm_storeu_ps(dst + (p + 3) * ld + i, r3);
    }
    for (; p < cols; p++) {
      for (std::size_t r = 0; r < 4; r++) dst[p * ld + i + r] = x0[r * si + p];
    }
  }
#endif
  for (; i < rows; i++) {
    const float* xi = x + i * si;
    for (std::size_t p = 0; p < cols; p++) dst[p * ld + i] = xi[p];
  }
}

namespace {

// One sliver (kc, w) of a matrix x whose element (i, p) — i across the
// sliver, p along k — is at x[i·si + p·sp], with si or sp 1 (both
// transpose cases of b); lanes [rows, w) are zero.
void pack_sliver(float* dst, const float* x, std::size_t si, std::size_t sp, std::size_t rows, std::size_t kc,
                 std::size_t w) {
  if (si == 1) {
    // Contiguous across the sliver: one row copy per step p.
    for (std::size_t p = 0; p < kc; p++) {
      std::memcpy(dst + p * w, x + p * sp, rows * sizeof(float));
      std::fill(dst + p * w + rows, dst + (p + 1) * w, 0.0f);
    }
    return;
  }
  // Contiguous along p: read each row sequentially, write with stride w.
  if (rows < w) {
    for (std::size_t p = 0; p < kc; p++) std::fill(dst + p * w + rows, dst + (p + 1) * w, 0.0f);
  }
  transpose(dst, w, x, si, rows, kc);
}

}  // namespace

void pack_b(float* dst, const float* b, bool trans, std::size_t k, std::size_t n, std::size_t p0, std::size_t kc,
            std::size_t j0, std::size_t nc, std::size_t nr) {
  // op(b)[p,j] = b[p·n + j], or b[j·k + p] when trans.
  const std::size_t sj = trans ? k : 1;
  const std::size_t sp = trans ? 1 : n;
  for (std::size_t s = 0; s < nc; s += nr) {
    pack_sliver(dst, b + (j0 + s) * sj + p0 * sp, sj, sp, std::min(nr, nc - s), kc, nr);
    dst += kc * nr;
  }
}

}  // namespace fastnn
