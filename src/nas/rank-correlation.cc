// rank-correlation.cc: Kendall tau-b, Spearman rho, RMSE.
#include "nas/rank-correlation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/log.h"

namespace tdnas {

double KendallTau(const std::vector<double> &x, const std::vector<double> &y) {
  TD_ASSERT(x.size() == y.size() && x.size() >= 2);
  const size_t n = x.size();
  double concordant = 0, discordant = 0, tie_x = 0, tie_y = 0, pairs = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const double dx = x[i] - x[j], dy = y[i] - y[j];
      pairs += 1;
      if (dx == 0) tie_x += 1;
      if (dy == 0) tie_y += 1;
      if (dx == 0 || dy == 0) continue;
      if ((dx > 0) == (dy > 0)) concordant += 1; else discordant += 1;
    }
  }
  const double denom = std::sqrt((pairs - tie_x) * (pairs - tie_y));
  return denom > 0 ? (concordant - discordant) / denom : 0.0;
}

std::vector<double> AverageRanks(const std::vector<double> &x) {
  const size_t n = x.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> rank(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && x[order[j + 1]] == x[order[i]]) ++j;
    const double r = 0.5 * (i + j) + 1.0;  // average of 1-based ranks i+1..j+1
    for (size_t k = i; k <= j; ++k) rank[order[k]] = r;
    i = j + 1;
  }
  return rank;
}

double SpearmanRho(const std::vector<double> &x, const std::vector<double> &y) {
  TD_ASSERT(x.size() == y.size() && x.size() >= 2);
  const std::vector<double> rx = AverageRanks(x), ry = AverageRanks(y);
  const double n = x.size(), mean = (n + 1) / 2;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  return (sxx > 0 && syy > 0) ? sxy / std::sqrt(sxx * syy) : 0.0;
}

double Rmse(const std::vector<double> &x, const std::vector<double> &y) {
  TD_ASSERT(x.size() == y.size() && !x.empty());
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += (x[i] - y[i]) * (x[i] - y[i]);
  return std::sqrt(s / x.size());
}

}  // namespace tdnas
