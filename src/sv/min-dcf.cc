// min-dcf.cc: minDCF by one merge-walk over sorted target and nontarget scores (see min-dcf.h).
#include "sv/min-dcf.h"

#include <cstdlib>
#include <limits>

#include "base/log.h"

namespace tdnas {

std::vector<DcfResult> ComputeMinDcfSorted(const std::vector<float> &target,
                                           const std::vector<float> &nontarget,
                                           const std::vector<double> &p_targets, double c_miss,
                                           double c_fa) {
  if (target.empty()) TD_ERR << "No target scores seen.";
  if (nontarget.empty()) TD_ERR << "No non-target scores seen.";
  const size_t nt = target.size(), nn = nontarget.size();
  const size_t np = p_targets.size();
  // C_det / C_def = a * misses + b * false_alarms, with per-p_target weights a, b.
  std::vector<double> a(np), b(np);
  std::vector<DcfResult> res(np);
  for (size_t k = 0; k < np; k++) {
    double p = p_targets[k];
    if (!(p > 0 && p < 1)) TD_ERR << "p-target must be in (0, 1), got " << p;
    double c_def = std::min(c_miss * p, c_fa * (1 - p));
    a[k] = c_miss * p / c_def / nt;
    b[k] = c_fa * (1 - p) / c_def / nn;
    res[k].p_target = p;
    res[k].min_dcf = std::numeric_limits<double>::infinity();
  }
  size_t i = 0, j = 0;  // targets [0, i) and nontargets [0, j) are <= the current threshold
  while (i < nt || j < nn) {
    float thr = i == nt ? nontarget[j] : j == nn ? target[i] : std::min(target[i], nontarget[j]);
    while (i < nt && target[i] <= thr) i++;
    while (j < nn && nontarget[j] <= thr) j++;
    const double misses = static_cast<double>(i), fas = static_cast<double>(nn - j);
    for (size_t k = 0; k < np; k++) {
      double c = a[k] * misses + b[k] * fas;
      if (c < res[k].min_dcf) {
        res[k].min_dcf = c;
        res[k].threshold = thr;
      }
    }
  }
  return res;
}

DcfResult ComputeMinDcfSorted(const std::vector<float> &target, const std::vector<float> &nontarget,
                              double p_target, double c_miss, double c_fa) {
  return ComputeMinDcfSorted(target, nontarget, std::vector<double>{p_target}, c_miss, c_fa)[0];
}

std::vector<double> ParsePTargets(const std::string &list) {
  std::vector<double> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    char *end = nullptr;
    double p = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !(p > 0 && p < 1))
      TD_ERR << "Invalid p-target '" << item << "' in '" << list << "' (want values in (0, 1))";
    out.push_back(p);
    start = comma + 1;
  }
  return out;
}

}  // namespace tdnas
