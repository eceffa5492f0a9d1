// eer.h: equal error rate exactly as Kaldi's compute-eer computes it.
//
// With targets T and nontargets N sorted ascending, walk t = 0, 1, ... and stop at the first
// t (or at |T|-1) where N[|N|-1-floor(|N|*t/|T|)] < T[t]: that many targets are below the
// threshold T[t] while about the same fraction of nontargets is above it. EER = t / |T|
// (a float, as in Kaldi), threshold = T[t]. No interpolation: this is Kaldi's definition, so
// numbers match Kaldi recipes to the last printed digit.
#ifndef TDNAS_SV_EER_H_
#define TDNAS_SV_EER_H_

#include <vector>

namespace tdnas {

// Inputs sorted ascending (SortScores in sv/scores.h), both non-empty (TD_ERR otherwise).
// Returns the EER as a fraction in [0, 1]; *threshold gets the threshold (may be null).
float ComputeEerSorted(const std::vector<float> &target, const std::vector<float> &nontarget,
                       float *threshold);

// Sorts both vectors in place, then ComputeEerSorted.
float ComputeEer(std::vector<float> *target, std::vector<float> *nontarget, float *threshold);

// EER by ROC interpolation, as PyTorch speaker toolkits report it (sklearn roc_curve, then
// brentq on 1 - x - interp(fpr, tpr)(x)): the ROC points (fpr, tpr) at every distinct
// threshold (accept score >= thr), joined linearly from (0, 0) to (1, 1); the EER is the fpr
// where the curve meets fpr = 1 - tpr (at a vertical step, the step's fpr). In double. Inputs
// sorted ascending, non-empty.
double ComputeEerRocSorted(const std::vector<float> &target, const std::vector<float> &nontarget);

}  // namespace tdnas

#endif  // TDNAS_SV_EER_H_
