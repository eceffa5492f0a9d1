// eer.cc: Kaldi compute-eer's EER (see eer.h).
#include "sv/eer.h"

#include <algorithm>

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

double ComputeEerRocSorted(const std::vector<float> &target, const std::vector<float> &nontarget) {
  if (target.empty()) TD_ERR << "No target scores seen.";
  if (nontarget.empty()) TD_ERR << "No non-target scores seen.";
  const double nt = static_cast<double>(target.size()), nn = static_cast<double>(nontarget.size());
  // Walk thresholds from the highest score down; i, j = scores accepted so far (>= thr).
  size_t i = target.size(), j = nontarget.size();
  double f0 = 0, t0 = 0;  // previous ROC point
  while (i > 0 || j > 0) {
    float thr = i == 0 ? nontarget[j - 1] : j == 0 ? target[i - 1]
                                                    : std::max(target[i - 1], nontarget[j - 1]);
    while (i > 0 && target[i - 1] >= thr) i--;
    while (j > 0 && nontarget[j - 1] >= thr) j--;
    double f1 = (nn - j) / nn, t1 = (nt - i) / nt;
    if (1 - f1 - t1 <= 0) {  // the crossing lies on the segment (f0,t0)-(f1,t1)
      if (f1 == f0) return f0;
      double s = (t1 - t0) / (f1 - f0);
      return (1 - t0 + s * f0) / (1 + s);
    }
    f0 = f1;
    t0 = t1;
  }
  return f0;  // not reached: the last point is (1, 1)
}

}  // namespace tdnas
