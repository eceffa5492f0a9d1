// Tests of minDCF: an independent brute-force float64 reference (every distinct score as a
// threshold, counts by full scans) on random data with ties, several priors and costs, and
// values computed with numpy for the golden score files.
#include "sv/min-dcf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sv-test-util.h"

namespace tdnas {
namespace {

double BruteMinDcf(const std::vector<float> &t, const std::vector<float> &n, double p,
                   double c_miss, double c_fa) {
  std::set<float> thresholds(t.begin(), t.end());
  thresholds.insert(n.begin(), n.end());
  double best = 1e300;
  for (float x : thresholds) {
    double miss = 0, fa = 0;
    for (float v : t) miss += v <= x;
    for (float v : n) fa += v > x;
    double c = c_miss * (miss / t.size()) * p + c_fa * (fa / n.size()) * (1 - p);
    best = std::min(best, c);
  }
  return best / std::min(c_miss * p, c_fa * (1 - p));
}

TEST(MinDcf, MatchesBruteForce) {
  std::mt19937 rng(23);
  for (int iter = 0; iter < 30; iter++) {
    std::vector<float> t, n;
    sv_test::RandomScores(1 + rng() % 200, 1 + rng() % 1000, iter % 2 ? 0.05 : 0.0, &rng, &t, &n);
    SortScores(&t);
    SortScores(&n);
    std::vector<double> ps = {0.01, 0.001, 0.05, 0.5, 0.9};
    double c_miss = iter % 3 == 2 ? 10 : 1, c_fa = iter % 3 == 1 ? 3 : 1;
    std::vector<DcfResult> r = ComputeMinDcfSorted(t, n, ps, c_miss, c_fa);
    ASSERT_EQ(r.size(), ps.size());
    for (size_t k = 0; k < ps.size(); k++) {
      EXPECT_NEAR(r[k].min_dcf, BruteMinDcf(t, n, ps[k], c_miss, c_fa), 1e-12) << iter << " " << ps[k];
      EXPECT_EQ(r[k].p_target, ps[k]);
      // The reported threshold reaches the minimum.
      double miss = 0, fa = 0;
      for (float v : t) miss += v <= r[k].threshold;
      for (float v : n) fa += v > r[k].threshold;
      double c = (c_miss * miss / t.size() * ps[k] + c_fa * fa / n.size() * (1 - ps[k])) /
                 std::min(c_miss * ps[k], c_fa * (1 - ps[k]));
      EXPECT_NEAR(c, r[k].min_dcf, 1e-12);
    }
  }
}

// Reference values from numpy on the golden files (float32 scores, tie-aware thresholds; on
// the tie-free synth file they equal Kaldi's sid/compute_min_dcf.py).
TEST(MinDcf, GoldenScoreFiles) {
  struct Case { const char *file; double p; double want; } cases[] = {
      {"eer_scores_synth.txt", 0.01, 0.9352}, {"eer_scores_synth.txt", 0.001, 0.9490},
      {"eer_scores_synth.txt", 0.05, 0.7747}, {"eer_scores_ties.txt", 0.01, 0.9397},
      {"eer_scores_ties.txt", 0.001, 0.9555}, {"eer_scores_ties.txt", 0.05, 0.77845}};
  for (const Case &c : cases) {
    std::vector<float> t, n;
    sv_test::ReadGoldenScores(c.file, &t, &n);
    SortScores(&t);
    SortScores(&n);
    EXPECT_NEAR(ComputeMinDcfSorted(t, n, c.p).min_dcf, c.want, 1e-9) << c.file << " " << c.p;
  }
}

TEST(MinDcf, PerfectSeparationAndParsing) {
  std::vector<float> t = {2, 3}, n = {0, 1};
  EXPECT_EQ(ComputeMinDcfSorted(t, n, 0.01).min_dcf, 0.0);
  EXPECT_EQ(ComputeMinDcfSorted(t, n, 0.01).threshold, 1.0f);
  std::vector<double> p = ParsePTargets("0.01,0.001");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[1], 0.001);
  EXPECT_THROW(ParsePTargets("0.01,"), FatalError);
  EXPECT_THROW(ParsePTargets("1.5"), FatalError);
  EXPECT_THROW(ParsePTargets("x"), FatalError);
  std::vector<float> empty;
  EXPECT_THROW(ComputeMinDcfSorted(empty, n, 0.01), FatalError);
}

}  // namespace
}  // namespace tdnas
