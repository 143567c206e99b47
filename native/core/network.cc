#include "network.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "dropout.h"
#include "normalization.h"
#include "elementwise.h"
#include "gemm.h"
#include "out_of_memory.h"
#include "prefetch.h"
#include "sgd.h"

namespace fastnn {

NonFiniteLoss::NonFiniteLoss(std::size_t batch)
    : std::runtime_error("non-finite loss at batch " + std::to_string(batch)), batch_(batch) {}

namespace {

std::size_t layer_count(const NetworkView& net) { return net.sizes.size() - 1; }

// What a pass's buffers are called when they do not fit: the row count is what the caller can lower.
std::string scratch_item(std::size_t rows) {
  return "the network's scratch buffers for batches of " + std::to_string(rows) + " rows";
}

// One float32 buffer per layer, (rows, sizes[l+1]) each.
std::vector<std::vector<float>> per_layer(const NetworkView& net, std::size_t rows) {
  std::vector<std::vector<float>> bufs(layer_count(net));
  for (std::size_t l = 0; l < bufs.size(); l++) bufs[l].resize(rows * net.sizes[l + 1]);
  return bufs;
}

// What a pass keeps from forward for backward (BatchWorkspace's buffers):
// dropout masks and dropped activations, with the generator drawing the
// masks, and normalisation's x̂, scales and batch statistics. Null:
// inference (no dropout, normalisation without saving anything).
struct PassScratch {
  float* const* masks;
  float* const* outs;
  Rng* rng;
  bool dropout;  // whether the pass applies (or applied) net.dropout
  float* const* xhat;
  float* const* inv_std;
  bool training;  // batch normalisation from the batch's statistics
  float* const* batch_mean;
  float* const* batch_var;
  // The first layer's product x·W(0)ᵀ of a one-row pass, already formed
  // (BatchWorkspace::first_product), or null.
  const float* first_product = nullptr;
};

// Dropout and batch statistics are on exactly when the pass has a generator (Backend.train's).
PassScratch scratch_of(BatchWorkspace& ws, Rng* rng) {
  return {ws.drop_masks.data(), ws.drop_outs.data(),  rng,
          rng != nullptr,       ws.norm_xhat.data(),  ws.norm_inv_std.data(),
          rng != nullptr,       ws.batch_mean.data(), ws.batch_var.data()};
}

// Batch statistics for layer l: a training pass, and the layer not frozen (a frozen layer is a fixed function).
bool batch_stats(const NetworkView& net, const PassScratch* d, std::size_t l) {
  return d != nullptr && d->training && !layer_frozen(net, l);
}

// z (rows, out) ← its normalisation, for a normalised hidden layer l.
void normalise(float* z, const NetworkView& net, const PassScratch* d, std::size_t l, std::size_t rows) {
  const std::size_t out = net.sizes[l + 1];
  const float* b = net.params[2 * l + 1];
  if (norm_of(net, l) == Norm::Layer) {
    layer_norm_forward(z, d ? d->xhat[l] : nullptr, d ? d->inv_std[l] : nullptr, z, b, rows, out);
  } else {
    batch_norm_forward(z, d ? d->xhat[l] : nullptr, d ? d->inv_std[l] : nullptr, d ? d->batch_mean[l] : nullptr,
                       d ? d->batch_var[l] : nullptr, z, b, rows, out, batch_stats(net, d, l));
  }
}

// f(offset, length) for each contiguous run of rows [i0, i1) × columns
// [j0, j1) of a matrix whose rows are ld floats apart: one run when the
// block spans whole rows, else one per row.
template <class F>
void for_runs(std::size_t ld, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1, F f) {
  if (j0 == 0 && j1 == ld) {
    f(i0 * ld, (i1 - i0) * ld);
    return;
  }
  for (std::size_t r = i0; r < i1; r++) f(r * ld + j0, j1 - j0);
}

// dz (rows, out) ← ∂loss/∂z of layer l's linear map from ∂loss/∂(its normalised output), in place;
// d_params (b(l)'s shape) gets [γ, β]'s gradient unless null.
void normalisation_backward(float* dz, float* d_params, const NetworkView& net, const PassScratch* d, std::size_t l,
                            std::size_t rows) {
  const std::size_t out = net.sizes[l + 1];
  const float* b = net.params[2 * l + 1];
  if (norm_of(net, l) == Norm::Layer) layer_norm_backward(dz, d_params, dz, d->xhat[l], d->inv_std[l], b, rows, out);
  else batch_norm_backward(dz, d_params, dz, d->xhat[l], d->inv_std[l], b, rows, out, batch_stats(net, d, l));
}

bool drops(const NetworkView& net, const PassScratch* d, std::size_t hidden_layer) {
  return d != nullptr && d->dropout && !net.dropout.empty() && net.dropout[hidden_layer] > 0;
}

// What layer l reads: x, the previous layer's activations, or their dropped copy.
const float* layer_input(const NetworkView& net, const float* x, float* const* acts, const PassScratch* d,
                         std::size_t l) {
  if (l == 0) return x;
  return drops(net, d, l - 1) ? d->outs[l - 1] : acts[l - 1];
}

// x (rows, sizes[0]) -> acts[l] (rows, sizes[l+1]) for every layer: hidden
// activations applied, the last layer left as logits (no output transform).
// With d, the dropped activations go to d->outs and feed the next layer.
void forward_layers(const NetworkView& net, const float* x, std::size_t rows, float* const* acts,
                    const PassScratch* d = nullptr) {
  const std::size_t layers = layer_count(net);
  // A one-row pass shares only the first layer's product over the pool
  // (gemm.h kGemvThreadedFlops): every later layer's weights are read whole
  // again on this thread by backward's da = dz·W, so sharing their rows
  // would move them between the cores' caches twice a sample. The first
  // layer has no such product, and per-sample SGD updates its rows on the
  // cores that read them (sgd_rank1.cc).
  const GemmContext one_thread{net.gemm.path, nullptr, net.gemm.threaded_flops};
  for (std::size_t l = 0; l < layers; l++) {
    const std::size_t in = net.sizes[l], out = net.sizes[l + 1];
    const bool hidden = l + 1 < layers;
    float* z = acts[l];
    const float* a = layer_input(net, x, acts, d, l);
    const float* b = net.params[2 * l + 1];
    const bool shares = l == 0 && 2.0 * static_cast<double>(in) * static_cast<double>(out) >= kGemvThreadedFlops;
    const GemmContext& ctx = rows == 1 && !shares ? one_thread : net.gemm;
    // z (rows,out) = a (rows,in) · W(l)ᵀ, W(l) stored (out,in); then + b(l)
    // and the activation, on each part of z as the product stores it.
    // Normalisation needs whole rows or columns, so it runs afterwards.
    const auto bias_and_activation = [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
      bias_add(z + i0 * out + j0, b + j0, i1 - i0, j1 - j0, out);
      if (!hidden) return;
      for_runs(out, i0, i1, j0, j1, [&](std::size_t o, std::size_t len) {
        activation_forward(z + o, z + o, len, net.hidden[l], net.leaky_slope);
      });
    };
    if (layer_normed(net, l)) {
      gemm(z, a, net.params[2 * l], rows, out, in, false, true, 1, 0, ctx);
      normalise(z, net, d, l, rows);
      if (hidden) activation_forward(z, z, rows * out, net.hidden[l], net.leaky_slope);
    } else if (l == 0 && d != nullptr && d->first_product != nullptr) {
      // Elementwise, so the whole row at once gives the bits of the product's parts.
      std::copy_n(d->first_product, out, z);
      bias_and_activation(0, 1, 0, out);
    } else if (rows == 1 && &ctx == &one_thread) {
      // The row gemm would form on this thread, without its dispatch: a
      // visible share of a small network's step (XOR's, a few hundred ns).
      gemm_row(z, a, net.params[2 * l], out, in, true, net.gemm.path);
      bias_and_activation(0, 1, 0, out);
    } else {
      gemm(z, a, net.params[2 * l], rows, out, in, false, true, 1, 0, ctx, bias_and_activation);
    }
    if (hidden && drops(net, d, l)) dropout_forward(d->outs[l], d->masks[l], z, rows * out, net.dropout[l], *d->rng);
  }
}

// The sparsity penalty of a forward pass's activations (0 when off); fills rho_hat.
double penalty(const NetworkView& net, float* const* acts, std::size_t rows, double* rho_hat) {
  if (net.sparsity.layer < 0) return 0;
  const auto l = static_cast<std::size_t>(net.sparsity.layer);
  return sparsity_penalty(rho_hat, acts[l], rows, net.sizes[l + 1], net.sparsity);
}

// dW(l) (out,in) = dzᵀ (out,rows) · a_prev (rows,in); db(l) (out) = Σ_rows dz.
// A frozen layer's gradient is zero: clipping's global norm then ignores it.
void layer_gradient(float* const* grads, const NetworkView& net, std::size_t l, std::size_t rows, const float* a_prev,
                    const float* dz) {
  const std::size_t in = net.sizes[l], out = net.sizes[l + 1];
  if (layer_frozen(net, l)) {
    std::fill_n(grads[2 * l], out * in, 0.0f);
    std::fill_n(grads[2 * l + 1], param_size(net, 2 * l + 1), 0.0f);
    return;
  }
  // A normalised layer's [γ, β] gradient came from normalisation_backward.
  const bool bias = !layer_normed(net, l);
  gemm(grads[2 * l], dz, a_prev, out, in, rows, true, false, 1, 0, net.gemm,
       [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t) {
         // Rows [i0, i1) of dW are units i0..i1 − 1, whose bias gradients
         // sum those columns of dz: the part that starts at column 0 does.
         if (bias && j0 == 0) col_sum(grads[2 * l + 1] + i0, dz + i0, rows, i1 - i0, out);
       });
}

// A tied pair's two gradients become one (autoencoder_terms.h).
void fold_tied(float* const* grads, const NetworkView& net) {
  for (const auto& [e, d] : net.tied) fold_tied_gradient(grads[2 * e], grads[2 * d], net.sizes[e + 1], net.sizes[e]);
}

// Given deltas[last] = ∂loss/∂logits (rows, sizes[last]), fills every
// layer's deltas and, unless grads is null, writes grads in params' layout.
// Reads the weights as they are (pre-update during training). rho_hat is
// what penalty() left, when the sparsity penalty is on; d what the forward
// pass kept (dropout, normalisation).
void backward_layers(float* const* grads, const NetworkView& net, const float* x, std::size_t rows, float* const* acts,
                     float* const* deltas, const double* rho_hat, const PassScratch* d = nullptr) {
  // Below the lowest trainable layer no delta is needed: a frozen encoder costs its forward pass only.
  std::size_t lowest = 0;
  while (lowest < layer_count(net) && layer_frozen(net, lowest)) lowest++;
  for (std::size_t l = layer_count(net); l-- > 0;) {
    const std::size_t in = net.sizes[l], out = net.sizes[l + 1];
    float* dz = deltas[l];
    // Through the normalisation first: deltas[l] becomes ∂loss/∂z of the linear map.
    if (layer_normed(net, l) && l >= lowest) {
      normalisation_backward(dz, grads != nullptr && !layer_frozen(net, l) ? grads[2 * l + 1] : nullptr, net, d, l,
                             rows);
    }
    if (grads != nullptr) layer_gradient(grads, net, l, rows, layer_input(net, x, acts, d, l), dz);
    if (l > lowest) {
      // da (rows,in) = dz (rows,out) · W (out,in), then dz(l−1) = da ⊙ f'(a)
      // in place (after dropout's mask), on each part of da as the product
      // stores it. The sparsity penalty's gradient joins da before f' and
      // needs whole columns, so with it the passes run afterwards.
      float* d_prev = deltas[l - 1];
      const bool dropped = drops(net, d, l - 1);
      const auto mask = [&](std::size_t o, std::size_t len) {
        if (dropped) dropout_backward(d_prev + o, d_prev + o, d->masks[l - 1] + o, len);
      };
      const auto derivative = [&](std::size_t o, std::size_t len) {
        activation_backward(d_prev + o, d_prev + o, acts[l - 1] + o, len, net.hidden[l - 1], net.leaky_slope);
      };
      if (net.sparsity.layer == static_cast<long>(l - 1)) {
        gemm(d_prev, dz, net.params[2 * l], rows, in, out, false, false, 1, 0, net.gemm);
        mask(0, rows * in);
        sparsity_backward(d_prev, rho_hat, rows, in, net.sparsity);
        derivative(0, rows * in);
      } else {
        const auto mask_and_derivative = [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
          for_runs(in, i0, i1, j0, j1, [&](std::size_t o, std::size_t len) {
            mask(o, len);
            derivative(o, len);
          });
        };
        if (rows == 1) {
          // gemm keeps one row without trans_b on the calling thread: the same row, without its dispatch.
          gemm_row(d_prev, dz, net.params[2 * l], in, out, false, net.gemm.path);
          mask_and_derivative(0, 1, 0, in);
        } else {
          gemm(d_prev, dz, net.params[2 * l], rows, in, out, false, false, 1, 0, net.gemm, mask_and_derivative);
        }
      }
    }
  }
  if (grads != nullptr) fold_tied(grads, net);
}

std::vector<float*> pointers(std::vector<std::vector<float>>& bufs) {
  std::vector<float*> ptrs(bufs.size());
  for (std::size_t i = 0; i < bufs.size(); i++) ptrs[i] = bufs[i].data();
  return ptrs;
}

}  // namespace

void network_forward(float* out, const NetworkView& net, const float* x, std::size_t n) {
  network_forward_loss(out, net, x, nullptr, n);
}

double network_forward_loss(float* out, const NetworkView& net, const float* x, const float* y, std::size_t n) {
  // Rows are independent, so the pass runs over blocks of rows: the hidden
  // workspaces stay small and cache-resident whatever n is, and the result is
  // identical to one pass over all rows.
  constexpr std::size_t kBlock = 256;
  const std::size_t layers = layer_count(net);
  const std::size_t in = net.sizes.front(), k = net.sizes.back(), t = target_cols(net);
  const std::size_t cap = std::min(n, kBlock);
  auto hidden = allocating(scratch_item(cap), [&] { return per_layer(net, cap); });
  std::vector<float*> acts = pointers(hidden);
  double loss_sum = 0;
  for (std::size_t r0 = 0; r0 < n; r0 += kBlock) {
    const std::size_t rows = std::min(kBlock, n - r0);
    // The last layer writes straight into out; the output transform runs in place, after the loss read the logits.
    acts[layers - 1] = out + r0 * k;
    forward_layers(net, x + r0 * in, rows, acts.data());
    if (y != nullptr) {
      loss_sum += loss_forward_backward(nullptr, acts[layers - 1], y + r0 * t, rows, k, net.loss, net.loss_params,
                                        net.gemm.pool) *
                  static_cast<double>(rows);
    }
    output_transform(acts[layers - 1], rows, k, net.loss);
  }
  return y != nullptr && n != 0 ? loss_sum / static_cast<double>(n) : 0;
}

double network_loss_gradient(float* const* grads, const NetworkView& net, const float* x, const float* y,
                             std::size_t n) {
  const std::size_t k = net.sizes.back();
  BatchWorkspace ws(net, n);
  const PassScratch s = scratch_of(ws, nullptr);  // normalisation's buffers; no dropout outside training
  forward_layers(net, x, n, ws.acts.data(), &s);
  const double loss =
      loss_forward_backward(ws.deltas.back(), ws.acts.back(), y, n, k, net.loss, net.loss_params, net.gemm.pool) +
      penalty(net, ws.acts.data(), n, ws.rho_hat.data());
  backward_layers(grads, net, x, n, ws.acts.data(), ws.deltas.data(), ws.rho_hat.data(), &s);
  return loss;
}

void network_backward(float* const* grads, const NetworkView& net, const float* x, const float* dout, std::size_t n) {
  BatchWorkspace ws(net, n);
  const PassScratch s = scratch_of(ws, nullptr);
  forward_layers(net, x, n, ws.acts.data(), &s);
  penalty(net, ws.acts.data(), n, ws.rho_hat.data());
  std::copy_n(dout, n * net.sizes.back(), ws.deltas.back());
  backward_layers(grads, net, x, n, ws.acts.data(), ws.deltas.data(), ws.rho_hat.data(), &s);
}

std::size_t param_size(const NetworkView& net, std::size_t p) {
  const std::size_t l = p / 2;
  if (p % 2 == 0) return net.sizes[l + 1] * net.sizes[l];
  const Norm norm = norm_of(net, l);
  return net.sizes[l + 1] * (norm == Norm::Batch ? 4 : norm == Norm::Layer ? 2 : 1);
}

std::size_t parameter_count(const NetworkView& net) {
  std::size_t total = 0;
  for (std::size_t p = 0; p < net.params.size(); p++) total += param_size(net, p);
  return total;
}

std::size_t target_cols(const NetworkView& net) { return loss_target_cols(net.loss, net.sizes.back()); }

// A function-try-block: whichever buffer fails, the whole workspace is named.
BatchWorkspace::BatchWorkspace(const NetworkView& net, std::size_t cap_rows) try
    : cap(cap_rows),
      act_bufs(per_layer(net, cap_rows)),
      delta_bufs(per_layer(net, cap_rows)),
      grad_bufs(net.params.size()),
      acts(pointers(act_bufs)),
      deltas(pointers(delta_bufs)),
      xb(cap_rows * net.sizes.front()),
      yb(cap_rows * target_cols(net)),
      rho_hat(*std::max_element(net.sizes.begin(), net.sizes.end())),
      drop_mask_bufs(net.dropout.size()),
      drop_out_bufs(net.dropout.size()),
      norm_xhat_bufs(net.norm.size()),
      norm_inv_std_bufs(net.norm.size()),
      batch_mean_bufs(net.norm.size()),
      batch_var_bufs(net.norm.size()),
      first_product(net.sizes[1]) {
  for (std::size_t p = 0; p < grad_bufs.size(); p++) grad_bufs[p].resize(param_size(net, p));
  for (std::size_t l = 0; l < net.norm.size(); l++) {
    if (!layer_normed(net, l)) continue;
    const bool batch = norm_of(net, l) == Norm::Batch;
    norm_xhat_bufs[l].resize(cap_rows * net.sizes[l + 1]);
    norm_inv_std_bufs[l].resize(batch ? net.sizes[l + 1] : cap_rows);
    if (!batch) continue;
    batch_mean_bufs[l].resize(net.sizes[l + 1]);
    batch_var_bufs[l].resize(net.sizes[l + 1]);
  }
  for (std::size_t l = 0; l < net.dropout.size(); l++) {
    if (net.dropout[l] <= 0) continue;
    drop_mask_bufs[l].resize(cap_rows * net.sizes[l + 1]);
    drop_out_bufs[l].resize(cap_rows * net.sizes[l + 1]);
  }
  grads = pointers(grad_bufs);
  drop_masks = pointers(drop_mask_bufs);
  drop_outs = pointers(drop_out_bufs);
  norm_xhat = pointers(norm_xhat_bufs);
  norm_inv_std = pointers(norm_inv_std_bufs);
  batch_mean = pointers(batch_mean_bufs);
  batch_var = pointers(batch_var_bufs);
} catch (...) {
  rethrow_named(scratch_item(cap_rows));
}

namespace {

// Elements [e0, e1) of dst (rows, width) ← rows idx[…] of src: the part of
// a gather one thread copies. Plain loops, not std::copy: rows of tiny nets
// are a few floats, where a memmove call per row costs more than the copy.
void gather_part(float* dst, const float* src, const std::uint32_t* idx, std::size_t width, std::size_t e0,
                 std::size_t e1) {
  for (std::size_t e = e0; e < e1;) {
    const std::size_t r = e / width, j0 = e - r * width, j1 = std::min(width, j0 + (e1 - e));
    const float* row = src + static_cast<std::size_t>(idx[r]) * width;  // idx checked below n at the boundary
    for (std::size_t j = j0; j < j1; j++) dst[r * width + j] = row[j];
    e += j1 - j0;
  }
}

// xb (rows, in) and yb (rows, t) ← the rows idx[0..rows) of x and y, over
// the pool from kParallelGatherElements floats, each thread its part of
// both: the rows are scattered over the training set, so the copy waits on
// memory, and two cores wait in parallel.
void gather_batch(float* xb, float* yb, const float* x, const float* y, std::size_t in, std::size_t t,
                  const std::uint32_t* idx, std::size_t rows, ThreadPool* pool) {
  const std::size_t x_len = rows * in, y_len = rows * t;
  const std::size_t parts = pool != nullptr && x_len + y_len >= kParallelGatherElements ? pool->size() : 1;
  const auto part = [&](std::size_t p) {
    gather_part(xb, x, idx, in, part_begin(x_len, p, parts), part_begin(x_len, p + 1, parts));
    gather_part(yb, y, idx, t, part_begin(y_len, p, parts), part_begin(y_len, p + 1, parts));
  };
  if (parts == 1) part(0);
  else pool->run(parts, part);
}

// network_batch_gradient, or with grads null network_batch_deltas.
double batch_pass(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y, const std::uint32_t* idx,
                  std::size_t rows, const InputNoise& noise, Rng* rng, float* const* grads) {
  const std::size_t in = net.sizes.front(), k = net.sizes.back(), t = target_cols(net);
  float* xb = ws.xb.data();
  gather_batch(xb, ws.yb.data(), x, y, in, t, idx, rows, net.gemm.pool);
  if (rng != nullptr) corrupt_input(xb, rows * in, noise, *rng);
  PassScratch scratch = scratch_of(ws, rng);
  // The product formed for this row by the last update (sgd_rank1.h): its
  // weights are the current ones, since that update was the last to write them.
  const bool formed =
      ws.has_first_product && rows == 1 && idx[0] == ws.first_product_row && noise.type == NoiseType::None;
  ws.has_first_product = false;
  if (formed) scratch.first_product = ws.first_product.data();
  const PassScratch* d = &scratch;
  ws.dropped = rng != nullptr && !net.dropout.empty();
  forward_layers(net, ws.xb.data(), rows, ws.acts.data(), d);
  const double loss = loss_forward_backward(ws.deltas.back(), ws.acts.back(), ws.yb.data(), rows, k, net.loss,
                                            net.loss_params, net.gemm.pool) +
                      penalty(net, ws.acts.data(), rows, ws.rho_hat.data());
  if (std::isfinite(loss)) {
    backward_layers(grads, net, ws.xb.data(), rows, ws.acts.data(), ws.deltas.data(), ws.rho_hat.data(), d);
    for (std::size_t l = 0; l < net.norm.size(); l++) {
      if (norm_of(net, l) == Norm::Batch && batch_stats(net, d, l)) {
        batch_norm_update_running(net.params[2 * l + 1], ws.batch_mean[l], ws.batch_var[l], net.sizes[l + 1]);
      }
    }
  }
  return loss;
}

}  // namespace

void prefetch_rows(const float* x, std::size_t width, const std::uint32_t* idx, std::size_t rows) {
  if (width == 0) return;
  for (std::size_t r = 0; r < rows; r++) {
    const float* row = x + static_cast<std::size_t>(idx[r]) * width;
    prefetch_line(row);
    prefetch_line(row + width - 1);
  }
}

double network_batch_gradient(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y,
                              const std::uint32_t* idx, std::size_t rows, const InputNoise& noise, Rng* rng) {
  return batch_pass(ws, net, x, y, idx, rows, noise, rng, ws.grads.data());
}

double network_batch_deltas(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y,
                            const std::uint32_t* idx, std::size_t rows, const InputNoise& noise, Rng* rng) {
  return batch_pass(ws, net, x, y, idx, rows, noise, rng, nullptr);
}

void network_param_gradients(BatchWorkspace& ws, const NetworkView& net, std::size_t rows) {
  // The inputs the last pass used: its dropped activations when it applied dropout.
  PassScratch scratch = scratch_of(ws, nullptr);
  scratch.dropout = ws.dropped;  // (no normalised layer takes this path: Rank1Sgd::applies)
  const PassScratch* d = &scratch;
  for (std::size_t l = 0; l < layer_count(net); l++) {
    layer_gradient(ws.grads.data(), net, l, rows, layer_input(net, ws.xb.data(), ws.acts.data(), d, l), ws.deltas[l]);
  }
  fold_tied(ws.grads.data(), net);
}

double network_evaluate(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y, std::size_t n,
                        Metric metric, double* metric_total) {
  const std::size_t in = net.sizes.front(), k = net.sizes.back(), t = target_cols(net);
  double loss_sum = 0;
  *metric_total = 0;
  for (std::size_t r0 = 0; r0 < n; r0 += ws.cap) {
    const std::size_t rows = std::min(ws.cap, n - r0);
    forward_layers(net, x + r0 * in, rows, ws.acts.data());
    loss_sum +=
        loss_forward_backward(nullptr, ws.acts.back(), y + r0 * t, rows, k, net.loss, net.loss_params, net.gemm.pool) *
        static_cast<double>(rows);
    *metric_total += metric_sum(ws.acts.back(), y + r0 * t, rows, k, metric);
  }
  return n ? loss_sum / static_cast<double>(n) : 0;
}

void network_sgd_step(const NetworkView& net, float* const* grads, double learning_rate, double weight_decay) {
  for (std::size_t l = 0; l < layer_count(net); l++) {
    if (layer_frozen(net, l)) continue;
    sgd_update(net.params[2 * l], grads[2 * l], net.sizes[l + 1] * net.sizes[l], learning_rate, weight_decay);
    sgd_update(net.params[2 * l + 1], grads[2 * l + 1], param_size(net, 2 * l + 1), learning_rate, 0);
  }
}

double network_train_epoch(const NetworkView& net, const float* x, const float* y, std::size_t /*n*/,
                           const std::uint32_t* order, std::size_t order_len, std::size_t batch_size,
                           double learning_rate, double weight_decay) {
  if (order_len == 0) return 0;
  BatchWorkspace ws(net, std::min(batch_size, order_len));
  double sum = 0;
  std::size_t batch = 0;
  for (std::size_t start = 0; start < order_len; start += batch_size, batch++) {
    const std::size_t rows = std::min(batch_size, order_len - start);
    const double loss = network_batch_gradient(ws, net, x, y, order + start, rows);
    // Checked before any update, so a diverged batch leaves the weights as they were.
    if (!std::isfinite(loss)) throw NonFiniteLoss(batch);
    network_sgd_step(net, ws.grads.data(), learning_rate, weight_decay);
    sum += loss * static_cast<double>(rows);
  }
  return sum;
}

}  // namespace fastnn
