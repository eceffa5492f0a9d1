// train-supernet-test.cc: the supernet training step. Trainer on a scaled supernet (stage
// width2, 2 dynamic walks) ends with exactly the parameters, BN statistics and moments of the
// step written out by hand from the library pieces (sample from the (seed, step) generator,
// Materialize, forward/backward, ScatterGrad accumulating over the walks, ScatterState, one
// Adam step); the sampled subnets lie in the stage's scaled space, are reproducible, and stage
// largest trains only the largest net; --subnet style cutting then training gives a static net.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <unistd.h>

#include "nnet/adam.h"
#include "nnet/lr-schedule.h"
#include "nnet/parallel.h"
#include "nnet/trainer.h"
#include "util/kaldi-table.h"

namespace tdnas {
namespace nnet {
namespace {

constexpr int32 kDim = 8;   // small features: the test is about the step, not the front end

class SupernetTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    SetNumThreads(1);
    dir_ = "/tmp/train-supernet-test." + std::to_string(getpid());
    ASSERT_EQ(0, std::system(("mkdir -p " + dir_).c_str()));
    std::mt19937 rng(3);
    std::normal_distribution<float> nd;
    BaseFloatMatrixWriter w("ark:" + dir_ + "/f.ark");
    std::ofstream u(dir_ + "/utt2spk");
    for (int s = 0; s < 3; s++)
      for (int i = 0; i < 6; i++) {
        Matrix<float> m(30 + 5 * i, kDim);
        for (int r = 0; r < m.NumRows(); r++)
          for (int c = 0; c < kDim; c++) m.RowData(r)[c] = (c % 3 == s ? 2.0f : 0.0f) + nd(rng);
        const std::string key = "s" + std::to_string(s) + "-u" + std::to_string(i);
        w.Write(key, m);
        u << key << " s" << s << "\n";
      }
    w.Close();
    nopts_.input_dim = kDim;
    nopts_.num_classes = 3;
    topts_.stage = "width2";
    topts_.dynamic_walks = 2;
    topts_.lr = 0.01f;
    topts_.lr_min = 0.001f;
    topts_.cycle_steps = 4;
    topts_.max_steps = 3;
    dopts_.batch_size = 4;
    dopts_.crop_frames = 25;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  NnetModel NewModel() const { return NnetModel(SupernetShape(16, 48), nopts_, 5); }
  TrainData NewData() const {
    return TrainData("ark:" + dir_ + "/f.ark", "ark:" + dir_ + "/utt2spk", {}, dopts_,
                     static_cast<uint64>(topts_.seed));
  }
  std::string dir_;
  StaticTdnnOptions nopts_;
  TrainerOptions topts_;
  TrainDataOptions dopts_;
};

TEST_F(SupernetTraining, StepEqualsTheStepByHand) {
  NnetModel model = NewModel();
  TrainData data = NewData();
  Trainer trainer(topts_, &model, &data, false);
  trainer.Run();
  const auto &cfgs = trainer.StepConfigs();
  ASSERT_EQ(cfgs.size(), 3u);
  const SearchSpace space = SearchSpace::Named("width2", SupernetShape(16, 48));
  for (const auto &step : cfgs) {
    ASSERT_EQ(step.size(), 2u);
    for (const SubnetConfig &c : step) EXPECT_TRUE(space.Contains(c, nullptr)) << c.ToString();
  }
  EXPECT_NE(cfgs[0][0], cfgs[1][0]);

  // By hand.
  NnetModel ref = NewModel();
  TrainData data2 = NewData();
  Supernet &sn = ref.Super();
  AdamOptions ao;
  ao.weight_decay = topts_.weight_decay;
  Adam adam(ao, Device::kCpu, sn.ParamBuffer().Size());
  CyclicLrOptions lro;
  lro.base_lr = topts_.lr_min;
  lro.max_lr = topts_.lr;
  lro.step_size = topts_.cycle_steps;
  CyclicLr lr(lro);
  const int64 bpe = data2.BatchesPerEpoch();
  for (int64 s = 0; s < 3; s++) {
    TrainBatch batch;
    data2.MakeBatch(s / bpe, s % bpe, 0, &batch);
    Tensor x(batch.feats.data(), {dopts_.batch_size, kDim, dopts_.crop_frames});
    std::mt19937_64 rng(MixSeed(static_cast<uint64>(topts_.seed), 7, static_cast<uint64>(s)));
    sn.ZeroGrad();
    for (int w = 0; w < 2; w++) {
      SubnetConfig c;
      space.SampleConfig(&rng, &c);
      ASSERT_EQ(c, cfgs[s][w]);
      StaticTdnn net(c, sn.Options());
      sn.Materialize(&net);
      net.ZeroGrad();
      net.ForwardLoss(x, batch.labels.data(), true, nullptr);
      net.Backward(1.0f);
      sn.ScatterGrad(net);
      sn.ScatterState(net);
    }
    adam.Update(static_cast<float>(lr.At(s)), sn.GradBuffer(), &sn.ParamBuffer());
  }
  const Supernet &a = model.Super();
  EXPECT_EQ(0, std::memcmp(a.ParamBuffer().Data(), sn.ParamBuffer().Data(),
                           sn.ParamBuffer().Size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(const_cast<Supernet &>(a).StateBuffer().Data(),
                           sn.StateBuffer().Data(), sn.StateBuffer().Size() * sizeof(float)));
  // The run changed the supernet (the comparison above is not between two untouched copies).
  NnetModel init = NewModel();
  EXPECT_NE(0, std::memcmp(a.ParamBuffer().Data(), init.Super().ParamBuffer().Data(),
                           sn.ParamBuffer().Size() * sizeof(float)));

  // The same seed draws the same subnets again.
  NnetModel again = NewModel();
  TrainData data3 = NewData();
  Trainer t2(topts_, &again, &data3, false);
  t2.Run();
  EXPECT_EQ(t2.StepConfigs(), cfgs);
}

TEST_F(SupernetTraining, StageLargestAndCutSubnet) {
  topts_.stage = "largest";
  topts_.dynamic_walks = 1;
  NnetModel model = NewModel();
  TrainData data = NewData();
  Trainer trainer(topts_, &model, &data, false);
  trainer.Run();
  for (const auto &step : trainer.StepConfigs()) EXPECT_EQ(step[0], model.Super().Largest());
  // An unknown stage is an ERROR naming the known spaces.
  topts_.stage = "widest";
  EXPECT_THROW(Trainer(topts_, &model, &data, false), FatalError);
  // Cut a subnet and fine-tune it: the static net trains, the supernet is gone.
  topts_.stage = "largest";
  model.CutSubnet(ParseSubnetConfig("2-16-8-8-3-1-3-24"));
  ASSERT_TRUE(model.IsStatic());
  std::vector<float> before(model.Net().ParamBuffer().Data(),
                            model.Net().ParamBuffer().Data() + model.Net().ParamBuffer().Size());
  TrainData data2 = NewData();
  Trainer ft(topts_, &model, &data2, false);
  ft.Run();
  EXPECT_TRUE(ft.StepConfigs().empty());
  EXPECT_NE(0, std::memcmp(before.data(), model.Net().ParamBuffer().Data(),
                           before.size() * sizeof(float)));
}

// --sandwich: the stage's largest (and smallest) net first at every step, then the same
// draws as without it; nothing added in stage largest; an unknown value is an ERROR.
TEST_F(SupernetTraining, SandwichWalksLargestAndSmallestFirst) {
  NnetModel plain_model = NewModel();
  TrainData plain_data = NewData();
  topts_.dynamic_walks = 1;
  Trainer plain(topts_, &plain_model, &plain_data, false);
  plain.Run();
  topts_.sandwich = "largest,smallest";
  NnetModel model = NewModel();
  TrainData data = NewData();
  Trainer trainer(topts_, &model, &data, false);
  trainer.Run();
  const SearchSpace space = SearchSpace::Named("width2", SupernetShape(16, 48));
  const auto &cfgs = trainer.StepConfigs();
  ASSERT_EQ(cfgs.size(), 3u);
  for (size_t s = 0; s < cfgs.size(); s++) {
    ASSERT_EQ(cfgs[s].size(), 3u);
    EXPECT_EQ(cfgs[s][0], model.Super().Largest());
    const SubnetConfig &small = cfgs[s][1];
    EXPECT_TRUE(space.Contains(small, nullptr)) << small.ToString();
    EXPECT_EQ(small.depth, space.Depths().front());
    EXPECT_EQ(small.cat_width, space.CatWidths().front());
    for (int32 c : small.widths) EXPECT_EQ(c, space.Widths().front());
    for (int32 k : small.kernels) EXPECT_EQ(k, space.Kernels().front());
    EXPECT_EQ(cfgs[s][2], plain.StepConfigs()[s][0]);
  }
  // The extra walks changed the training (their gradients reached Adam).
  EXPECT_NE(0, std::memcmp(plain_model.Super().ParamBuffer().Data(),
                           model.Super().ParamBuffer().Data(),
                           model.Super().ParamBuffer().Size() * sizeof(float)));
  topts_.stage = "largest";
  NnetModel big = NewModel();
  TrainData data2 = NewData();
  Trainer only(topts_, &big, &data2, false);
  only.Run();
  for (const auto &step : only.StepConfigs()) ASSERT_EQ(step.size(), 1u);
  topts_.sandwich = "smallest";
  EXPECT_THROW(topts_.Validate(), FatalError);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
