// stream-graph-test.cc: gpu::StreamGraph, the CUDA graph the trainer replays its step with.
//   - Capture records without running (the output is untouched until Launch); each Launch
//     reads the inputs' current contents (4 rounds of fresh random data, bit-equal copies).
//   - Pool memory the captured work allocated and freed (its scratch) stays reserved while
//     the graph lives (a new allocation of that size gets another block) and is handed out
//     again after Reset().
//   - A capture whose function throws, or synchronises with the host (illegal while
//     capturing), ends with the error rethrown and the stream usable afterwards.
// The trainer's use of it (bit-identical training with and without the graph) is tested in
// batch-prefetch-test. Skips when no GPU is visible.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "gpu/gpu-api.h"
#include "nnet/tensor.h"
#include "gpu-test-util.h"

namespace tdnas {
namespace {

using nnet::Buffer;
using nnet::Device;

constexpr int64_t kFloats = 777 * 1024;   // a size no other test here uses (3 MiB)

std::vector<float> Download(const Buffer &b) {
  std::vector<float> h(b.Size());
  gpu::CopyDeviceToHost(h.data(), b.Data(), h.size() * sizeof(float));
  return h;
}

TEST(StreamGraph, ReplaysWithNewInputsAndKeepsItsScratch) {
  REQUIRE_GPU();
  gpu::SelectDevice("yes");
  Buffer src(Device::kGpu, kFloats), dst(Device::kGpu, kFloats);
  dst.SetZero();
  const size_t bytes = kFloats * sizeof(float);
  float *scratch_addr = nullptr;
  gpu::StreamGraph g;
  ASSERT_TRUE(g.Capture([&]() {
    Buffer scratch(Device::kGpu, kFloats);   // allocated and freed inside the capture
    scratch_addr = scratch.Data();
    gpu::CopyDeviceToDevice(scratch.Data(), src.Data(), bytes);
    gpu::CopyDeviceToDevice(dst.Data(), scratch.Data(), bytes);
  }));
  ASSERT_TRUE(g.Ready());
  for (float v : Download(dst)) ASSERT_EQ(v, 0.0f) << "the capture ran the work";
  Buffer other(Device::kGpu, kFloats);
  EXPECT_NE(other.Data(), scratch_addr) << "the graph's scratch was handed out while it lives";
  std::mt19937 rng(gputest::Rng()());
  std::normal_distribution<float> nd;
  for (int round = 0; round < 4; round++) {
    std::vector<float> h(kFloats);
    for (float &v : h) v = nd(rng);
    gpu::CopyHostToDevice(src.Data(), h.data(), bytes);
    g.Launch();
    other.SetZero();   // other work on the stream between replays
    EXPECT_EQ(Download(dst), h) << "round " << round;
  }
  g.Reset();
  EXPECT_FALSE(g.Ready());
  other = Buffer();
  Buffer a(Device::kGpu, kFloats), b(Device::kGpu, kFloats);
  const std::set<float *> got = {a.Data(), b.Data()};
  EXPECT_TRUE(got.count(scratch_addr)) << "the released scratch is not handed out again";
}

TEST(StreamGraph, FailedCaptureLeavesTheStreamUsable) {
  REQUIRE_GPU();
  gpu::SelectDevice("yes");
  Buffer src(Device::kGpu, 1024), dst(Device::kGpu, 1024);
  gpu::StreamGraph g;
  EXPECT_THROW(g.Capture([&]() {
    gpu::CopyDeviceToDevice(dst.Data(), src.Data(), 4096);
    TD_ERR << "thrown while capturing";
  }), FatalError);
  EXPECT_FALSE(g.Ready());
  // A host synchronisation inside the capture is an error (the step would not be replayable).
  EXPECT_THROW(g.Capture([&]() { gpu::Synchronize(); }), FatalError);
  EXPECT_FALSE(g.Ready());
  std::vector<float> h(1024, 3.5f);
  gpu::CopyHostToDevice(src.Data(), h.data(), 4096);
  gpu::CopyDeviceToDevice(dst.Data(), src.Data(), 4096);
  EXPECT_EQ(Download(dst), h);
}

}  // namespace
}  // namespace tdnas
