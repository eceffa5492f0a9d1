// lr-schedule.h: the cyclic "triangular2" learning-rate schedule, stepped per iteration.
//
// torch.optim.lr_scheduler.CyclicLR(mode="triangular2") with equal up and down half-cycles:
//   cycle = floor(1 + it / (2 * step_size)),  x = |it / step_size - 2 cycle + 1|,
//   lr(it) = base + (max - base) * max(0, 1 - x) / 2^(cycle - 1)
// so lr rises linearly from base to max over step_size iterations, falls back over the next
// step_size, and the peak halves every cycle. The reference: base 1e-8, max 1e-3, half-cycle
// 8 epochs (spec section 3).
#ifndef TDNAS_NNET_LR_SCHEDULE_H_
#define TDNAS_NNET_LR_SCHEDULE_H_

#include <cstdint>

namespace tdnas {
namespace nnet {

struct CyclicLrOptions {
  double base_lr = 1e-8;
  double max_lr = 1e-3;
  int64_t step_size = 2000;   // iterations per half-cycle (8 epochs in the reference)
};

class CyclicLr {
 public:
  explicit CyclicLr(const CyclicLrOptions &opts);
  // Learning rate for iteration `it` (0-based: it = 0 gives base_lr).
  double At(int64_t it) const;
 private:
  CyclicLrOptions opts_;
};

}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_NNET_LR_SCHEDULE_H_
