#include "nearest.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "vecmath.h"

namespace fastnn::word2vec {

namespace {

struct Hit {
  float score;
  std::int32_t index;
};

// "a ranks before b": higher score, then lower index.
bool Better(const Hit& a, const Hit& b) { return a.score > b.score || (a.score == b.score && a.index < b.index); }

}  // namespace

FASTNN_W2V_CLONES void Nearest(std::int32_t* out_index, float* out_score, const float* matrix, const float* queries,
                               std::size_t rows, std::size_t cols, std::size_t q, std::size_t k,
                               const std::int32_t* exclude, std::size_t e) {
  std::vector<Hit> heap;  // the k best so far, worst at the front
  heap.reserve(k);
  for (std::size_t j = 0; j < q; j++) {
    heap.clear();
    const float* query = queries + j * cols;
    const std::int32_t* skip = exclude + j * e;
    for (std::size_t r = 0; r < rows && k > 0; r++) {
      const Hit hit{Dot(matrix + r * cols, query, cols), static_cast<std::int32_t>(r)};
      if (hit.score != hit.score) continue;
      if (heap.size() == k && !Better(hit, heap.front())) continue;
      if (std::find(skip, skip + e, hit.index) != skip + e) continue;
      if (heap.size() == k) {
        std::pop_heap(heap.begin(), heap.end(), Better);
        heap.pop_back();
      }
      heap.push_back(hit);
      std::push_heap(heap.begin(), heap.end(), Better);
    }
    std::sort_heap(heap.begin(), heap.end(), Better);
    for (std::size_t i = 0; i < k; i++) {
      const bool have = i < heap.size();
      out_index[j * k + i] = have ? heap[i].index : -1;
      out_score[j * k + i] = have ? heap[i].score : -std::numeric_limits<float>::infinity();
    }
  }
}

}  // namespace fastnn::word2vec
