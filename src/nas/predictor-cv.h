// predictor-cv.h: repeated K-fold cross-validation of the accuracy predictor against the
// MACs-only baseline (more MACs = lower EER). With a few dozen evaluated subnets one held-out
// split of 6 is a noisy judge (a single swapped pair moves Kendall tau by 0.13), so
// nnet-train-predictor also reports the mean and spread over folds x repeats: each repeat
// shuffles the subnets (seed + repeat), cuts them into K folds, and for each fold trains a
// predictor on the other K-1 and ranks the held-out fold with it and with MACs. The MACs
// baseline sees exactly the same folds.
#ifndef TDNAS_NAS_PREDICTOR_CV_H_
#define TDNAS_NAS_PREDICTOR_CV_H_

#include <string>
#include <vector>

#include "nas/accuracy-predictor.h"
#include "nas/subnet-results.h"

namespace tdnas {

// Mean and (population) standard deviation over folds of one score.
struct FoldStats {
  double mean = 0, std = 0;
  std::vector<double> values;  // one per fold (repeat-major)
  void Finish();
};

struct PredictorCvResult {
  int32 folds = 0, repeats = 0, num_subnets = 0;
  FoldStats tau, rho, macs_tau, macs_rho;
  // "cv 4-fold x 5 (24 subnets): predictor kendall_tau m +- s spearman m +- s | macs-only
  //  kendall_tau m +- s spearman m +- s"
  std::string ToString() const;
};

// data: evaluated subnets (at least 2 * folds; every config encodable by a predictor over
// `encoding` of `shape`). folds >= 2, repeats >= 1. TD_ERR otherwise.
PredictorCvResult CrossValidatePredictor(const std::vector<SubnetResult> &data,
                                         const std::string &encoding, const SupernetShape &shape,
                                         const PredictorTrainOptions &opts, int32 folds,
                                         int32 repeats, int32 seed);

}  // namespace tdnas

#endif  // TDNAS_NAS_PREDICTOR_CV_H_
