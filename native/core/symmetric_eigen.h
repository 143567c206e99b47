// The k largest eigenpairs of a real symmetric matrix, in float64: the
// decomposition behind PCA and classical MDS. Householder tridiagonalisation
// (householder.h), the implicit QL method on the tridiagonal matrix with
// its rotations applied in batches (tridiagonal_ql.h), then the k wanted
// eigenvectors back through the reflectors. The full spectrum is found
// (no starting vector, no convergence tolerance to choose), and every step
// is element-wise or a sum in a fixed order: the result is the same on
// every kernel path and thread count, and the TS twin gives the same bits.
#pragma once

#include <cstddef>
#include <stdexcept>

#include "gemm.h"
#include "progress.h"

namespace fastnn {

// What symmetric_eigen() throws for a non-finite entry of its input, worded
// as the TS backend words it: a bad argument, which a job rejects as a
// RangeError (native/napi/background_job.cc).
struct NonFiniteEntry : std::domain_error {
  NonFiniteEntry(std::size_t row, std::size_t col, double value);
};

// a (m, m) symmetric, only its lower triangle read (float32, computed in
// float64) -> values (k) the k largest eigenvalues, largest first (equal
// ones in the order QL found them), and vectors (k, m) their unit
// eigenvectors as rows, each signed so that its largest-magnitude entry
// (the first of equals, in float64) is positive. k ≤ m.
// progress(done, total) over the tridiagonalisation's steps, then the
// eigenvalues, then the k vectors; false (outputs partial) when stop() says
// so. Throws NonFiniteEntry for the first non-finite entry of the lower
// triangle (row by row), std::runtime_error if QL does not converge.
bool symmetric_eigen(double* values, float* vectors, const float* a, std::size_t m, std::size_t k,
                     const GemmContext& ctx, const ProgressFn& progress, const StopFn& stop);

}  // namespace fastnn
