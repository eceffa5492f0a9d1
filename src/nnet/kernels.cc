// kernels.cc: the per-device kernel registry (the CPU kernels are always there).
#include "nnet/kernels.h"

#include "nnet/kernels-cpu.h"

#include <cmath>

namespace tdnas {
namespace nnet {

namespace {
const Kernels *g_kernels[2] = {nullptr, nullptr};
}

void Kernels::Conv1dForwardSaving(const Tensor &x, const Tensor &w, int dilation, Tensor *y,
                                  ConvSaved *saved) const {
  saved->Release();
  Conv1dForward(x, w, dilation, y);
}

void Kernels::Conv1dBackwardSaved(const Tensor &x, const Tensor &w, int dilation,
                                  const Tensor &dy, Tensor *dx, Tensor *dw,
                                  ConvSaved *saved) const {
  saved->Release();
  Conv1dBackward(x, w, dilation, dy, dx, dw);
}

void Kernels::ReluBatchNormForward(Tensor *x, const Tensor &gamma, const Tensor &beta, bool train,
                                   float momentum, float eps, Tensor *running_mean,
                                   Tensor *running_var, Tensor *y, Tensor *mean,
                                   Tensor *invstd) const {
  ReluForward(*x, x);
  BatchNormForward(*x, gamma, beta, train, momentum, eps, running_mean, running_var, y, mean,
                   invstd);
}

void Kernels::ReluBatchNormForwardAdd(Tensor *x, const Tensor &gamma, const Tensor &beta,
                                      bool train, float momentum, float eps,
                                      Tensor *running_mean, Tensor *running_var, Tensor *y,
                                      Tensor *mean, Tensor *invstd, const Tensor &addend,
                                      Tensor *sum) const {
  ReluBatchNormForward(x, gamma, beta, train, momentum, eps, running_mean, running_var, y, mean,
                       invstd);
  AddTwo(addend, *y, sum);
}

void Kernels::ReluBatchNormBackward(const Tensor &x, const Tensor &gamma, const Tensor &mean,
                                    const Tensor &invstd, const Tensor &dy, bool train,
                                    Tensor *dx, Tensor *dgamma, Tensor *dbeta) const {
  // BatchNormBackward reads x as its input: relu(x), which x already is after the default
  // forward (and a backend that keeps the pre-activation overrides this function).
  BatchNormBackward(x, gamma, mean, invstd, dy, train, dx, dgamma, dbeta);
  ReluBackwardInPlace(x, dx);
}

void Kernels::AddTwo(const Tensor &a, const Tensor &b, Tensor *y) const {
  Copy(a, y);
  Add(b, y);
}

void Kernels::ScaleChannelsResidual(const Tensor &x, const Tensor &a, Tensor *y,
                                    Tensor *s) const {
  ScaleChannelsForward(x, a, y);
  ResidualAccumulate(y, s);
}

void Kernels::ResidualAccumulate(Tensor *y, Tensor *s) const {
  Add(*s, y);
  Add(*y, s);
}

void Kernels::AamSoftmaxForwardOnDevice(const Tensor &x, const Tensor &w, const int32_t *labels,
                                        const AamOptions &opts, AamSaved *saved,
                                        double *stats) const {
  int64_t correct = 0;   // a backend without device memory of its own: stats is host memory
  stats[0] = AamSoftmaxForward(x, w, labels, opts, saved, &correct);
  stats[1] = static_cast<double>(correct);
}

void Kernels::AamSoftmaxBackwardOnDevice(const Tensor &x, const Tensor &w, const int32_t *labels,
                                         const AamOptions &opts, const AamSaved &saved,
                                         float loss_scale, Tensor *dx, Tensor *dw) const {
  AamSoftmaxBackward(x, w, labels, opts, saved, loss_scale, dx, dw);
}

AdamStepCoef AdamCoefficients(float lr, float beta1, float beta2, float weight_decay,
                              bool decoupled, int64_t step) {
  TD_ASSERT(step >= 1);
  // PyTorch: step_size = lr / (1 - b1^t); denom = sqrt(v) / sqrt(1 - b2^t) + eps.
  const double bc1 = 1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(step));
  AdamStepCoef c;
  c.step_size = static_cast<float>(lr / bc1);
  c.inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  c.decay = decoupled ? 1.0f - lr * weight_decay : 1.0f;
  c.l2 = decoupled ? 0.0f : weight_decay;
  return c;
}

void RegisterKernels(Device d, const Kernels *k) { g_kernels[static_cast<int>(d)] = k; }

const Kernels &KernelsFor(Device d) {
  static const CpuKernels cpu;
  if (d == Device::kCpu) return g_kernels[0] != nullptr ? *g_kernels[0] : cpu;
  if (g_kernels[1] == nullptr)
    TD_ERR << "no nnet kernels for device " << DeviceName(d)
           << " (built without CUDA, or the GPU backend was not initialised)";
  return *g_kernels[1];
}

}  // namespace nnet
}  // namespace tdnas
