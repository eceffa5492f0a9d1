// supernet-test.cc: weight sharing and materialisation of the EfficientTDNN supernet:
// the largest subnet is the supernet itself; gathered elements come from the spec's indices;
// ScatterGrad is exactly the transpose (gradient) of Materialize including the kernel
// transforms (finite differences over every supernet tensor, k53/k31 random); and a training
// step on a small subnet changes exactly the supernet slices it used.
#include "nnet/supernet.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nnet/adam.h"
#include "nnet-test-util.h"

namespace tdnas {
namespace nnet {
namespace {

using testing::FillNormal;
using testing::SeedTestRng;

StaticTdnnOptions SmallHead() {
  StaticTdnnOptions o;
  o.num_classes = 10;
  return o;
}

float SuperAt(const Supernet &sn, const std::string &name, int64_t flat) {
  int i = sn.Params().Find(name);
  EXPECT_GE(i, 0) << name;
  return sn.ParamBuffer().Data()[sn.Params().Entry(i).offset + flat];
}

TEST(Supernet, LargestIsTheSupernet) {
  Supernet sn(SmallHead());
  sn.InitParams(3);
  StaticTdnn net(Supernet::LargestConfig(), SmallHead());
  sn.Materialize(&net);
  for (int i = 0; i < net.Params().Size(); i++) {
    const ParamEntry &e = net.Params().Entry(i);
    for (int64_t k = 0; k < e.size; k++)
      ASSERT_EQ(net.ParamBuffer().Data()[e.offset + k], SuperAt(sn, e.name, k)) << e.name;
  }
  EXPECT_EQ(sn.Params().Size(), net.Params().Size() + 2 * (1 + 4 * 7));   // + k53, k31 each
}

TEST(Supernet, GatherIndices) {
  Supernet sn(SmallHead());
  sn.InitParams(4);
  // d=3, c0=256, c1=128 (16 per group), kernels 3 (stem), 5, 1, 3; C=768
  StaticTdnn net(ParseSubnetConfig("3-256-128-384-512-3-5-1-3-768"), SmallHead());
  sn.Materialize(&net);
  auto at = [&](const std::string &n, int64_t flat) { return net.ParamBuffer().Data()[net.Params().Entry(net.Params().Find(n)).offset + flat]; };
  // conv1 of block 0: out channel 17 = group 1, channel 1 -> supernet row 65; input 5.
  EXPECT_EQ(at("blocks.0.conv1.conv.weight", 17 * 256 + 5), SuperAt(sn, "blocks.0.conv1.conv.weight", 65 * 512 + 5));
  EXPECT_EQ(at("blocks.0.conv1.bn.weight", 17), SuperAt(sn, "blocks.0.conv1.bn.weight", 65));
  // conv3 of block 1 (c2 = 384: 48 per group): input 50 = group 1, channel 2 -> 66.
  EXPECT_EQ(at("blocks.1.conv3.conv.weight", 7 * 384 + 50), SuperAt(sn, "blocks.1.conv3.conv.weight", 7 * 512 + 66));
  // cat conv: input j*c0 + m <- j*512 + m.
  EXPECT_EQ(at("cat.weight", 5 * 768 + 2 * 256 + 9), SuperAt(sn, "cat.weight", 5 * 2048 + 2 * 512 + 9));
  // pool BN / FC: C + m <- 1536 + m.
  EXPECT_EQ(at("pool_bn.weight", 768 + 3), SuperAt(sn, "pool_bn.weight", 1536 + 3));
  EXPECT_EQ(at("fc.weight", 4 * 1536 + 768 + 3), SuperAt(sn, "fc.weight", 4 * 3072 + 1536 + 3));
  // Kernel 3 with identity k53 = the centre taps; kernel 1 = the centre tap.
  for (int k = 0; k < 3; k++)
    EXPECT_EQ(at("stem.conv.weight", (2 * 80 + 7) * 3 + k), SuperAt(sn, "stem.conv.weight", (2 * 80 + 7) * 5 + 1 + k));
  EXPECT_EQ(at("blocks.1.res2.3.conv.weight", (1 * 48 + 2) * 1), SuperAt(sn, "blocks.1.res2.3.conv.weight", (1 * 64 + 2) * 5 + 2));
}

// <R, Materialize(theta)> has gradient ScatterGrad(R): checked per supernet tensor.
TEST(Supernet, ScatterGradIsTheGathersGradient) {
  SeedTestRng("supernet-scatter");
  StaticTdnnOptions opts = SmallHead();
  Supernet sn(opts);
  sn.InitParams(5);
  for (int i = 0; i < sn.Params().Size(); i++) {   // random kernel transforms
    const ParamEntry &e = sn.Params().Entry(i);
    if (e.name.size() > 4 && (e.name.substr(e.name.size() - 4) == ".k53" || e.name.substr(e.name.size() - 4) == ".k31"))
      FillNormal(sn.ParamBuffer().Data() + e.offset, e.size, 0.5f, 0.5f);
  }
  // Small widths so the check is fast; every kernel combination 5->5, 5->3, 5->1 appears.
  StaticTdnn net(ParseSubnetConfig("4-16-16-24-16-8-1-5-3-1-3-24"), opts);
  std::vector<float> r(net.GradBuffer().Size());
  FillNormal(r.data(), r.size());
  std::copy(r.begin(), r.end(), net.GradBuffer().Data());
  sn.ZeroGrad();
  sn.ScatterGrad(net);
  std::vector<float> grads(sn.GradBuffer().Data(), sn.GradBuffer().Data() + sn.GradBuffer().Size());
  auto loss = [&]() {
    sn.Materialize(&net);
    double s = 0.0;
    for (size_t k = 0; k < r.size(); k++) s += static_cast<double>(r[k]) * net.ParamBuffer().Data()[k];
    return s;
  };
  double worst = 0.0;
  int checked = 0;
  for (int i = 0; i < sn.Params().Size(); i++) {
    const ParamEntry &e = sn.Params().Entry(i);
    // Unused tensors (block 3's mid width 8 uses few) still get checked: their gradient is 0
    // outside the used slice, and the directional derivative sees that.
    if (e.size > 200000) continue;   // head-sized tensors are plain copies; skip for speed
    auto res = testing::CheckGrad("supernet " + e.name, loss, sn.ParamBuffer().Data() + e.offset,
                                  grads.data() + e.offset, e.size, 1e-2f, 1e-3, 2);
    worst = std::max(worst, res.dir_rel_err);
    checked++;
  }
  std::printf("ScatterGrad vs finite differences of <R, Materialize>: %d tensors, worst %.2e\n", checked, worst);
}

// A training step on a small subnet changes exactly the supernet slices it used.
TEST(Supernet, TrainingStepTouchesOnlyUsedSlices) {
  SeedTestRng("supernet-step");
  StaticTdnnOptions opts = SmallHead();
  Supernet sn(opts);
  sn.InitParams(6);
  // d = 2 (blocks 2, 3 unused), c0 = 24, mid widths 16 and 32, kernels 3 (stem), 1, 3; C = 40.
  StaticTdnn net(ParseSubnetConfig("2-24-16-32-3-1-3-40"), opts);
  std::vector<float> before(sn.ParamBuffer().Data(), sn.ParamBuffer().Data() + sn.ParamBuffer().Size());
  std::vector<float> state_before(sn.StateBuffer().Data(), sn.StateBuffer().Data() + sn.StateBuffer().Size());
  // Used elements: every gathered (out, in) pair, all 5 taps when the subnet kernel is 5, the
  // middle 3 when it is 3 or 1 (W3 = W5[:, :, 1:4] @ k53); the transforms of convs with k < 5.
  std::vector<char> used(before.size(), 0), used_state(state_before.size(), 0);
  for (const auto &g : sn.BuildGathers(net, false)) {
    const ParamEntry &se = sn.Params().Entry(g.src);
    if (g.in.empty()) { for (int o : g.out) used[se.offset + o] = 1; continue; }
    const int64_t si = se.shape[1], ks = se.shape.size() == 3 ? se.shape[2] : 1;
    for (int o : g.out)
      for (int i : g.in)
        for (int k = 0; k < ks; k++)
          if (g.k_dst == ks || (k >= 1 && k <= 3)) used[se.offset + (o * si + i) * ks + k] = 1;
    if (g.k53 >= 0) {
      for (int k = 0; k < 9; k++) used[sn.Params().Entry(g.k53).offset + k] = 1;
      if (g.k_dst == 1) used[sn.Params().Entry(g.k31).offset] = 1;
    }
  }
  for (const auto &g : sn.BuildGathers(net, true))
    for (int o : g.out) used_state[sn.State().Entry(g.src).offset + o] = 1;

  std::vector<float> xv(4 * 80 * 20);
  FillNormal(xv.data(), xv.size());
  std::vector<int32_t> labels = {1, 4, 7, 2};
  sn.Materialize(&net);
  net.ZeroGrad();
  net.ForwardLoss(Tensor(xv.data(), {4, 80, 20}), labels.data(), true, nullptr);
  net.Backward();
  sn.ZeroGrad();
  sn.ScatterGrad(net);
  sn.ScatterState(net);
  AdamOptions ao;
  ao.weight_decay = 0.0f;   // L2 decay would (like torch.optim.Adam) move every element of a touched tensor
  Adam adam(ao, Device::kCpu, sn.Params().TotalSize());
  adam.Update(1e-3f, sn.GradBuffer(), &sn.ParamBuffer());

  int64_t n_used = 0, n_changed_used = 0, n_changed_unused = 0;
  for (size_t k = 0; k < before.size(); k++) {
    bool changed = sn.ParamBuffer().Data()[k] != before[k];
    if (used[k]) { n_used++; n_changed_used += changed; } else { n_changed_unused += changed; }
  }
  int64_t s_used = 0, s_changed_used = 0, s_changed_unused = 0;
  for (size_t k = 0; k < state_before.size(); k++) {
    bool changed = sn.StateBuffer().Data()[k] != state_before[k];
    if (used_state[k]) { s_used++; s_changed_used += changed; } else { s_changed_unused += changed; }
  }
  std::printf("params: %lld used of %lld, %lld of them changed, %lld unused changed; "
              "BN stats: %lld used, %lld changed, %lld unused changed\n",
              (long long)n_used, (long long)sn.Params().NumElements(), (long long)n_changed_used,
              (long long)n_changed_unused, (long long)s_used, (long long)s_changed_used,
              (long long)s_changed_unused);
  EXPECT_EQ(n_changed_unused, 0);
  EXPECT_EQ(s_changed_unused, 0);
  // Nearly every used element moves (a few may have an exactly zero gradient, e.g. dead ReLUs).
  EXPECT_GT(n_changed_used, 0.95 * n_used);
  EXPECT_GT(s_changed_used, 0.95 * s_used);
}

// A scaled supernet (max width 64, cat 192): the same structure with 8-channel groups, cat
// slots every 64 channels, pooling indices {m, 192 + m}; its largest subnet is the supernet;
// a config wider than the shape is an ERROR.
TEST(Supernet, ScaledShape) {
  const SupernetShape shape(64, 192);
  Supernet sn(SmallHead(), shape);
  sn.InitParams(7);
  EXPECT_EQ(sn.Largest().ToString(), "4-64-64-64-64-64-5-5-5-5-5-192");
  StaticTdnn big(sn.Largest(), SmallHead());
  sn.Materialize(&big);
  for (int i = 0; i < big.Params().Size(); i++) {
    const ParamEntry &e = big.Params().Entry(i);
    for (int64_t k = 0; k < e.size; k++)
      ASSERT_EQ(big.ParamBuffer().Data()[e.offset + k], SuperAt(sn, e.name, k)) << e.name;
  }
  StaticTdnn net(ParseSubnetConfig("3-32-16-48-64-3-5-1-3-96"), SmallHead());
  sn.Materialize(&net);
  auto at = [&](const std::string &n, int64_t flat) { return net.ParamBuffer().Data()[net.Params().Entry(net.Params().Find(n)).offset + flat]; };
  // conv1 of block 0 (c1 = 16: 2 per group of 8): out channel 3 = group 1, channel 1 -> row 9.
  EXPECT_EQ(at("blocks.0.conv1.conv.weight", 3 * 32 + 5), SuperAt(sn, "blocks.0.conv1.conv.weight", 9 * 64 + 5));
  // conv3 of block 1 (c2 = 48: 6 per group): input 7 = group 1, channel 1 -> 9.
  EXPECT_EQ(at("blocks.1.conv3.conv.weight", 4 * 48 + 7), SuperAt(sn, "blocks.1.conv3.conv.weight", 4 * 64 + 9));
  // cat conv: input j*c0 + m <- j*64 + m.
  EXPECT_EQ(at("cat.weight", 5 * 96 + 2 * 32 + 9), SuperAt(sn, "cat.weight", 5 * 256 + 2 * 64 + 9));
  // pool BN / FC: C + m <- 192 + m.
  EXPECT_EQ(at("pool_bn.weight", 96 + 3), SuperAt(sn, "pool_bn.weight", 192 + 3));
  EXPECT_EQ(at("fc.weight", 4 * 192 + 96 + 3), SuperAt(sn, "fc.weight", 4 * 384 + 192 + 3));
  StaticTdnn wide(ParseSubnetConfig("2-72-16-16-3-3-3-96"), SmallHead());
  EXPECT_THROW(sn.Materialize(&wide), FatalError);
  StaticTdnn wide_cat(ParseSubnetConfig("2-64-16-16-3-3-3-200"), SmallHead());
  EXPECT_THROW(sn.Materialize(&wide_cat), FatalError);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
