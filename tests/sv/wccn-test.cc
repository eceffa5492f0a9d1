// Tests of WCCN against independent float64 references: the within-class covariance by
// brute-force per-speaker loops, the Ledoit-Wolf intensity from explicit per-sample outer
// products, and the transform by its defining property T W_s T^T = I with T lower triangular.
// A synthetic set with a loud nuisance direction checks that WCCN lowers the EER.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "base/log.h"
#include "sv/eer.h"
#include "sv/wccn.h"

namespace tdnas {
namespace {

// num_spk speakers x utts, dim dims: speaker mean N(0, 1) per dim; within-speaker noise with
// std `nuisance` along the first `loud` dims and 0.3 elsewhere.
void MakeSet(int32 num_spk, int32 utts, int32 dim, int32 loud, double nuisance, uint32 seed,
             EmbeddingTable *table, std::vector<std::string> *speaker) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g;
  for (int32 s = 0; s < num_spk; s++) {
    std::vector<double> mean(dim);
    for (auto &m : mean) m = g(rng);
    for (int32 u = 0; u < utts; u++) {
      Vector<float> v(dim);
      for (int32 d = 0; d < dim; d++) v(d) = mean[d] + (d < loud ? nuisance : 0.3) * g(rng);
      std::string spk = "spk" + std::to_string(seed) + "_" + std::to_string(s);
      table->Add(spk + "-" + std::to_string(u), v);
      speaker->push_back(spk);
    }
  }
}

// Brute force: per speaker, the scatter around its mean; summed, divided by the rows used.
std::vector<std::vector<double>> RefWithinClass(const EmbeddingTable &t,
                                                const std::vector<std::string> &spk,
                                                int32 min_utts) {
  const int32 dim = t.Dim();
  std::map<std::string, std::vector<int32>> rows;
  for (int32 i = 0; i < t.NumRows(); i++) rows[spk[i]].push_back(i);
  std::vector<std::vector<double>> w(dim, std::vector<double>(dim, 0.0));
  int32 n = 0;
  for (auto &kv : rows) {
    if (static_cast<int32>(kv.second.size()) < min_utts) continue;
    std::vector<double> mean(dim, 0.0);
    for (int32 i : kv.second)
      for (int32 d = 0; d < dim; d++) mean[d] += t.Row(i)[d] / kv.second.size();
    for (int32 i : kv.second) {
      n++;
      for (int32 a = 0; a < dim; a++)
        for (int32 b = 0; b < dim; b++)
          w[a][b] += (t.Row(i)[a] - mean[a]) * (t.Row(i)[b] - mean[b]);
    }
  }
  for (auto &row : w)
    for (auto &x : row) x /= n;
  return w;
}

TEST(Wccn, WithinClassCovarianceMatchesBruteForce) {
  EmbeddingTable t;
  std::vector<std::string> spk;
  MakeSet(7, 5, 6, 2, 1.0, 1, &t, &spk);
  MakeSet(3, 1, 6, 2, 1.0, 2, &t, &spk);  // single-utterance speakers: skipped
  WccnInfo info;
  Matrix<double> w = WithinClassCovariance(t, spk, 2, &info);
  auto ref = RefWithinClass(t, spk, 2);
  EXPECT_EQ(info.num_speakers, 7);
  EXPECT_EQ(info.num_utts, 35);
  EXPECT_EQ(info.skipped_speakers, 3);
  for (int32 a = 0; a < 6; a++)
    for (int32 b = 0; b < 6; b++) EXPECT_NEAR(w(a, b), ref[a][b], 1e-12) << a << "," << b;
}

TEST(Wccn, LedoitWolfMatchesExplicitOuterProducts) {
  std::mt19937 rng(3);
  std::normal_distribution<double> g;
  for (int32 n : {5, 40, 400}) {
    const int32 dim = 8;
    Matrix<double> z(n, dim);
    for (int32 k = 0; k < n; k++)
      for (int32 d = 0; d < dim; d++) z(k, d) = g(rng) * (1.0 + d);  // anisotropic
    std::vector<std::vector<double>> c(dim, std::vector<double>(dim, 0.0));
    for (int32 k = 0; k < n; k++)
      for (int32 a = 0; a < dim; a++)
        for (int32 b = 0; b < dim; b++) c[a][b] += z(k, a) * z(k, b) / n;
    Matrix<double> cov(dim, dim);
    double mu = 0;
    for (int32 a = 0; a < dim; a++) {
      mu += c[a][a] / dim;
      for (int32 b = 0; b < dim; b++) cov(a, b) = c[a][b];
    }
    double d2 = 0, b2 = 0;
    for (int32 a = 0; a < dim; a++)
      for (int32 b = 0; b < dim; b++) d2 += std::pow(c[a][b] - (a == b ? mu : 0), 2);
    for (int32 k = 0; k < n; k++)
      for (int32 a = 0; a < dim; a++)
        for (int32 b = 0; b < dim; b++) b2 += std::pow(z(k, a) * z(k, b) - c[a][b], 2);
    b2 /= double(n) * n;
    const double want = std::min(b2, d2) / d2;
    EXPECT_NEAR(LedoitWolfShrinkage(cov, z), want, 1e-10 * (1 + want)) << "n=" << n;
  }
}

TEST(Wccn, TransformWhitensTheShrunkCovariance) {
  EmbeddingTable t;
  std::vector<std::string> spk;
  MakeSet(20, 6, 10, 3, 2.0, 4, &t, &spk);
  for (double s : {0.0, 0.25, -1.0}) {
    WccnOptions opts;
    opts.shrinkage = s;
    WccnInfo info;
    Matrix<float> tr = ComputeWccn(t, spk, opts, &info);
    if (s >= 0) {
      EXPECT_EQ(info.shrinkage, s);
    }
    EXPECT_GT(info.shrinkage, -1e-12);
    EXPECT_LE(info.shrinkage, 1.0);
    auto w = RefWithinClass(t, spk, 2);
    double mu = 0;
    for (int32 a = 0; a < 10; a++) mu += w[a][a] / 10;
    for (int32 a = 0; a < 10; a++)
      for (int32 b = 0; b < 10; b++)
        w[a][b] = (1 - info.shrinkage) * w[a][b] + (a == b ? info.shrinkage * mu : 0);
    for (int32 i = 0; i < 10; i++) {
      for (int32 j = i + 1; j < 10; j++) EXPECT_EQ(tr(i, j), 0.0f) << "not lower triangular";
      for (int32 j = 0; j < 10; j++) {  // (T W T^T)(i, j)
        double v = 0;
        for (int32 a = 0; a < 10; a++)
          for (int32 b = 0; b < 10; b++) v += double(tr(i, a)) * w[a][b] * tr(j, b);
        EXPECT_NEAR(v, i == j ? 1.0 : 0.0, 2e-5) << "s=" << s << " (" << i << "," << j << ")";
      }
    }
  }
}

double CosineEer(const EmbeddingTable &t, const std::vector<std::string> &spk) {
  std::vector<float> tar, non;
  for (int32 i = 0; i < t.NumRows(); i++)
    for (int32 j = i + 1; j < t.NumRows(); j++) {
      double s = 0;
      for (int32 d = 0; d < t.Dim(); d++) s += double(t.Row(i)[d]) * t.Row(j)[d];
      (spk[i] == spk[j] ? tar : non).push_back(static_cast<float>(s));
    }
  float thr;
  return ComputeEer(&tar, &non, &thr);
}

TEST(Wccn, LowersTheEerWhenWithinSpeakerNoiseHasLoudDirections) {
  // Train and test speakers disjoint (different seeds); 4 of 16 dims carry 3x the speaker
  // spread as within-speaker noise.
  EmbeddingTable train, test;
  std::vector<std::string> train_spk, test_spk;
  MakeSet(40, 8, 16, 4, 3.0, 5, &train, &train_spk);
  MakeSet(30, 6, 16, 4, 3.0, 6, &test, &test_spk);
  const double before = CosineEer(test, test_spk);
  WccnInfo info;
  Matrix<float> tr = ComputeWccn(train, train_spk, WccnOptions(), &info);
  test.Transform(tr, "wccn");
  const double after = CosineEer(test, test_spk);
  EXPECT_GT(before, 0.10);
  EXPECT_LT(after, 0.5 * before) << "before " << before << " after " << after;
}

TEST(Wccn, TableTransformMatchesDirectProductAndChecksShape) {
  EmbeddingTable t;
  Vector<float> a(3), b(3);
  a(0) = 1; a(1) = 2; a(2) = 2;   // norm 3
  b(0) = 0; b(1) = 0; b(2) = -5;
  t.Add("a", a);
  t.Add("b", b);
  Matrix<float> m(2, 3);
  m(0, 0) = 1; m(0, 1) = 1; m(1, 2) = 2;
  t.Transform(m, "m");
  ASSERT_EQ(t.Dim(), 2);
  // a/3 -> (1, 4/3) / |.|, b/5 -> (0, -2) / 2
  EXPECT_NEAR(t.Row(0)[0], 0.6, 1e-6);
  EXPECT_NEAR(t.Row(0)[1], 0.8, 1e-6);
  EXPECT_NEAR(t.Row(1)[0], 0.0, 1e-6);
  EXPECT_NEAR(t.Row(1)[1], -1.0, 1e-6);
  EXPECT_THROW(t.Transform(m, "m"), FatalError);  // 2-dim rows, 3 columns
  Matrix<float> zero(1, 2);
  EXPECT_THROW(t.Transform(zero, "zero"), FatalError);
}

TEST(Wccn, ErrorsOnTooLittleDataAndBadOptions) {
  EmbeddingTable t;
  std::vector<std::string> spk;
  MakeSet(4, 1, 5, 1, 1.0, 7, &t, &spk);  // no speaker with 2 utterances
  WccnInfo info;
  EXPECT_THROW(ComputeWccn(t, spk, WccnOptions(), &info), FatalError);
  EmbeddingTable few;
  std::vector<std::string> few_spk;
  MakeSet(2, 3, 12, 1, 1.0, 8, &few, &few_spk);  // 6 rows, 12 dims: W singular
  WccnOptions none;
  none.shrinkage = 0;
  EXPECT_THROW(ComputeWccn(few, few_spk, none, &info), FatalError);
  EXPECT_NO_THROW(ComputeWccn(few, few_spk, WccnOptions(), &info));  // shrunk: definite
  WccnOptions bad;
  bad.shrinkage = 1.5;
  EXPECT_THROW(ComputeWccn(few, few_spk, bad, &info), FatalError);
  bad.shrinkage = -1;
  bad.min_utts_per_spk = 1;
  EXPECT_THROW(ComputeWccn(few, few_spk, bad, &info), FatalError);
}

}  // namespace
}  // namespace tdnas
