// nnet-test-util.h: helpers shared by the nnet tests: random tensors with a printed seed, and
// central-difference gradient checks.
//
// Gradient checks run the float32 kernels and form the probe loss in double. Two checks per
// tensor: (1) a directional derivative along a random Gaussian direction v over the whole
// tensor, (L(x + eps v) - L(x - eps v)) / 2 eps against <g, v>, which sees every element of g;
// (2) a few single coordinates. Tolerance: the truncation error of central differences is
// O(eps^2 |f'''|) (~1e-4 relative at eps = 1e-2 on O(1) inputs) and the rounding error of a
// float32 forward is ~1e-7 |L| / eps per evaluation; both sit well under the 1e-2 relative
// tolerance used, while a wrong gradient (a missing term, a wrong index) is off by O(1).
// unit_direction: step along v = g/|g| instead (largest signal, <g_true, g>/|g| vs |g|, which
// only agree when g is right; used for whole networks where the signal must beat the noise).
// For a whole network the float32 rounding noise of L is larger (many layers, batch-stat BN,
// the AAM scale 30): callers measure it and pass it as abs_floor (noise / eps), and the error
// is |num - ana| / (|ana| + abs_floor).
#ifndef TDNAS_TESTS_NNET_NNET_TEST_UTIL_H_
#define TDNAS_TESTS_NNET_NNET_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "nnet/tensor.h"

namespace tdnas {
namespace nnet {
namespace testing {

// One RNG per test, seeded from the test name and printed so a failure can be replayed.
inline std::mt19937_64 &TestRng() {
  static std::mt19937_64 rng;
  return rng;
}
inline uint64_t SeedTestRng(const std::string &what) {
  uint64_t seed = std::hash<std::string>()(what) % 1000003;
  TestRng().seed(seed);
  std::printf("seed for %s: %llu\n", what.c_str(), static_cast<unsigned long long>(seed));
  return seed;
}
inline void FillNormal(float *p, int64_t n, float stddev = 1.0f, float mean = 0.0f) {
  std::normal_distribution<float> nd(mean, stddev);
  for (int64_t i = 0; i < n; i++) p[i] = nd(TestRng());
}
inline void FillUniform(float *p, int64_t n, float lo, float hi) {
  std::uniform_real_distribution<float> ud(lo, hi);
  for (int64_t i = 0; i < n; i++) p[i] = ud(TestRng());
}

// sum_i r_i y_i in double over a (possibly batch-strided) tensor.
inline double Probe(const Tensor &y, const std::vector<float> &r) {
  double s = 0.0;
  int64_t inner = y.InnerSize(), k = 0;
  for (int64_t b = 0; b < y.dim[0]; b++)
    for (int64_t i = 0; i < inner; i++) s += static_cast<double>(y.Batch(b)[i]) * r[k++];
  return s;
}

struct GradCheckResult {
  double dir_rel_err = 0.0;     // |num - ana| / |ana| along the random direction
  double coord_max_err = 0.0;   // max over coordinates of |num - ana| / (|ana| + 0.1 max|g|)
};

// Checks analytic gradient g (n floats, same layout as x) of loss() with respect to x (n
// floats, perturbed in place and restored). eps is the step for O(1) inputs.
inline GradCheckResult CheckGrad(const std::string &what, const std::function<double()> &loss,
                                 float *x, const float *g, int64_t n, float eps = 1e-2f,
                                 double tol = 1e-2, int coords = 6, bool unit_direction = false,
                                 double abs_floor = 0.0) {
  GradCheckResult res;
  std::vector<float> saved(x, x + n), v(n);
  FillNormal(v.data(), n);
  if (unit_direction) {   // v = g / |g|: a whole-tensor step of length eps along the gradient
    double ss = 0.0;
    for (int64_t i = 0; i < n; i++) v[i] = g[i];
    for (float f : v) ss += static_cast<double>(f) * f;
    if (ss == 0.0) { FillNormal(v.data(), n); ss = 0.0; for (float f : v) ss += f * f; }
    for (float &f : v) f = static_cast<float>(f / std::sqrt(ss));
  }
  double ana = 0.0, gmax = 0.0;
  for (int64_t i = 0; i < n; i++) {
    ana += static_cast<double>(g[i]) * v[i];
    gmax = std::max(gmax, std::fabs(static_cast<double>(g[i])));
  }
  for (int64_t i = 0; i < n; i++) x[i] = saved[i] + eps * v[i];
  double lp = loss();
  for (int64_t i = 0; i < n; i++) x[i] = saved[i] - eps * v[i];
  double lm = loss();
  std::copy(saved.begin(), saved.end(), x);
  double num = (lp - lm) / (2.0 * eps);
  res.dir_rel_err = std::fabs(num - ana) / std::max(std::fabs(ana) + abs_floor, 1e-8);
  EXPECT_LT(res.dir_rel_err, tol) << what << ": directional derivative numeric " << num
                                  << " analytic " << ana;
  std::uniform_int_distribution<int64_t> pick(0, n - 1);
  for (int c = 0; c < coords && n > 0; c++) {
    int64_t i = c == 0 ? 0 : pick(TestRng());
    x[i] = saved[i] + eps;
    double p = loss();
    x[i] = saved[i] - eps;
    double m = loss();
    x[i] = saved[i];
    double nd = (p - m) / (2.0 * eps);
    double err = std::fabs(nd - g[i]) / (std::fabs(g[i]) + 0.1 * gmax + abs_floor + 1e-8);
    res.coord_max_err = std::max(res.coord_max_err, err);
    EXPECT_LT(err, tol) << what << ": element " << i << " numeric " << nd << " analytic " << g[i];
  }
  std::printf("%-40s n=%-6lld dir_rel_err %.2e  coord_max_err %.2e\n", what.c_str(),
              static_cast<long long>(n), res.dir_rel_err, res.coord_max_err);
  return res;
}

}  // namespace testing
}  // namespace nnet
}  // namespace tdnas

#endif  // TDNAS_TESTS_NNET_NNET_TEST_UTIL_H_
