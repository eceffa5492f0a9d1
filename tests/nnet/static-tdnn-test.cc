// static-tdnn-test.cc: the whole StaticTdnn gradient (train-mode forward + AAM-softmax loss,
// and an eval-mode embedding probe) against central finite differences, per parameter tensor,
// for several small random configs and the spec's smallest subnet; plus the parameter table.
#include "nnet/static-tdnn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "nnet/parallel.h"
#include "nnet-test-util.h"

namespace tdnas {
namespace nnet {
namespace {

using testing::CheckGrad;
using testing::FillNormal;
using testing::FillUniform;
using testing::SeedTestRng;

// Randomises BN affine parameters so no gradient is trivially symmetric.
void RandomiseBn(StaticTdnn *net) {
  for (int i = 0; i < net->Params().Size(); i++) {
    const ParamEntry &e = net->Params().Entry(i);
    float *p = net->ParamBuffer().Data() + e.offset;
    if (e.name.find("bn.weight") != std::string::npos) FillUniform(p, e.size, 0.5f, 1.5f);
    if (e.name.find("bn.bias") != std::string::npos) FillUniform(p, e.size, -0.2f, 0.2f);
  }
}

// Checks every parameter tensor's gradient. coords: single elements checked per tensor.
// Float32 rounding noise of loss(): max |L(theta') - L(theta)| over a few copies of the
// parameters with each element multiplied by (1 + 1e-7 n), n ~ N(0, 1): a change of the order
// of one rounding, so the true change of L is negligible and what is left is rounding noise.
double LossNoise(StaticTdnn *net, const std::function<double()> &loss) {
  Buffer &pb = net->ParamBuffer();
  std::vector<float> saved(pb.Data(), pb.Data() + pb.Size()), n(pb.Size());
  double l0 = loss(), noise = 0.0;
  for (int k = 0; k < 4; k++) {
    FillNormal(n.data(), n.size());
    for (int64_t i = 0; i < pb.Size(); i++) pb.Data()[i] = saved[i] * (1.0f + 1e-7f * n[i]);
    noise = std::max(noise, std::fabs(loss() - l0));
  }
  std::copy(saved.begin(), saved.end(), pb.Data());
  return noise;
}

// Per tensor: a step of length eps along its own gradient direction g/|g| (see CheckGrad).
// Why the tolerance is loose (0.25 relative above the measured rounding-noise floor): in
// float32 this network is a poor subject for finite differences. Its loss is strongly curved
// (AAM scale 30, batch-statistics BN over 36-80 frames; at eps = 3e-2 some directional
// derivatives are off by 2x from curvature alone) while at eps = 1e-4 the float32 rounding
// noise of the loss dominates; eps = 1e-3 is the best compromise and leaves errors of a few
// percent, up to ~20% on tensors whose gradient is near the noise floor. Single-element checks
// are noisier still and are left to the per-layer tests (kernels-test.cc, errors < 1e-3).
// A wiring error (a dropped residual path, a wrong Res2 group) shows up as an O(1) error here;
// the exact whole-network gradient is checked against float64 PyTorch to < 1e-4 in
// torch-reference-test.cc.
const float kEps = 1e-3f;
void NetGradCase(const std::string &config, int64_t nb, int64_t t_len, bool train, int coords,
                 int threads) {
  SetNumThreads(threads);
  uint64_t seed = SeedTestRng("net " + config + (train ? " train" : " eval"));
  StaticTdnnOptions opts;
  opts.num_classes = 7;
  StaticTdnn net(ParseSubnetConfig(config), opts);
  net.InitParams(seed);
  RandomiseBn(&net);
  if (!train) {   // running stats from a train-mode pass, so eval mode is well conditioned
    std::vector<float> xv(nb * 80 * t_len);
    FillNormal(xv.data(), xv.size());
    net.Forward(Tensor(xv.data(), {nb, 80, t_len}), true);
  }
  std::vector<float> xv(nb * 80 * t_len);
  FillNormal(xv.data(), xv.size());
  Tensor x(xv.data(), {nb, 80, t_len});
  std::vector<int32_t> labels(nb);
  for (int64_t b = 0; b < nb; b++) labels[b] = static_cast<int32_t>((b * 3 + seed) % 7);
  std::vector<float> r(nb * opts.embed_dim);
  FillNormal(r.data(), r.size());
  // train: the AAM loss; eval: a random probe of the embedding (BN with running stats).
  auto loss = [&]() -> double {
    if (train) return net.ForwardLoss(x, labels.data(), true, nullptr);
    return testing::Probe(net.Forward(x, false), r);
  };
  net.ZeroGrad();
  loss();
  if (train) {
    net.Backward();
  } else {
    net.BackwardFromEmbedding(Tensor(r.data(), {nb, opts.embed_dim}));
  }
  const double floor = 3.0 * LossNoise(&net, loss) / kEps;
  std::vector<float> grads(net.GradBuffer().Data(), net.GradBuffer().Data() + net.GradBuffer().Size());
  double worst_dir = 0.0, worst_coord = 0.0;
  for (int i = 0; i < net.Params().Size(); i++) {
    const ParamEntry &e = net.Params().Entry(i);
    auto res = CheckGrad(config + " " + e.name, loss, net.ParamBuffer().Data() + e.offset,
                         grads.data() + e.offset, e.size, kEps, 0.25, coords, true, floor);
    worst_dir = std::max(worst_dir, res.dir_rel_err);
    worst_coord = std::max(worst_coord, res.coord_max_err);
  }
  std::printf("%s (%s, B=%lld T=%lld): %d tensors, noise floor %.1e, worst dir err %.2e, "
              "worst coord err %.2e\n", config.c_str(), train ? "train+AAM" : "eval probe",
              static_cast<long long>(nb), static_cast<long long>(t_len), net.Params().Size(),
              floor, worst_dir, worst_coord);
  SetNumThreads(1);
}

TEST(StaticTdnnGrad, Depth2Mixed) { NetGradCase("2-16-16-24-3-3-1-24", 4, 20, true, 0, 1); }
TEST(StaticTdnnGrad, Depth3Kernel5) { NetGradCase("3-24-16-16-32-5-3-1-5-40", 3, 17, true, 0, 2); }
TEST(StaticTdnnGrad, Depth4) { NetGradCase("4-16-16-16-16-16-1-5-3-3-5-32", 4, 20, true, 0, 1); }
TEST(StaticTdnnGrad, EvalMode) { NetGradCase("2-16-24-16-5-3-5-16", 3, 15, false, 0, 1); }
TEST(StaticTdnnGrad, Smallest) { NetGradCase("smallest", 3, 12, true, 0, 2); }

TEST(StaticTdnn, ParamTable) {
  StaticTdnnOptions opts;
  opts.num_classes = 10;
  StaticTdnn net(ParseSubnetConfig("2-16-16-24-3-3-1-24"), opts);
  const ParamTable &p = net.Params();
  EXPECT_EQ(p.Entry(0).name, "stem.conv.weight");
  EXPECT_EQ(p.Entry(0).shape, (std::vector<int64_t>{16, 80, 3}));
  EXPECT_EQ(net.Param("blocks.1.res2.6.conv.weight").dim[0], 3);   // 24 / 8
  EXPECT_EQ(net.Param("blocks.1.res2.6.conv.weight").dim[2], 1);
  EXPECT_EQ(net.Param("cat.weight").dim[1], 32);                    // d * c0
  EXPECT_EQ(net.Param("pool_bn.weight").dim[0], 48);                // 2C
  EXPECT_EQ(net.Param("head.weight").dim[0], 10);
  for (int i = 1; i < p.Size(); i++) {   // disjoint, ordered, aligned
    EXPECT_GE(p.Entry(i).offset, p.Entry(i - 1).offset + p.Entry(i - 1).size);
    EXPECT_EQ(p.Entry(i).offset % 16, 0);
  }
  EXPECT_EQ(net.State().Size(), 2 * (1 + 2 * 9 + 2));   // stem, 2 x 9 units, pool_bn, embed_bn
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
