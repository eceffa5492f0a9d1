// predictor-cv.cc: repeated K-fold cross-validation of the accuracy predictor vs MACs.
#include "nas/predictor-cv.h"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "base/log.h"
#include "nas/rank-correlation.h"
#include "nnet/search-space.h"

namespace tdnas {

void FoldStats::Finish() {
  if (values.empty()) return;
  double s = 0, s2 = 0;
  for (double v : values) s += v;
  mean = s / values.size();
  for (double v : values) s2 += (v - mean) * (v - mean);
  std = std::sqrt(s2 / values.size());
}

std::string PredictorCvResult::ToString() const {
  char buf[400];
  std::snprintf(buf, sizeof(buf),
                "cv %d-fold x %d (%d subnets): predictor kendall_tau %.4f +- %.4f spearman "
                "%.4f +- %.4f | macs-only kendall_tau %.4f +- %.4f spearman %.4f +- %.4f",
                folds, repeats, num_subnets, tau.mean, tau.std, rho.mean, rho.std,
                macs_tau.mean, macs_tau.std, macs_rho.mean, macs_rho.std);
  return buf;
}

PredictorCvResult CrossValidatePredictor(const std::vector<SubnetResult> &data,
                                         const std::string &encoding, const SupernetShape &shape,
                                         const PredictorTrainOptions &opts, int32 folds,
                                         int32 repeats, int32 seed) {
  const int32 n = data.size();
  if (folds < 2 || repeats < 1) TD_ERR << "cross-validation needs folds >= 2 and repeats >= 1";
  if (n < 2 * folds)
    TD_ERR << "cross-validation with " << folds << " folds needs at least " << 2 * folds
           << " subnets, have " << n;
  PredictorCvResult res;
  res.folds = folds;
  res.repeats = repeats;
  res.num_subnets = n;
  std::vector<int32> order(n);
  for (int32 r = 0; r < repeats; ++r) {
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(static_cast<uint64>(seed) + r);
    for (int32 i = n - 1; i > 0; --i) std::swap(order[i], order[UniformInt(&rng, i + 1)]);
    for (int32 f = 0; f < folds; ++f) {
      std::vector<SubnetConfig> train_cfg, test_cfg;
      std::vector<double> train_eer, test_eer, macs, pred;
      for (int32 i = 0; i < n; ++i) {
        const SubnetResult &s = data[order[i]];
        if (i % folds == f) {
          test_cfg.push_back(s.config);
          test_eer.push_back(s.eer);
          macs.push_back(-static_cast<double>(s.macs));
        } else {
          train_cfg.push_back(s.config);
          train_eer.push_back(s.eer);
        }
      }
      AccuracyPredictor p(encoding, shape, opts.seed);
      p.Train(train_cfg, train_eer, opts);
      p.Predict(test_cfg, &pred);
      res.tau.values.push_back(KendallTau(pred, test_eer));
      res.rho.values.push_back(SpearmanRho(pred, test_eer));
      res.macs_tau.values.push_back(KendallTau(macs, test_eer));
      res.macs_rho.values.push_back(SpearmanRho(macs, test_eer));
    }
  }
  for (FoldStats *s : {&res.tau, &res.rho, &res.macs_tau, &res.macs_rho}) s->Finish();
  return res;
}

}  // namespace tdnas
