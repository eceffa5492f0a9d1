// subnet-eval-test.cc: subnet evaluation (materialise, BN recalibration, embeddings, cosine
// EER/minDCF) on synthetic speakers: deterministic, equal to doing the steps by hand, results
// in range; a static model of the largest config serves as the supernet (its largest subnet
// materialises to exactly its weights).
#include "nas/subnet-eval.h"

#include <gtest/gtest.h>

#include <random>

#include "nnet/parallel.h"

namespace tdnas {
namespace {

struct Data {
  std::vector<Matrix<float>> recal;
  std::vector<std::pair<std::string, Matrix<float>>> dev;
  std::vector<Trial> trials;
};

// 5 speakers x 3 utterances: a speaker-specific mean per bin plus frame noise; all pairs.
Data MakeData() {
  Data d;
  std::mt19937_64 rng(5);
  std::normal_distribution<float> g;
  const int spk = 5, per = 3, frames = 120, dim = kTdnnInputDim;
  std::vector<std::string> owner;
  for (int s = 0; s < spk; ++s) {
    std::vector<float> mean(dim);
    for (float &m : mean) m = 1.5f * g(rng);
    for (int u = 0; u < per + 2; ++u) {
      Matrix<float> m(frames, dim);
      for (int t = 0; t < frames; ++t)
        for (int b = 0; b < dim; ++b) m.Data()[t * dim + b] = mean[b] * (1 + 0.3f * std::sin(0.1f * t)) + g(rng);
      if (u < per) {
        d.dev.emplace_back("spk" + std::to_string(s) + "-u" + std::to_string(u), m);
        owner.push_back("spk" + std::to_string(s));
      } else {
        d.recal.push_back(m);
      }
    }
  }
  for (size_t i = 0; i < d.dev.size(); ++i)
    for (size_t j = i + 1; j < d.dev.size(); ++j)
      d.trials.push_back({d.dev[i].first, d.dev[j].first, owner[i] == owner[j]});
  return d;
}

SubnetEvalOptions SmallOptions() {
  SubnetEvalOptions o;
  o.recalibrate.batch_size = 4;
  o.recalibrate.num_batches = 3;
  o.recalibrate.min_frames = 80;
  o.recalibrate.max_frames = 100;
  return o;
}

TEST(SubnetEval, DeterministicAndEqualToTheStepsByHand) {
  nnet::SetNumThreads(1);
  const Data data = MakeData();
  nnet::StaticTdnnOptions nopts;
  nnet::Supernet supernet(nopts);
  supernet.InitParams(3);
  nnet::FrontEndInfo fe;
  const SubnetEvalOptions opts = SmallOptions();
  SubnetEvaluator eval(supernet, fe, data.recal, data.dev, data.trials, opts);
  const SubnetConfig cfg = ParseSubnetConfig("2-128-64-192-3-1-5-256");
  const SubnetResult a = eval.Evaluate(cfg), b = eval.Evaluate(cfg);
  EXPECT_EQ(a.eer, b.eer);
  EXPECT_EQ(a.mindcf, b.mindcf);
  EXPECT_EQ(a.config, cfg);
  EXPECT_EQ(a.macs, CountSubnetMacs(cfg, kDefaultMacFrames));
  EXPECT_GE(a.eer, 0);
  EXPECT_LE(a.eer, 100);
  EXPECT_GE(a.mindcf, 0);
  EXPECT_LE(a.mindcf, 1.0 + 1e-9);
  nnet::StaticTdnn net(cfg, nopts);
  supernet.Materialize(&net);
  const SubnetResult c = eval.EvaluateNet(&net);
  EXPECT_EQ(a.eer, c.eer);
  std::printf("random supernet, subnet %s: EER %.2f%% minDCF %.4f on %zu trials\n",
              cfg.ToString().c_str(), a.eer, a.mindcf, data.trials.size());
  // Unknown trial keys are an error at construction.
  std::vector<Trial> bad = data.trials;
  bad[0].test = "nobody";
  EXPECT_THROW(SubnetEvaluator(supernet, fe, data.recal, data.dev, bad, opts), FatalError);
}

TEST(SubnetEval, LargestStaticModelServesAsTheSupernet) {
  nnet::StaticTdnnOptions nopts;
  const nnet::NnetModel model(nnet::Supernet::LargestConfig(), nopts, 9);
  nnet::Supernet supernet(nopts);
  SupernetFromModel(model, &supernet);
  nnet::StaticTdnn net(nnet::Supernet::LargestConfig(), nopts);
  supernet.Materialize(&net);
  nnet::StaticTdnn &src = const_cast<nnet::StaticTdnn &>(model.Net());
  ASSERT_EQ(net.ParamBuffer().Size(), src.ParamBuffer().Size());
  for (int64_t i = 0; i < net.ParamBuffer().Size(); ++i)
    ASSERT_EQ(net.ParamBuffer().Data()[i], src.ParamBuffer().Data()[i]) << i;
  const nnet::NnetModel small(ParseSubnetConfig("small"), nopts, 9);
  EXPECT_THROW(SupernetFromModel(small, &supernet), FatalError);
}

}  // namespace
}  // namespace tdnas
