// adam.h: the Adam optimizer over a model's flat parameter buffer.
//
// Weight decay: by default L2 (decoupled = false), i.e. weight_decay * theta is added to the
// gradient before the moments, which is what torch.optim.Adam(weight_decay=...) does and what
// the EfficientTDNN reference trained with (Adam, lr 1e-3, weight decay 2e-5; spec section 3).
// Keeping the reference's choice keeps imported weights and training curves comparable.
// decoupled = true gives AdamW (theta *= 1 - lr * weight_decay, moments see the raw gradient).
// The moments m, v live in two buffers laid out like the parameters (llm.c habit); the step
// runs on the parameters' device through Kernels::AdamUpdate.
#ifndef TDNAS_NNET_ADAM_H_
#define TDNAS_NNET_ADAM_H_

#include <cstdint>
#include <string>

#include "nnet/kernels.h"
#include "nnet/tensor.h"

namespace tdnas {

class OptionsItf;

namespace nnet {

struct AdamOptions {
  float beta1 = 0.9f;           // torch.optim.Adam defaults
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 2e-5f;   // spec section 3
  bool decoupled = false;       // false: L2 as torch.optim.Adam (the reference); true: AdamW
  std::string ToString() const;
};

class Adam {
 public:
  // num_floats: the parameter buffer's size (ParamTable::TotalSize()).
  Adam(const AdamOptions &opts, Device device, int64_t num_floats);
  // One step with learning rate lr: params -= update(grads). Increments Step().
  void Update(float lr, const Buffer &grads, Buffer *params);
  // The scalars of the next step (Step() + 1) at learning rate lr.
  AdamStepCoef NextCoefficients(float lr) const;
  // The same step with its scalars already on the device at coef (NextCoefficients written
  // there): a captured step replays with each step's values. Increments Step().
  void UpdateOnDevice(const AdamStepCoef *coef, const Buffer &grads, Buffer *params);
  int64_t Step() const { return step_; }
  void SetStep(int64_t s) { step_ = s; }
  Buffer &FirstMoment() { return m_; }
  Buffer &SecondMoment() { return v_; }
  const AdamOptions &Options() const { return opts_; }
 private:
  AdamOptions opts_;
  int64_t step_ = 0;
  Buffer m_, v_;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_ADAM_H_
