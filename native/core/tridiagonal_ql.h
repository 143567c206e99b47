// The eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the
// implicit QL method with Wilkinson's shift (EISPACK's tql2, in the form
// JAMA gives it): the middle step of symmetric_eigen.h.
//
// The eigenvectors come from applying every plane rotation of every sweep
// to an identity matrix, ~6·m³ flops that would dominate if done as tql2
// does (each rotation over two whole columns, striding through memory).
// The rotations never feed back into the iteration, so they are recorded
// and applied in batches: the rows of z are cut into column chunks that
// stay in cache while a whole batch passes over them, and the chunks are
// shared over the pool. Every element still sees the same rotations in
// the same order, so the result does not depend on the batching or on the
// thread count.
#pragma once

#include <cstddef>

#include "isa.h"
#include "progress.h"
#include "thread_pool.h"

namespace fastnn {

// diag (m): T's diagonal in, its eigenvalues out (in no particular order);
// off (m): off[i] = T[i+1][i] with off[m−1] = 0 in, destroyed. z (m, m):
// the identity in, orthonormal eigenvectors out as rows, row i belonging
// to diag[i]. progress(l + 1, m) as eigenvalue l settles; false when
// stop() says so. Throws std::runtime_error when an eigenvalue is not
// found in 60 sweeps (the shifted iteration converges in 2 or 3).
bool tridiagonal_ql(double* diag, double* off, double* z, std::size_t m, const EigenKernels& ek, ThreadPool* pool,
                    const ProgressFn& progress, const StopFn& stop);

}  // namespace fastnn
