// lr-schedule.cc: CyclicLr.
#include "nnet/lr-schedule.h"

#include <algorithm>
#include <cmath>

#include "base/log.h"

namespace tdnas {
namespace nnet {

CyclicLr::CyclicLr(const CyclicLrOptions &opts) : opts_(opts) {
  TD_ASSERT(opts.step_size >= 1 && opts.max_lr >= opts.base_lr && opts.base_lr >= 0.0);
}

double CyclicLr::At(int64_t it) const {
  TD_ASSERT(it >= 0);
  const double s = static_cast<double>(opts_.step_size);
  const double cycle = std::floor(1.0 + it / (2.0 * s));
  const double x = std::fabs(it / s - 2.0 * cycle + 1.0);
  return opts_.base_lr + (opts_.max_lr - opts_.base_lr) * std::max(0.0, 1.0 - x) /
                             std::pow(2.0, cycle - 1.0);
}

}  // namespace nnet
}  // namespace tdnas
