// accuracy-predictor-test.cc: the TDNN-NAS accuracy predictor: encoding (one-hot inside the
// space, interpolated outside), the loss gradient against central finite differences, fitting a
// synthetic EER function of the architecture (held-out Kendall tau > 0.8, better than ranking
// by MACs), file round trip (binary and text; versions 1 and 2 still read), batched prediction
// speed; the small-data additions: cost features against values worked out by hand, the ridge
// base against an exactly linear target, the MACs base reproducing a MACs ranking, the
// residual model beating MACs from 40 subnets where kernels matter too; cross-validation.
#include "nas/accuracy-predictor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "nas/predictor-cv.h"
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
  opts.epochs = 40;
  opts.ensemble = 2;  // (the default 5 triples the time; 2 still covers the members' file I/O)
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
  // Version 2 (before base/cost features/ensemble): the bare model's text without the
  // version-3 tokens reads as one MLP over the one-hot; version 1 (before shapes), also
  // without the shape tokens, reads as 512/1536. Both predict what the bare model predicts.
  std::ostringstream os;
  def.Write(os, false);
  std::string text = os.str();
  const std::string v3 = "<Version> 3 ", shape_tokens = "<MaxWidth> 512 <MaxCatWidth> 1536 ";
  ASSERT_NE(text.find(v3), std::string::npos);
  ASSERT_NE(text.find(shape_tokens), std::string::npos) << text.substr(0, 200);
  const size_t tb = text.find("<Base>"), te = text.find("<Ensemble> 1 ");
  ASSERT_TRUE(tb != std::string::npos && te != std::string::npos) << text.substr(0, 400);
  text.erase(tb, te + std::string("<Ensemble> 1 ").size() - tb);
  const SubnetConfig probe = ParseSubnetConfig("3-256-512-384-128-5-3-1-3-1152");
  for (int version : {2, 1}) {
    std::string old_text = text;
    old_text.replace(old_text.find(v3), v3.size(), "<Version> " + std::to_string(version) + " ");
    if (version == 1) old_text.erase(old_text.find(shape_tokens), shape_tokens.size());
    std::istringstream is(old_text);
    AccuracyPredictor old;
    old.Read(is, false);
    EXPECT_EQ(old.Shape(), SupernetShape());
    EXPECT_EQ(old.InputDim(), 48);
    EXPECT_EQ(old.EnsembleSize(), 1);
    EXPECT_EQ(old.Base(), "none");
    EXPECT_NEAR(old.Predict(probe), def.Predict(probe), 1e-4);
  }
  // A newer version than this build: a clear error.
  std::string newer = os.str();
  newer.replace(newer.find(v3), v3.size(), "<Version> 4 ");
  std::istringstream is4(newer);
  AccuracyPredictor q4;
  try {
    q4.Read(is4, false);
    ADD_FAILURE() << "version 4 read";
  } catch (const FatalError &err) {
    EXPECT_NE(std::string(err.what()).find("version 4, this build reads 1..3"), std::string::npos)
        << err.what();
  }
}

// Cost features of a scaled config, worked out by hand (MACs and params from the counters,
// which tests/nnet checks against the published figures).
TEST(AccuracyPredictor, CostFeaturesAreTheSizesOfTheNet) {
  const SupernetShape shape(128, 384);
  const SubnetConfig c = ParseSubnetConfig("2-32-64-128-1-3-5-96");
  double f[kNumCostFeatures];
  SubnetCostFeatures(c, shape, f);
  EXPECT_DOUBLE_EQ(f[0], std::log(static_cast<double>(CountSubnetMacs(c, 301))));
  EXPECT_DOUBLE_EQ(f[1], std::log(static_cast<double>(CountSubnetParams(c))));
  EXPECT_DOUBLE_EQ(f[2], 2.0);
  EXPECT_NEAR(f[3], std::log(0.25), 1e-12);
  EXPECT_NEAR(f[4], 0.5 * std::log(0.5), 1e-12);  // blocks 64 and 128 of 128
  EXPECT_DOUBLE_EQ(f[5], 1.0);
  EXPECT_DOUBLE_EQ(f[6], 4.0);                     // kernels 3 and 5
  EXPECT_NEAR(f[7], std::log(0.25), 1e-12);
  EXPECT_STREQ(CostFeatureName(0), "log-macs");
  // Bigger in every dimension -> every size feature grows.
  double g[kNumCostFeatures];
  SubnetCostFeatures(ParseSubnetConfig("3-64-96-128-128-3-5-5-5-192"), shape, g);
  for (int j : {0, 1, 2, 3, 5, 6, 7}) EXPECT_GT(g[j], f[j]) << CostFeatureName(j);
  // With cost features the input is the one-hot then the standardised features.
  AccuracyPredictor p("coarse", shape, 1);
  std::vector<SubnetConfig> train = Sample(p.Space(), 30, 4);
  std::vector<double> y(train.size(), 1.0);
  for (size_t i = 0; i < y.size(); ++i) y[i] += 0.01 * i;
  PredictorTrainOptions opts;
  opts.epochs = 2;
  opts.ensemble = 2;
  p.Train(train, y, opts);
  EXPECT_EQ(p.OneHotDim(), 48);
  EXPECT_EQ(p.InputDim(), 56);
  EXPECT_EQ(p.EnsembleSize(), 2);
  std::vector<float> enc(p.InputDim());
  double mean[kNumCostFeatures] = {0}, sq[kNumCostFeatures] = {0};
  for (const SubnetConfig &t : train) {
    p.Encode(t, enc.data());
    for (int j = 0; j < kNumCostFeatures; ++j) {
      mean[j] += enc[48 + j] / train.size();
      sq[j] += enc[48 + j] * enc[48 + j] / train.size();
    }
  }
  for (int j = 0; j < kNumCostFeatures; ++j) {
    EXPECT_NEAR(mean[j], 0.0, 1e-5) << CostFeatureName(j);
    EXPECT_NEAR(sq[j], 1.0, 1e-4) << CostFeatureName(j);
  }
}

// The ridge base alone (ensemble 0) on an EER that is exactly linear in the cost features:
// at ridge ~0 it recovers the function (an independent check of the closed-form solve); at a
// large ridge it shrinks towards the mean.
TEST(AccuracyPredictor, RidgeBaseRecoversALinearFunctionOfTheCostFeatures) {
  const SupernetShape shape(128, 384);
  AccuracyPredictor p("coarse", shape, 1);
  std::vector<SubnetConfig> train = Sample(p.Space(), 60, 21), test = Sample(p.Space(), 40, 22);
  auto truth = [&](const SubnetConfig &c) {
    double f[kNumCostFeatures];
    SubnetCostFeatures(c, shape, f);
    return 30.0 - 1.5 * f[0] + 0.4 * f[1] + 0.3 * f[2] - 0.7 * f[3] + 0.2 * f[5] - 0.1 * f[6] -
           0.9 * f[7];
  };
  std::vector<double> y, want, got;
  for (const auto &c : train) y.push_back(truth(c));
  for (const auto &c : test) want.push_back(truth(c));
  PredictorTrainOptions opts;
  opts.ensemble = 0;
  opts.ridge = 0;
  EXPECT_TRUE(p.Train(train, y, opts).empty());
  p.Predict(test, &got);
  EXPECT_LT(Rmse(got, want), 1e-5);
  opts.ridge = 1e6;
  p.Train(train, y, opts);
  p.Predict(test, &got);
  double mean = 0;
  for (double v : y) mean += v / y.size();
  for (double v : got) EXPECT_NEAR(v, mean, 1e-3);
}

// EER a function of MACs only: the MACs base (alone, and with the residual MLPs) ranks
// held-out subnets as MACs do. EER depending on kernels too: the default predictor (cost
// base + residual ensemble) trained on 40 subnets beats the MACs ranking.
TEST(AccuracyPredictor, ResidualModelMatchesMacsWhereMacsDecideAndBeatsThemWhereKernelsMatter) {
  nnet::SetNumThreads(1);
  const SupernetShape shape(128, 384);
  const SearchSpace space = SearchSpace::Named("coarse", shape);
  std::vector<SubnetConfig> train = Sample(space, 40, 31), test = Sample(space, 100, 32);
  std::mt19937_64 rng(33);
  std::normal_distribution<double> noise(0.0, 0.05);
  auto log_macs = [](const SubnetConfig &c) {
    return std::log(static_cast<double>(CountSubnetMacs(c, 301)));
  };
  auto kernel_term = [](const SubnetConfig &c) {
    double k = (c.kernels[0] == 1) ? 1.0 : 0.0;  // a 1x1 stem hurts
    for (int i = 1; i <= c.depth; ++i) k += (c.kernels[i] == 1) ? 0.4 : 0.0;
    return k;
  };
  std::vector<double> macs;
  for (const auto &c : test) macs.push_back(-static_cast<double>(CountSubnetMacs(c, 301)));
  for (int with_kernels = 0; with_kernels < 2; ++with_kernels) {
    std::vector<double> y, want;
    for (const auto &c : train)
      y.push_back(20.0 - 2.0 * log_macs(c) + with_kernels * kernel_term(c) + noise(rng) * with_kernels);
    for (const auto &c : test) want.push_back(20.0 - 2.0 * log_macs(c) + with_kernels * kernel_term(c));
    const double tau_macs = KendallTau(macs, want);
    PredictorTrainOptions opts;
    opts.epochs = 100;
    opts.ensemble = 3;
    if (!with_kernels) {
      opts.base = "macs";
      for (int ens : {0, 3}) {
        opts.ensemble = ens;
        AccuracyPredictor p("coarse", shape, 1);
        p.Train(train, y, opts);
        std::vector<double> pred;
        p.Predict(test, &pred);
        const double tau = KendallTau(pred, want);
        std::printf("EER = f(MACs), 40 subnets, macs base + %d MLPs: tau %.3f (MACs %.3f)\n", ens,
                    tau, tau_macs);
        EXPECT_NEAR(tau_macs, 1.0, 1e-9);
        EXPECT_GT(tau, ens == 0 ? 0.999 : 0.9);
      }
    } else {
      AccuracyPredictor p("coarse", shape, 1);
      p.Train(train, y, opts);
      std::vector<double> pred;
      p.Predict(test, &pred);
      const double tau = KendallTau(pred, want);
      opts.base = "none";
      opts.cost_features = false;
      AccuracyPredictor bare("coarse", shape, 1);
      bare.Train(train, y, opts);
      std::vector<double> pred_bare;
      bare.Predict(test, &pred_bare);
      const double tau_bare = KendallTau(pred_bare, want);
      std::printf("EER = f(MACs) + kernels, 40 subnets: predictor tau %.3f, bare one-hot MLPs "
                  "%.3f, MACs %.3f\n", tau, tau_bare, tau_macs);
      EXPECT_GT(tau, tau_macs + 0.1);
      EXPECT_GT(tau, tau_bare);
    }
  }
}

TEST(PredictorCv, FoldsRepeatsAndTheMacsBaseline) {
  nnet::SetNumThreads(1);
  const SupernetShape shape(128, 384);
  const SearchSpace space = SearchSpace::Named("coarse", shape);
  std::vector<SubnetResult> data;
  for (const SubnetConfig &c : Sample(space, 24, 41)) {
    SubnetResult r;
    r.config = c;
    r.macs = CountSubnetMacs(c, 301);
    r.eer = 20.0 - 2.0 * std::log(static_cast<double>(r.macs));  // MACs decide exactly
    data.push_back(r);
  }
  PredictorTrainOptions opts;
  opts.base = "macs";
  opts.ensemble = 0;
  const PredictorCvResult cv = CrossValidatePredictor(data, "coarse", shape, opts, 4, 3, 5);
  EXPECT_EQ(cv.tau.values.size(), 12u);
  EXPECT_EQ(cv.macs_rho.values.size(), 12u);
  EXPECT_NEAR(cv.macs_tau.mean, 1.0, 1e-9);
  EXPECT_NEAR(cv.macs_tau.std, 0.0, 1e-9);
  EXPECT_NEAR(cv.tau.mean, 1.0, 1e-9);
  EXPECT_NEAR(cv.rho.mean, 1.0, 1e-9);
  EXPECT_NE(cv.ToString().find("cv 4-fold x 3 (24 subnets): predictor kendall_tau 1.0000 +- 0.0000"),
            std::string::npos) << cv.ToString();
  // Reversed target: the MACs baseline is -1 on every fold; too few subnets is an error.
  for (SubnetResult &r : data) r.eer = -r.eer;
  const PredictorCvResult rev = CrossValidatePredictor(data, "coarse", shape, opts, 4, 1, 5);
  EXPECT_NEAR(rev.macs_tau.mean, -1.0, 1e-9);
  EXPECT_NEAR(rev.tau.mean, 1.0, 1e-9);  // the fitted base learns the sign
  data.resize(7);
  EXPECT_THROW(CrossValidatePredictor(data, "coarse", shape, opts, 4, 1, 5), FatalError);
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
