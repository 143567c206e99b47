// Nearest rows by dot product, for cosine queries over a unit-normalised
// matrix: for each of q queries, the k rows with the highest score, best
// first, ties by lower row index; excluded rows never appear. Mirrored by
// nearest() in src/backend/js/word2vec/nearest.ts, with the same dot product (vecmath.h)
// so both return the same rows and scores.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastnn::word2vec {

// out_index (q,k), out_score (q,k) <- top k of matrix (rows,cols) · query
// for each query (q,cols). exclude (q,e) lists rows to skip per query (-1 =
// none). Slots beyond the candidates get index -1 and score -Infinity.
// NaN scores are skipped.
void Nearest(std::int32_t* out_index, float* out_score, const float* matrix, const float* queries, std::size_t rows,
             std::size_t cols, std::size_t q, std::size_t k, const std::int32_t* exclude, std::size_t e);

}  // namespace fastnn::word2vec
