// Packing of GEMM operands into the panel layouts the micro-kernels read
// (BLIS style): every transpose case is handled here, by the reads, so no
// transposed copy of a or b is ever made, and edge slivers are padded with
// zeros so the micro-kernel always computes a full tile.
#pragma once

#include <cstddef>

namespace fastnn {

// A block of op(a) (m,k) — a stored (m,k), or (k,m) when trans — rows
// [i0, i0+mc), columns [p0, p0+kc) -> dst: ceil(mc/mr) slivers of (kc, mr),
// sliver s holding rows i0 + s·mr + [0, mr), zero beyond row i0+mc.
void pack_a(float* dst, const float* a, bool trans, std::size_t m, std::size_t k, std::size_t i0, std::size_t mc,
            std::size_t p0, std::size_t kc, std::size_t mr);

// A block of op(b) (k,n) — b stored (k,n), or (n,k) when trans — rows
// [p0, p0+kc), columns [j0, j0+nc) -> dst: ceil(nc/nr) slivers of (kc, nr),
// zero beyond column j0+nc.
void pack_b(float* dst, const float* b, bool trans, std::size_t k, std::size_t n, std::size_t p0, std::size_t kc,
            std::size_t j0, std::size_t nc, std::size_t nr);

}  // namespace fastnn
