// Tests of Kaldi's EER: the golden compute-eer outputs, a literal transcription of Kaldi's
// loop (std::sort, per-step floor) on random data with and without ties, and agreement with an
// independent float64 ROC crossing (brute-force FRR/FAR over every threshold).
#include "sv/eer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sv-test-util.h"

namespace tdnas {
namespace {

using sv_test::RandomScores;
using sv_test::ReadGoldenScores;

TEST(Eer, GoldenKaldiOutputs) {
  struct Case { const char *file; float eer; float threshold; } cases[] = {
      {"eer_scores_synth.txt", 309 / 2000.0f, 1.021516f},  // Kaldi: 15.45%, threshold 1.02152
      {"eer_scores_ties.txt", 323 / 2000.0f, 1.1f}};       // Kaldi: 16.15%, threshold 1.1
  for (const Case &c : cases) {
    std::vector<float> t, n;
    ReadGoldenScores(c.file, &t, &n);
    ASSERT_EQ(t.size(), 2000u);
    ASSERT_EQ(n.size(), 20000u);
    float thr;
    float eer = ComputeEer(&t, &n, &thr);
    EXPECT_EQ(eer, c.eer) << c.file;
    EXPECT_EQ(thr, c.threshold) << c.file;
  }
}

// Kaldi's loop written out directly from the spec (kaldi-compat.md section 4).
float LiteralKaldiEer(std::vector<float> t, std::vector<float> n, float *thr) {
  std::sort(t.begin(), t.end());
  std::sort(n.begin(), n.end());
  size_t tp = 0;
  while (tp + 1 < t.size()) {
    long idx = static_cast<long>(n.size()) - 1 - static_cast<long>(n.size() * tp / t.size());
    if (idx < 0) idx = 0;
    if (!(n[idx] >= t[tp])) break;
    tp++;
  }
  *thr = t[tp];
  return static_cast<float>(static_cast<double>(tp) / t.size());
}

// Independent float64 ROC EER: the threshold where FRR (targets below) and FAR (nontargets at
// or above) cross; returns their mean there.
double RocEer(const std::vector<float> &t, const std::vector<float> &n) {
  std::vector<float> thr(t);
  thr.insert(thr.end(), n.begin(), n.end());
  double best = 2, eer = 0;
  for (float x : thr) {
    double frr = 0, far = 0;
    for (float v : t) frr += v < x;
    for (float v : n) far += v >= x;
    frr /= t.size();
    far /= n.size();
    if (std::fabs(frr - far) < best) {
      best = std::fabs(frr - far);
      eer = 0.5 * (frr + far);
    }
  }
  return eer;
}

TEST(Eer, MatchesLiteralLoopAndRocCrossing) {
  std::mt19937 rng(17);
  for (int iter = 0; iter < 40; iter++) {
    int nt = 1 + rng() % 300, nn = 1 + rng() % 3000;
    double round_to = iter % 3 == 0 ? 0.0 : iter % 3 == 1 ? 0.1 : 1.0;
    std::vector<float> t, n;
    RandomScores(nt, nn, round_to, &rng, &t, &n);
    float thr_ref, thr;
    float ref = LiteralKaldiEer(t, n, &thr_ref);
    std::vector<float> t2(t), n2(n);
    float eer = ComputeEer(&t2, &n2, &thr);
    ASSERT_EQ(eer, ref) << "iter " << iter;
    ASSERT_EQ(thr, thr_ref);
    if (round_to == 0 && nt >= 50 && nn >= 50) {  // no ties: close to the ROC crossing
      EXPECT_NEAR(eer, RocEer(t, n), 1.5 / nt + 1.5 / nn) << "iter " << iter;
    }
  }
}

// Independent ROC-interpolation reference: bisection on g(x) = 1 - x - tpr(x), with tpr(x)
// the piecewise-linear ROC evaluated by brute-force counting at every threshold.
double BisectRocEer(const std::vector<float> &t, const std::vector<float> &n) {
  std::vector<float> thr(t);
  thr.insert(thr.end(), n.begin(), n.end());
  std::sort(thr.begin(), thr.end());
  thr.erase(std::unique(thr.begin(), thr.end()), thr.end());
  std::vector<std::pair<double, double>> roc = {{0, 0}};
  for (size_t k = thr.size(); k-- > 0;) {
    double tp = 0, fp = 0;
    for (float v : t) tp += v >= thr[k];
    for (float v : n) fp += v >= thr[k];
    roc.push_back({fp / n.size(), tp / t.size()});
  }
  auto tpr = [&](double x) {  // right-continuous at vertical steps: the highest tpr at x
    double best = 0;
    for (size_t k = 1; k < roc.size(); k++) {
      double f0 = roc[k - 1].first, f1 = roc[k].first;
      if (x >= f0 && x <= f1) {
        double v = f1 == f0 ? roc[k].second
                            : roc[k - 1].second + (roc[k].second - roc[k - 1].second) * (x - f0) / (f1 - f0);
        best = std::max(best, v);
      }
    }
    return best;
  };
  double lo = 0, hi = 1;
  for (int it = 0; it < 60; it++) {
    double mid = 0.5 * (lo + hi);
    (1 - mid - tpr(mid) > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

TEST(Eer, RocInterpolationMatchesBisection) {
  std::mt19937 rng(29);
  for (int iter = 0; iter < 30; iter++) {
    std::vector<float> t, n;
    RandomScores(1 + rng() % 100, 1 + rng() % 400, iter % 2 ? 0.25 : 0.0, &rng, &t, &n);
    SortScores(&t);
    SortScores(&n);
    EXPECT_NEAR(ComputeEerRocSorted(t, n), BisectRocEer(t, n), 1e-9) << iter;
  }
  std::vector<float> t = {3, 4}, n = {1, 2};
  EXPECT_EQ(ComputeEerRocSorted(t, n), 0.0);
  t = {1, 2};
  n = {3, 4};
  EXPECT_EQ(ComputeEerRocSorted(t, n), 1.0);
  t = {0, 2};  // half the targets above all nontargets, half below: EER 0.5
  n = {1, 1};
  EXPECT_NEAR(ComputeEerRocSorted(t, n), 0.5, 1e-12);
}

TEST(Eer, SmallHandWorkedCases) {
  float thr;
  std::vector<float> t = {3, 4}, n = {1, 2};  // perfect separation
  EXPECT_EQ(ComputeEer(&t, &n, &thr), 0.0f);
  EXPECT_EQ(thr, 3.0f);
  t = {1, 2};
  n = {3, 4};  // everything wrong: stops at the last target
  EXPECT_EQ(ComputeEer(&t, &n, &thr), 0.5f);
  EXPECT_EQ(thr, 2.0f);
  t = {0.5f};
  n = {0.2f, 0.9f};
  EXPECT_EQ(ComputeEer(&t, &n, &thr), 0.0f);
  EXPECT_EQ(thr, 0.5f);
  std::vector<float> empty;
  EXPECT_THROW(ComputeEer(&empty, &n, &thr), FatalError);
  EXPECT_THROW(ComputeEer(&t, &empty, &thr), FatalError);
}

}  // namespace
}  // namespace tdnas
