// min-dcf.h: minimum of the normalised detection cost function (NIST SRE / VoxCeleb minDCF).
//
// Every distinct score is a candidate threshold thr (accept when score > thr):
//   P_miss(thr) = #targets <= thr / #targets,  P_fa(thr) = #nontargets > thr / #nontargets,
//   C_det = C_miss * P_miss * P_target + C_fa * P_fa * (1 - P_target),
//   minDCF = min over thr of C_det / min(C_miss * P_target, C_fa * (1 - P_target)).
// Tied scores form one threshold (a tie cannot be split by any real threshold). On distinct
// scores this equals Kaldi's sid/compute_min_dcf.py. Computed in double. VoxCeleb reports
// P_target = 0.01 with C_miss = C_fa = 1.
#ifndef TDNAS_SV_MIN_DCF_H_
#define TDNAS_SV_MIN_DCF_H_

#include <string>
#include <vector>

namespace tdnas {

struct DcfResult {
  double p_target = 0;
  double min_dcf = 0;
  float threshold = 0;  // the score at which the minimum is reached
};

// Inputs sorted ascending (SortScores), both non-empty. One pass for all p_targets.
std::vector<DcfResult> ComputeMinDcfSorted(const std::vector<float> &target,
                                           const std::vector<float> &nontarget,
                                           const std::vector<double> &p_targets,
                                           double c_miss = 1.0, double c_fa = 1.0);

DcfResult ComputeMinDcfSorted(const std::vector<float> &target, const std::vector<float> &nontarget,
                              double p_target, double c_miss = 1.0, double c_fa = 1.0);

// "0.01,0.001" -> {0.01, 0.001}; each value must lie in (0, 1). TD_ERR otherwise.
std::vector<double> ParsePTargets(const std::string &list);

}  // namespace tdnas

#endif  // TDNAS_SV_MIN_DCF_H_
