// subnet-eval-gpu-test.cc: nnet-eval-subnets' evaluator (materialise, BN recalibration,
// embeddings, cosine EER/minDCF) with each subnet on the GPU against the same evaluation on the
// CPU: fp32 GEMMs, fresh random supernet weights and features each run. EER and minDCF may
// differ only where rounding moves a score across its neighbour: at most one trial's step.
// Skips where no GPU is visible (CI).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gpu/gpu-api.h"
#include "nas/subnet-eval.h"
#include "nnet/parallel.h"
#include "nnet/search-space.h"
#include "gpu-test-util.h"

namespace tdnas {
namespace {


using nnet::Device;

constexpr int kDim = 24;

// Utterances of `speakers` voices: each voice a fixed random spread per dimension (a mean
// would be removed by the per-utterance CMN), so even an untrained net tells voices apart.
void MakeUtterances(std::mt19937_64 *rng, int speakers, int per_speaker,
                    std::vector<std::pair<std::string, Matrix<float>>> *out) {
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::uniform_int_distribution<int> len(150, 320);
  for (int s = 0; s < speakers; s++) {
    std::vector<float> voice(kDim);
    std::uniform_real_distribution<float> spread(0.2f, 3.0f);
    for (float &v : voice) v = spread(*rng);
    for (int u = 0; u < per_speaker; u++) {
      Matrix<float> m(len(*rng), kDim);
      for (int r = 0; r < m.NumRows(); r++)
        for (int c = 0; c < kDim; c++) m.RowData(r)[c] = voice[c] * nd(*rng);
      out->emplace_back("s" + std::to_string(s) + "-u" + std::to_string(u), m);
    }
  }
}

TEST(SubnetEvalGpu, GpuEvaluationMatchesTheCpu) {
  REQUIRE_GPU();
  gpu::SetMathMode(gpu::MathMode::kFp32);
  nnet::SetNumThreads(1);
  std::mt19937_64 rng(std::chrono::steady_clock::now().time_since_epoch().count());

  nnet::StaticTdnnOptions nopts;
  nopts.input_dim = kDim;
  nopts.num_classes = 0;
  const SupernetShape shape(32, 96);
  nnet::Supernet supernet(nopts, shape);
  supernet.InitParams(rng());

  std::vector<std::pair<std::string, Matrix<float>>> recal_kv, dev;
  MakeUtterances(&rng, 6, 4, &recal_kv);
  MakeUtterances(&rng, 5, 4, &dev);
  std::vector<Matrix<float>> recal;
  for (auto &kv : recal_kv) recal.push_back(kv.second);
  std::vector<Trial> trials;
  int targets = 0;
  for (size_t i = 0; i < dev.size(); i++)
    for (size_t j = i + 1; j < dev.size(); j++) {
      Trial t;
      t.enroll = dev[i].first;
      t.test = dev[j].first;
      t.target = dev[i].first.substr(0, dev[i].first.find('-')) ==
                 dev[j].first.substr(0, dev[j].first.find('-'));
      targets += t.target;
      trials.push_back(t);
    }
  const int nontargets = static_cast<int>(trials.size()) - targets;

  nnet::FrontEndInfo fe;
  fe.feature_dim = kDim;
  SubnetEvalOptions cpu_opts;
  cpu_opts.recalibrate.batch_size = 8;
  cpu_opts.recalibrate.min_frames = 100;
  cpu_opts.recalibrate.max_frames = 150;
  SubnetEvalOptions gpu_opts = cpu_opts;
  gpu_opts.device = Device::kGpu;
  const SubnetEvaluator on_cpu(supernet, fe, recal, dev, trials, cpu_opts);
  const SubnetEvaluator on_gpu(supernet, fe, recal, dev, trials, gpu_opts);

  SearchSpace space = SearchSpace::Named("width2", shape);
  // One trial's step of EER (%) on either side of the threshold.
  const double eer_step = 100.0 * std::max(1.0 / targets, 1.0 / nontargets);
  double best_eer = 100;
  for (int k = 0; k < 4; k++) {
    SubnetConfig cfg;
    space.SampleConfig(&rng, &cfg);
    const SubnetResult c = on_cpu.Evaluate(cfg), g = on_gpu.Evaluate(cfg);
    std::printf("  %s: EER cpu %.4f gpu %.4f, minDCF cpu %.4f gpu %.4f\n",
                cfg.ToString().c_str(), c.eer, g.eer, c.mindcf, g.mindcf);
    EXPECT_EQ(c.config.ToString(), g.config.ToString());
    EXPECT_EQ(c.macs, g.macs);
    EXPECT_NEAR(c.eer, g.eer, eer_step + 1e-9) << cfg.ToString();
    best_eer = std::min(best_eer, c.eer);
    // minDCF(P_target 0.01) = Pmiss + 99 Pfa: one trial moves it by 1/targets or 99/nontargets.
    EXPECT_NEAR(c.mindcf, g.mindcf, 1.0 / targets + 99.0 / nontargets + 1e-9) << cfg.ToString();
  }
  // The comparison means something only if the scores are not noise.
  EXPECT_LT(best_eer, 40.0) << "the voices are not separable: the comparison is uninformative";
}

}  // namespace
}  // namespace tdnas
