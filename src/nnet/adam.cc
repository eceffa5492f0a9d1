// adam.cc: Adam.
#include "nnet/adam.h"

#include <sstream>

#include "nnet/kernels.h"

namespace tdnas {
namespace nnet {

std::string AdamOptions::ToString() const {
  std::ostringstream os;
  os << "beta1=" << beta1 << " beta2=" << beta2 << " eps=" << eps
     << " weight-decay=" << weight_decay << (decoupled ? " (decoupled, AdamW)" : " (L2, torch Adam)");
  return os.str();
}

Adam::Adam(const AdamOptions &opts, Device device, int64_t num_floats)
    : opts_(opts), m_(device, num_floats), v_(device, num_floats) {}

void Adam::Update(float lr, const Buffer &grads, Buffer *params) {
  TD_ASSERT(grads.Size() == m_.Size() && params->Size() == m_.Size());
  step_++;
  const int64_t n = m_.Size();
  Tensor g = grads.View({n}), p = params->View({n}), m = m_.View({n}), v = v_.View({n});
  KernelsFor(p).AdamUpdate(lr, opts_.beta1, opts_.beta2, opts_.eps, opts_.weight_decay,
                           opts_.decoupled, step_, g, &p, &m, &v);
}

AdamStepCoef Adam::NextCoefficients(float lr) const {
  return AdamCoefficients(lr, opts_.beta1, opts_.beta2, opts_.weight_decay, opts_.decoupled,
                          step_ + 1);
}

void Adam::UpdateOnDevice(const AdamStepCoef *coef, const Buffer &grads, Buffer *params) {
  TD_ASSERT(grads.Size() == m_.Size() && params->Size() == m_.Size());
  step_++;
  const int64_t n = m_.Size();
  Tensor g = grads.View({n}), p = params->View({n}), m = m_.View({n}), v = v_.View({n});
  KernelsFor(p).AdamUpdateOnDevice(coef, opts_.beta1, opts_.beta2, opts_.eps, g, &p, &m, &v);
}

}  // namespace nnet
}  // namespace tdnas
