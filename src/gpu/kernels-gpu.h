// kernels-gpu.h: the CUDA implementation of the nnet kernels (nnet/kernels.h), private to
// src/gpu. Split over kernels-gpu-conv.cu (convolution, linear, batch norm) and
// kernels-gpu-pool.cu (elementwise, squeeze-excitation, attentive pooling, AAM-softmax, Adam)
// and kernels-gpu-slice.cu (supernet <-> subnet slices).
// Same semantics as the CPU kernels (kernels-cpu.cc), which the tests compare against; every
// call is queued on the backend stream (asynchronous) except AamSoftmaxForward, which returns
// the loss and so waits for it.
#ifndef TDNAS_GPU_KERNELS_GPU_H_
#define TDNAS_GPU_KERNELS_GPU_H_

#include "nnet/kernels.h"

namespace tdnas {
namespace gpu {

using nnet::AamOptions;
using nnet::AamSaved;
using nnet::AdamStepCoef;
using nnet::ConvSaved;
using nnet::Tensor;

class GpuKernels : public nnet::Kernels {
 public:
  void Conv1dForward(const Tensor &x, const Tensor &w, int dilation, Tensor *y) const override;
  void Conv1dBackward(const Tensor &x, const Tensor &w, int dilation, const Tensor &dy, Tensor *dx, Tensor *dw) const override;
  void Conv1dForwardSaving(const Tensor &x, const Tensor &w, int dilation, Tensor *y, ConvSaved *saved) const override;
  void Conv1dBackwardSaved(const Tensor &x, const Tensor &w, int dilation, const Tensor &dy, Tensor *dx, Tensor *dw, ConvSaved *saved) const override;
  void BatchNormForward(const Tensor &x, const Tensor &gamma, const Tensor &beta, bool train, float momentum, float eps, Tensor *running_mean, Tensor *running_var, Tensor *y, Tensor *mean, Tensor *invstd) const override;
  void BatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean, const Tensor &invstd, const Tensor &dy, bool train, Tensor *dx, Tensor *dgamma, Tensor *dbeta) const override;
  void ReluBatchNormForward(Tensor *x, const Tensor &gamma, const Tensor &beta, bool train, float momentum, float eps, Tensor *running_mean, Tensor *running_var, Tensor *y, Tensor *mean, Tensor *invstd) const override;
  void ReluBatchNormForwardAdd(Tensor *x, const Tensor &gamma, const Tensor &beta, bool train, float momentum, float eps, Tensor *running_mean, Tensor *running_var, Tensor *y, Tensor *mean, Tensor *invstd, const Tensor &addend, Tensor *sum) const override;
  void ReluBatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean, const Tensor &invstd, const Tensor &dy, bool train, Tensor *dx, Tensor *dgamma, Tensor *dbeta) const override;
  void ReluForward(const Tensor &x, Tensor *y) const override;
  void ReluBackwardInPlace(const Tensor &y, Tensor *dy) const override;
  void TanhForward(const Tensor &x, Tensor *y) const override;
  void TanhBackwardInPlace(const Tensor &y, Tensor *dy) const override;
  void SigmoidForward(const Tensor &x, Tensor *y) const override;
  void SigmoidBackwardInPlace(const Tensor &y, Tensor *dy) const override;
  void Add(const Tensor &x, Tensor *y) const override;
  void Copy(const Tensor &x, Tensor *y) const override;
  void AddTwo(const Tensor &a, const Tensor &b, Tensor *y) const override;
  void ResidualAccumulate(Tensor *y, Tensor *s) const override;
  void LinearForward(const Tensor &x, const Tensor &w, const Tensor *b, Tensor *y) const override;
  void LinearBackward(const Tensor &x, const Tensor &w, const Tensor &dy, Tensor *dx, Tensor *dw, Tensor *db) const override;
  void MeanOverTimeForward(const Tensor &x, Tensor *m) const override;
  void MeanOverTimeBackward(const Tensor &dm, Tensor *dx) const override;
  void ScaleChannelsForward(const Tensor &x, const Tensor &a, Tensor *y) const override;
  void ScaleChannelsResidual(const Tensor &x, const Tensor &a, Tensor *y, Tensor *s) const override;
  void ScaleChannelsBackward(const Tensor &x, const Tensor &a, const Tensor &dy, Tensor *dx, Tensor *da) const override;
  void SoftmaxOverTimeForward(const Tensor &logits, Tensor *a) const override;
  void SoftmaxOverTimeBackward(const Tensor &a, const Tensor &da, Tensor *dlogits) const override;
  void AttentiveStatsForward(const Tensor &h, const Tensor &a, float min_var, Tensor *out) const override;
  void AttentiveStatsBackward(const Tensor &h, const Tensor &a, const Tensor &out, float min_var, const Tensor &dout, Tensor *dh, Tensor *da) const override;
  double AamSoftmaxForward(const Tensor &x, const Tensor &w, const int32_t *labels, const AamOptions &opts, AamSaved *saved, int64_t *num_correct) const override;
  void AamSoftmaxBackward(const Tensor &x, const Tensor &w, const int32_t *labels, const AamOptions &opts, const AamSaved &saved, float loss_scale, Tensor *dx, Tensor *dw) const override;
  void AamSoftmaxForwardOnDevice(const Tensor &x, const Tensor &w, const int32_t *labels, const AamOptions &opts, AamSaved *saved, double *stats) const override;
  void AamSoftmaxBackwardOnDevice(const Tensor &x, const Tensor &w, const int32_t *labels, const AamOptions &opts, const AamSaved &saved, float loss_scale, Tensor *dx, Tensor *dw) const override;
  void AdamUpdate(float lr, float beta1, float beta2, float eps, float weight_decay, bool decoupled, int64_t step, const Tensor &g, Tensor *p, Tensor *m, Tensor *v) const override;
  void AdamUpdateOnDevice(const AdamStepCoef *coef, float beta1, float beta2, float eps, const Tensor &g, Tensor *p, Tensor *m, Tensor *v) const override;
  void SliceGather(const nnet::SlicePlan &plan, const Tensor &super, const Tensor &super_params, Tensor *sub) const override;
  void SliceScatterAdd(const nnet::SlicePlan &plan, const Tensor &dsub, const Tensor &super_params, Tensor *dsuper) const override;
  void SliceScatter(const nnet::SlicePlan &plan, const Tensor &sub, Tensor *super) const override;
};

// Asserts that t is a GPU tensor with data.
void CheckGpu(const Tensor &t);

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_KERNELS_GPU_H_
