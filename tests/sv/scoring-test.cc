// Tests of cosine scoring and AS-Norm against independent float64 references: brute-force
// cosines, and cohort statistics from a full sort of every cohort score.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "sv/as-norm.h"
#include "sv/cosine-scoring.h"

namespace tdnas {
namespace {

Vector<float> RandomVec(int32 dim, std::mt19937 *rng, float scale = 1.0f) {
  std::normal_distribution<float> g;
  Vector<float> v(dim);
  for (int32 i = 0; i < dim; i++) v(i) = scale * g(*rng);
  return v;
}

double RefCosine(const Vector<float> &a, const Vector<float> &b) {
  double ab = 0, aa = 0, bb = 0;
  for (int32 i = 0; i < a.Dim(); i++) {
    ab += double(a(i)) * b(i);
    aa += double(a(i)) * a(i);
    bb += double(b(i)) * b(i);
  }
  return ab / std::sqrt(aa) / std::sqrt(bb);
}

TEST(CosineScoring, CosineAndNormalisation) {
  std::mt19937 rng(1);
  Vector<float> a = RandomVec(192, &rng, 7), b = RandomVec(192, &rng, 0.01f);
  EXPECT_NEAR(CosineScore(a, b), RefCosine(a, b), 1e-12);
  EXPECT_NEAR(CosineScore(a, a), 1.0, 1e-12);
  Vector<float> n(a);
  L2Normalize(n.Data(), n.Dim());
  double norm = 0;
  for (int32 i = 0; i < n.Dim(); i++) norm += double(n(i)) * n(i);
  EXPECT_NEAR(norm, 1.0, 1e-6);
  Vector<float> zero(4);
  EXPECT_THROW(L2Normalize(zero.Data(), 4), FatalError);
  EXPECT_THROW(CosineScore(a, Vector<float>(3)), FatalError);
}

TEST(CosineScoring, ScoresTrialsAndMissingKeys) {
  std::mt19937 rng(2);
  EmbeddingTable table;
  std::vector<Vector<float>> raw;
  for (int i = 0; i < 5; i++) {
    raw.push_back(RandomVec(16, &rng, 1 + i));
    table.Add("u" + std::to_string(i), raw.back());
  }
  EXPECT_THROW(table.Add("u0", raw[0]), FatalError);
  EXPECT_THROW(table.Add("x", Vector<float>(15)), FatalError);
  std::vector<Trial> trials = {{"u0", "u1", true}, {"u2", "u3", false}, {"u4", "nope", false},
                               {"u3", "u3", true}};
  std::vector<float> scores;
  EXPECT_THROW(ScoreTrialsCosine(table, table, trials, false, &scores), FatalError);
  EXPECT_EQ(ScoreTrialsCosine(table, table, trials, true, &scores), 1);
  ASSERT_EQ(scores.size(), 4u);
  EXPECT_NEAR(scores[0], RefCosine(raw[0], raw[1]), 1e-6);
  EXPECT_NEAR(scores[1], RefCosine(raw[2], raw[3]), 1e-6);
  EXPECT_TRUE(std::isnan(scores[2]));
  EXPECT_NEAR(scores[3], 1.0, 1e-6);
  std::vector<float> t, n;
  SplitScoresByLabel(trials, scores, &t, &n);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(n.size(), 1u);
}

// Reference cohort statistics: every cohort cosine, full descending sort, top N, unbiased sd.
CohortStats RefStats(const Vector<float> &x, const std::vector<Vector<float>> &cohort, int n) {
  std::vector<double> s;
  for (const auto &c : cohort) s.push_back(RefCosine(x, c));
  std::sort(s.begin(), s.end(), std::greater<double>());
  n = std::min<int>(n, s.size());
  double mean = 0, var = 0;
  for (int i = 0; i < n; i++) mean += s[i];
  mean /= n;
  for (int i = 0; i < n; i++) var += (s[i] - mean) * (s[i] - mean);
  return CohortStats{mean, std::sqrt(var / (n - 1))};
}

TEST(AsNorm, StatsAndNormalisedScoresMatchReference) {
  std::mt19937 rng(3);
  const int32 dim = 24, ncohort = 700;
  std::vector<Vector<float>> cohort;
  Matrix<float> cm(ncohort, dim);
  for (int32 i = 0; i < ncohort; i++) {
    cohort.push_back(RandomVec(dim, &rng, 0.5f + i % 3));
    cm.CopyRowFromVec(cohort.back(), i);
  }
  EmbeddingTable enroll, test;
  std::vector<Vector<float>> e, t;
  for (int i = 0; i < 300; i++) {  // more than one 256-row block
    e.push_back(RandomVec(dim, &rng));
    enroll.Add("e" + std::to_string(i), e.back());
  }
  for (int i = 0; i < 20; i++) {
    t.push_back(RandomVec(dim, &rng, 3));
    test.Add("t" + std::to_string(i), t.back());
  }
  for (int top : {2, 50, 300, 5000}) {
    AsNorm asnorm(cm, top);
    EXPECT_EQ(asnorm.TopN(), std::min(top, ncohort));
    std::vector<CohortStats> se, st;
    asnorm.ComputeStats(enroll, &se);
    asnorm.ComputeStats(test, &st);
    for (int i = 0; i < 300; i += 37) {
      CohortStats ref = RefStats(e[i], cohort, top);
      EXPECT_NEAR(se[i].mean, ref.mean, 1e-6);
      EXPECT_NEAR(se[i].std, ref.std, 1e-6);
    }
    std::vector<Trial> trials;
    for (int i = 0; i < 20; i++) trials.push_back({"e" + std::to_string(i * 7), "t" + std::to_string(i), i % 2 == 0});
    std::vector<float> scores;
    ScoreTrialsCosine(enroll, test, trials, false, &scores);
    ApplyAsNorm(asnorm, enroll, test, trials, &scores);
    for (int i = 0; i < 20; i++) {
      double s = RefCosine(e[i * 7], t[i]);
      CohortStats a = RefStats(e[i * 7], cohort, top), b = RefStats(t[i], cohort, top);
      double want = 0.5 * ((s - a.mean) / a.std + (s - b.mean) / b.std);
      EXPECT_NEAR(scores[i], want, 1e-4 * (1 + std::fabs(want))) << top << " " << i;
    }
  }
  EXPECT_THROW(AsNorm(cm, 1), FatalError);
  EXPECT_THROW(AsNorm(Matrix<float>(1, dim), 10), FatalError);
}

}  // namespace
}  // namespace tdnas
