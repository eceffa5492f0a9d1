// kernels.h: the layer kernels of the nnet library, declared once for every backend.
//
// Model code (static-tdnn.cc, layers.cc) calls these through KernelsFor(tensor.device): the CPU
// implementation is kernels-cpu.cc (OpenBLAS sgemm + loops, threaded with ParallelFor); a GPU
// backend implements the same class and registers it with RegisterKernels(Device::kGpu, ...),
// so model code never changes.
//
// Conventions (llm.c style): each op is a Forward/Backward pair; shapes are in the comments;
// backward ADDS into every gradient it produces (input grads and parameter grads alike, so
// residual branches and weight sharing need no extra code); callers zero grads before a step.
// In-place ops say so. All tensors of one call are on the same device.
#ifndef TDNAS_NNET_KERNELS_H_
#define TDNAS_NNET_KERNELS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "nnet/tensor.h"

namespace tdnas {
namespace nnet {

// What AAM-softmax forward keeps for backward, allocated by the caller.
struct AamSaved {
  Tensor xn;      // (B, E) normalised embeddings
  Tensor xnorm;   // (B) |x| (clamped at 1e-12 like F.normalize)
  Tensor wn;      // (N, E) normalised class weights
  Tensor wnorm;   // (N)
  Tensor cosine;  // (B, N)
  Tensor prob;    // (B, N) softmax of the scaled logits
};

// The scalars of one Adam step (AdamCoefficients below): with gi = g + l2 p,
// m = b1 m + (1 - b1) gi, v = b2 v + (1 - b2) gi^2, p = p decay - step_size m / (sqrt(v)
// inv_sqrt_bc2 + eps).
struct AdamStepCoef {
  float step_size = 0, inv_sqrt_bc2 = 0, decay = 1, l2 = 0;
};
// PyTorch's Adam / AdamW at step t >= 1 (bias corrections in double, then rounded).
AdamStepCoef AdamCoefficients(float lr, float beta1, float beta2, float weight_decay,
                              bool decoupled, int64_t step);

struct AamOptions {
  float margin = 0.2f;   // additive angular margin m (spec section 2)
  float scale = 30.0f;   // logit scale s
};

// The supernet <-> subnet map of one subnet config (nnet/supernet.h), as strided slice copies
// between two flat buffers (the subnet's, laid out by its ParamTable, and the supernet's).
// Copy c moves, for o < n_out and i < n_in, the kernel vector of supernet row
// index[out_idx + o], column index[in_idx + i] (k_super floats at (row * super_in + col) *
// k_super) to subnet position (o * sub_in + i) * k_sub, through the kernel transform
// (W3 = W5[1:4] @ k53, W1 = W3[1] * k31) when k_sub < k_super. 1-D tensors have n_in = 1,
// super_in = sub_in = 1 and the single column index 0.
struct SliceCopy {
  int64_t sub = 0, super = 0;         // offsets (floats) of the two tensors in their buffers
  int32_t n_out = 0, n_in = 1;        // rows and columns copied
  int32_t super_in = 1, sub_in = 1;   // row lengths (columns) of the two tensors
  int32_t k_super = 1, k_sub = 1;     // kernel sizes
  int32_t out_idx = 0, in_idx = 0;    // where the row and column index lists start in index
  int64_t k53 = -1, k31 = -1;         // offsets of the transforms in the supernet params
};
struct SlicePlan {
  std::vector<SliceCopy> copies;
  std::vector<int32_t> index;
  // The GPU backend's copy of the plan, uploaded on first use and kept with the plan (a plan
  // is built once per subnet config and reused while that config is cached).
  mutable std::shared_ptr<void> device_copy;
};

// What a convolution's training forward leaves for its backward (backend-defined: the GPU's
// BF16 mode keeps its bf16 im2col of x, laid out (Cin*K, B*T) as the dW product reads it, so
// the backward does not build it again). The backward that uses it releases it.
struct ConvSaved {
  std::shared_ptr<void> data;
  int64_t rows = 0, frames = 0;   // what data holds: rows x frames
  std::shared_ptr<void> weight;   // (GPU BF16: the weight as the dx product reads it)
  void Release() {                // gives the saved device memory back (nothing saved)
    data.reset();
    weight.reset();
  }
};

class Kernels {
 public:
  virtual ~Kernels() {}

  // ---- convolution: stride 1, no bias, "same" padding (k-1)/2*dilation, k odd ----
  // x: (B, Cin, T), w: (Cout, Cin, K), y: (B, Cout, T) overwritten.
  virtual void Conv1dForward(const Tensor &x, const Tensor &w, int dilation, Tensor *y) const = 0;
  // dy: (B, Cout, T). dx (may be null): (B, Cin, T) +=; dw: (Cout, Cin, K) +=.
  virtual void Conv1dBackward(const Tensor &x, const Tensor &w, int dilation, const Tensor &dy,
                              Tensor *dx, Tensor *dw) const = 0;
  // The same pair for training, where the forward may keep work for the backward in *saved
  // (see ConvSaved; the backward is given the same x, w and dilation). Default: the plain
  // calls, nothing kept.
  virtual void Conv1dForwardSaving(const Tensor &x, const Tensor &w, int dilation, Tensor *y,
                                   ConvSaved *saved) const;
  virtual void Conv1dBackwardSaved(const Tensor &x, const Tensor &w, int dilation,
                                   const Tensor &dy, Tensor *dx, Tensor *dw,
                                   ConvSaved *saved) const;

  // ---- batch norm over (B, T) per channel; 2-D (B, C) inputs are (B, C, 1) ----
  // x, y: (B, C, T); gamma, beta, running_mean, running_var, mean, invstd: (C).
  // train: normalises with the batch mean and biased variance, saves them in mean/invstd and
  //   updates running stats with `momentum` (running_var gets the unbiased variance, as PyTorch).
  // eval: normalises with the running stats; mean/invstd receive them (for backward).
  virtual void BatchNormForward(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                                bool train, float momentum, float eps, Tensor *running_mean,
                                Tensor *running_var, Tensor *y, Tensor *mean,
                                Tensor *invstd) const = 0;
  // dx +=, dgamma +=, dbeta +=. train selects which formula (batch stats depend on x).
  virtual void BatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean,
                                 const Tensor &invstd, const Tensor &dy, bool train, Tensor *dx,
                                 Tensor *dgamma, Tensor *dbeta) const = 0;

  // ---- ReLU then batch norm, the conv units' epilogue, in one pass where a backend can ----
  // y = BN(relu(x)), same arguments as BatchNormForward. x holds the pre-activation; the
  // default implementation replaces it with relu(x) in place, and the backward accepts either
  // (both give the same relu and the same mask), so callers keep x for the backward.
  virtual void ReluBatchNormForward(Tensor *x, const Tensor &gamma, const Tensor &beta, bool train,
                                    float momentum, float eps, Tensor *running_mean,
                                    Tensor *running_var, Tensor *y, Tensor *mean,
                                    Tensor *invstd) const;
  // The same, and in the same pass sum = addend + y (a Res2Net group's output z_j added to the
  // next group's input g_{j+1}). Default: ReluBatchNormForward, then AddTwo(addend, y, sum).
  virtual void ReluBatchNormForwardAdd(Tensor *x, const Tensor &gamma, const Tensor &beta,
                                       bool train, float momentum, float eps,
                                       Tensor *running_mean, Tensor *running_var, Tensor *y,
                                       Tensor *mean, Tensor *invstd, const Tensor &addend,
                                       Tensor *sum) const;
  // dx += dBN(relu(x)), then dx *= (x > 0) (the gradient of the pre-activation when dx held
  // zeros); dgamma +=, dbeta +=.
  virtual void ReluBatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean,
                                     const Tensor &invstd, const Tensor &dy, bool train,
                                     Tensor *dx, Tensor *dgamma, Tensor *dbeta) const;

  // ---- elementwise (any shape; y may alias x; backward is in place on dy given the output) ----
  virtual void ReluForward(const Tensor &x, Tensor *y) const = 0;
  virtual void ReluBackwardInPlace(const Tensor &y, Tensor *dy) const = 0;      // dy *= (y > 0)
  virtual void TanhForward(const Tensor &x, Tensor *y) const = 0;
  virtual void TanhBackwardInPlace(const Tensor &y, Tensor *dy) const = 0;      // dy *= 1 - y^2
  virtual void SigmoidForward(const Tensor &x, Tensor *y) const = 0;
  virtual void SigmoidBackwardInPlace(const Tensor &y, Tensor *dy) const = 0;   // dy *= y (1 - y)
  virtual void Add(const Tensor &x, Tensor *y) const = 0;                       // y += x
  virtual void Copy(const Tensor &x, Tensor *y) const = 0;                      // y = x
  // Fused pairs of the above (one pass where a backend can; the defaults call the pair, so
  // the CPU results are those of the separate calls). Same shapes, no aliasing between the
  // arguments.
  virtual void AddTwo(const Tensor &a, const Tensor &b, Tensor *y) const;        // y = a + b
  // The dense residual step: y += s, then s += y (the updated y); also its backward.
  virtual void ResidualAccumulate(Tensor *y, Tensor *s) const;

  // ---- linear: x (B, In), w (Out, In), b (Out) or null, y (B, Out) = x w^T + b ----
  virtual void LinearForward(const Tensor &x, const Tensor &w, const Tensor *b, Tensor *y) const = 0;
  // dx (may be null) +=, dw +=, db (may be null) +=.
  virtual void LinearBackward(const Tensor &x, const Tensor &w, const Tensor &dy, Tensor *dx,
                              Tensor *dw, Tensor *db) const = 0;

  // ---- squeeze-excitation pieces ----
  // x: (B, C, T) -> m: (B, C) mean over T.   Backward: dx += dm / T.
  virtual void MeanOverTimeForward(const Tensor &x, Tensor *m) const = 0;
  virtual void MeanOverTimeBackward(const Tensor &dm, Tensor *dx) const = 0;
  // y (B, C, T) = x * a[b, c] with a: (B, C).   Backward: dx += dy * a, da += sum_t dy * x.
  virtual void ScaleChannelsForward(const Tensor &x, const Tensor &a, Tensor *y) const = 0;
  // The SE output followed by the dense residual step, in one pass where a backend can:
  // y = x * a (per channel), then y += s, then s += y (ResidualAccumulate). Default: the two.
  virtual void ScaleChannelsResidual(const Tensor &x, const Tensor &a, Tensor *y, Tensor *s) const;
  virtual void ScaleChannelsBackward(const Tensor &x, const Tensor &a, const Tensor &dy,
                                     Tensor *dx, Tensor *da) const = 0;

  // ---- attentive statistics pooling ----
  // logits, a: (B, C, T), softmax over T.   Backward: dlogits += a * (da - sum_t a da).
  virtual void SoftmaxOverTimeForward(const Tensor &logits, Tensor *a) const = 0;
  virtual void SoftmaxOverTimeBackward(const Tensor &a, const Tensor &da, Tensor *dlogits) const = 0;
  // h, a: (B, C, T) -> out: (B, 2C) = [mu; sd], mu = sum_t a h,
  // sd = sqrt(max(sum_t a h^2 - mu^2, min_var)).
  virtual void AttentiveStatsForward(const Tensor &h, const Tensor &a, float min_var,
                                     Tensor *out) const = 0;
  // dout: (B, 2C). dh +=, da +=.
  virtual void AttentiveStatsBackward(const Tensor &h, const Tensor &a, const Tensor &out,
                                      float min_var, const Tensor &dout, Tensor *dh,
                                      Tensor *da) const = 0;

  // ---- AAM-softmax loss: x (B, E), w (N, E) (class weights, rows), labels[B] on the host ----
  // cos = normalize(x) normalize(w)^T; target logit phi = cos(theta + m), or cos - sin(pi-m) m
  // when cos <= cos(pi - m); logits = s * (onehot phi + (1 - onehot) cos); mean cross-entropy.
  // Returns the loss; *num_correct = #argmax(logits) == label (the reference's accuracy).
  virtual double AamSoftmaxForward(const Tensor &x, const Tensor &w, const int32_t *labels,
                                   const AamOptions &opts, AamSaved *saved,
                                   int64_t *num_correct) const = 0;
  // Gradient of the mean loss times loss_scale: dx +=, dw +=.
  virtual void AamSoftmaxBackward(const Tensor &x, const Tensor &w, const int32_t *labels,
                                  const AamOptions &opts, const AamSaved &saved,
                                  float loss_scale, Tensor *dx, Tensor *dw) const = 0;

  // The same with the labels already on the tensors' device (int32[B]) and no host round
  // trip: stats[0] = the loss, stats[1] = the number correct, doubles on the tensors' device.
  // A training step built from these (and AdamUpdateOnDevice) can be captured in a CUDA graph
  // and replayed with new labels (gpu::StreamGraph). The host versions check the labels; here
  // a label outside [0, N) makes the loss NaN on the GPU (the CPU's is the host version).
  virtual void AamSoftmaxForwardOnDevice(const Tensor &x, const Tensor &w, const int32_t *labels,
                                         const AamOptions &opts, AamSaved *saved,
                                         double *stats) const;
  virtual void AamSoftmaxBackwardOnDevice(const Tensor &x, const Tensor &w,
                                          const int32_t *labels, const AamOptions &opts,
                                          const AamSaved &saved, float loss_scale, Tensor *dx,
                                          Tensor *dw) const;

  // ---- optimizer: one Adam step over flat buffers p, g, m, v (same length) ----
  // PyTorch's torch.optim.Adam formula; see nnet/adam.h for the options.
  virtual void AdamUpdate(float lr, float beta1, float beta2, float eps, float weight_decay,
                          bool decoupled, int64_t step, const Tensor &g, Tensor *p, Tensor *m,
                          Tensor *v) const = 0;
  // The same with the step's scalars read from *coef on the tensors' device (a captured step
  // replays with each step's learning rate written there).
  virtual void AdamUpdateOnDevice(const AdamStepCoef *coef, float beta1, float beta2, float eps,
                                  const Tensor &g, Tensor *p, Tensor *m, Tensor *v) const = 0;

  // ---- supernet <-> subnet slices (SlicePlan above; flat 1-D tensors of whole buffers) ----
  // sub = gather of super; super_params supplies the kernel transforms.
  virtual void SliceGather(const SlicePlan &plan, const Tensor &super, const Tensor &super_params,
                           Tensor *sub) const = 0;
  // The transpose: dsuper += gather^T dsub, including the gradients of k53 / k31 (each copy's
  // sum accumulated in double). No two copies write the same supernet element.
  virtual void SliceScatterAdd(const SlicePlan &plan, const Tensor &dsub,
                               const Tensor &super_params, Tensor *dsuper) const = 0;
  // super[slice] = sub (plans without kernel transforms: BN running statistics).
  virtual void SliceScatter(const SlicePlan &plan, const Tensor &sub, Tensor *super) const = 0;
};

// The kernels for a device (error if that backend is not built/registered).
const Kernels &KernelsFor(Device d);
inline const Kernels &KernelsFor(const Tensor &t) { return KernelsFor(t.device); }
void RegisterKernels(Device d, const Kernels *k);

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_KERNELS_H_
