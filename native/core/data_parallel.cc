#include "data_parallel.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "out_of_memory.h"

namespace fastnn {

Share share_of(std::size_t global_rows, std::int32_t rank, std::int32_t size) {
  const auto r = static_cast<std::size_t>(rank), p = static_cast<std::size_t>(size);
  const std::size_t base = global_rows / p, extra = global_rows % p;
  return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

std::uint32_t share_seed(const std::uint32_t order_state[4], std::size_t batch, std::int32_t rank) {
  // Odd multipliers spread batch and rank over every bit; splitmix32 (Rng's seeding) mixes the rest.
  return order_state[0] ^ order_state[2] ^ (static_cast<std::uint32_t>(batch) * 0x9e3779b9u) ^
         (static_cast<std::uint32_t>(rank + 1) * 0x85ebca6bu);
}

namespace {

// Flags after the gradients in the step's buffer: 1 from each rank that has the condition.
constexpr std::size_t kLossNonFinite = 0, kCancelled = 1, kFlags = 2;

void check(const fastnn_communicator* c, int status, const char* what) {
  if (status != 0)
    throw std::runtime_error(std::string(what) + " across the ranks failed: " + c->last_error(c->context));
}

}  // namespace

DataParallel::DataParallel(const NetworkView& net, const fastnn_communicator* comm) : comm_(comm) {
  if (!active()) return;
  std::size_t total = 0;
  for (std::size_t p = 0; p < net.params.size(); p++) total += sizes_.emplace_back(param_size(net, p));
  allocating("the gradient buffer the ranks sum", [&] { buffer_.resize(total + kFlags); });
}

StepAgreement DataParallel::reduce_gradients(BatchWorkspace& ws, std::size_t rows, std::size_t global_rows,
                                             bool loss_finite, bool cancelled) {
  // Each share's gradient is its mean over its rows: weighted by its part of
  // the global batch, the sum is the global batch's mean gradient.
  const float weight = static_cast<float>(static_cast<double>(rows) / static_cast<double>(global_rows));
  float* out = buffer_.data();
  for (std::size_t p = 0; p < sizes_.size(); p++) {
    const float* g = ws.grads[p];
    if (rows == 0) std::fill_n(out, sizes_[p], 0.0f);
    else
      for (std::size_t i = 0; i < sizes_[p]; i++) out[i] = g[i] * weight;
    out += sizes_[p];
  }
  out[kLossNonFinite] = loss_finite ? 0.0f : 1.0f;
  out[kCancelled] = cancelled ? 1.0f : 0.0f;
  check(comm_, comm_->allreduce_sum_f32(comm_->context, buffer_.data(), buffer_.size()), "the gradient sum");
  const float* in = buffer_.data();
  for (std::size_t p = 0; p < sizes_.size(); p++) {
    std::copy_n(in, sizes_[p], ws.grads[p]);
    in += sizes_[p];
  }
  return {in[kLossNonFinite] == 0.0f, in[kCancelled] != 0.0f};
}

void DataParallel::sum(double* values, std::size_t count) {
  check(comm_, comm_->allreduce_sum_f64(comm_->context, values, count), "the epoch's sums");
}

}  // namespace fastnn
