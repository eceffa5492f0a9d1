// eer.cc: Kaldi compute-eer's EER (see eer.h).
#include "sv/eer.h"

#include <sys/types.h>

#include "base/log.h"
#include "sv/scores.h"

namespace tdnas {

float ComputeEerSorted(const std::vector<float> &target, const std::vector<float> &nontarget,
                       float *threshold) {
  if (target.empty()) TD_ERR << "No target scores seen.";
  if (nontarget.empty()) TD_ERR << "No non-target scores seen.";
  const size_t nt = target.size();
  const int64_t nn = static_cast<int64_t>(nontarget.size());
  size_t t = 0;
  for (; t + 1 < nt; t++) {
    // Kaldi evaluates (|N| * t) * 1.0 / |T| in double and truncates: kept as is so the stop
    // position is the same even where the integer quotient would round differently.
    int64_t n_above = static_cast<int64_t>(static_cast<double>(nn * static_cast<int64_t>(t)) /
                                           static_cast<double>(nt));
    int64_t pos = nn - 1 - n_above;
    if (pos < 0) pos = 0;
    if (nontarget[pos] < target[t]) break;
  }
  if (threshold) *threshold = target[t];
  return static_cast<float>(t * 1.0 / nt);
}

float ComputeEer(std::vector<float> *target, std::vector<float> *nontarget, float *threshold) {
  SortScores(target);
  SortScores(nontarget);
  return ComputeEerSorted(*target, *nontarget, threshold);
}

}  // namespace tdnas
