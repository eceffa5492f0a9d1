// accuracy-predictor-test.cc: the TDNN-NAS accuracy predictor: encoding (one-hot inside the
// space, interpolated outside), the loss gradient against central finite differences, fitting a
// synthetic EER function of the architecture (held-out Kendall tau > 0.8, better than ranking
// by MACs), file round trip (binary and text), batched prediction speed.
#include "nas/accuracy-predictor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "nas/rank-correlation.h"
#include "nnet/mac-count.h"
#include "nnet/parallel.h"

namespace tdnas {
namespace {

// A synthetic "dev EER" that MACs alone rank poorly: the stem width, depth, stem kernel and
// cat width matter; the block mid widths (most of the MACs) matter little.
double SyntheticEer(const SubnetConfig &c) {
  double e = 4.0 - 0.25 * (c.depth - 2) - 0.8 * (c.widths[0] - 128) / 384.0;
  for (int32 i = 1; i <= c.depth; ++i) {
    e -= 0.1 * std::sqrt((c.widths[i] - 128) / 384.0);
    e -= (c.kernels[i] >= 3) ? 0.1 : 0.0;
  }
  e += (c.kernels[0] == 1) ? 0.3 : (c.kernels[0] == 5 ? -0.2 : 0.0);
  e -= 0.3 * (c.cat_width - 384) / 1152.0;
  e += 0.3 * (c.widths[0] / 512.0) * (c.cat_width / 1536.0);
  return e;
}

std::vector<SubnetConfig> Sample(const SearchSpace &space, int n, uint64 seed) {
  std::mt19937_64 rng(seed);
  std::vector<SubnetConfig> out(n);
  for (auto &c : out) space.SampleConfig(&rng, &c);
  return out;
}

TEST(AccuracyPredictor, EncodingIsTheSpacesOneHotInsideAndInterpolatesOutside) {
  for (const char *name : {"coarse", "fine"}) {
    AccuracyPredictor p(name, 1);
    const SearchSpace &s = p.Space();
    EXPECT_EQ(p.InputDim(), std::string(name) == "coarse" ? 48 : 408);
    std::vector<float> a(p.InputDim()), b;
    for (const SubnetConfig &c : Sample(s, 200, 5)) {
      p.Encode(c, a.data());
      s.Encode(c, &b);
      ASSERT_EQ(a, b) << c.ToString();
    }
  }
  AccuracyPredictor coarse("coarse", 1);
  // c0 = 200 lies between 176 and 256 (positions 1, 2): 0.7 / 0.3; C = 1000 between 768 and
  // 1152 (positions 2, 3): 0.3958 / 0.6042.
  const SubnetConfig c = ParseSubnetConfig("2-200-512-128-1-3-5-1000");
  std::vector<float> e(48);
  coarse.Encode(c, e.data());
  EXPECT_FLOAT_EQ(e[3 + 1], 0.7f);
  EXPECT_FLOAT_EQ(e[3 + 2], 0.3f);
  EXPECT_FLOAT_EQ(e[3 + 25 + 15 + 2], 1.0f - 232.0f / 384.0f);
  EXPECT_FLOAT_EQ(e[3 + 25 + 15 + 3], 232.0f / 384.0f);
  std::string why;
  EXPECT_FALSE(coarse.CanEncode(ParseSubnetConfig("2-64-512-128-1-3-5-1000"), &why));
  EXPECT_NE(why.find("width c0 = 64"), std::string::npos) << why;
  EXPECT_TRUE(coarse.CanEncodeSpace(SearchSpace::Named("fine"), &why));
  EXPECT_FALSE(coarse.CanEncodeSpace(SearchSpace::Named("supernet"), &why));
}

TEST(AccuracyPredictor, LossGradientMatchesFiniteDifferences) {
  AccuracyPredictor p("coarse", 3, /*hidden_dim=*/16, /*num_hidden=*/3);
  const int32 batch = 8;
  std::vector<SubnetConfig> cfgs = Sample(p.Space(), batch, 9);
  std::vector<float> x(batch * p.InputDim()), y(batch);
  std::mt19937_64 rng(4);
  std::normal_distribution<float> g;
  for (int32 i = 0; i < batch; ++i) {
    p.Encode(cfgs[i], &x[i * p.InputDim()]);
    y[i] = g(rng);
  }
  p.Loss(x.data(), y.data(), batch, true, true);
  std::vector<float> grad(p.GradBuffer().Data(), p.GradBuffer().Data() + p.GradBuffer().Size());
  float *w = p.ParamBuffer().Data();
  int checked = 0;
  double max_rel = 0;
  for (int t = 0; t < p.Params().Size(); ++t) {
    const nnet::ParamEntry &e = p.Params().Entry(t);
    for (int r = 0; r < 6; ++r) {
      const int64_t i = e.offset + UniformInt(&rng, e.size);
      const float keep = w[i], h = 1e-3f;  // small: fewer ReLU kinks crossed
      w[i] = keep + h;
      const double lp = p.Loss(x.data(), y.data(), batch, true, false);
      w[i] = keep - h;
      const double lm = p.Loss(x.data(), y.data(), batch, true, false);
      w[i] = keep;
      const double num = (lp - lm) / (2 * h), ana = grad[i];
      const double rel = std::abs(num - ana) / std::max(1e-2, std::abs(num) + std::abs(ana));
      max_rel = std::max(max_rel, rel);
      EXPECT_LT(rel, 1e-2) << e.name << " numeric " << num << " analytic " << ana;
      ++checked;
    }
  }
  std::printf("finite differences: %d weights, max relative error %.2e\n", checked, max_rel);
}

TEST(AccuracyPredictor, FitsASyntheticEerBetterThanMacs) {
  nnet::SetNumThreads(1);
  const SearchSpace coarse = SearchSpace::Named("coarse");
  std::vector<SubnetConfig> all = Sample(coarse, 600, 11);
  std::vector<SubnetConfig> train(all.begin(), all.begin() + 450), test(all.begin() + 450, all.end());
  std::mt19937_64 rng(12);
  std::normal_distribution<double> noise(0.0, 0.03);
  std::vector<double> y_train, y_test, macs;
  for (const auto &c : train) y_train.push_back(SyntheticEer(c) + noise(rng));
  for (const auto &c : test) {
    y_test.push_back(SyntheticEer(c));
    macs.push_back(-static_cast<double>(CountSubnetMacs(c, kDefaultMacFrames)));  // more = better
  }
  AccuracyPredictor p("coarse", 7);
  PredictorTrainOptions opts;
  opts.epochs = 60;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<double> curve = p.Train(train, y_train, opts);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(curve.back(), 0.2 * curve.front());
  std::vector<double> pred;
  p.Predict(test, &pred);
  const double tau = KendallTau(pred, y_test), rho = SpearmanRho(pred, y_test);
  const double tau_macs = KendallTau(macs, y_test), rho_macs = SpearmanRho(macs, y_test);
  std::printf("synthetic EER, 450 train / 150 held-out coarse subnets, %d epochs in %.2f s: "
              "loss %.3f -> %.4f; predictor tau %.3f rho %.3f RMSE %.4f; MACs-only tau %.3f "
              "rho %.3f\n", opts.epochs, secs, curve.front(), curve.back(), tau, rho,
              Rmse(pred, y_test), tau_macs, rho_macs);
  EXPECT_GT(tau, 0.8);
  EXPECT_GT(tau, tau_macs + 0.2);

  // Round trip through a file, binary and text: identical predictions.
  for (bool binary : {true, false}) {
    char path[] = "/tmp/predictor-test.XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    WriteAccuracyPredictor(p, path, binary);
    AccuracyPredictor q;
    ReadAccuracyPredictor(path, &q);
    std::remove(path);
    std::vector<double> pred2;
    q.Predict(test, &pred2);
    for (size_t i = 0; i < pred.size(); ++i)
      EXPECT_NEAR(pred[i], pred2[i], binary ? 0.0 : 1e-4 * std::abs(pred[i]));
    EXPECT_NEAR(q.TargetMean(), p.TargetMean(), 1e-6);
  }
}

// A scaled supernet (128/384): the predictor's grids are the scaled ones, its encoding is the
// scaled space's one-hot, configs of another shape are refused, and the shape survives the
// file round trip (binary and text); a version-1 file (no shape tokens) reads as 512/1536.
TEST(AccuracyPredictor, ScaledShapeEncodesScaledGridsAndRoundTrips) {
  nnet::SetNumThreads(1);
  const SupernetShape shape(128, 384);
  for (const char *name : {"coarse", "fine"}) {
    AccuracyPredictor p(name, shape, 1);
    const SearchSpace s = SearchSpace::Named(name, shape);
    EXPECT_EQ(p.Shape(), shape);
    EXPECT_EQ(p.Space().Widths(), s.Widths());
    EXPECT_EQ(p.Space().CatWidths(), s.CatWidths());
    EXPECT_EQ(p.InputDim(), s.EncodingDim());
    std::vector<float> a(p.InputDim()), b;
    for (const SubnetConfig &c : Sample(s, 100, 5)) {
      p.Encode(c, a.data());
      s.Encode(c, &b);
      ASSERT_EQ(a, b) << c.ToString();
    }
  }
  AccuracyPredictor p("coarse", shape, 3);
  EXPECT_EQ(p.Space().Widths(), (std::vector<int32>{32, 48, 64, 96, 128}));
  std::string why;
  // Too wide for the shape, and a config of the paper's grid: refused, the message names why.
  EXPECT_FALSE(p.CanEncode(ParseSubnetConfig("largest"), &why));
  EXPECT_NE(why.find("max-width 128"), std::string::npos) << why;
  std::vector<float> e(p.InputDim());
  EXPECT_THROW(p.Encode(ParseSubnetConfig("2-256-128-128-1-1-1-384"), e.data()), FatalError);
  EXPECT_TRUE(p.CanEncode(ParseSubnetConfig("2-40-128-32-1-3-5-104"), &why)) << why;
  EXPECT_FALSE(p.CanEncodeSpace(SearchSpace::Named("fine"), &why));
  EXPECT_TRUE(p.CanEncodeSpace(SearchSpace::Named("fine", shape), &why)) << why;
  AccuracyPredictor def("coarse", 3);
  EXPECT_FALSE(def.CanEncode(ParseSubnetConfig("2-32-32-32-1-1-1-96"), &why));

  const std::vector<SubnetConfig> train = Sample(p.Space(), 64, 11);
  std::vector<double> y;
  for (const SubnetConfig &c : train) y.push_back(1.0 + c.widths[0] / 128.0 + c.cat_width / 384.0);
  PredictorTrainOptions opts;
  opts.epochs = 5;
  p.Train(train, y, opts);
  std::vector<double> pred, pred2;
  p.Predict(train, &pred);
  for (bool binary : {true, false}) {
    char path[] = "/tmp/predictor-test.XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    WriteAccuracyPredictor(p, path, binary);
    AccuracyPredictor q;
    ReadAccuracyPredictor(path, &q);
    std::remove(path);
    EXPECT_EQ(q.Shape(), shape);
    EXPECT_EQ(q.Space().Widths(), p.Space().Widths());
    q.Predict(train, &pred2);
    for (size_t i = 0; i < pred.size(); ++i)
      EXPECT_NEAR(pred[i], pred2[i], binary ? 0.0 : 1e-4 * std::abs(pred[i]));
  }
  // Version 1 (before shapes): the same text without the shape tokens reads as 512/1536.
  std::ostringstream os;
  def.Write(os, false);
  std::string text = os.str();
  const std::string v2 = "<Version> 2 ", shape_tokens = "<MaxWidth> 512 <MaxCatWidth> 1536 ";
  ASSERT_NE(text.find(v2), std::string::npos);
  ASSERT_NE(text.find(shape_tokens), std::string::npos) << text.substr(0, 200);
  text.replace(text.find(v2), v2.size(), "<Version> 1 ");
  text.erase(text.find(shape_tokens), shape_tokens.size());
  std::istringstream is(text);
  AccuracyPredictor old;
  old.Read(is, false);
  EXPECT_EQ(old.Shape(), SupernetShape());
  EXPECT_EQ(old.InputDim(), 48);
}

TEST(AccuracyPredictor, BatchedPredictionOfTenThousandFineSubnetsIsFast) {
  nnet::SetNumThreads(1);
  AccuracyPredictor p("fine", 2);
  std::vector<SubnetConfig> cfgs = Sample(SearchSpace::Named("fine"), 10000, 3);
  std::vector<double> out;
  const auto t0 = std::chrono::steady_clock::now();
  p.Predict(cfgs, &out);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("10000 fine-grid predictions (408 -> 3 x 400 -> 1), 1 thread: %.3f s\n", secs);
  EXPECT_LT(secs, 2.0);
  EXPECT_NEAR(out[17], p.Predict(cfgs[17]), 1e-5);
}

}  // namespace
}  // namespace tdnas
