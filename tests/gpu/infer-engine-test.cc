// infer-engine-test.cc: the bf16 inference engine (gpu/infer-engine.h) against the CPU float32
// StaticTdnn in eval mode, on random subnets of several shapes (depths 2-4, kernels 1/3/5,
// uneven widths, frame counts that are and are not multiples of 8, batch 1 and larger), with
// random weights, random BN affine parameters and running statistics (so the folding is
// exercised, not an identity), and fresh random inputs each run. BF16 tolerance: relative
// error of each embedding (L2) < 1e-2. Also: the CUDA-graph replay gives the eager result,
// a new input in the same buffer is seen by the replayed graph, and a change of shape works.
// Skips where no GPU is visible (CI).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "gpu/gpu-api.h"
#include "gpu/infer-engine.h"
#include "nnet/device-copy.h"
#include "nnet/static-tdnn.h"
#include "nnet/subnet-config.h"
#include "gpu-test-util.h"

namespace tdnas {
namespace {

using nnet::Buffer;
using nnet::Device;

// Random BN parameters and running statistics (InitParams leaves gamma 1, beta 0, (0, 1)).
void RandomizeBn(nnet::StaticTdnn *net, std::mt19937_64 *rng) {
  std::uniform_real_distribution<float> g(0.5f, 1.5f), b(-0.3f, 0.3f), v(0.3f, 2.0f);
  const nnet::ParamTable &pt = net->Params();
  for (int i = 0; i < pt.Size(); i++) {
    const nnet::ParamEntry &e = pt.Entry(i);
    if (e.name.find("bn.") == std::string::npos) continue;
    float *p = net->ParamBuffer().Data() + e.offset;
    const bool weight = e.name.size() > 6 && e.name.compare(e.name.size() - 6, 6, "weight") == 0;
    for (int64_t j = 0; j < e.size; j++) p[j] = weight ? g(*rng) : b(*rng);
  }
  const nnet::ParamTable &st = net->State();
  for (int i = 0; i < st.Size(); i++) {
    const nnet::ParamEntry &e = st.Entry(i);
    float *p = net->StateBuffer().Data() + e.offset;
    const bool var = e.name.find("running_var") != std::string::npos;
    for (int64_t j = 0; j < e.size; j++) p[j] = var ? v(*rng) : b(*rng);
  }
}

// Max over rows of |a_r - b_r| / |b_r| (L2 norms), a and b (rows, cols) row-major.
double MaxRowRelError(const std::vector<float> &a, const std::vector<float> &b, int rows) {
  const size_t cols = b.size() / rows;
  double worst = 0.0;
  for (int r = 0; r < rows; r++) {
    double num = 0.0, den = 0.0;
    for (size_t c = 0; c < cols; c++) {
      const double d = a[r * cols + c] - b[r * cols + c];
      num += d * d;
      den += static_cast<double>(b[r * cols + c]) * b[r * cols + c];
    }
    worst = std::max(worst, std::sqrt(num / std::max(den, 1e-30)));
  }
  return worst;
}

struct Case {
  const char *config;
  int batch, frames;
};

TEST(InferEngine, MatchesCpuFloat32Forward) {
  REQUIRE_GPU();
  std::mt19937_64 &rng = gputest::Rng();
  const Case cases[] = {
      {"4-128-128-128-128-128-5-5-5-5-5-384", 6, 200},
      {"3-96-64-64-64-5-3-3-3-192", 5, 173},
      {"2-64-64-32-3-1-3-104", 1, 97},
      {"2-32-32-32-1-1-1-96", 3, 64},
      {"4-64-128-96-64-128-3-5-1-3-5-256", 4, 150},
  };
  for (const Case &c : cases) {
    nnet::StaticTdnnOptions opts;
    opts.input_dim = 40;
    nnet::StaticTdnn cpu(ParseSubnetConfig(c.config), opts, Device::kCpu);
    cpu.InitParams(rng());
    RandomizeBn(&cpu, &rng);
    std::normal_distribution<float> nd;
    std::vector<float> x(static_cast<size_t>(c.batch) * opts.input_dim * c.frames);
    for (float &v : x) v = nd(rng);
    Buffer xc(Device::kCpu, x.size());
    std::copy(x.begin(), x.end(), xc.Data());
    nnet::Tensor ref = cpu.Forward(xc.View({c.batch, opts.input_dim, c.frames}), false);
    std::vector<float> want(ref.data, ref.data + ref.Numel());

    Buffer xg(Device::kGpu, x.size());
    gpu::CopyHostToDevice(xg.Data(), x.data(), x.size() * sizeof(float));
    gpu::InferEngine engine(cpu);   // from a CPU network
    std::vector<float> got(want.size());
    for (int rep = 0; rep < 4; rep++) {   // eager, eager (captures), replay, replay
      nnet::Tensor e = engine.Forward(xg.View({c.batch, opts.input_dim, c.frames}));
      ASSERT_EQ(e.dim[0], c.batch);
      ASSERT_EQ(e.dim[1], opts.embed_dim);
      gpu::CopyDeviceToHost(got.data(), e.data, got.size() * sizeof(float));
      const double err = MaxRowRelError(got, want, c.batch);
      EXPECT_LT(err, 1e-2) << c.config << " repetition " << rep;
      if (rep == 0) std::printf("%-36s B=%d T=%d  max relative error %.2e\n", c.config, c.batch, c.frames, err);
    }
    EXPECT_EQ(engine.GraphReplays(), 3) << c.config;
  }
}

TEST(InferEngine, GraphSeesNewInputAndShapeChanges) {
  REQUIRE_GPU();
  std::mt19937_64 &rng = gputest::Rng();
  nnet::StaticTdnnOptions opts;
  opts.input_dim = 40;
  const char *config = "3-96-64-64-64-5-3-3-3-192";
  nnet::StaticTdnn cpu(ParseSubnetConfig(config), opts, Device::kCpu);
  cpu.InitParams(rng());
  RandomizeBn(&cpu, &rng);
  // A GPU copy of the network: the engine must also load from device parameters.
  nnet::StaticTdnn gnet(ParseSubnetConfig(config), opts, Device::kGpu);
  nnet::CopyNetParamsAndState(cpu, &gnet);
  gpu::InferEngine engine(gnet);
  std::normal_distribution<float> nd;
  const int shapes[][2] = {{4, 120}, {4, 120}, {4, 120}, {2, 88}, {2, 88}, {7, 200}, {4, 120}};
  for (const auto &sh : shapes) {
    const int nb = sh[0], t = sh[1];
    std::vector<float> x(static_cast<size_t>(nb) * opts.input_dim * t);
    for (float &v : x) v = nd(rng);   // new input every call: a stale graph would miss it
    Buffer xc(Device::kCpu, x.size()), xg(Device::kGpu, x.size());
    std::copy(x.begin(), x.end(), xc.Data());
    gpu::CopyHostToDevice(xg.Data(), x.data(), x.size() * sizeof(float));
    nnet::Tensor ref = cpu.Forward(xc.View({nb, opts.input_dim, t}), false);
    std::vector<float> want(ref.data, ref.data + ref.Numel()), got(want.size());
    nnet::Tensor e = engine.Forward(xg.View({nb, opts.input_dim, t}));
    gpu::CopyDeviceToHost(got.data(), e.data, got.size() * sizeof(float));
    EXPECT_LT(MaxRowRelError(got, want, nb), 1e-2) << "B=" << nb << " T=" << t;
  }
  // Replays: the 2nd and 3rd (4,120) calls (captured on the 2nd), the 2nd (2,88) call; the
  // larger (7,200) batch reallocates the buffers, so the last (4,120) call runs eagerly.
  EXPECT_EQ(engine.GraphReplays(), 3);
}

}  // namespace
}  // namespace tdnas
