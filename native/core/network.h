// Whole-network passes built from the kernels: forward, the gradient of one
// batch, and an epoch of minibatch SGD, each in one call. Workspaces are
// allocated once per call; the per-batch loop allocates nothing.
//
// Layout: layer l maps sizes[l] → sizes[l+1] with W(l) = params[2l] stored
// (out, in) like PyTorch nn.Linear and b(l) = params[2l+1], so the forward
// product is z = a·Wᵀ (gemm with trans_b) and the weight gradient dzᵀ·a comes
// out directly in (out, in) order (gemm with trans_a).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "activations.h"
#include "gemm.h"
#include "losses.h"
#include "metrics.h"
#include "autoencoder_terms.h"
#include "rng.h"

namespace fastnn {

// A network as plain data plus borrowed pointers (the caller owns the memory,
// and has checked every length against sizes).
struct NetworkView {
  std::vector<std::size_t> sizes;  // [in, h1, ..., out], at least 2 entries, each ≥ 1
  std::vector<Activation> hidden;  // sizes.size() − 2 entries
  double leaky_slope = 0;
  Loss loss = Loss::Mse;
  LossParams loss_params;      // class_weights borrowed like params
  std::vector<float*> params;  // 2·(sizes.size() − 1): W0, b0, W1, b1, ...
  Sparsity sparsity;           // KL penalty on a code layer (off by default)
  TiedPairs tied;              // (e, d): W(d) = W(e)ᵀ, checked shapes
  // Frozen layers (fine-tuning): empty, or one flag per layer. A frozen
  // layer's gradient is zero and no optimizer touches its weights or state;
  // backward stops below the lowest trainable layer. Tied pairs are both
  // frozen or both trainable (checked at the boundary).
  std::vector<std::uint8_t> frozen;
  // Inverted dropout (dropout.h): empty, or one rate in [0, 1) per hidden
  // layer, applied after its activation in training passes that are given a
  // generator (Backend.train's); forward, evaluate and the gradient calls run
  // without it, as inference does.
  std::vector<double> dropout;
  // Normalisation (normalization.h): empty, or one Norm code per hidden
  // layer. A normalised layer's linear map adds no bias of its own; its bias
  // parameter b(l) holds [γ, β] (layer) or [γ, β, running mean, running
  // variance] (batch). Batch normalisation uses the batch's statistics (and
  // moves the running ones) in passes given a generator (Backend.train's),
  // the running ones everywhere else.
  std::vector<std::uint8_t> norm;
  // Kernel path and thread pool of every product: the addon instance's, so
  // large forward passes (predict) and large batches use the whole pool.
  // Results do not depend on the thread count (gemm.h).
  GemmContext gemm{initial_kernel_path(), nullptr};
};

// Thrown by network_train_epoch when a batch's loss is not finite; the weights are
// left as they were after the previous batch.
class NonFiniteLoss : public std::runtime_error {
 public:
  explicit NonFiniteLoss(std::size_t batch);
  std::size_t batch() const { return batch_; }

 private:
  std::size_t batch_;
};

// Batches of at least this many input and target floats are gathered from
// the training set over the network's pool (net.gemm.pool), each thread a
// contiguous part of both (thread_pool.h part_begin); smaller ones on the
// calling thread. A Fashion-MNIST batch of 64 rows (50 240 floats) is ~3%
// of a one-thread step, its rows scattered over 188 MB; a pool job costs
// 1–3 µs, about what copying 8 k floats from memory takes.
constexpr std::size_t kParallelGatherElements = 1 << 15;

// Buffers for forward + backward of batches of up to `cap` rows, allocated
// once per job and reused for every batch: activations and deltas per layer,
// the gathered batch, and one gradient per parameter (params' layout).
struct BatchWorkspace {
  BatchWorkspace(const NetworkView& net, std::size_t cap);
  std::size_t cap;
  std::vector<std::vector<float>> act_bufs, delta_bufs, grad_bufs;
  std::vector<float*> acts, deltas, grads;
  std::vector<float> xb, yb;
  std::vector<double> rho_hat;  // the sparse layer's mean activations, from forward to backward
  // Dropout per hidden layer (empty where its rate is 0): the mask and the
  // dropped activations the next layer reads, from forward to backward.
  std::vector<std::vector<float>> drop_mask_bufs, drop_out_bufs;
  std::vector<float*> drop_masks, drop_outs;
  // Normalisation per hidden layer (empty where off): x̂ (cap, width) and
  // the scales 1/√(σ² + ε) (cap for layer, width for batch normalisation),
  // from forward to backward; batch normalisation's batch mean and unbiased
  // variance (width), for the running statistics.
  std::vector<std::vector<float>> norm_xhat_bufs, norm_inv_std_bufs, batch_mean_bufs, batch_var_bufs;
  std::vector<float*> norm_xhat, norm_inv_std, batch_mean, batch_var;
  bool dropped = false;  // whether the last pass applied them (it had a generator)
  // The next sample's first-layer product x·W(0)ᵀ (sizes[1]), formed by the
  // per-sample update while each row of W(0) is still in cache
  // (sgd_rank1.h), and the training-set row it is for: the next one-row
  // pass over that row starts from it instead of reading W(0) again.
  std::vector<float> first_product;
  std::uint32_t first_product_row = 0;
  bool has_first_product = false;
};

// Whether layer l is frozen (net.frozen).
inline bool layer_frozen(const NetworkView& net, std::size_t l) { return !net.frozen.empty() && net.frozen[l] != 0; }

// The integer codes cross the JS boundary (backend.ts `Norm`).
enum class Norm : std::uint8_t { None = 0, Layer = 1, Batch = 2 };
constexpr int kNormCount = 3;

// How hidden layer l is normalised (net.norm); Norm::None for the output layer.
inline Norm norm_of(const NetworkView& net, std::size_t l) {
  return l < net.norm.size() ? static_cast<Norm>(net.norm[l]) : Norm::None;
}
inline bool layer_normed(const NetworkView& net, std::size_t l) { return norm_of(net, l) != Norm::None; }

// Elements of params[p]: W(l) (sizes[l+1], sizes[l]) for even p = 2l, b(l)
// (sizes[l+1], or 2·/4·sizes[l+1] for a layer-/batch-normalised layer) for odd.
std::size_t param_size(const NetworkView& net, std::size_t p);
// Σ of param_size over every parameter.
std::size_t parameter_count(const NetworkView& net);

// Columns of the targets y: loss_target_cols(loss, sizes[last]).
std::size_t target_cols(const NetworkView& net);

// Gathers rows idx[0..rows) of x (n, sizes[0]) and y (n, target_cols) into
// ws, runs forward and the loss, and, when that loss is finite, backward:
// ws.grads = ∂(batch mean loss)/∂params. Returns the batch mean loss (the
// sparsity penalty included). With noise and rng, the gathered inputs are
// corrupted before forward while the targets stay clean (denoising); with
// rng, net.dropout applies too (its masks drawn after the noise, layer by
// layer) and batch normalisation uses the batch's statistics, moving the
// running ones in params when the loss is finite (frozen layers aside);
// otherwise parameters are only read.
double network_batch_gradient(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y,
                              const std::uint32_t* idx, std::size_t rows, const InputNoise& noise = {},
                              Rng* rng = nullptr);

// Asks for the first and last cache line of rows idx[0..rows) of x (n,
// width), without waiting for them. A shuffled batch's rows lie scattered
// over the training set, and gathering them waits on a page walk and a miss
// for each; asked for one step ahead, those overlap the step's arithmetic,
// and the gather finds the rows' pages mapped and their reads under way.
void prefetch_rows(const float* x, std::size_t width, const std::uint32_t* idx, std::size_t rows);

// The same pass without the parameter gradients: forward, the loss and, when
// it is finite, every layer's deltas (ws.deltas), for an update that forms
// the gradients itself (sgd_rank1.h). ws.grads is not touched.
double network_batch_deltas(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y,
                            const std::uint32_t* idx, std::size_t rows, const InputNoise& noise = {},
                            Rng* rng = nullptr);

// ws.grads from what network_batch_deltas left in ws for its `rows` rows:
// afterwards ws is as network_batch_gradient would have left it.
void network_param_gradients(BatchWorkspace& ws, const NetworkView& net, std::size_t rows);

// Mean loss of net over x (n, sizes[0]), y (n, target_cols), run forward in
// blocks of ws.cap rows (no gradient); *metric_total receives Σ of the
// metric's per-row scores (metrics.h). The sparsity penalty is not included:
// this is the reconstruction (or prediction) loss alone.
double network_evaluate(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y, std::size_t n,
                        Metric metric, double* metric_total);

// params ← params − lr·(grads + weight_decay·params) for every layer,
// decaying weights but not biases; grads in params' layout.
void network_sgd_step(const NetworkView& net, float* const* grads, double learning_rate, double weight_decay);

// out (n, sizes[last]) = output activations (after the loss's output
// transform) for x (n, sizes[0]).
void network_forward(float* out, const NetworkView& net, const float* x, std::size_t n);

// network_forward, and in the same pass the mean loss over y (n, target_cols)
// (returned; 0 when y is null): evaluation without a gradient. No sparsity
// penalty, as in network_evaluate.
double network_forward_loss(float* out, const NetworkView& net, const float* x, const float* y, std::size_t n);

// grads (params' layout) = ∂(mean loss over x (n, sizes[0]), y (n, target_cols))/∂params;
// returns that mean loss. Exactly the gradient network_train_epoch applies for one batch.
double network_loss_gradient(float* const* grads, const NetworkView& net, const float* x, const float* y,
                             std::size_t n);

// grads (params' layout) = ∂(Σ dout ⊙ logits)/∂params for x (n, sizes[0]) and
// dout (n, sizes[last]), a gradient with respect to the last layer's logits
// given by the caller (a loss the network layer does not know, such as
// Sammon stress); the sparsity penalty's gradient is added when it is on.
void network_backward(float* const* grads, const NetworkView& net, const float* x, const float* dout, std::size_t n);

// One epoch of minibatch SGD over order (order_len indices below n into
// x (n, sizes[0]), y (n, target_cols)), updating net.params in place.
// Returns Σ over batches of batchLoss·batchRows. Throws NonFiniteLoss.
double network_train_epoch(const NetworkView& net, const float* x, const float* y, std::size_t n,
                           const std::uint32_t* order, std::size_t order_len, std::size_t batch_size,
                           double learning_rate, double weight_decay);

}  // namespace fastnn
