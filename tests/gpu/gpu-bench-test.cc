// gpu-bench-test.cc: the tdnas side of tests/bench/gpu-bench.sh (a test binary so the build
// needs no extra rule). Skips unless TDNAS_GPU_BENCH=1 and a GPU is visible.
//
// Times, for each math mode (fp32, tf32, bf16), on the largest subnet by default:
//   train: one training step = ZeroGrad + ForwardLoss (train mode, AAM head) + Backward +
//          Adam update (all on the GPU; ForwardLoss returns the loss, so each step syncs once);
//   train graph: the same step in its device form (labels, Adam's scalars and the loss on the
//          device: no host round trip) captured once in a CUDA graph and replayed, as
//          nnet-train-supernet runs it (--gpu-graph); printed as mode "<mode>-graph";
//   infer: one eval-mode forward to the embedding.
//   engine: the inference engine (gpu/infer-engine.h: bf16 activations, folded BN, fused
//          epilogues), with and without CUDA-graph replay.
// Median over iterations of device-event times, after warm-up. Prints
//   "tdnas <mode> train_ms <x> infer_ms <y>" and "engine <variant> infer_ms <y> rel_err <e>"
// lines (and writes them to $TDNAS_GPU_BENCH_OUT).
// Settings (env): TDNAS_GPU_BENCH_CONFIG (default 4-512-512-512-512-512-5-5-5-5-5-1536),
// _BATCH 128, _INFER_BATCH 256, _FRAMES 200, _CLASSES 5994, _ITERS 20, _MODES "fp32 tf32 bf16" ("none": the engine only).
// TDNAS_GPU_BENCH_PROFILE=1: after the timings of a mode, one more training step runs inside
// cudaProfilerStart/Stop (for `ncu --profile-from-start off`), and the host time to enqueue
// the backward + Adam is printed next to their device time ("host-bound" when they match).
#include <gtest/gtest.h>
#ifdef TDNAS_HAVE_CUDA
#include <cuda_profiler_api.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gpu/gpu-api.h"
#include "gpu/infer-engine.h"
#include "nnet/adam.h"
#include "nnet/static-tdnn.h"
#include "nnet/device-copy.h"
#include "nnet/subnet-config.h"
#include "gpu-test-util.h"

namespace tdnas {
namespace {

using nnet::Buffer;
using nnet::Device;

using gputest::Env;
using gputest::EnvInt;

template <typename Fn> double MedianMs(int iters, Fn fn) {
  std::vector<float> ms;
  gpu::GpuTimer timer;
  for (int i = 0; i < iters; i++) {
    timer.Start();
    fn();
    timer.Stop();
    ms.push_back(timer.Ms());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

TEST(GpuBench, TrainAndInfer) {
  if (Env("TDNAS_GPU_BENCH", "0") != "1") {
    GTEST_SKIP() << "SKIP: set TDNAS_GPU_BENCH=1 to run (tests/bench/gpu-bench.sh does)";
  }
  if (gpu::DeviceCount() == 0) { GTEST_SKIP() << "SKIP: no GPU visible"; }
  gpu::SelectDevice("yes");
  const std::string config = Env("TDNAS_GPU_BENCH_CONFIG", "4-512-512-512-512-512-5-5-5-5-5-1536");
  const int nb = EnvInt("TDNAS_GPU_BENCH_BATCH", 128), nbi = EnvInt("TDNAS_GPU_BENCH_INFER_BATCH", 256);
  const int t_len = EnvInt("TDNAS_GPU_BENCH_FRAMES", 200), classes = EnvInt("TDNAS_GPU_BENCH_CLASSES", 5994);
  const int iters = EnvInt("TDNAS_GPU_BENCH_ITERS", 20);
  std::istringstream modes(Env("TDNAS_GPU_BENCH_MODES", "fp32 tf32 bf16"));

  nnet::StaticTdnnOptions opts;
  opts.num_classes = classes;
  nnet::StaticTdnn cpu(ParseSubnetConfig(config), opts, Device::kCpu);
  cpu.InitParams(1);
  nnet::StaticTdnn net(ParseSubnetConfig(config), opts, Device::kGpu);
  nnet::CopyNetParamsAndState(cpu, &net);
  nnet::Adam adam(nnet::AdamOptions(), Device::kGpu, net.ParamBuffer().Size());

  std::mt19937 rng(7);
  std::normal_distribution<float> nd;
  const int in = opts.input_dim;
  std::vector<float> xh(static_cast<size_t>(nbi) * in * t_len);
  for (float &v : xh) v = nd(rng);
  Buffer xb(Device::kGpu, xh.size());
  gpu::CopyHostToDevice(xb.Data(), xh.data(), xh.size() * sizeof(float));
  nnet::Tensor x_train = xb.View({nb, in, t_len}), x_infer = xb.View({nbi, in, t_len});
  std::vector<int32_t> labels(nb);
  std::uniform_int_distribution<int32_t> ud(0, classes - 1);
  for (auto &l : labels) l = ud(rng);

  std::printf("device: %s\nconfig %s batch %d frames %d classes %d infer batch %d iters %d\n",
              gpu::DeviceDescription().c_str(), config.c_str(), nb, t_len, classes, nbi, iters);
  std::ostringstream report;
  std::string mode_name;
  while (modes >> mode_name) {
    if (mode_name == "none") continue;   // the engine only (profiling runs)
    gpu::MathMode mode;
    ASSERT_TRUE(gpu::ParseMathMode(mode_name, &mode)) << mode_name;
    gpu::SetMathMode(mode);
    double loss = 0.0;
    auto step = [&]() {
      net.ZeroGrad();
      loss = net.ForwardLoss(x_train, labels.data(), true, nullptr);
      net.Backward();
      adam.Update(1e-4f, net.GradBuffer(), &net.ParamBuffer());
    };
    step();
    const double first_loss = loss;
    for (int i = 0; i < 2; i++) step();
    const double train_ms = MedianMs(iters, step);
    if (Env("TDNAS_GPU_BENCH_PROFILE", "0") == "1") {
      using Clock = std::chrono::steady_clock;
      auto ms = [](Clock::time_point a, Clock::time_point b) {
        return std::chrono::duration<double, std::milli>(b - a).count();
      };
      gpu::Synchronize();
#ifdef TDNAS_HAVE_CUDA
      cudaProfilerStart();
#endif
      const auto t0 = Clock::now();
      net.ZeroGrad();
      loss = net.ForwardLoss(x_train, labels.data(), true, nullptr);   // ends with a sync
      const auto t1 = Clock::now();
      net.Backward();
      adam.Update(1e-4f, net.GradBuffer(), &net.ParamBuffer());
      const auto t2 = Clock::now();
      gpu::Synchronize();
      const auto t3 = Clock::now();
#ifdef TDNAS_HAVE_CUDA
      cudaProfilerStop();
#endif
      std::printf("profile %s forward+loss %.2f ms; backward+adam enqueue %.2f ms, done after %.2f ms\n",
                  mode_name.c_str(), ms(t0, t1), ms(t1, t2), ms(t1, t3));
    }
    // The step as nnet-train-supernet replays it: device labels, Adam scalars and loss.
    Buffer dev_aux(Device::kGpu, nb + 8);   // labels, then the Adam scalars, then the stats
    int32_t *dlabels = reinterpret_cast<int32_t *>(dev_aux.Data());
    nnet::AdamStepCoef *dcoef = reinterpret_cast<nnet::AdamStepCoef *>(dev_aux.Data() + nb);
    Buffer dev_stats(Device::kGpu, 4);
    gpu::CopyHostToDevice(dlabels, labels.data(), nb * sizeof(int32_t));
    const nnet::AdamStepCoef coef = adam.NextCoefficients(1e-4f);
    gpu::CopyHostToDevice(dcoef, &coef, sizeof(coef));
    auto device_step = [&]() {
      net.ZeroGrad();
      net.ForwardLossOnDevice(x_train, dlabels, true, reinterpret_cast<double *>(dev_stats.Data()));
      net.Backward();
      adam.UpdateOnDevice(dcoef, net.GradBuffer(), &net.ParamBuffer());
    };
    device_step();   // allocations and first-use uploads happen outside the capture
    gpu::StreamGraph graph;
    ASSERT_TRUE(graph.Capture(device_step));
    for (int i = 0; i < 2; i++) graph.Launch();
    const double graph_ms = MedianMs(iters, [&]() { graph.Launch(); });
    double stats[2];
    gpu::CopyDeviceToHost(stats, dev_stats.Data(), sizeof(stats));
    graph.Reset();
    auto infer = [&]() { net.Forward(x_infer, false); };
    for (int i = 0; i < 3; i++) infer();
    const double infer_ms = MedianMs(iters, infer);
    gpu::Synchronize();
    char line[256];
    std::snprintf(line, sizeof(line), "tdnas %s train_ms %.2f infer_ms %.2f loss %.4f -> %.4f pool_gib %.2f\n",
                  mode_name.c_str(), train_ms, infer_ms, first_loss, loss,
                  (gpu::PoolBytesInUse() + gpu::PoolBytesCached()) / 1073741824.0);
    std::fputs(line, stdout);
    report << line;
    std::snprintf(line, sizeof(line), "tdnas %s-graph train_ms %.2f infer_ms %.2f loss %.4f\n",
                  mode_name.c_str(), graph_ms, infer_ms, stats[0]);
    std::fputs(line, stdout);
    std::fflush(stdout);
    report << line;
    EXPECT_TRUE(std::isfinite(loss));
    EXPECT_TRUE(std::isfinite(stats[0]));
  }
  // The inference engine, checked against the float32 forward of the same net on the same input:
  // the initial weights again (the timed steps above fit one batch until the loss is ~0, which
  // leaves weights whose bf16 error is near the bound: 9e-3 after three modes' steps).
  {
    gpu::SetMathMode(gpu::MathMode::kFp32);
    nnet::CopyNetParamsAndState(cpu, &net);
    nnet::Tensor ref = net.Forward(x_infer, false);
    std::vector<float> want(ref.Numel()), got(ref.Numel());
    gpu::CopyDeviceToHost(want.data(), ref.data, want.size() * sizeof(float));
    for (int graph = 1; graph >= 0; graph--) {
      gpu::InferEngineOptions eo;
      eo.use_graph = graph == 1;
      gpu::InferEngine engine(net, eo);
      nnet::Tensor e;
      auto infer = [&]() { e = engine.Forward(x_infer); };
      for (int i = 0; i < 3; i++) infer();
      const double infer_ms = MedianMs(iters, infer);
      gpu::CopyDeviceToHost(got.data(), e.data, got.size() * sizeof(float));
      double num = 0.0, den = 0.0;
      for (size_t i = 0; i < got.size(); i++) {
        num += (got[i] - want[i]) * (double)(got[i] - want[i]);
        den += want[i] * (double)want[i];
      }
      char line[256];
      std::snprintf(line, sizeof(line), "engine bf16-%s infer_ms %.2f rel_err %.2e\n",
                    graph ? "graph" : "eager", infer_ms, std::sqrt(num / den));
      std::fputs(line, stdout);
      std::fflush(stdout);
      report << line;
      EXPECT_LT(num / den, 1e-4);   // relative L2 error < 1e-2
    }
  }
  const std::string out = Env("TDNAS_GPU_BENCH_OUT", "");
  if (!out.empty()) {
    FILE *f = std::fopen(out.c_str(), "w");
    ASSERT_NE(f, nullptr) << out;
    std::fputs(report.str().c_str(), f);
    std::fclose(f);
  }
}

}  // namespace
}  // namespace tdnas
