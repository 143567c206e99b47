// Packing of GEMM's op(b) into the panel layout the micro-kernels read
// (BLIS style; op(a) they read in place): both transpose cases are handled
// here, by the reads, so no transposed copy of b is ever made, and edge
// slivers are padded with zeros so the micro-kernel always computes a full tile.
#pragma once

#include <cstddef>

namespace fastnn {

// A block of op(b) (k,n) — b stored (k,n), or (n,k) when trans — rows
// [p0, p0+kc), columns [j0, j0+nc) -> dst: ceil(nc/nr) slivers of (kc, nr),
// zero beyond column j0+nc.
void pack_b(float* dst, const float* b, bool trans, std::size_t k, std::size_t n, std::size_t p0, std::size_t kc,
            std::size_t j0, std::size_t nc, std::size_t nr);

// dst[p·ld + i] = x[i·si + p] for i < rows, p < cols: rows of x (si apart)
// become columns of dst (rows ld apart).
void transpose(float* dst, std::size_t ld, const float* x, std::size_t si, std::size_t rows, std::size_t cols);

}  // namespace fastnn
