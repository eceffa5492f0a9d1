// batch-prefetch-test.cc: the GPU batch feed (pinned host memory, uploads on the copy stream
// ordered with events) and the trainer's double-buffered prefetch (--gpu-prefetch).
//   - Pinned uploads: 12 rounds of fresh random data through two pinned slots, each upload
//     queued on the copy stream while the compute stream still works on the other slot
//     (a device-to-device copy of 64 MiB per round), read back after the compute stream waited
//     on the upload's event: every value equal, bit for bit.
//   - Trainer: the same supernet trained on the GPU with prefetch on and off (stages largest
//     and width2, two walks, 7 steps over an epoch boundary; and a static model): losses,
//     accuracies, parameters and BN statistics bit-identical, in fp32, TF32 and BF16; and
//     the same with the step captured in a CUDA graph (--gpu-graph: 6 of the 7 steps are
//     replays in stage largest and for the static model, none in width2). Control: two
//     runs with prefetch off are compared the same way first, so a failure says whether the
//     device itself is non-deterministic.
// Every test skips when no GPU is visible (CUDA=0 build, or CUDA_VISIBLE_DEVICES="").
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gpu/gpu-api.h"
#include "nnet/device-copy.h"
#include "nnet/model-io.h"
#include "nnet/parallel.h"
#include "nnet/trainer.h"
#include "gpu-test-util.h"

namespace tdnas {
namespace nnet {
namespace {

using gputest::Rng;
using gputest::HaveGpu;
using gputest::ToHost;
using gputest::RandomBatches;

constexpr int32 kDim = 16;
constexpr int32 kClasses = 7;

size_t CountDiffering(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() != b.size()) return std::max(a.size(), b.size());
  size_t n = 0;
  for (size_t i = 0; i < a.size(); i++) n += std::memcmp(&a[i], &b[i], sizeof(float)) != 0;
  return n;
}
size_t CountDiffering(const std::vector<double> &a, const std::vector<double> &b) {
  if (a.size() != b.size()) return std::max(a.size(), b.size());
  size_t n = 0;
  for (size_t i = 0; i < a.size(); i++) n += std::memcmp(&a[i], &b[i], sizeof(double)) != 0;
  return n;
}

TEST(BatchPrefetch, PinnedUploadsOnTheCopyStreamArriveIntact) {
  REQUIRE_GPU();
  const int64 n = 128 * 80 * 200;   // one paper-size batch
  const size_t bytes = static_cast<size_t>(n) * sizeof(float);
  float *host[2];
  Buffer dev[2];
  gpu::StreamEvent uploaded[2], released[2];
  for (int k = 0; k < 2; k++) {
    host[k] = static_cast<float *>(gpu::AllocPinned(bytes));
    dev[k].Resize(Device::kGpu, n);
    released[k].Record(gpu::StreamId::kCompute);
  }
  Buffer big_a, big_b;   // compute-stream work to overlap with
  big_a.Resize(Device::kGpu, 16 << 20);
  big_b.Resize(Device::kGpu, 16 << 20);
  big_a.SetZero();
  std::normal_distribution<float> nd;
  std::vector<float> expect(n), got(n);
  size_t bad = 0;
  for (int round = 0; round < 12; round++) {
    const int k = round % 2;
    uploaded[k].HostWait();
    for (int64 i = 0; i < n; i++) host[k][i] = nd(Rng());
    expect.assign(host[k], host[k] + n);
    released[k].WaitOn(gpu::StreamId::kCopy);
    gpu::CopyHostToDeviceAsync(dev[k].Data(), host[k], bytes);
    uploaded[k].Record(gpu::StreamId::kCopy);
    for (int r = 0; r < 4; r++)
      gpu::CopyDeviceToDevice(big_b.Data(), big_a.Data(), big_a.Size() * sizeof(float));
    uploaded[k].WaitOn(gpu::StreamId::kCompute);
    gpu::CopyDeviceToHost(got.data(), dev[k].Data(), bytes);
    released[k].Record(gpu::StreamId::kCompute);
    bad += CountDiffering(got, expect);
  }
  for (int k = 0; k < 2; k++) {
    uploaded[k].HostWait();
    gpu::FreePinned(host[k]);
  }
  std::printf("pinned uploads: 12 rounds of %lld floats, %zu values differ\n",
              static_cast<long long>(n), bad);
  EXPECT_EQ(bad, 0u);
}

StaticTdnnOptions NetOpts() {
  StaticTdnnOptions o;
  o.input_dim = kDim;
  o.num_classes = kClasses;
  return o;
}

struct RunResult {
  std::vector<double> losses, accs;
  std::vector<float> params, state;
  int64 graph_steps = 0;
};

// Trains a fresh model (supernet if stage is not "static") on the GPU for 7 steps.
RunResult Train(const std::string &stage, uint64 model_seed, uint64 data_seed, int32 seed,
                bool prefetch, bool graph = false) {
  NnetModel m = stage == "static"
      ? NnetModel(SupernetShape(32, 96).Largest(), NetOpts(), model_seed)
      : NnetModel(SupernetShape(32, 96), NetOpts(), model_seed);
  m.FrontEnd().feature_dim = kDim;
  for (int c = 0; c < kClasses; c++) m.Speakers().push_back("spk" + std::to_string(c));
  TrainerOptions o;
  if (stage != "static") {
    o.stage = stage;
    o.dynamic_walks = 2;
  }
  o.lr = 0.005f;
  o.lr_min = 0.001f;
  o.cycle_steps = 4;
  o.num_epochs = 2;
  o.max_steps = 7;   // 4 batches per epoch: crosses the epoch boundary
  o.log_every = 100;
  o.seed = seed;
  o.gpu_prefetch = prefetch;
  o.gpu_graph = graph;
  RandomBatches data(8, 40, 4, data_seed, kDim, kClasses);
  Trainer t(o, &m, &data, false, Device::kGpu);
  t.Run();
  RunResult r;
  r.losses = t.StepLosses();
  r.accs = t.StepAccuracies();
  r.graph_steps = t.GraphSteps();
  r.params = ToHost(m.ParamBuffer());
  if (m.IsSupernet()) r.state = ToHost(m.Super().StateBuffer());
  else r.state = ToHost(m.Net().StateBuffer());
  return r;
}

size_t Compare(const RunResult &a, const RunResult &b, const char *what, const std::string &stage) {
  const size_t dl = CountDiffering(a.losses, b.losses), da = CountDiffering(a.accs, b.accs);
  const size_t dp = CountDiffering(a.params, b.params), ds = CountDiffering(a.state, b.state);
  std::printf("stage %-7s %-22s %zu steps (loss %.5f..%.5f): differing losses %zu, accuracies "
              "%zu, params %zu of %zu, BN stats %zu of %zu\n", stage.c_str(), what,
              a.losses.size(), a.losses.empty() ? 0.0 : a.losses.front(),
              a.losses.empty() ? 0.0 : a.losses.back(), dl, da, dp, a.params.size(), ds,
              a.state.size());
  return dl + da + dp + ds + (a.losses.size() == 7 ? 0 : 1);
}

TEST(BatchPrefetch, TrainingIsBitIdenticalWithAndWithoutPrefetch) {
  REQUIRE_GPU();
  SetNumThreads(1);
  for (const char *math : {"fp32", "tf32", "bf16"}) {
    gpu::MathMode mode;
    ASSERT_TRUE(gpu::ParseMathMode(math, &mode));
    gpu::SetMathMode(mode);
    for (const std::string stage : {"largest", "width2", "static"}) {
      const uint64 ms = Rng()() % 1000, ds = Rng()();
      const int32 seed = static_cast<int32>(Rng()() % 100000);
      const RunResult off1 = Train(stage, ms, ds, seed, false);
      const RunResult off2 = Train(stage, ms, ds, seed, false);
      const RunResult on = Train(stage, ms, ds, seed, true);
      const RunResult graph = Train(stage, ms, ds, seed, true, true);
      std::printf("[%s] ", math);
      const size_t control = Compare(off1, off2, "off vs off (control)", stage);
      const char *why = control ? " (the control differs too: device not deterministic)" : "";
      std::printf("[%s] ", math);
      EXPECT_EQ(Compare(off1, on, "off vs on", stage), 0u) << stage << " " << math << why;
      // The CUDA graph: replays of the captured step (all but the first, eager, step where
      // every step trains the same nets; none in an elastic stage) give the same bits.
      std::printf("[%s] %lld of 7 steps replayed; ", math,
                  static_cast<long long>(graph.graph_steps));
      EXPECT_EQ(Compare(off1, graph, "off vs on + CUDA graph", stage), 0u)
          << stage << " " << math << why;
      EXPECT_EQ(graph.graph_steps, stage == "width2" ? 0 : 6) << stage;
      EXPECT_EQ(on.graph_steps, 0);
    }
  }
  gpu::SetMathMode(gpu::MathMode::kFp32);
}

}  // namespace
}  // namespace nnet
}  // namespace tdnas
