// rank-correlation.h: how well predicted scores order subnets the way measured ones do (spec
// section 4: the accuracy predictor is judged by ranking, since the search only compares
// subnets): Kendall's tau-b, Spearman's rho (Pearson on average ranks) and RMSE.
//
// Ties (a MACs-only baseline ranks equal-cost subnets equally) are handled the standard way:
// tau-b divides by sqrt((n0 - n1)(n0 - n2)) with n1, n2 the tied pairs of each side; Spearman
// gives tied values their average rank. Both are 0 when one side is constant.
#ifndef TDNAS_NAS_RANK_CORRELATION_H_
#define TDNAS_NAS_RANK_CORRELATION_H_

#include <vector>

namespace tdnas {

// Kendall's tau-b of x and y (same size >= 2); O(n^2), fine for the few thousand subnets a
// predictor is evaluated on.
double KendallTau(const std::vector<double> &x, const std::vector<double> &y);
// Spearman's rank correlation (average ranks for ties).
double SpearmanRho(const std::vector<double> &x, const std::vector<double> &y);
// Root mean squared difference.
double Rmse(const std::vector<double> &x, const std::vector<double> &y);
// Average ranks (1-based) of x.
std::vector<double> AverageRanks(const std::vector<double> &x);

}  // namespace tdnas

#endif  // TDNAS_NAS_RANK_CORRELATION_H_
